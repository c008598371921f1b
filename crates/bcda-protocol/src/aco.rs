//! BCDA's classification of CMS ids.

/// BCDA's `IsTestACO` (`bcda/web/middleware/ratelimit.go`): the CMS id matches
/// `^(TEST\d{3}|A999\d|A888\d|D999\d|E999\d|V994|T8882)$`. Test ACOs are never refused as
/// duplicate jobs.
pub fn is_test_aco(cms_id: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = cms_id.strip_prefix("TEST") {
        return digits(rest, 3);
    }
    for prefix in ["A999", "A888", "D999", "E999"] {
        if let Some(rest) = cms_id.strip_prefix(prefix) {
            return digits(rest, 1);
        }
    }
    matches!(cms_id, "V994" | "T8882")
}

#[cfg(test)]
mod tests {
    use super::is_test_aco;

    #[test]
    fn matches_bcda_test_aco_regex() {
        for id in [
            "TEST001", "TEST995", "A9990", "A9994", "A9999", "A8880", "D9994", "E9994", "V994",
            "T8882",
        ] {
            assert!(is_test_aco(id), "{id}");
        }
        for id in [
            "TEST01",
            "TEST0001",
            "A1234",
            "A99940",
            "A999",
            "V9940",
            "T888",
            "SBXBM0002",
            "test001",
            "A999x",
            "",
            "D9990 ",
        ] {
            assert!(!is_test_aco(id), "{id}");
        }
    }
}
