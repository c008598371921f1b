//! The `Authorization` header (Bearer and Basic) and JWT verification.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bcda_protocol::{bearer_token, TokenClaims};
use bcda_server::auth::{basic_credentials, TokenKeys};
use jsonwebtoken::{Algorithm, EncodingKey};

struct Keys {
    keys: TokenKeys,
    /// The same private key, to sign arbitrary payloads.
    signer: EncodingKey,
    /// A valid token and when it was minted (re-minted before it can expire).
    valid: std::sync::Mutex<(String, TokenClaims, Instant)>,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let pem = bcda_server::auth::generate_signing_key_pem().expect("RSA key");
        let keys = TokenKeys::from_pem(&pem).expect("token keys");
        let signer = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("encoding key");
        let (t, c) = mint(&keys);
        Keys {
            keys,
            signer,
            valid: std::sync::Mutex::new((t, c, Instant::now())),
        }
    })
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn mint(keys: &TokenKeys) -> (String, TokenClaims) {
    keys.mint("0438247f-4b9f-4426-a595-9f712f252b83", 1, "A9994", now())
        .expect("mint")
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The first byte picks the mode:
///
/// - `0`: the rest is an `Authorization` header value: the Bearer shape check and the Basic
///   decoder round-trip, and a bearer token made of fuzzer bytes is never accepted;
/// - `1`: the rest is `header JSON` `0xff` `claims JSON` (or only claims), signed with the
///   server's key: accepted only when RS512, issuer `ssas`, unexpired, with a `dat`, and then
///   the claims are exactly the payload's;
/// - else: the rest edits a freshly minted valid token (pairs of position, xor byte): any token
///   that differs from it is refused.
pub fn auth(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let k = keys();
    match mode {
        0 => header(k, rest),
        1 => signed(k, rest),
        _ => mutated(k, rest),
    }
}

fn header(k: &Keys, rest: &[u8]) {
    let value = String::from_utf8_lossy(rest);
    if let Some(t) = bearer_token(&value) {
        assert_eq!(
            format!("Bearer {t}"),
            value,
            "bearer token is not the header's tail"
        );
        assert!(!t.is_empty() && !t.chars().any(char::is_whitespace));
        assert!(
            k.keys.verify(t).is_err(),
            "a token not signed by the server was accepted: {t}"
        );
    }
    if let Some((id, secret)) = basic_credentials(&value) {
        assert!(!id.contains(':'));
        let again = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        );
        assert_eq!(
            basic_credentials(&again),
            Some((id, secret)),
            "Basic credentials round trip"
        );
    }
}

fn signed(k: &Keys, rest: &[u8]) {
    let (head, claims) = match rest.iter().position(|&b| b == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&br#"{"alg":"RS512","typ":"JWT"}"#[..], rest),
    };
    let message = format!("{}.{}", b64(head), b64(claims));
    let sig =
        jsonwebtoken::crypto::sign(message.as_bytes(), &k.signer, Algorithm::RS512).expect("sign");
    let token = format!("{message}.{sig}");
    let before = now();
    if let Ok(c) = k.keys.verify(&token) {
        let header = jsonwebtoken::decode_header(&token).expect("accepted token has a header");
        assert_eq!(
            header.alg,
            Algorithm::RS512,
            "accepted with another algorithm"
        );
        assert_eq!(c.iss, "ssas", "accepted another issuer");
        assert!(c.exp >= before, "accepted an expired token: exp {}", c.exp);
        assert!(!c.dat.is_empty(), "accepted an empty dat");
        let payload: TokenClaims =
            serde_json::from_slice(claims).expect("accepted claims are TokenClaims");
        assert_eq!(c, payload, "verified claims differ from the payload");
    }
}

fn mutated(k: &Keys, rest: &[u8]) {
    let (token, claims) = {
        let mut v = k.valid.lock().unwrap_or_else(|p| p.into_inner());
        if v.2.elapsed() > Duration::from_secs(300) {
            let (t, c) = mint(&k.keys);
            *v = (t, c, Instant::now());
        }
        (v.0.clone(), v.1.clone())
    };
    let mut bytes = token.clone().into_bytes();
    for pair in rest.chunks(2) {
        match *pair {
            [pos, 0] => {
                // Truncate at a position (0 xor would change nothing).
                let at = pos as usize * bytes.len() / 256;
                bytes.truncate(at);
            }
            [pos, x] if !bytes.is_empty() => {
                let at = (pos as usize * 7) % bytes.len();
                bytes[at] ^= x;
            }
            [x] => bytes.push(x),
            _ => {}
        }
    }
    let edited = String::from_utf8_lossy(&bytes);
    match k.keys.verify(&edited) {
        Ok(c) => {
            assert_eq!(edited, token, "an edited token was accepted");
            assert_eq!(c, claims);
        }
        Err(e) => assert_ne!(edited, token, "the valid token was refused: {e}"),
    }
}
