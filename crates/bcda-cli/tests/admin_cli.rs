//! `bcda sandbox credentials` and `bcda admin ...` against a temporary data directory.

use std::process::Command;

fn bcda(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(args)
        .output()
        .expect("run bcda");
    assert!(
        out.status.success(),
        "bcda {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sandbox_credentials_json_is_fixed_and_complete() {
    let json = bcda(&["sandbox", "credentials", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let list = v.as_array().unwrap();
    let acos: Vec<&str> = list.iter().map(|c| c["aco"].as_str().unwrap()).collect();
    for aco in [
        "A9994", "A9990", "A9991", "A9992", "A9993", "A9998", "A9999", "TEST001", "A9997",
        "TEST995",
    ] {
        assert!(acos.contains(&aco), "{aco} missing from {json}");
    }
    let a9993 = list.iter().find(|c| c["aco"] == "A9993").unwrap();
    assert_eq!(a9993["beneficiaries"], 30000);
    assert_eq!(
        a9993["client_id"],
        bcda_server::sandbox::client_id_for("A9993")
    );
    assert_eq!(
        a9993["client_secret"],
        bcda_server::sandbox::client_secret_for("A9993")
    );
    // Identical on every run (and every machine: derived, not random).
    assert_eq!(json, bcda(&["sandbox", "credentials", "--format", "json"]));
}

#[test]
fn admin_commands_manage_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    bcda(&[
        "admin",
        "--data-dir",
        d,
        "create-aco",
        "--cms-id",
        "A1234",
        "--beneficiaries",
        "10",
    ]);
    let creds: serde_json::Value = serde_json::from_str(&bcda(&[
        "admin",
        "--data-dir",
        d,
        "create-credentials",
        "--cms-id",
        "A1234",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(creds["aco"], "A1234");
    let client_id = creds["client_id"].as_str().unwrap();
    let rotated = bcda(&[
        "admin",
        "--data-dir",
        d,
        "rotate-secret",
        "--client-id",
        client_id,
    ]);
    assert!(rotated.contains(client_id));
    assert!(!rotated.contains(creds["client_secret"].as_str().unwrap()));
    bcda(&["admin", "--data-dir", d, "deny-aco", "--cms-id", "A1234"]);
    let list: serde_json::Value = serde_json::from_str(&bcda(&[
        "admin",
        "--data-dir",
        d,
        "list-acos",
        "--format",
        "json",
    ]))
    .unwrap();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cms_id"] == "A1234")
        .unwrap();
    assert_eq!(row["denylisted"], true);
    assert_eq!(row["beneficiaries"], 10);
    assert_eq!(row["rate_limited"], false);
    // The duplicate-job flag: on, listed, then off again; a test ACO is reported exempt.
    let on = bcda(&["admin", "--data-dir", d, "rate-limit", "--cms-id", "A1234"]);
    assert_eq!(on.trim(), "A1234 rate limit on");
    let rate_limited = |d: &str| -> serde_json::Value {
        let list: serde_json::Value = serde_json::from_str(&bcda(&[
            "admin",
            "--data-dir",
            d,
            "list-acos",
            "--format",
            "json",
        ]))
        .unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["cms_id"] == "A1234")
            .unwrap()["rate_limited"]
            .clone()
    };
    assert_eq!(rate_limited(d), true);
    bcda(&[
        "admin",
        "--data-dir",
        d,
        "rate-limit",
        "--cms-id",
        "A1234",
        "--off",
    ]);
    assert_eq!(rate_limited(d), false);
    bcda(&[
        "admin",
        "--data-dir",
        d,
        "create-aco",
        "--cms-id",
        "A9996",
        "--beneficiaries",
        "5",
    ]);
    let exempt = bcda(&["admin", "--data-dir", d, "rate-limit", "--cms-id", "A9996"]);
    assert!(exempt.contains("test ACO"), "{exempt}");
    bcda(&[
        "admin",
        "--data-dir",
        d,
        "revoke-token",
        "--jti",
        "0000-test",
    ]);
    // Unknown ACO: non-zero exit.
    let out = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args([
            "admin",
            "--data-dir",
            d,
            "create-credentials",
            "--cms-id",
            "NOPE",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
