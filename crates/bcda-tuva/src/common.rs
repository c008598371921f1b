//! The columns every Tuva table shares: person, member, payer, plan, data source, file name,
//! file date and ingest time.

use crate::rows::{patient_id, FileInfo};
use crate::table::{Row, Val};

/// Payer of every BCDA row.
pub const PAYER: &str = "medicare";

/// Values fixed for a whole run.
#[derive(Debug, Clone)]
pub struct Common {
    /// `data_source` (default `bcda`).
    pub data_source: String,
    /// `ingest_datetime`: microseconds since the epoch, UTC.
    pub ingest_micros: i64,
}

/// Fills the shared columns. `person_id` and `member_id` are both the BFD beneficiary id (the
/// Patient id): claims and eligibility join on them; the MBI goes to `subscriber_id`.
pub fn fill(
    row: &mut Row,
    patient: Option<&str>,
    plan: Option<&str>,
    file: &FileInfo,
    common: &Common,
) {
    let person = patient.map(patient_id);
    row.set("person_id", Val::text(person))
        .set("member_id", Val::text(person))
        .set("payer", Val::Str(PAYER.to_string()))
        .set("plan", Val::text(plan))
        .set("data_source", Val::Str(common.data_source.clone()))
        .set("file_name", Val::Str(file.name.clone()))
        .set("file_date", file.date.map_or(Val::Null, Val::Date))
        .set("ingest_datetime", Val::Timestamp(common.ingest_micros));
}
