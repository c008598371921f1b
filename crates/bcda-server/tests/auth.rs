//! Token endpoint and bearer-token verification.

#[macro_use]
mod common;

use base64::Engine;
use bcda_server::auth::TokenKeys;
use common::*;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

both_stores!(token_endpoint_and_token_checks);
async fn token_endpoint_and_token_checks() {
    let s = start().await;
    let (id, secret) = creds("A9994");

    // Exact body and headers.
    let resp = s.token_response(&id, &secret).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert_eq!(resp.headers()["pragma"], "no-cache");
    let body = resp.text().await.unwrap();
    assert!(body.starts_with(r#"{"access_token": ""#), "{body}");
    assert!(
        body.ends_with(r#"", "expires_in": "1200", "token_type":"bearer"}"#),
        "{body}"
    );
    let token = bcda_protocol::TokenResponse::parse(&body)
        .unwrap()
        .access_token;

    // The claims are BCDA's.
    let parts: Vec<&str> = token.split('.').collect();
    let header: serde_json::Value = serde_json::from_slice(&unb64(parts[0])).unwrap();
    assert_eq!(header["alg"], "RS512");
    let claims: bcda_protocol::TokenClaims = serde_json::from_slice(&unb64(parts[1])).unwrap();
    assert_eq!(claims.iss, "ssas");
    assert_eq!(claims.exp - claims.iat, 1200);
    assert_eq!(claims.token_use, "AccessToken");
    assert_eq!(claims.cid, id);
    assert!(claims.sys.parse::<u64>().is_ok());
    assert_eq!(claims.dat, r#"{"cms_ids":["A9994"]}"#);

    // A good token works.
    let ok = s.get(&token, "/auth/welcome").await;
    assert_eq!(ok.status(), 200);

    // Bad credentials.
    assert_eq!(s.token_response(&id, "wrong").await.status(), 401);
    assert_eq!(s.token_response("nobody", &secret).await.status(), 401);
    let (_, other_secret) = creds("A9990");
    assert_eq!(s.token_response(&id, &other_secret).await.status(), 401);
    let no_basic = s.http.post(s.url("/auth/token")).send().await.unwrap();
    assert_eq!(no_basic.status(), 400);
    assert_eq!(no_basic.text().await.unwrap(), "Bad Request");

    // Missing or malformed Authorization.
    let none = s.http.get(s.url("/api/v2/jobs")).send().await.unwrap();
    assert_outcome(none, 401, "forbidden", "Invalid Token").await;
    let basic = s
        .http
        .get(s.url("/api/v2/jobs"))
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_outcome(basic, 401, "forbidden", "Invalid Token").await;
    // Garbage JWT: 400 Request Error, as BCDA.
    assert_outcome(
        s.get("not.a.jwt", "/api/v2/jobs").await,
        400,
        "structure",
        "Request Error",
    )
    .await;

    let keys = TokenKeys::from_pem(test_key_pem()).unwrap();
    // Expired (signed with the right key).
    let (expired, _) = keys.mint(&id, 1, "A9994", now() - 1300).unwrap();
    assert_outcome(
        s.get(&expired, "/api/v2/jobs").await,
        401,
        "forbidden",
        "Expired Token",
    )
    .await;
    // Not yet expired, minted by us: accepted.
    let (fresh, _) = keys.mint(&id, 1, "A9994", now() - 60).unwrap();
    assert_eq!(s.get(&fresh, "/auth/welcome").await.status(), 200);

    // alg: none with valid claims.
    let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    assert_outcome(
        s.get(&unsigned, "/api/v2/jobs").await,
        401,
        "forbidden",
        "Expired Token",
    )
    .await;
    // HS512 "signed" with the public modulus-free secret: wrong algorithm.
    let hs_header = b64(br#"{"alg":"HS512","typ":"JWT"}"#);
    let hs = format!("{hs_header}.{}.{}", parts[1], parts[2]);
    assert_outcome(
        s.get(&hs, "/api/v2/jobs").await,
        401,
        "forbidden",
        "Expired Token",
    )
    .await;

    // Wrong key.
    let other_dir = tempfile::tempdir().unwrap();
    let other = TokenKeys::load_or_create(other_dir.path()).unwrap();
    let (foreign, _) = other.mint(&id, 1, "A9994", now()).unwrap();
    assert_outcome(
        s.get(&foreign, "/api/v2/jobs").await,
        401,
        "forbidden",
        "Expired Token",
    )
    .await;

    // Tampered: the signature no longer matches the claims.
    let mut c = claims.clone();
    c.dat = r#"{"cms_ids":["A9990"]}"#.to_string();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&serde_json::to_vec(&c).unwrap()),
        parts[2]
    );
    assert_outcome(
        s.get(&tampered, "/api/v2/jobs").await,
        401,
        "forbidden",
        "Expired Token",
    )
    .await;
    // Flipped signature byte.
    let mut sig = unb64(parts[2]);
    sig[10] ^= 1;
    let bad_sig = format!("{}.{}.{}", parts[0], parts[1], b64(&sig));
    assert_outcome(
        s.get(&bad_sig, "/api/v2/jobs").await,
        401,
        "forbidden",
        "Expired Token",
    )
    .await;

    // Wrong issuer: malformed per BCDA (400).
    let (good, _) = keys.mint(&id, 1, "A9994", now()).unwrap();
    let gp: Vec<&str> = good.split('.').collect();
    let mut wi: serde_json::Value = serde_json::from_slice(&unb64(gp[1])).unwrap();
    wi["iss"] = "someone".into();
    let wrong_iss = format!(
        "{}.{}.{}",
        gp[0],
        b64(&serde_json::to_vec(&wi).unwrap()),
        gp[2]
    );
    assert_outcome(
        s.get(&wrong_iss, "/api/v2/jobs").await,
        400,
        "structure",
        "Request Error",
    )
    .await;

    // Unknown ACO in a validly signed token: 403.
    let (ghost, _) = keys.mint(&id, 1, "Z0000", now()).unwrap();
    assert_outcome(
        s.get(&ghost, "/api/v2/jobs").await,
        403,
        "forbidden",
        "Unauthorized Error",
    )
    .await;

    // Revocation through the admin API takes effect at once.
    let admin = s.admin().await;
    admin.revoke_token(&claims.jti).await.unwrap();
    assert_outcome(
        s.get(&token, "/api/v2/jobs").await,
        401,
        "forbidden",
        "Expired Token",
    )
    .await;

    // Rotation: old secret refused, new one accepted.
    let rotated = admin.rotate_secret(&id).await.unwrap();
    assert_eq!(s.token_response(&id, &secret).await.status(), 401);
    assert_eq!(
        s.token_response(&id, &rotated.client_secret).await.status(),
        200
    );
    s.stop().await;
}

both_stores!(secrets_are_hashed_at_rest);
async fn secrets_are_hashed_at_rest() {
    let s = start().await;
    let admin = s.admin().await;
    let issued = admin.create_credentials("A9990").await.unwrap();
    assert_eq!(
        s.token_response(&issued.client_id, &issued.client_secret)
            .await
            .status(),
        200
    );
    drop(admin);
    let db = known_database(s.dir.path());
    let dir = s.stop_keep_dir().await;

    // Every byte of the database (SQLite: main file and WAL; PostgreSQL: every row of every
    // table, as text) holds no secret in clear.
    let mut raw = Vec::new();
    match db {
        bcda_server::Database::Sqlite => {
            for name in ["bcda.sqlite3", "bcda.sqlite3-wal"] {
                if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
                    raw.extend(bytes);
                }
            }
        }
        bcda_server::Database::Postgres(url) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for t in tables {
                let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {t} t"))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                raw.extend(rows.join("\n").into_bytes());
            }
        }
    }
    assert!(raw.len() > 4096, "database read");
    let contains = |needle: &str| raw.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        !contains(&issued.client_secret),
        "issued secret stored in clear"
    );
    for c in bcda_server::sandbox::sandbox_credentials() {
        assert!(
            !contains(&c.client_secret),
            "sandbox secret of {} in clear",
            c.aco
        );
    }
    assert!(contains(&issued.client_id), "client ids are stored");
    assert!(contains("$argon2id$"), "argon2id hashes are stored");
}

both_stores!(token_rate_limit);
async fn token_rate_limit() {
    let s = start_with(|c| c.token_rate_limit = 3).await;
    let (id, secret) = creds("A9998");
    for _ in 0..3 {
        assert_eq!(s.token_response(&id, &secret).await.status(), 200);
    }
    let resp = s.token_response(&id, &secret).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "300");
    assert_eq!(
        resp.text().await.unwrap(),
        "A9998 exceeded the rate limit for /auth/token. Access tokens last 20 minutes; please cache and reuse them."
    );
    // Another ACO is not affected.
    let (id2, secret2) = creds("A9994");
    assert_eq!(s.token_response(&id2, &secret2).await.status(), 200);
    s.stop().await;
}
