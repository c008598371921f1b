//! Step 3 for Part D: `pharmacy_claim`, one row per item of every final PDE claim.

use crate::collect::Collected;
use crate::common::{self, Common};
use crate::dates::opt_days;
use crate::rows::{CareTeam, Header};
use crate::schema::PHARMACY_CLAIM;
use crate::table::{Table, TableBuilder, Val};

fn whole(v: Option<f64>) -> Val {
    v.map_or(Val::Null, |x| Val::Int(x.round() as i32))
}

fn money(v: Option<f64>) -> Val {
    v.map_or(Val::Null, Val::Float)
}

fn prescriber(team: &[CareTeam]) -> Option<&str> {
    team.iter()
        .find(|m| m.role.as_deref() == Some("prescribing"))
        .and_then(|m| m.npi.as_deref())
}

/// Builds `pharmacy_claim` from the final headers.
pub fn build(finals: &[Header], c: &Collected, common: &Common) -> Table {
    let mut t = TableBuilder::new(PHARMACY_CLAIM);
    for h in finals
        .iter()
        .filter(|h| h.eob_type.as_deref() == Some("PDE"))
    {
        let id = h.id.clone().unwrap_or_default();
        let team = c.care_team.get(&id).map_or(&[][..], Vec::as_slice);
        let mut lines: Vec<_> = c
            .lines
            .get(&id)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        lines.sort_by_key(|l: &&crate::rows::Line| l.sequence);
        for l in lines {
            let mut row = t.row();
            common::fill(
                &mut row,
                h.patient.as_deref(),
                Some("medicare part d"),
                &h.file,
                common,
            );
            let dispensed = l.service_date.as_ref().or(h.claim_start.as_ref());
            let paid_date = h.payment_date.as_ref().or(h.processed_date.as_ref());
            row.set("claim_id", Val::text(h.id.as_deref()))
                .set("claim_line_number", l.sequence.map_or(Val::Null, Val::Int))
                .set("prescribing_provider_npi", Val::text(prescriber(team)))
                .set(
                    "dispensing_provider_npi",
                    Val::text(h.facility_npi.as_deref().or(h.provider_npi.as_deref())),
                )
                .set(
                    "dispensing_date",
                    opt_days(dispensed).map_or(Val::Null, Val::Date),
                )
                .set("ndc_code", Val::text(l.ndc.as_deref()))
                .set("quantity", whole(l.units))
                .set("days_supply", whole(h.days_supply))
                .set("refills", whole(h.refills))
                .set(
                    "paid_date",
                    opt_days(paid_date).map_or(Val::Null, Val::Date),
                )
                .set("paid_amount", money(l.paid))
                .set("allowed_amount", money(l.allowed))
                .set("charge_amount", money(l.charge))
                .set("copayment_amount", money(l.patient_paid));
            t.push(row);
        }
    }
    t.finish()
}
