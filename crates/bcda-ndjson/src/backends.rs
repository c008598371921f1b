//! Alternative projection backends, compiled only with the `simd-json` / `sonic-rs` features,
//! for the criterion comparison against the default serde_json path.
//!
//! Each backend decodes the same ExplanationOfBenefit projection ([`crate::project::Eob`]) and
//! returns a small summary (claim lines, paid, adjudication total) so the benches compare equal
//! work. simd-json parses numbers to `f64` before serde sees them, so its money is converted
//! from `f64`; that is exact for cents-scale amounts below 2^53 / 100 but not in general, which
//! is one reason the default path stays serde_json with exact [`crate::project::Amount`]s.

use serde::Deserialize;

use crate::project::{Amount, AMOUNT_SCALE};

/// What each backend extracts from one EOB line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EobSummary {
    /// Number of `item` entries.
    pub lines: u64,
    /// `payment.amount.value`.
    pub paid: Amount,
    /// Sum of all `item[].adjudication[].amount.value`.
    pub adjudicated: Amount,
}

#[derive(Deserialize)]
struct FMoney {
    #[serde(default)]
    value: Option<f64>,
}
#[derive(Deserialize)]
struct FAdj {
    #[serde(default)]
    amount: Option<FMoney>,
}
#[derive(Deserialize)]
struct FItem<'a> {
    #[serde(default, borrow, rename = "productOrService")]
    _pos: Option<FCC<'a>>,
    #[serde(default)]
    adjudication: Vec<FAdj>,
}
#[derive(Deserialize)]
struct FCoding<'a> {
    #[serde(default, borrow, rename = "system")]
    _system: Option<&'a str>,
    #[serde(default, borrow, rename = "code")]
    _code: Option<&'a str>,
}
#[derive(Deserialize)]
#[allow(clippy::upper_case_acronyms)]
struct FCC<'a> {
    #[serde(default, borrow, rename = "coding")]
    _coding: Vec<FCoding<'a>>,
}
#[derive(Deserialize)]
struct FPayment {
    #[serde(default)]
    amount: Option<FMoney>,
}
#[derive(Deserialize)]
struct FEob<'a> {
    #[serde(default, borrow, rename = "type")]
    _t: Option<FCC<'a>>,
    #[serde(default, borrow)]
    item: Vec<FItem<'a>>,
    #[serde(default)]
    payment: Option<FPayment>,
}

fn from_f64(v: f64) -> Amount {
    Amount((v * AMOUNT_SCALE as f64).round() as i128)
}

fn summarize_f(e: FEob<'_>) -> EobSummary {
    let mut s = EobSummary {
        lines: e.item.len() as u64,
        ..Default::default()
    };
    if let Some(v) = e.payment.and_then(|p| p.amount).and_then(|m| m.value) {
        s.paid = from_f64(v);
    }
    for it in e.item {
        for a in it.adjudication {
            if let Some(v) = a.amount.and_then(|m| m.value) {
                s.adjudicated += from_f64(v);
            }
        }
    }
    s
}

/// The default path: serde_json into the exact projection.
pub fn serde_json_summary(line: &[u8]) -> Option<EobSummary> {
    let text = std::str::from_utf8(line).ok()?;
    let e: crate::project::Eob<'_> = serde_json::from_str(text).ok()?;
    let mut s = EobSummary {
        lines: e.item.count,
        ..Default::default()
    };
    if let Some(v) = e.payment.and_then(|p| p.amount).and_then(|m| m.value) {
        s.paid = v;
    }
    for (_, v) in &e.item.adjudication {
        s.adjudicated += *v;
    }
    Some(s)
}

/// serde_json into the same `f64` projection the other backends use (like-for-like baseline).
pub fn serde_json_f64_summary(line: &[u8]) -> Option<EobSummary> {
    let text = std::str::from_utf8(line).ok()?;
    let e: FEob<'_> = serde_json::from_str(text).ok()?;
    Some(summarize_f(e))
}

/// simd-json serde into an `f64` projection; `buf` is the per-worker mutable copy of the line
/// simd-json needs.
#[cfg(feature = "simd-json")]
pub fn simd_json_summary(line: &[u8], buf: &mut Vec<u8>) -> Option<EobSummary> {
    buf.clear();
    buf.extend_from_slice(line);
    let e: FEob<'_> = simd_json::serde::from_slice(buf).ok()?;
    Some(summarize_f(e))
}

/// sonic-rs serde into an `f64` projection.
#[cfg(feature = "sonic-rs")]
pub fn sonic_rs_summary(line: &[u8]) -> Option<EobSummary> {
    let e: FEob<'_> = sonic_rs::from_slice(line).ok()?;
    Some(summarize_f(e))
}
