//! Validate a kick-off query string as a BCDA server would.
//!
//! `cargo run -p bcda-protocol --example validate_query -- '_type=Patient,Claim'`

use bcda_protocol::{parse_export_query, ApiVersion, IssueCode, OperationOutcome};
use time::OffsetDateTime;

fn main() {
    let raw = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "_type=Patient,Coverage&_since=2024-01-01T00:00:00Z".to_string());
    for version in [ApiVersion::V1, ApiVersion::V2] {
        match parse_export_query(&raw, version, OffsetDateTime::now_utc()) {
            Ok(q) => println!("{version}: ok {q:?}"),
            Err(e) => println!(
                "{version}: 400 {}",
                OperationOutcome::error(version, IssueCode::Structure, &e.to_string()).to_json()
            ),
        }
    }
}
