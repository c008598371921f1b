//! `Accept` and `Prefer` header validation (BCDA's `ValidateRequestHeaders`).

use crate::ProtocolError;

/// True when a comma-separated header value holds `token` (parameters after `;` ignored,
/// whitespace trimmed, case-insensitive).
pub fn header_has_token(value: &str, token: &str) -> bool {
    value.split(',').any(|part| {
        let bare = part.split(';').next().unwrap_or("").trim();
        bare.eq_ignore_ascii_case(token)
    })
}

/// The token of an `Authorization: Bearer <token>` header value (BCDA's shape check): the
/// scheme is exactly `Bearer` followed by one space, and the token is non-empty and holds no
/// whitespace. `None` means BCDA's 401 `Invalid Token`.
pub fn bearer_token(value: &str) -> Option<&str> {
    value
        .strip_prefix("Bearer ")
        .filter(|t| !t.is_empty() && !t.chars().any(char::is_whitespace))
}

/// Check `Accept` alone: present and holding `application/fhir+json`.
pub fn validate_accept(accept: Option<&str>) -> Result<(), ProtocolError> {
    match accept {
        None => Err(ProtocolError::AcceptMissing),
        Some(v) if v.trim().is_empty() => Err(ProtocolError::AcceptMissing),
        Some(v) if !header_has_token(v, "application/fhir+json") => {
            Err(ProtocolError::AcceptUnsupported)
        }
        Some(_) => Ok(()),
    }
}

/// Check the kick-off headers in BCDA's order: `Accept` first, then `Prefer`.
pub fn validate_export_headers(
    accept: Option<&str>,
    prefer: Option<&str>,
) -> Result<(), ProtocolError> {
    validate_accept(accept)?;
    match prefer {
        None => Err(ProtocolError::PreferMissing),
        Some(v) if v.trim().is_empty() => Err(ProtocolError::PreferMissing),
        Some(v) if !header_has_token(v, "respond-async") => Err(ProtocolError::PreferUnsupported),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_shape() {
        assert_eq!(bearer_token("Bearer a.b.c"), Some("a.b.c"));
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("bearer a.b.c"), None);
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("Bearer  a"), None);
        assert_eq!(bearer_token("Basic YTpi"), None);
    }

    #[test]
    fn accept_rules() {
        assert_eq!(validate_accept(None), Err(ProtocolError::AcceptMissing));
        assert_eq!(
            validate_accept(Some("*/*")),
            Err(ProtocolError::AcceptUnsupported)
        );
        assert_eq!(
            validate_accept(Some("text/html, Application/FHIR+JSON; q=0.9")),
            Ok(())
        );
    }

    #[test]
    fn prefer_rules() {
        let ok = Some("application/fhir+json");
        assert_eq!(
            validate_export_headers(ok, None),
            Err(ProtocolError::PreferMissing)
        );
        assert_eq!(
            validate_export_headers(ok, Some("return=minimal")),
            Err(ProtocolError::PreferUnsupported)
        );
        assert_eq!(validate_export_headers(ok, Some("Respond-Async")), Ok(()));
        assert_eq!(
            ProtocolError::PreferUnsupported.to_string(),
            "Only asynchronous responses are supported"
        );
    }
}
