//! `POST /auth/token` response and the access token's claims.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::ProtocolError;

/// Access token lifetime: 20 minutes, hard-coded in BCDA's auth service.
pub const TOKEN_TTL_SECS: u64 = 1200;

/// The token endpoint's 200 body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The signed JWT.
    pub access_token: String,
    /// Lifetime in seconds. BCDA sends it as a string; the parser accepts a string or a number.
    #[serde(deserialize_with = "de_string_or_number")]
    pub expires_in: u64,
    /// `bearer`.
    pub token_type: String,
}

impl TokenResponse {
    /// A bearer token response with BCDA's 20-minute lifetime.
    pub fn bearer(access_token: String) -> TokenResponse {
        TokenResponse {
            access_token,
            expires_in: TOKEN_TTL_SECS,
            token_type: "bearer".to_string(),
        }
    }

    /// BCDA's exact body text:
    /// `{"access_token": "<JWT>", "expires_in": "1200", "token_type":"bearer"}`.
    pub fn to_bcda_json(&self) -> String {
        let token = serde_json::to_string(&self.access_token).unwrap_or_default();
        let kind = serde_json::to_string(&self.token_type).unwrap_or_default();
        format!(
            "{{\"access_token\": {token}, \"expires_in\": \"{}\", \"token_type\":{kind}}}",
            self.expires_in
        )
    }

    /// Parse a token response (string or numeric `expires_in`).
    pub fn parse(body: &str) -> Result<TokenResponse, ProtocolError> {
        serde_json::from_str(body).map_err(|e| ProtocolError::Malformed {
            what: "token response",
            message: e.to_string(),
        })
    }
}

fn de_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a non-negative integer or a string holding one")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom("negative expires_in"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            if v >= 0.0 && v.fract() == 0.0 && v < 1e18 {
                Ok(v as u64)
            } else {
                Err(E::custom("expires_in is not a whole number of seconds"))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::custom(format!("expires_in {v:?} is not a number")))
        }
    }
    d.deserialize_any(V)
}

/// The claims of a BCDA access token (JWT, RS512).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Issuer: `ssas`.
    pub iss: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expiry (Unix seconds): `iat + 1200`.
    pub exp: i64,
    /// Token id (UUID v4).
    pub jti: String,
    /// `AccessToken`.
    #[serde(rename = "use")]
    pub token_use: String,
    /// Client id.
    pub cid: String,
    /// System id (numeric string).
    pub sys: String,
    /// A string holding JSON: `{"cms_ids":["A9994"]}`.
    pub dat: String,
}

#[derive(Deserialize, Serialize)]
struct Dat {
    cms_ids: Vec<String>,
}

impl TokenClaims {
    /// The `dat` string for a list of CMS ids.
    pub fn dat_for(cms_ids: &[&str]) -> String {
        let dat = Dat {
            cms_ids: cms_ids.iter().map(|s| s.to_string()).collect(),
        };
        serde_json::to_string(&dat).unwrap_or_default()
    }

    /// The CMS ids held in `dat`.
    pub fn cms_ids(&self) -> Result<Vec<String>, ProtocolError> {
        let dat: Dat = serde_json::from_str(&self.dat).map_err(|e| ProtocolError::Malformed {
            what: "dat claim",
            message: e.to_string(),
        })?;
        Ok(dat.cms_ids)
    }
}
