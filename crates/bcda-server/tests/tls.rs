//! HTTPS: the server serves TLS with a PEM certificate and key, writes `https` URLs, and refuses
//! unusable certificate files at start.

#[macro_use]
mod common;

use bcda_server::TlsFiles;

fn self_signed(dir: &std::path::Path) -> (TlsFiles, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, cert.cert.pem()).unwrap();
    std::fs::write(&files.key, cert.key_pair.serialize_pem()).unwrap();
    (files, cert.cert.pem())
}

both_stores!(serves_https_and_writes_https_urls);
async fn serves_https_and_writes_https_urls() {
    let certs = tempfile::tempdir().unwrap();
    let (files, pem) = self_signed(certs.path());
    let t = common::start_with(|c| c.tls = Some(files)).await;
    let server = t.server.as_ref().unwrap();
    assert!(server.base_url().starts_with("https://"));
    let port = server.local_addr().port();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .resolve("localhost", server.local_addr())
        .build()
        .unwrap();
    let base = format!("https://localhost:{port}");
    let r = client.get(format!("{base}/_version")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = client
        .get(format!("{base}/api/v2/metadata"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let meta: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(meta["implementation"]["url"], base.as_str());
    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/_version"))
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
}

both_stores!(unusable_certificate_files_fail_the_start);
async fn unusable_certificate_files_fail_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let certs = tempfile::tempdir().unwrap();
    let (mut files, _) = self_signed(certs.path());
    std::fs::write(&files.key, "not a key").unwrap();
    let mut config = common::fast_config(dir.path());
    config.tls = Some(files.clone());
    let err = bcda_server::start(config)
        .await
        .err()
        .expect("start must fail");
    assert!(err.to_string().contains("TLS"), "{err}");
    files.cert = certs.path().join("missing.pem");
    let mut config = common::fast_config(dir.path());
    config.tls = Some(files);
    assert!(bcda_server::start(config)
        .await
        .err()
        .expect("start must fail")
        .to_string()
        .contains("missing.pem"));
}
