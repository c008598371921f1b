//! Property tests of the access token: claims minted by the server verify back to the same
//! claims; expired, re-signed-by-another-key and edited tokens are refused.

use std::sync::OnceLock;

use bcda_server::auth::{basic_credentials, generate_signing_key_pem, TokenError, TokenKeys};
use proptest::prelude::*;

fn keys() -> &'static (TokenKeys, TokenKeys) {
    static K: OnceLock<(TokenKeys, TokenKeys)> = OnceLock::new();
    K.get_or_init(|| {
        let ours = TokenKeys::from_pem(&generate_signing_key_pem().unwrap()).unwrap();
        let other = TokenKeys::from_pem(&generate_signing_key_pem().unwrap()).unwrap();
        (ours, other)
    })
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn minted_claims_verify_back(
        client_id in "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|.{1,30}",
        system_id in 0i64..i64::MAX,
        cms_id in "[A-Z]{1,4}[0-9]{3,4}|.{1,10}",
        age in 0i64..1100,
    ) {
        let (ours, other) = keys();
        let (token, claims) = ours.mint(&client_id, system_id, &cms_id, now() - age).unwrap();
        let verified = ours.verify(&token).unwrap();
        prop_assert_eq!(&verified, &claims);
        prop_assert_eq!(verified.cms_ids().unwrap(), vec![cms_id.clone()]);
        prop_assert_eq!(verified.cid, client_id);
        prop_assert_eq!(verified.sys, system_id.to_string());
        prop_assert_eq!(verified.exp - verified.iat, 1200);
        // The same claims signed by another key are refused.
        let (foreign, _) = other.mint("c", system_id, &cms_id, now()).unwrap();
        prop_assert!(matches!(ours.verify(&foreign), Err(TokenError::Inactive(_))));
    }

    #[test]
    fn expired_tokens_are_refused(age in 1201i64..100_000_000) {
        let (ours, _) = keys();
        let (token, _) = ours.mint("c", 1, "A9994", now() - age).unwrap();
        prop_assert!(matches!(ours.verify(&token), Err(TokenError::Inactive(_))));
    }

    #[test]
    fn edited_tokens_are_refused(pos in any::<prop::sample::Index>(), byte in 1u8..128) {
        let (ours, _) = keys();
        let (token, _) = ours.mint("c", 1, "A9994", now()).unwrap();
        let mut bytes = token.clone().into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= byte;
        let edited = String::from_utf8_lossy(&bytes).into_owned();
        prop_assume!(edited != token);
        prop_assert!(ours.verify(&edited).is_err(), "accepted {edited}");
    }

    #[test]
    fn basic_credentials_round_trip(id in "[^:]{0,40}", secret in ".{0,60}") {
        use base64::Engine;
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
        );
        prop_assert_eq!(basic_credentials(&header), Some((id, secret)));
    }
}
