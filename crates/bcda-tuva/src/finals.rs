//! Step 2: final claims only.
//!
//! BCDA sends every version of an adjusted claim as its own ExplanationOfBenefit; the versions
//! share the claim group identifier (`identifier` of system
//! `https://bluebutton.cms.gov/resources/identifier/claim-group`) and only the final one is
//! `status: active`. The rule applied here:
//!
//! 1. versions are grouped by (patient, eob-type, claim group). The patient and the claim type
//!    are part of the key because the versions of one claim always share them, while claim
//!    group numbers are not promised to be unique across claim types; an EOB without a claim
//!    group is its own group;
//! 2. within a group the final version is the `active` one with the latest `meta.lastUpdated`
//!    (compared as instants; ties go to the greatest id, so the choice never depends on the
//!    order of the input);
//! 3. a group with no `active` version (cancelled or entered-in-error: the claim was
//!    reversed) keeps nothing;
//! 4. every other version is dropped and counted.

use std::collections::HashMap;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::rows::Header;

/// What the version rule kept and dropped.
#[derive(Debug, Default)]
pub struct Finals {
    /// The final version of every claim that has one.
    pub headers: Vec<Header>,
    /// Versions dropped: superseded ones and those of claims without an active version.
    pub versions_dropped: u64,
    /// Claim groups with no `active` version (nothing kept).
    pub claims_without_active_version: u64,
}

/// The instant of `meta.lastUpdated`, for ordering versions (unparsable or absent: earliest).
fn updated(h: &Header) -> (Option<OffsetDateTime>, Option<&str>) {
    let text = h.last_updated.as_deref();
    (
        text.and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok()),
        text,
    )
}

/// The grouping key of a version: (patient, eob-type, claim group or id).
type Key<'h> = (Option<&'h str>, Option<&'h str>, &'h str);

/// The grouping key of a version.
fn key(h: &Header) -> Key<'_> {
    (
        h.patient.as_deref(),
        h.eob_type.as_deref(),
        h.claim_group
            .as_deref()
            .or(h.id.as_deref())
            .unwrap_or_default(),
    )
}

/// Applies the version rule of this module to `headers`.
pub fn finals(headers: Vec<Header>) -> Finals {
    let total = headers.len() as u64;
    let mut best: HashMap<Key<'_>, Option<usize>> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let slot = best.entry(key(h)).or_insert(None);
        if h.status.as_deref() != Some("active") {
            continue;
        }
        let better = match *slot {
            None => true,
            Some(j) => {
                let (a, b) = (&headers[j], h);
                (updated(b), b.id.as_deref()) > (updated(a), a.id.as_deref())
            }
        };
        if better {
            *slot = Some(i);
        }
    }
    let claims_without_active_version = best.values().filter(|v| v.is_none()).count() as u64;
    let mut keep: Vec<usize> = best.values().filter_map(|v| *v).collect();
    keep.sort_unstable();
    let mut keep = keep.into_iter().peekable();
    let mut out = Vec::with_capacity(headers.len());
    for (i, h) in headers.into_iter().enumerate() {
        if keep.peek() == Some(&i) {
            keep.next();
            out.push(h);
        }
    }
    Finals {
        versions_dropped: total - out.len() as u64,
        headers: out,
        claims_without_active_version,
    }
}
