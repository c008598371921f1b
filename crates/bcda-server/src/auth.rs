//! Access tokens (RS512 JWTs with BCDA's claims) and client-secret hashing (argon2id).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use bcda_protocol::{TokenClaims, TOKEN_TTL_SECS};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use sha2::{Digest, Sha256};

use crate::{HashParams, ServerError};

/// File name of the private signing key (PKCS#8 PEM) in the data directory.
pub const PRIVATE_KEY_FILE: &str = "jwt-signing-key.pem";

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT, wrong issuer or empty `dat`: BCDA answers 400 `Request Error`.
    #[error("malformed token")]
    Malformed,
    /// Bad signature, wrong algorithm, expired: BCDA answers 401 `Expired Token`.
    #[error("inactive token: {0}")]
    Inactive(String),
}

/// Tokens kept in the verified cache at most (it is cleared when full).
const VERIFIED_CACHE_MAX: usize = 10_000;

/// The signing and verification keys, plus a cache of tokens whose signature already verified
/// (keyed by SHA-256 of the whole token; an entry is used only until the token's `exp`).
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    verified: Mutex<HashMap<[u8; 32], TokenClaims>>,
}

impl TokenKeys {
    /// Load the key pair from `dir`, or create a 2048-bit RSA key and store it there (written to
    /// a temp file, synced, then renamed; mode 0600 on Unix).
    pub fn load_or_create(dir: &Path) -> Result<TokenKeys, ServerError> {
        let path = dir.join(PRIVATE_KEY_FILE);
        let pem = match std::fs::read_to_string(&path) {
            Ok(pem) => pem,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let pem = generate_private_key_pem()?;
                // Several nodes on one shared directory may start at once: the first key
                // written wins, and every node reads that one.
                if write_private(&path, pem.as_bytes())? {
                    pem
                } else {
                    std::fs::read_to_string(&path).map_err(|e| ServerError::io(&path, e))?
                }
            }
            Err(e) => return Err(ServerError::io(&path, e)),
        };
        TokenKeys::from_pem(&pem)
    }

    /// Keys from a PKCS#8 (or PKCS#1) RSA private key PEM.
    pub fn from_pem(private_pem: &str) -> Result<TokenKeys, ServerError> {
        use rsa::pkcs1::EncodeRsaPublicKey;
        use rsa::pkcs8::DecodePrivateKey;
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem)
            .or_else(|_| {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                rsa::RsaPrivateKey::from_pkcs1_pem(private_pem)
            })
            .map_err(|e| ServerError::Key(e.to_string()))?;
        let public_pem = private
            .to_public_key()
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| ServerError::Key(e.to_string()))?;
        let encoding = EncodingKey::from_rsa_pem(private_pem.as_bytes())
            .map_err(|e| ServerError::Key(e.to_string()))?;
        let decoding = DecodingKey::from_rsa_pem(public_pem.as_bytes())
            .map_err(|e| ServerError::Key(e.to_string()))?;
        let mut validation = Validation::new(jsonwebtoken::Algorithm::RS512);
        validation.leeway = 0;
        validation.set_issuer(&["ssas"]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        Ok(TokenKeys {
            encoding,
            decoding,
            validation,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// Mint a token issued at `iat` (Unix seconds) for one ACO.
    pub fn mint(
        &self,
        client_id: &str,
        system_id: i64,
        cms_id: &str,
        iat: i64,
    ) -> Result<(String, TokenClaims), ServerError> {
        let claims = TokenClaims {
            iss: "ssas".to_string(),
            iat,
            exp: iat + TOKEN_TTL_SECS as i64,
            jti: uuid::Uuid::new_v4().to_string(),
            token_use: "AccessToken".to_string(),
            cid: client_id.to_string(),
            sys: system_id.to_string(),
            dat: TokenClaims::dat_for(&[cms_id]),
        };
        let mut header = Header::new(jsonwebtoken::Algorithm::RS512);
        header.typ = Some("JWT".to_string());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| ServerError::Key(e.to_string()))?;
        Ok((token, claims))
    }

    /// Verify a token: shape and issuer first (malformed), then RS512 signature and expiry.
    /// Revocation is checked by the caller against the store.
    pub fn verify(&self, token: &str) -> Result<TokenClaims, TokenError> {
        let claims = peek_claims(token).ok_or(TokenError::Malformed)?;
        if claims.iss != "ssas" || claims.dat.is_empty() {
            return Err(TokenError::Malformed);
        }
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        {
            let cache = self.verified.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache.get(&key) {
                if c.exp > now {
                    return Ok(c.clone());
                }
                return Err(TokenError::Inactive("expired".to_string()));
            }
        }
        let data = jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| TokenError::Inactive(e.to_string()))?;
        let mut cache = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= VERIFIED_CACHE_MAX {
            cache.clear();
        }
        cache.insert(key, data.claims.clone());
        Ok(data.claims)
    }
}

/// The client id and secret of an `Authorization: Basic <base64(id:secret)>` header value
/// (scheme case-insensitive, one space, standard padded base64 of UTF-8 text; the secret is
/// everything after the first `:`). `None` means BCDA's 400 `Bad Request`.
pub fn basic_credentials(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Decode the claims without verifying anything.
fn peek_claims(token: &str) -> Option<TokenClaims> {
    let mut parts = token.split('.');
    let (_h, p, _s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(p.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Generate a new 2048-bit RSA signing key as PKCS#8 PEM. Write it to
/// `<data_dir>/`[`PRIVATE_KEY_FILE`] before [`crate::start`] to reuse one key across servers
/// (key generation takes seconds in debug builds).
pub fn generate_signing_key_pem() -> Result<String, ServerError> {
    generate_private_key_pem()
}

fn generate_private_key_pem() -> Result<String, ServerError> {
    use rsa::pkcs8::EncodePrivateKey;
    let mut rng = rsa::rand_core::OsRng;
    let key =
        rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| ServerError::Key(e.to_string()))?;
    let pem = key
        .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|e| ServerError::Key(e.to_string()))?;
    Ok(pem.to_string())
}

/// Write the key to a temp file, sync it, then link it into place unless a file is there
/// already (false: another process created it first).
fn write_private(path: &Path, bytes: &[u8]) -> Result<bool, ServerError> {
    let tmp = path.with_extension(format!(
        "{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(|e| ServerError::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| ServerError::io(&tmp, e))?;
    f.sync_all().map_err(|e| ServerError::io(&tmp, e))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(ServerError::io(path, e)),
    }
}

fn argon2(params: &HashParams) -> Result<Argon2<'static>, ServerError> {
    let p = Params::new(params.m_cost_kib, params.t_cost, 1, None)
        .map_err(|e| ServerError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
}

/// Hash a client secret into an argon2id PHC string (random 16-byte salt).
pub fn hash_secret(secret: &str, params: &HashParams) -> Result<String, ServerError> {
    let salt_bytes = *uuid::Uuid::new_v4().as_bytes();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| ServerError::Hash(e.to_string()))?;
    Ok(argon2(params)?
        .hash_password(secret.as_bytes(), &salt)
        .map_err(|e| ServerError::Hash(e.to_string()))?
        .to_string())
}

/// Check a secret against a PHC string (parameters are read from the string).
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(secret.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// Remembers secrets that verified against a given stored hash, so repeated token requests do
/// not pay argon2 each time. Keyed by client id; entries are only valid for the exact stored
/// hash (a rotation changes it) and hold a SHA-256 of the secret, never the secret.
#[derive(Default)]
pub struct SecretCache {
    entries: Mutex<HashMap<String, (String, [u8; 32])>>,
}

impl SecretCache {
    /// Verify `secret` for `client_id` whose stored hash is `phc`, using the cache when possible.
    pub fn verify(&self, client_id: &str, secret: &str, phc: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        if let Some((cached_phc, cached_digest)) = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(client_id)
        {
            if cached_phc == phc && *cached_digest == digest {
                return true;
            }
        }
        let ok = verify_secret(secret, phc);
        if ok {
            self.entries
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(client_id.to_string(), (phc.to_string(), digest));
        }
        ok
    }
}
