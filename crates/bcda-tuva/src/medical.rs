//! Step 3: `medical_claim`: one row per item of every final non-pharmacy claim, the header
//! fields repeated on each line, diagnoses and procedures pivoted into their numbered columns.

use crate::collect::Collected;
use crate::common::{self, Common};
use crate::dates::opt_days;
use crate::rows::{CareTeam, Diagnosis, Header, Line, Procedure};
use crate::schema::MEDICAL_CLAIM;
use crate::table::{Row, Table, TableBuilder, Val};

/// Tuva's claim_type of an eob-type code.
pub fn claim_type(eob_type: Option<&str>) -> &'static str {
    match eob_type {
        Some("INPATIENT" | "OUTPATIENT" | "SNF" | "HHA" | "HOSPICE") => "institutional",
        Some("CARRIER" | "DME") => "professional",
        _ => "undetermined",
    }
}

/// The Medicare part that pays a claim type (Tuva `plan`).
pub fn plan_of(eob_type: Option<&str>) -> Option<&'static str> {
    match eob_type? {
        "INPATIENT" | "SNF" | "HHA" | "HOSPICE" => Some("medicare part a"),
        "OUTPATIENT" | "CARRIER" | "DME" => Some("medicare part b"),
        "PDE" => Some("medicare part d"),
        _ => None,
    }
}

/// Bill type: facility type + service classification + frequency code when all three are
/// there, else the NUBC type of bill as given.
fn bill_type(h: &Header) -> Option<String> {
    match (&h.facility_type, &h.service_class, &h.frequency) {
        (Some(a), Some(b), Some(c)) => Some(format!("{a}{b}{c}")),
        _ => h.type_of_bill.clone(),
    }
}

/// The claim's rows. `ct` is its Tuva claim_type.
fn header_fields(row: &mut Row, h: &Header, ct: &str, c: &Collected) {
    let inst = ct == "institutional";
    let s = |v: &Option<String>| Val::text(v.as_deref());
    row.set("claim_id", s(&h.id))
        .set("claim_type", Val::Str(ct.to_string()))
        .set("claim_start_date", date(&h.claim_start))
        .set("claim_end_date", date(&h.claim_end))
        .set("admission_date", date(&h.admission_start))
        .set("discharge_date", date(&h.admission_end))
        .set(
            "billing_npi",
            s(&h.provider_npi.clone().or(h.org_npi.clone())),
        )
        .set(
            "paid_date",
            date(&h.payment_date.clone().or(h.processed_date.clone())),
        );
    if inst {
        let drg = h.drg.as_ref().map(|d| format!("{d:0>3}"));
        row.set("bill_type_code", Val::text(bill_type(h).as_deref()))
            .set("admit_type_code", s(&h.admit_type))
            .set(
                "admit_source_code",
                s(&h.admit_source.clone().or(h.point_of_origin.clone())),
            )
            .set("discharge_disposition_code", s(&h.discharge_status))
            .set("facility_npi", s(&h.org_npi))
            .set("drg_code_type", Val::text(drg.as_ref().map(|_| "ms-drg")))
            .set("drg_code", Val::text(drg.as_deref()));
    }
    let id = h.id.clone().unwrap_or_default();
    pivot_diagnoses(row, c.diagnoses.get(&id).map_or(&[], Vec::as_slice));
    pivot_procedures(row, c.procedures.get(&id).map_or(&[], Vec::as_slice));
}

fn date(v: &Option<String>) -> Val {
    opt_days(v.as_ref()).map_or(Val::Null, Val::Date)
}

fn money(v: Option<f64>) -> Val {
    v.map_or(Val::Null, Val::Float)
}

/// Diagnoses 1–25 by diagnosis sequence (an admitting-only diagnosis has no Tuva column), the
/// principal first, with their present-on-admission flags.
fn pivot_diagnoses(row: &mut Row, dx: &[Diagnosis]) {
    let mut dx: Vec<&Diagnosis> = dx.iter().filter(|d| d.principal || !d.admitting).collect();
    dx.sort_by_key(|d| (!d.principal, d.sequence));
    let ten = dx.iter().any(|d| d.icd10.is_some());
    let kind = if ten { "icd-10-cm" } else { "icd-9-cm" };
    if dx.iter().any(|d| d.icd10.is_some() || d.icd9.is_some()) {
        row.set("diagnosis_code_type", Val::Str(kind.to_string()));
    }
    for (n, d) in dx.iter().take(25).enumerate() {
        let code = if ten { &d.icd10 } else { &d.icd9 };
        row.set(
            &format!("diagnosis_code_{}", n + 1),
            Val::text(code.as_deref()),
        )
        .set(
            &format!("diagnosis_poa_{}", n + 1),
            Val::text(d.poa.as_deref()),
        );
    }
}

/// Procedures 1–25 by procedure sequence, with their dates.
fn pivot_procedures(row: &mut Row, px: &[Procedure]) {
    let mut px: Vec<&Procedure> = px.iter().collect();
    px.sort_by_key(|p| p.sequence);
    let ten = px.iter().any(|p| p.icd10.is_some());
    if px.iter().any(|p| p.icd10.is_some() || p.icd9.is_some()) {
        let kind = if ten { "icd-10-pcs" } else { "icd-9-pcs" };
        row.set("procedure_code_type", Val::Str(kind.to_string()));
    }
    for (n, p) in px.iter().take(25).enumerate() {
        let code = if ten { &p.icd10 } else { &p.icd9 };
        row.set(
            &format!("procedure_code_{}", n + 1),
            Val::text(code.as_deref()),
        )
        .set(&format!("procedure_date_{}", n + 1), date(&p.date));
    }
}

/// The line's rendering NPI: the care team member the line points to, else the claim's
/// performing/rendering/attending provider.
fn rendering<'c>(l: &Line, team: &'c [CareTeam]) -> Option<&'c str> {
    let by_seq = l
        .care_team_sequence
        .and_then(|s| team.iter().find(|m| m.sequence == Some(s)));
    let by_role = || {
        ["performing", "rendering", "attending"]
            .iter()
            .find_map(|r| team.iter().find(|m| m.role.as_deref() == Some(r)))
    };
    by_seq.or_else(by_role).and_then(|m| m.npi.as_deref())
}

/// Line fields. `header_paid` is the claim's payment when no line carries one (it goes on
/// the first line; the other lines get 0).
fn line_fields(
    row: &mut Row,
    h: &Header,
    l: &Line,
    ct: &str,
    header_paid: Option<f64>,
    team: &[CareTeam],
) {
    let start = l
        .service_date
        .clone()
        .or(l.service_start.clone())
        .or(h.claim_start.clone());
    let end = l
        .service_date
        .clone()
        .or(l.service_end.clone())
        .or(h.claim_end.clone());
    row.set("claim_line_number", l.sequence.map_or(Val::Null, Val::Int))
        .set("claim_line_start_date", date(&start))
        .set("claim_line_end_date", date(&end))
        .set("service_unit_quantity", money(l.units))
        .set("hcpcs_code", Val::text(l.hcpcs.as_deref()))
        .set("rendering_npi", Val::text(rendering(l, team)))
        .set("paid_amount", money(l.paid.or(header_paid)))
        .set("allowed_amount", money(l.allowed))
        .set("charge_amount", money(l.charge))
        .set("coinsurance_amount", money(l.coinsurance))
        .set("deductible_amount", money(l.deductible));
    for (n, m) in l.modifiers.iter().take(5).enumerate() {
        row.set(&format!("hcpcs_modifier_{}", n + 1), Val::Str(m.clone()));
    }
    if ct == "institutional" {
        row.set(
            "revenue_center_code",
            Val::text(l.revenue_center.as_deref()),
        );
    } else {
        row.set(
            "place_of_service_code",
            Val::text(l.place_of_service.as_deref()),
        );
    }
}

/// Builds `medical_claim` from the final headers. Returns the table and the number of final
/// non-pharmacy claims without any item (they cannot have a row).
pub fn build(finals: &[Header], c: &Collected, common: &Common) -> (Table, u64) {
    let mut t = TableBuilder::new(MEDICAL_CLAIM);
    let mut without_items = 0;
    for h in finals
        .iter()
        .filter(|h| h.eob_type.as_deref() != Some("PDE"))
    {
        let id = h.id.clone().unwrap_or_default();
        let mut lines: Vec<&Line> = c
            .lines
            .get(&id)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        if lines.is_empty() {
            without_items += 1;
            continue;
        }
        lines.sort_by_key(|l| l.sequence);
        let ct = claim_type(h.eob_type.as_deref());
        let no_line_paid = lines.iter().all(|l| l.paid.is_none());
        let team = c.care_team.get(&id).map_or(&[][..], Vec::as_slice);
        for (i, l) in lines.iter().enumerate() {
            let header_paid = match (no_line_paid, i) {
                (true, 0) => h.payment,
                (true, _) => Some(0.0),
                _ => None,
            };
            let mut row = t.row();
            common::fill(
                &mut row,
                h.patient.as_deref(),
                plan_of(h.eob_type.as_deref()),
                &h.file,
                common,
            );
            header_fields(&mut row, h, ct, c);
            line_fields(&mut row, h, l, ct, header_paid, team);
            t.push(row);
        }
    }
    (t.finish(), without_items)
}
