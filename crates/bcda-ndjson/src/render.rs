//! Renderings of a [`StatsReport`]: JSON (stable, for machines), CSV (long format) and a text
//! table. They return strings; printing is the caller's business.

use std::fmt::Write;

use crate::stats::StatsReport;

/// Pretty JSON following the `bcda-stats/1` schema.
pub fn to_json(r: &StatsReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// CSV with a header, `\n` line ends, and the fields that hold a comma, a quote, `\r` or
/// `\n` quoted (RFC 4180, written by the csv crate).
fn csv_of(header: [&str; 4], rows: &[[String; 4]]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Long-format CSV: `section,key,metric,value`, one row per number.
pub fn to_csv(r: &StatsReport) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut row =
        |a: &str, b: &str, c: &str, d: String| rows.push([a.into(), b.into(), c.into(), d]);
    let t = &r.totals;
    for (k, v) in [
        ("files", t.files),
        ("bytes", t.bytes),
        ("lines", t.lines),
        ("records", t.records),
        ("bad_lines", t.bad_lines),
        ("superseded", t.superseded),
        ("errors", t.errors),
        ("warnings", t.warnings),
    ] {
        row("totals", "", k, v.to_string());
    }
    for (k, v) in &t.resources {
        row("resources", k, "count", v.to_string());
    }
    for c in &r.claim_types {
        row("claim_type", &c.claim_type, "claims", c.claims.to_string());
        row("claim_type", &c.claim_type, "lines", c.lines.to_string());
        row("claim_type", &c.claim_type, "paid", c.paid.clone());
        row(
            "claim_type",
            &c.claim_type,
            "paid_basis",
            c.paid_basis.clone(),
        );
        row(
            "claim_type",
            &c.claim_type,
            "superseded",
            c.superseded.to_string(),
        );
        row(
            "claim_type",
            &c.claim_type,
            "superseded_paid",
            c.superseded_paid.clone(),
        );
        if let Some(d) = &c.drug_cost {
            row("claim_type", &c.claim_type, "drug_cost", d.clone());
        }
        for (k, v) in &c.totals {
            row(
                "claim_type",
                &c.claim_type,
                &format!("total:{k}"),
                v.clone(),
            );
        }
        for (k, v) in &c.adjudication {
            row(
                "claim_type",
                &c.claim_type,
                &format!("adjudication:{k}"),
                v.clone(),
            );
        }
        if let Some(f) = &c.first_service {
            row("claim_type", &c.claim_type, "first_service", f.clone());
        }
        if let Some(l) = &c.last_service {
            row("claim_type", &c.claim_type, "last_service", l.clone());
        }
    }
    for m in &r.months {
        row("month", &m.month, "claims", m.claims.to_string());
        row("month", &m.month, "paid", m.paid.clone());
    }
    let b = &r.beneficiaries;
    row(
        "beneficiaries",
        "",
        "with_claims",
        b.with_claims.to_string(),
    );
    row(
        "beneficiaries",
        "",
        "member_months",
        b.member_months.to_string(),
    );
    row(
        "beneficiaries",
        "",
        "paid_per_member_month",
        b.paid_per_member_month.clone().unwrap_or_default(),
    );
    for x in &b.top {
        row("top_beneficiary", &x.patient, "paid", x.paid.clone());
        row(
            "top_beneficiary",
            &x.patient,
            "claims",
            x.claims.to_string(),
        );
    }
    for (name, list) in [
        ("top_diagnosis", &r.top.diagnoses),
        ("top_procedure", &r.top.procedures),
        ("top_npi", &r.top.npis),
        ("top_ndc", &r.top.ndcs),
        ("state", &r.patients.states),
    ] {
        for c in list {
            row(name, &c.code, "count", c.count.to_string());
        }
    }
    for (k, v) in &r.patients.sex {
        row("sex", k, "count", v.to_string());
    }
    for (k, v) in &r.patients.age_bands {
        row("age_band", k, "count", v.to_string());
    }
    for (k, v) in &r.coverage.parts {
        row("coverage_part", k, "count", v.to_string());
    }
    for (k, v) in &r.coverage.dual_status {
        row("dual_status", k, "months", v.to_string());
    }
    row(
        "checks",
        "",
        "dangling_patient_refs",
        r.checks.dangling_patient_refs.to_string(),
    );
    row(
        "checks",
        "",
        "duplicate_ids",
        r.checks.duplicate_ids.to_string(),
    );
    row(
        "checks",
        "",
        "count_mismatches",
        r.checks.count_mismatches.to_string(),
    );
    csv_of(["section", "key", "metric", "value"], &rows)
}

/// A human-readable text table.
pub fn to_table(r: &StatsReport) -> String {
    let mut s = String::new();
    let t = &r.totals;
    let _ = writeln!(
        s,
        "{} files, {} bytes, {} lines, {} records, {} bad lines, {} errors, {} warnings",
        t.files, t.bytes, t.lines, t.records, t.bad_lines, t.errors, t.warnings
    );
    for (k, v) in &t.resources {
        let _ = writeln!(s, "  {k:<22} {v:>10}");
    }
    let _ = writeln!(
        s,
        "\n{:<11} {:>9} {:>10} {:>9} {:>18} {:>12} {:>12}",
        "claim type", "claims", "superseded", "lines", "paid", "first", "last"
    );
    let shown = || {
        r.claim_types
            .iter()
            .filter(|c| c.claims > 0 || c.superseded > 0)
    };
    for c in shown() {
        let _ = writeln!(
            s,
            "{:<11} {:>9} {:>10} {:>9} {:>18} {:>12} {:>12}",
            c.claim_type,
            c.claims,
            c.superseded,
            c.lines,
            c.paid,
            c.first_service.as_deref().unwrap_or("-"),
            c.last_service.as_deref().unwrap_or("-")
        );
    }
    let _ = writeln!(
        s,
        "claims and paid count final versions only; superseded = cancelled earlier versions"
    );
    for c in shown() {
        let cost = c
            .drug_cost
            .as_deref()
            .map(|d| format!(", total drug cost (tot_rx_cst_amt) {d}"))
            .unwrap_or_default();
        let _ = writeln!(s, "  {} paid = {}{cost}", c.claim_type, c.paid_basis);
    }
    if !r.months.is_empty() {
        let _ = writeln!(s, "\n{:<8} {:>9} {:>18}", "month", "claims", "paid");
        for m in &r.months {
            let _ = writeln!(s, "{:<8} {:>9} {:>18}", m.month, m.claims, m.paid);
        }
    }
    let b = &r.beneficiaries;
    let _ = writeln!(
        s,
        "\nbeneficiaries with claims: {}, member-months: {}, paid per member-month: {}",
        b.with_claims,
        b.member_months,
        b.paid_per_member_month.as_deref().unwrap_or("-")
    );
    for x in &b.top {
        let _ = writeln!(
            s,
            "  {:<24} {:>6} claims {:>16}",
            x.patient, x.claims, x.paid
        );
    }
    for (name, list) in [
        ("ICD-10", &r.top.diagnoses),
        ("HCPCS/CPT", &r.top.procedures),
        ("NPI", &r.top.npis),
        ("NDC", &r.top.ndcs),
    ] {
        if !list.is_empty() {
            let items: Vec<String> = list
                .iter()
                .map(|c| format!("{} ({})", c.code, c.count))
                .collect();
            let _ = writeln!(s, "top {name}: {}", items.join(", "));
        }
    }
    let p = &r.patients;
    if p.patients > 0 {
        let _ = writeln!(s, "\npatients: {}", p.patients);
        let _ = writeln!(
            s,
            "  sex: {}",
            p.sex
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            s,
            "  age: {}",
            p.age_bands
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            s,
            "  states: {}",
            p.states
                .iter()
                .map(|c| format!("{} {}", c.code, c.count))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let c = &r.coverage;
    if c.coverages > 0 {
        let _ = writeln!(s, "\ncoverage: {}", c.coverages);
        let _ = writeln!(
            s,
            "  parts: {}",
            c.parts
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            s,
            "  dual status (month entries): {}",
            c.dual_status
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let k = &r.checks;
    let _ = writeln!(
        s,
        "\nchecks: {} dangling patient refs, {} duplicate ids, {} manifest count mismatches",
        k.dangling_patient_refs, k.duplicate_ids, k.count_mismatches
    );
    s
}

#[cfg(test)]
mod tests {
    use super::csv_of;

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks_including_a_lone_cr() {
        let row = |a: &str, b: &str| [a.to_string(), b.to_string(), "m".into(), "1".into()];
        let rows = [
            row("plain", "a\rb"),
            row("x,y", "say \"hi\""),
            row("l1\nl2", ""),
        ];
        let want = "s,k,m,v\nplain,\"a\rb\",m,1\n\"x,y\",\"say \"\"hi\"\"\",m,1\n\"l1\nl2\",,m,1\n";
        assert_eq!(csv_of(["s", "k", "m", "v"], &rows), want);
    }
}
