//! FHIR R4 (BCDA v2) serializers with CARIN Blue Button profiles, in BFD's shapes.

use crate::common::*;
use crate::json::JsonWriter;
use crate::model::{Beneficiary, Claim, ClaimType, Ctx, Line};
use crate::tables;

const PROFILE: &str = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/";

fn profile_for(ct: ClaimType) -> &'static str {
    // BFD v2 tags DME with Inpatient-Institutional and HHA with Professional-NonClinician, which
    // those claims cannot satisfy; bcda-rs tags them with the profiles CARIN intends: DME is a
    // professional (supplier) claim, HHA an outpatient institutional one.
    match ct {
        ClaimType::Carrier | ClaimType::Dme => {
            "C4BB-ExplanationOfBenefit-Professional-NonClinician"
        }
        ClaimType::Outpatient | ClaimType::Hha => {
            "C4BB-ExplanationOfBenefit-Outpatient-Institutional"
        }
        ClaimType::Pde => "C4BB-ExplanationOfBenefit-Pharmacy",
        _ => "C4BB-ExplanationOfBenefit-Inpatient-Institutional",
    }
}

impl JsonWriter<'_> {
    fn meta2(&mut self, last_updated: i64, profile: &str) {
        self.key("meta");
        self.begin_object();
        self.key("lastUpdated");
        self.instant(last_updated);
        self.key("profile");
        self.begin_array();
        self.string_concat(PROFILE, profile);
        self.end_array();
        self.end_object();
    }
    /// A coding `{"system":BBCS+cs,"code":BB+var,"display":label}`.
    fn bb_cat(&mut self, cs: &str, var: &str, label: &str) {
        self.begin_object();
        self.key("system");
        self.string_concat(BBCS, cs);
        self.key("code");
        self.string_concat(BB, var);
        self.key_string("display", label);
        self.end_object();
    }
    /// A coding in a C4BB or HL7 terminology code system named by its last segment.
    fn c4(&mut self, cs: &str, code: &str, display: &str) {
        self.coding2(C4BB, cs, code, Some(display));
    }
    fn tho(&mut self, cs: &str, code: &str, display: Option<&str>) {
        self.coding2(THO, cs, code, display);
    }
    fn money(&mut self, key: &str, cents: i64) {
        self.key(key);
        self.begin_object();
        if self.go_order() {
            self.key_string("currency", "USD");
        }
        self.key("value");
        self.cents(cents);
        if !self.go_order() {
            self.key_string("currency", "USD");
        }
        self.end_object();
    }
    /// One adjudication/total entry: category = (first coding) + Blue Button coding, amount.
    fn adj(&mut self, first: (&str, &str, &str, &str), var: &str, label: &str, cents: i64) {
        self.begin_object();
        let go = self.go_order();
        if go {
            self.money("amount", cents);
        }
        self.key("category");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding2(first.0, first.1, first.2, Some(first.3));
        self.bb_cat("adjudication", var, label);
        self.end_array();
        self.end_object();
        if !go {
            self.money("amount", cents);
        }
        self.end_object();
    }
    /// The CARIN benefit-payment-status entry (`C4BBPayerAdjudicationStatus#other`), with an
    /// amount when it is a `total`.
    fn payment_status(&mut self, amount: Option<i64>) {
        self.begin_object();
        self.key("category");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.c4("C4BBPayerAdjudicationStatus", "other", "Other");
        self.end_array();
        self.end_object();
        if let Some(cents) = amount {
            self.money("amount", cents);
        }
        self.end_object();
    }
    /// A denial-reason adjudication carrying a reason coding.
    fn adj_reason(&mut self, var: &str, code: &str, display: Option<&str>) {
        self.begin_object();
        self.key("category");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.c4(
            "C4BBAdjudicationDiscriminator",
            "denialreason",
            "Denial Reason",
        );
        self.end_array();
        self.end_object();
        self.key("reason");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding2(BB, var, code, display);
        self.end_array();
        self.end_object();
        self.end_object();
    }
    /// Opens a supportingInfo entry (caller writes the value and closes it).
    fn sinfo(&mut self, seq: &mut i64, c4: Option<(&str, &str)>, bb: Option<(&str, &str)>) {
        *seq += 1;
        self.begin_object();
        self.key_int("sequence", *seq);
        self.key("category");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        match c4 {
            Some((code, disp)) => self.c4("C4BBSupportingInfoType", code, disp),
            None => self.tho("claiminformationcategory", "info", Some("Information")),
        }
        if let Some((var, label)) = bb {
            self.bb_cat("information", var, label);
        }
        self.end_array();
        self.end_object();
    }
    /// supportingInfo with `code` = a Blue Button variable coding.
    fn si_code(
        &mut self,
        seq: &mut i64,
        c4: Option<(&str, &str)>,
        var: &str,
        label: Option<&str>,
        code: &str,
        display: Option<&str>,
    ) {
        self.sinfo(seq, c4, label.map(|l| (var, l)));
        self.key("code");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding2(BB, var, code, display);
        self.end_array();
        self.end_object();
        self.end_object();
    }
    fn npi_ident(&mut self, npi: u64) {
        self.key("identifier");
        self.begin_object();
        self.key("type");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.c4("C4BBIdentifierType", "npi", "National Provider Identifier");
        self.end_array();
        self.end_object();
        self.key("value");
        self.int_string(npi as i64);
        self.end_object();
    }
    #[allow(clippy::too_many_arguments)]
    fn care(
        &mut self,
        seq: i64,
        npi: u64,
        name: Option<&str>,
        role: (&str, &str, &str),
        qual: Option<(&str, &str)>,
        specialty: Option<(&str, &str)>,
        carrier_ext: bool,
    ) {
        self.begin_object();
        if carrier_ext {
            self.key("extension");
            self.begin_array();
            self.ext_coding("carr_line_prvdr_type_cd", "0", None);
            self.ext_coding("prtcptng_ind_cd", "1", Some("Participating"));
            self.end_array();
        }
        self.key_int("sequence", seq);
        self.key("provider");
        self.begin_object();
        self.npi_ident(npi);
        if let Some(n) = name {
            self.key_string("display", n);
        }
        self.end_object();
        if carrier_ext {
            self.key("responsible");
            self.bool(true);
        }
        self.key("role");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        if role.0 == "THO" {
            self.tho("claimcareteamrole", role.1, Some(role.2));
        } else {
            self.c4("C4BBClaimCareTeamRole", role.1, role.2);
        }
        self.end_array();
        self.end_object();
        if qual.is_some() || specialty.is_some() {
            self.key("qualification");
            self.begin_object();
            self.key("coding");
            self.begin_array();
            if let Some((code, disp)) = qual {
                self.coding(NUCC, code, Some(disp));
            }
            if let Some((code, disp)) = specialty {
                self.coding2(BB, "prvdr_spclty", code, Some(disp));
            }
            self.end_array();
            self.end_object();
        }
        self.end_object();
    }
    fn financial_money(&mut self, var: &str, label: &str, cents: i64) {
        self.begin_object();
        self.key("type");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.bb_cat("benefit-balance", var, label);
        self.end_array();
        self.end_object();
        self.money("usedMoney", cents);
        self.end_object();
    }
    fn financial_int(&mut self, var: &str, label: &str, n: i64) {
        self.begin_object();
        self.key("type");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.bb_cat("benefit-balance", var, label);
        self.end_array();
        self.end_object();
        self.key_int("usedUnsignedInt", n);
        self.end_object();
    }
    fn codeable_bb(&mut self, key: &str, var: &str, code: &str, display: Option<&str>) {
        self.key(key);
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding2(BB, var, code, display);
        self.end_array();
        self.end_object();
    }
}

/// Writes one v2 Patient line.
pub(crate) fn patient(w: &mut JsonWriter<'_>, b: &Beneficiary) {
    w.begin_object();
    w.key_string("resourceType", "Patient");
    w.key("id");
    w.int_string(b.bene_id);
    w.meta2(b.last_updated, "C4BB-Patient");
    w.key("extension");
    w.begin_array();
    w.begin_object();
    w.key_string(
        "url",
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
    );
    w.key_string(
        "valueCode",
        if b.sex == crate::Sex::Female {
            "248152002"
        } else {
            "248153007"
        },
    );
    w.end_object();
    w.ext_coding(
        "race",
        &b.race_code.to_string(),
        Some(race_display(b.race_code)),
    );
    w.begin_object();
    w.key_string(
        "url",
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
    );
    w.key("extension");
    w.begin_array();
    let (omb, omb_disp) = match b.race_code {
        1 => ("2106-3", "White"),
        2 => ("2054-5", "Black or African American"),
        4 => ("2028-9", "Asian"),
        6 => ("1002-5", "American Indian or Alaska Native"),
        _ => ("UNK", "Unknown"),
    };
    w.begin_object();
    w.key_string("url", "ombCategory");
    w.key("valueCoding");
    if omb == "UNK" {
        w.tho("v3-NullFlavor", "UNK", Some("Unknown"));
    } else {
        w.coding("urn:oid:2.16.840.1.113883.6.238", omb, Some(omb_disp));
    }
    w.end_object();
    w.begin_object();
    w.key_string("url", "text");
    w.key_string("valueString", omb_disp);
    w.end_object();
    w.end_array();
    w.end_object();
    let year = crate::date::year_of(crate::date::day_of_unix(b.last_updated));
    w.begin_object();
    w.key("url");
    w.string_concat(BB, "rfrnc_yr");
    w.key("valueDate");
    w.int_string(year as i64);
    w.end_object();
    dual_months(w, b);
    w.end_array();
    w.key("identifier");
    w.begin_array();
    w.begin_object();
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.begin_object();
    w.key("extension");
    w.begin_array();
    w.begin_object();
    w.key("url");
    w.string_concat(BBCS, "identifier-currency");
    w.key("valueCoding");
    w.coding2(BBCS, "identifier-currency", "current", Some("Current"));
    w.end_object();
    w.end_array();
    w.key("system");
    w.string_concat(THO, "v2-0203");
    w.key_string("code", "MC");
    w.key_string("display", "Patient's Medicare number");
    w.end_object();
    w.end_array();
    w.end_object();
    w.key_string("system", MBI_SYS);
    w.key_string("value", &b.mbi);
    w.period("period", b.part_a_start.min(b.part_b_start), None);
    w.end_object();
    w.begin_object();
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.tho("v2-0203", "MB", Some("Member Number"));
    w.end_array();
    w.end_object();
    w.key("system");
    w.string_concat(BB, "bene_id");
    w.key("value");
    w.int_string(b.bene_id);
    w.end_object();
    w.end_array();
    w.patient_name(b);
    w.key_string("gender", gender(b));
    w.key_date("birthDate", b.birth_date);
    if let Some(day) = b.death_date {
        // BFD writes the death date, when there is one, as a date.
        w.key_date("deceasedDateTime", day);
    }
    w.patient_address(b);
    w.end_object();
    w.end_line();
}

fn dual_months(w: &mut JsonWriter<'_>, b: &Beneficiary) {
    let disp = dual_display(b.dual_status);
    for m in [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
    ] {
        let var = format!("dual_{m}");
        w.ext_coding(&var, b.dual_status, Some(disp));
    }
}

/// Writes one v2 Coverage line for a part.
pub(crate) fn coverage(
    w: &mut JsonWriter<'_>,
    b: &Beneficiary,
    part: (&str, &str, i32, Option<i32>),
    ctx: &Ctx,
) {
    let (idp, plan, start, end) = part;
    let ent = entitlement_codes(b);
    let ref_year = crate::date::year_of(ctx.ref_day);
    w.begin_object();
    w.key_string("resourceType", "Coverage");
    w.key("id");
    w.string_prefixed_int(&format!("{idp}-"), b.bene_id);
    w.meta2(b.last_updated, "C4BB-Coverage");
    w.key("extension");
    w.begin_array();
    coverage_extensions(w, b, idp, end, ent, ref_year);
    w.end_array();
    w.key_string("status", if end.is_some() { "cancelled" } else { "active" });
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.tho("v3-ActCode", "SUBSIDIZ", None);
    w.end_array();
    w.end_object();
    w.key_string("subscriberId", &b.mbi);
    w.reference("beneficiary", "Patient/", b.bene_id);
    w.key("relationship");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.tho("subscriber-relationship", "self", Some("Self"));
    w.end_array();
    w.end_object();
    w.period("period", start, end);
    w.key("payor");
    w.begin_array();
    w.begin_object();
    w.key("identifier");
    w.begin_object();
    w.key_string("value", "Centers for Medicare and Medicaid Services");
    w.end_object();
    w.end_object();
    w.end_array();
    w.key("class");
    w.begin_array();
    for (code, disp, value) in [("group", "Group", "Medicare"), ("plan", "Plan", plan)] {
        w.begin_object();
        w.key("type");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.tho("coverage-class", code, Some(disp));
        w.end_array();
        w.end_object();
        w.key_string("value", value);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    w.end_line();
}

/// The Blue Button extensions of a Coverage (shared by v1 and v2).
pub(crate) fn coverage_extensions(
    w: &mut JsonWriter<'_>,
    b: &Beneficiary,
    idp: &str,
    end: Option<i32>,
    ent: [(&str, &str); 3],
    ref_year: i32,
) {
    let months = [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
    ];
    let dual = b.dual_status != "NA";
    match idp {
        "part-a" | "part-b" => {
            w.ext_coding("ms_cd", ent[0].0, Some(ent[0].1));
            if idp == "part-a" {
                w.ext_coding("orec", ent[1].0, Some(ent[1].1));
                w.ext_coding("crec", ent[1].0, Some(ent[1].1));
                w.ext_coding("esrd_ind", ent[2].0, None);
                let (code, disp) = crate::common::termination(b);
                w.ext_coding("a_trm_cd", code, Some(disp));
            } else {
                let (code, disp) = crate::common::termination(b);
                w.ext_coding("b_trm_cd", code, Some(disp));
            }
        }
        "part-c" => {
            for m in months {
                w.ext_coding(&format!("ptc_cntrct_id_{m}"), "H1225", None);
            }
            for m in months {
                w.ext_coding(&format!("ptc_pbp_id_{m}"), "003", None);
            }
            for m in months {
                w.ext_coding(&format!("ptc_plan_type_cd_{m}"), "01", None);
            }
            for m in months {
                w.ext_coding(
                    &format!("hmo_ind_{m}"),
                    "C",
                    Some("Lock-in, CMS to process provider claims"),
                );
            }
        }
        _ => {
            w.ext_coding("ms_cd", ent[0].0, Some(ent[0].1));
            let contract = format!("S{}", 4000 + (b.index % 900) as i64 * 7 % 5000);
            for m in months {
                w.ext_coding(&format!("ptdcntrct{m}"), &contract, None);
            }
            for m in months {
                w.ext_coding(&format!("ptdpbpid{m}"), "001", None);
            }
            for m in months {
                w.ext_coding(&format!("sgmtid{m}"), "000", None);
            }
            let (cs, csd) = if dual {
                ("01", "Beneficiary enrolled in Parts A and/or B, and Part D; deemed eligible for LIS with 100% premium subsidy and high copayment")
            } else {
                ("09", "Beneficiary enrolled in Parts A and/or B, and Part D; no premium or cost sharing subsidy")
            };
            for m in months {
                w.ext_coding(&format!("cstshr{m}"), cs, Some(csd));
            }
            for m in months {
                w.ext_coding(
                    &format!("rdsind{m}"),
                    "N",
                    Some("No employer subsidization"),
                );
            }
        }
    }
    let year = end.map_or(ref_year, crate::date::year_of);
    w.begin_object();
    w.key("url");
    w.string_concat(BB, "rfrnc_yr");
    w.key("valueDate");
    w.int_string(year as i64);
    w.end_object();
    dual_months(w, b);
    if matches!(idp, "part-a" | "part-b") {
        let (code, disp) = if dual {
            ("C", "Part A and Part B state buy-in")
        } else {
            ("3", "Part A and Part B")
        };
        for m in months {
            w.ext_coding(&format!("buyin{m}"), code, Some(disp));
        }
    }
}

/// Writes one v2 ExplanationOfBenefit line.
pub(crate) fn eob(w: &mut JsonWriter<'_>, b: &Beneficiary, c: &Claim) {
    let ti = type_info(c.ct);
    let ct = c.ct;
    let institutional = matches!(
        ct,
        ClaimType::Inpatient
            | ClaimType::Outpatient
            | ClaimType::Snf
            | ClaimType::Hha
            | ClaimType::Hospice
    );
    let state = &tables::STATES[c.state];
    let spec = tables::SPECIALTIES[c.specialty];
    w.begin_object();
    w.key_string("resourceType", "ExplanationOfBenefit");
    w.key("id");
    w.string_prefixed_int(&format!("{}-", ct.id_prefix()), c.id);
    w.meta2(c.last_updated, profile_for(ct));
    eob_contained(w, c, ct);
    eob_extensions(w, c, &ti, ct, state);
    eob_identifiers_and_type(w, b, c, &ti, ct, institutional);
    eob_parties(w, c, &ti, ct, institutional);
    eob_care_team(w, c, ct, &spec);
    eob_supporting_info_section(w, c);
    eob_diagnoses(w, c, ct, institutional);
    eob_procedures(w, c, ct);
    eob_insurance(w, b, c, ct);
    eob_items(w, c, ct);
    eob_totals_and_payment(w, c, ct);
    w.end_object();
    w.end_line();
}

/// The contained section of an ExplanationOfBenefit.
fn eob_contained(w: &mut JsonWriter<'_>, c: &Claim, ct: ClaimType) {
    match ct {
        ClaimType::Carrier | ClaimType::Dme => {
            let lab = c
                .lines
                .iter()
                .any(|l| l.betos.starts_with("T1") || l.code == "E1390");
            if lab {
                w.key("contained");
                w.begin_array();
                w.begin_object();
                w.key_string("resourceType", "Observation");
                w.key_string("id", "line-observation-1");
                w.key_string("status", "unknown");
                let (code, disp) = if ct == ClaimType::Dme {
                    ("R2", "Hematocrit Test")
                } else {
                    ("R1", "Hemoglobin Test")
                };
                w.codeable_bb("code", "line_hct_hgb_type_cd", code, Some(disp));
                w.key("valueQuantity");
                w.begin_object();
                w.key("value");
                w.milli(
                    if ct == ClaimType::Dme { 44_400 } else { 13_500 }
                        + (c.id.unsigned_abs() % 40) as i64 * 100,
                );
                w.end_object();
                w.end_object();
                w.end_array();
            }
        }
        ClaimType::Pde => {}
        _ => {
            w.key("contained");
            w.begin_array();
            w.begin_object();
            w.key_string("resourceType", "Organization");
            w.key_string("id", "provider-org");
            w.meta2_plain("C4BB-Organization");
            w.key("identifier");
            w.begin_array();
            w.begin_object();
            w.key("type");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.tho("v2-0203", "PRN", Some("Provider number"));
            w.end_array();
            w.end_object();
            w.key_string("value", &c.provider_num);
            w.end_object();
            w.begin_object();
            w.key("type");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.c4("C4BBIdentifierType", "npi", "National Provider Identifier");
            w.end_array();
            w.end_object();
            w.key_string("system", NPI_SYS);
            w.key("value");
            w.int_string(c.org_npi as i64);
            w.end_object();
            w.end_array();
            w.key("active");
            w.bool(true);
            w.key_string("name", c.facility);
            w.end_object();
            w.end_array();
        }
    }
}

/// The extensions section of an ExplanationOfBenefit.
fn eob_extensions(
    w: &mut JsonWriter<'_>,
    c: &Claim,
    ti: &TypeInfo,
    ct: ClaimType,
    state: &tables::State,
) {
    if ct != ClaimType::Pde {
        w.key("extension");
        w.begin_array();
        w.ext_coding(
            "nch_near_line_rec_ident_cd",
            ti.near_line.0,
            Some(ti.near_line.1),
        );
        if matches!(ct, ClaimType::Carrier | ClaimType::Dme) {
            w.ext_ident("carr_num", state.carrier);
            w.ext_ident_n("carr_clm_cntl_num", c.control_num as i64);
            w.ext_coding("carr_clm_pmt_dnl_cd", "1", Some("Physician/supplier"));
            w.ext_coding("asgmntcd", "A", Some("Assigned claim"));
            w.ext_ident("clm_clncl_tril_num", "0");
            w.ext_coding("carr_clm_entry_cd", "1", Some("Original debit; void of original debit (If CLM_DISP_CD = 3, code 1 means voided original debit)"));
        } else {
            if matches!(ct, ClaimType::Inpatient | ClaimType::Snf) {
                w.ext_coding(
                    "fi_clm_actn_cd",
                    "1",
                    Some("Original debit action (always a 1 for all regular bills)"),
                );
            }
            if ct == ClaimType::Inpatient {
                w.begin_object();
                w.key("url");
                w.string_concat(BB, "ime_op_clm_val_amt");
                w.money("valueMoney", c.paid / 20);
                w.end_object();
                w.begin_object();
                w.key("url");
                w.string_concat(BB, "clm_uncompd_care_pmt_amt");
                w.money("valueMoney", c.paid / 50);
                w.end_object();
                w.begin_object();
                w.key("url");
                w.string_concat(BB, "dsh_op_clm_val_amt");
                w.money("valueMoney", c.paid / 40);
                w.end_object();
            }
            w.ext_ident_n("fi_doc_clm_cntl_num", c.control_num as i64);
            w.ext_date("fi_clm_proc_dt", c.processed);
            w.ext_coding("clm_mdcr_non_pmt_rsn_cd", "P", Some("Payment requested"));
            w.ext_coding("clm_srvc_clsfctn_type_cd", ti.srvc_clsfctn, None);
            w.ext_coding("fi_num", state.carrier, None);
            if ct == ClaimType::Hospice {
                w.ext_qty("bene_hospc_prd_cnt", 1 + c.days / 90);
            }
        }
        w.end_array();
    }
}

/// The identifiers section of an ExplanationOfBenefit.
fn eob_identifiers_and_type(
    w: &mut JsonWriter<'_>,
    b: &Beneficiary,
    c: &Claim,
    ti: &TypeInfo,
    ct: ClaimType,
    institutional: bool,
) {
    w.key("identifier");
    w.begin_array();
    let pde_ids = [
        (BB, "pde_id", c.id),
        (CLAIM_GROUP, "", c.group),
        (
            BB,
            "rx_srvc_rfrnc_num",
            c.pde.as_ref().map_or(0, |p| p.rx_num as i64),
        ),
    ];
    let ids: &[(&str, &str, i64)] = if ct == ClaimType::Pde {
        &pde_ids
    } else {
        &[(BB, "clm_id", c.id), (CLAIM_GROUP, "", c.group)]
    };
    for &(sys_a, sys_b, value) in ids {
        w.begin_object();
        w.key("type");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.c4("C4BBIdentifierType", "uc", "Unique Claim ID");
        w.end_array();
        w.end_object();
        w.key("system");
        w.string_concat(sys_a, sys_b);
        w.key("value");
        w.int_string(value);
        w.end_object();
    }
    w.end_array();
    w.key_string("status", c.status);
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    if let Some((code, disp)) = ti.nch {
        w.coding2(BB, "nch_clm_type_cd", code, Some(disp));
    }
    w.coding2(BBCS, "eob-type", ti.eob_type, None);
    let (cat, cat_disp) = match ct {
        ClaimType::Carrier | ClaimType::Dme => ("professional", "Professional"),
        ClaimType::Pde => ("pharmacy", "Pharmacy"),
        _ => ("institutional", "Institutional"),
    };
    w.tho("claim-type", cat, Some(cat_disp));
    w.end_array();
    w.end_object();
    if institutional {
        let (sub, text) = if matches!(ct, ClaimType::Outpatient | ClaimType::Hha) {
            ("outpatient", "Outpatient")
        } else {
            ("inpatient", "Inpatient")
        };
        w.key("subType");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.c4("C4BBInstitutionalClaimSubType", sub, text);
        w.end_array();
        w.key_string("text", text);
        w.end_object();
    }
    w.key_string("use", "claim");
    w.reference("patient", "Patient/", b.bene_id);
    w.key("billablePeriod");
    w.begin_object();
    if institutional {
        w.key("extension");
        w.begin_array();
        w.ext_coding("claim_query_cd", "3", Some("Final bill"));
        w.end_array();
    }
    w.key_date("start", c.from);
    w.key_date("end", c.thru);
    w.end_object();
    w.key("created");
    w.instant(c.last_updated);
    w.key("insurer");
    w.begin_object();
    w.key("identifier");
    w.begin_object();
    w.key_string("value", "CMS");
    w.end_object();
    w.end_object();
}

/// The provider / referral / facility section of an ExplanationOfBenefit.
fn eob_parties(
    w: &mut JsonWriter<'_>,
    c: &Claim,
    ti: &TypeInfo,
    ct: ClaimType,
    institutional: bool,
) {
    match ct {
        ClaimType::Carrier => {
            w.key("provider");
            w.begin_object();
            w.key("identifier");
            w.begin_object();
            w.key("system");
            w.string_concat(BB, "carr_clm_blg_npi_num");
            w.key("value");
            w.int_string(c.org_npi as i64);
            w.end_object();
            w.end_object();
        }
        ClaimType::Dme | ClaimType::Pde => {
            w.key("provider");
            w.begin_object();
            if ct == ClaimType::Dme {
                w.key_string("type", "Practitioner");
            }
            w.key("identifier");
            w.begin_object();
            w.key_string("system", NPI_SYS);
            w.key("value");
            let npi = c.pde.as_ref().map_or(c.rendering_npi, |p| p.pharmacy_npi);
            w.int_string(npi as i64);
            w.end_object();
            if ct == ClaimType::Dme {
                w.key_string("display", c.facility);
            }
            w.end_object();
        }
        _ => {
            w.key("provider");
            w.begin_object();
            w.key_string("reference", "#provider-org");
            w.end_object();
        }
    }
    if matches!(ct, ClaimType::Carrier | ClaimType::Dme) {
        w.key("referral");
        w.begin_object();
        w.npi_ident(c.referring_npi);
        if ct == ClaimType::Dme {
            w.key_string("display", "Referring physician");
        }
        w.end_object();
    }
    if institutional {
        w.key("facility");
        w.begin_object();
        w.key("extension");
        w.begin_array();
        w.ext_coding("clm_fac_type_cd", ti.fac_type.0, Some(ti.fac_type.1));
        w.end_array();
        w.end_object();
    }
    if let Some(p) = &c.pde {
        w.key("facility");
        w.begin_object();
        w.key("extension");
        w.begin_array();
        w.ext_coding(
            "phrmcy_srvc_type_cd",
            "01",
            Some("Community/retail pharmacy"),
        );
        w.end_array();
        w.key("identifier");
        w.begin_object();
        w.key("type");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding2(C4BB, "C4BBIdentifierType", "npi", None);
        w.end_array();
        w.end_object();
        w.key("value");
        w.int_string(p.pharmacy_npi as i64);
        w.end_object();
        w.key_string("display", "Community Pharmacy");
        w.end_object();
    }
    w.key_string("outcome", "complete");
    if matches!(ct, ClaimType::Carrier | ClaimType::Dme) {
        w.key_string("disposition", "Debit accepted");
    }
}

/// The careTeam section of an ExplanationOfBenefit.
fn eob_care_team(
    w: &mut JsonWriter<'_>,
    c: &Claim,
    ct: ClaimType,
    spec: &(&str, &str, &str, &str),
) {
    w.key("careTeam");
    w.begin_array();
    let qual = Some((spec.2, spec.3));
    match ct {
        ClaimType::Carrier => {
            w.care(
                1,
                c.referring_npi,
                None,
                ("C4BB", "referring", "Referring"),
                None,
                None,
                false,
            );
            w.care(
                2,
                c.rendering_npi,
                None,
                ("C4BB", "performing", "Performing provider"),
                qual,
                Some((spec.0, spec.1)),
                true,
            );
            w.care(
                3,
                c.org_npi,
                Some(c.facility),
                ("THO", "primary", "Primary provider"),
                None,
                None,
                false,
            );
        }
        ClaimType::Dme => {
            w.care(
                1,
                c.referring_npi,
                Some("Referring physician"),
                ("C4BB", "referring", "Referring"),
                qual,
                None,
                false,
            );
            w.begin_object();
            w.key("extension");
            w.begin_array();
            w.ext_coding("prtcptng_ind_cd", "1", Some("Participating"));
            w.end_array();
            w.key_int("sequence", 2);
            w.key("provider");
            w.begin_object();
            w.npi_ident(c.rendering_npi);
            w.key_string("display", c.facility);
            w.end_object();
            w.key("responsible");
            w.bool(true);
            w.key("role");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.c4("C4BBClaimCareTeamRole", "performing", "Performing provider");
            w.end_array();
            w.end_object();
            w.key("qualification");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding(
                NUCC,
                "332B00000X",
                Some("Durable Medical Equipment & Medical Supplies"),
            );
            w.coding2(BB, "prvdr_spclty", "A5", Some("Pharmacy (DMERC)"));
            w.end_array();
            w.end_object();
            w.end_object();
        }
        ClaimType::Pde => {
            let p = c.pde.as_ref();
            w.care(
                1,
                p.map_or(0, |p| p.prescriber_npi),
                Some("Prescriber"),
                ("C4BB", "prescribing", "Prescribing provider"),
                qual,
                None,
                false,
            );
        }
        _ => {
            w.care(
                1,
                c.attending_npi,
                None,
                ("C4BB", "attending", "Attending"),
                qual,
                None,
                false,
            );
            if matches!(
                ct,
                ClaimType::Inpatient | ClaimType::Outpatient | ClaimType::Snf
            ) {
                w.care(
                    2,
                    c.operating_npi,
                    None,
                    ("C4BB", "operating", "Operating"),
                    qual,
                    None,
                    false,
                );
                w.care(
                    3,
                    c.referring_npi,
                    None,
                    ("C4BB", "otheroperating", "Other Operating"),
                    qual,
                    None,
                    false,
                );
            }
            w.care(
                4,
                c.rendering_npi,
                None,
                ("C4BB", "performing", "Performing provider"),
                qual,
                None,
                false,
            );
        }
    }
    w.end_array();
}

/// The supportingInfo section of an ExplanationOfBenefit.
fn eob_supporting_info_section(w: &mut JsonWriter<'_>, c: &Claim) {
    w.key("supportingInfo");
    w.begin_array();
    let mut seq = 0i64;
    supporting_info(w, c, &mut seq);
    w.end_array();
}

/// The diagnosis section of an ExplanationOfBenefit.
fn eob_diagnoses(w: &mut JsonWriter<'_>, c: &Claim, ct: ClaimType, institutional: bool) {
    if ct != ClaimType::Pde {
        w.key("diagnosis");
        w.begin_array();
        let mut dseq = 0;
        for (i, (code, disp)) in c.dx.iter().enumerate() {
            dseq += 1;
            w.begin_object();
            if ct == ClaimType::Inpatient && i > 0 {
                w.key("extension");
                w.begin_array();
                w.ext_coding(
                    &format!("clm_poa_ind_sw{i}"),
                    "Y",
                    Some("Diagnosis was present at the time of admission (POA)"),
                );
                w.end_array();
            }
            w.key_int("sequence", dseq);
            w.key("diagnosisCodeableConcept");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding(ICD10CM, code, Some(disp));
            w.coding(ICD10, code, Some(disp));
            w.end_array();
            w.end_object();
            w.key("type");
            w.begin_array();
            w.begin_object();
            w.key("coding");
            w.begin_array();
            let last = i + 1 == c.dx.len();
            if i == 0 {
                w.tho("ex-diagnosistype", "principal", Some("Principal Diagnosis"));
            } else if last && ct == ClaimType::Outpatient {
                w.c4(
                    "C4BBClaimDiagnosisType",
                    "patientreasonforvisit",
                    "Patient Reason for Visit",
                );
            } else if institutional {
                w.c4("C4BBClaimDiagnosisType", "other", "Other");
            } else {
                w.c4("C4BBClaimDiagnosisType", "secondary", "Secondary");
            }
            w.end_array();
            w.end_object();
            w.end_array();
            w.end_object();
            if ct == ClaimType::Inpatient && i == 0 {
                dseq += 1;
                w.begin_object();
                w.key_int("sequence", dseq);
                w.key("diagnosisCodeableConcept");
                w.begin_object();
                w.key("coding");
                w.begin_array();
                w.coding(ICD10CM, code, Some(disp));
                w.coding(ICD10, code, Some(disp));
                w.end_array();
                w.end_object();
                w.key("type");
                w.begin_array();
                w.begin_object();
                w.key("coding");
                w.begin_array();
                w.tho("ex-diagnosistype", "admitting", Some("Admitting Diagnosis"));
                w.end_array();
                w.end_object();
                w.end_array();
                w.end_object();
            }
        }
        for (i, (code, disp)) in c.ext_causes.iter().enumerate() {
            dseq += 1;
            w.begin_object();
            w.key("extension");
            w.begin_array();
            w.ext_coding(
                &format!("clm_e_poa_ind_sw{}", i + 1),
                "Y",
                Some("Diagnosis was present at the time of admission (POA)"),
            );
            w.end_array();
            w.key_int("sequence", dseq);
            w.key("diagnosisCodeableConcept");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding(ICD10CM, code, Some(disp));
            w.coding(ICD10, code, Some(disp));
            w.end_array();
            w.end_object();
            w.key("type");
            w.begin_array();
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.c4(
                "C4BBClaimDiagnosisType",
                "externalcauseofinjury",
                "External Cause of Injury",
            );
            w.end_array();
            w.end_object();
            w.end_array();
            w.end_object();
        }
        w.end_array();
    }
}

/// The procedure section of an ExplanationOfBenefit.
fn eob_procedures(w: &mut JsonWriter<'_>, c: &Claim, ct: ClaimType) {
    if !c.pcs.is_empty() || ct == ClaimType::Outpatient {
        let fallback = [(("3E033GC", "Introduction of Other Therapeutic Substance into Peripheral Vein, Percutaneous Approach"), c.from)];
        let pcs: &[((&str, &str), i32)] = if c.pcs.is_empty() { &fallback } else { &c.pcs };
        w.key("procedure");
        w.begin_array();
        for (i, ((code, disp), day)) in pcs.iter().enumerate() {
            w.begin_object();
            w.key_int("sequence", i as i64 + 1);
            w.key("date");
            w.date_midnight(*day);
            w.key("type");
            w.begin_array();
            w.begin_object();
            w.key("coding");
            w.begin_array();
            let (pt, ptd) = if i == 0 {
                ("principal", "Principal")
            } else {
                ("other", "Other")
            };
            w.c4("C4BBClaimProcedureType", pt, ptd);
            w.end_array();
            w.end_object();
            w.end_array();
            w.key("procedureCodeableConcept");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding(ICD10PCS, code, Some(disp));
            w.coding(ICD10, code, Some(disp));
            w.end_array();
            w.end_object();
            w.end_object();
        }
        w.end_array();
    }
}

/// The insurance section of an ExplanationOfBenefit.
fn eob_insurance(w: &mut JsonWriter<'_>, b: &Beneficiary, c: &Claim, ct: ClaimType) {
    w.key("insurance");
    w.begin_array();
    w.begin_object();
    w.key("focal");
    w.bool(true);
    w.key("coverage");
    w.begin_object();
    let part = match ct {
        ClaimType::Carrier | ClaimType::Dme | ClaimType::Outpatient => "Coverage/part-b-",
        ClaimType::Pde => "Coverage/part-d-",
        _ => "Coverage/part-a-",
    };
    if let Some(p) = &c.pde {
        w.key("extension");
        w.begin_array();
        w.ext_ident("plan_cntrct_rec_id", &p.plan_contract);
        w.ext_ident("plan_pbp_rec_num", "001");
        w.end_array();
    }
    w.key("reference");
    w.string_prefixed_int(part, b.bene_id);
    w.end_object();
    w.end_object();
    w.end_array();
}

/// The items section of an ExplanationOfBenefit.
fn eob_items(w: &mut JsonWriter<'_>, c: &Claim, ct: ClaimType) {
    w.key("item");
    w.begin_array();
    match ct {
        ClaimType::Carrier | ClaimType::Dme => {
            for (i, l) in c.lines.iter().enumerate() {
                prof_item(w, c, l, i as i64 + 1);
            }
        }
        ClaimType::Pde => pde_item(w, c),
        _ => {
            for (i, l) in c.lines.iter().enumerate() {
                inst_item(w, c, l, i as i64 + 1);
            }
        }
    }
    w.end_array();
}

/// The totals and payment section of an ExplanationOfBenefit.
fn eob_totals_and_payment(w: &mut JsonWriter<'_>, c: &Claim, ct: ClaimType) {
    w.key("total");
    w.begin_array();
    if let Some(p) = &c.pde {
        w.begin_object();
        w.key("category");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.c4("C4BBAdjudication", "drugcost", "Drug Cost");
        w.end_array();
        w.end_object();
        w.money("amount", p.total);
        w.end_object();
        w.begin_object();
        w.key("category");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.c4("C4BBPayerAdjudicationStatus", "other", "Other");
        w.end_array();
        w.end_object();
        w.money("amount", 0);
        w.end_object();
    } else {
        w.adj(
            (THO, "adjudication", "submitted", "Submitted Amount"),
            "clm_tot_chrg_amt",
            "Claim Total Charge Amount",
            c.charge,
        );
        w.adj(
            (
                C4BB,
                "C4BBAdjudication",
                "priorpayerpaid",
                "Prior payer paid",
            ),
            "prpayamt",
            "NCH Primary Payer (if not Medicare) Claim Paid Amount",
            0,
        );
        // CARIN's required benefit-payment-status slice (BFD omits it).
        w.payment_status(Some(0));
    }
    w.end_array();
    w.key("payment");
    w.begin_object();
    if ct == ClaimType::Pde {
        w.key_date("date", c.processed);
    } else {
        w.money("amount", c.paid);
    }
    w.end_object();
    if ct != ClaimType::Pde {
        benefit_balance(w, c);
    }
}

impl JsonWriter<'_> {
    fn meta2_plain(&mut self, profile: &str) {
        self.key("meta");
        self.begin_object();
        self.key("profile");
        self.begin_array();
        self.string_concat(PROFILE, profile);
        self.end_array();
        self.end_object();
    }
}

fn supporting_info(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    match c.ct {
        ClaimType::Pde => {
            pde_supporting_info(w, c, seq);
            pde_dispensing_info(w, seq);
        }
        ClaimType::Carrier | ClaimType::Dme => {
            received_date_info(w, c, seq);
            professional_supporting_info(w, c, seq);
        }
        _ => {
            received_date_info(w, c, seq);
            stay_supporting_info(w, c, seq);
            snf_and_hha_supporting_info(w, c, seq);
            bill_and_discharge_info(w, c, seq);
        }
    }
}

/// A Part D event's compound code, refill number, days supply and coverage status.
fn pde_supporting_info(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    let p = c.pde.as_ref();
    w.sinfo(seq, Some(("compoundcode", "Compound Code")), None);
    w.key("code");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.tho("v3-ActCode", "RXDINV", Some("Rx dispense invoice"));
    w.end_array();
    w.end_object();
    w.end_object();
    w.sinfo(seq, Some(("refillnum", "Refill Number")), None);
    w.key("valueQuantity");
    w.begin_object();
    w.key_int("value", p.map_or(0, |p| p.fill_num));
    w.end_object();
    w.end_object();
    w.sinfo(seq, Some(("dayssupply", "Days Supply")), None);
    w.key("valueQuantity");
    w.begin_object();
    w.key_int("value", p.map_or(30, |p| p.days_supply));
    w.end_object();
    w.end_object();
    w.si_code(
        seq,
        None,
        "drug_cvrg_stus_cd",
        Some("Drug Coverage Status Code"),
        "C",
        Some("Covered"),
    );
}

/// A Part D event's DAW code, dispensing status, pharmacy service and origin codes.
fn pde_dispensing_info(w: &mut JsonWriter<'_>, seq: &mut i64) {
    // CARIN requires the dawcode slice (NCPDP code); BFD's variable coding follows it.
    w.sinfo(
        seq,
        Some(("dawcode", "DAW Code")),
        Some((
            "daw_prod_slctn_cd",
            "Dispense as Written (DAW) Product Selection Code",
        )),
    );
    w.key("code");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding(
        "http://terminology.hl7.org/CodeSystem/NCPDPDispensedAsWrittenOrProductSelectionCode",
        "0",
        Some("No Product Selection Indicated"),
    );
    w.coding2(
        BB,
        "daw_prod_slctn_cd",
        "0",
        Some("No Product Selection Indicated (may also have missing values)"),
    );
    w.end_array();
    w.end_object();
    w.end_object();
    w.si_code(
        seq,
        None,
        "dspnsng_stus_cd",
        Some("Dispensing Status Code"),
        "C",
        Some("Completion of partial fill"),
    );
    w.si_code(
        seq,
        None,
        "adjstmt_dltn_cd",
        Some("Adjustment Deletion Code"),
        "A",
        Some("Adjustment"),
    );
    w.si_code(
        seq,
        None,
        "nstd_frmt_cd",
        Some("Non-Standard Format Code"),
        "X",
        Some("X12 837"),
    );
    w.si_code(
        seq,
        None,
        "prcng_excptn_cd",
        Some("Pricing Exception Code"),
        "O",
        Some("Out-of-network pharmacy"),
    );
    w.si_code(
        seq,
        None,
        "ctstrphc_cvrg_cd",
        Some("Catastrophic Coverage Code"),
        "A",
        Some("Attachment point met on this event"),
    );
    w.sinfo(seq, Some(("rxorigincode", "Rx Origin Code")), None);
    w.codeable_bb("code", "rx_orgn_cd", "3", Some("Electronic"));
    w.end_object();
    w.sinfo(
        seq,
        Some(("brandgenericindicator", "Brand Generic Indicator")),
        None,
    );
    w.codeable_bb("code", "brnd_gnrc_cd", "G", Some("Generic Null/missing"));
    w.end_object();
    w.si_code(
        seq,
        None,
        "ptnt_rsdnc_cd",
        Some("Patient Residence Code"),
        "01",
        Some("Home"),
    );
    w.si_code(
        seq,
        None,
        "submsn_clr_cd",
        Some("Submission clarification code"),
        "00",
        Some("Default"),
    );
}

/// The NCH weekly processing date (claim received) of every Part A/B claim.
fn received_date_info(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    // NCH weekly processing date (claim received) for every Parts A/B claim.
    w.sinfo(
        seq,
        Some(("clmrecvddate", "Claim Received Date")),
        Some(("nch_wkly_proc_dt", "NCH Weekly Claim Processing Date")),
    );
    w.key_date("timingDate", c.processed);
    w.end_object();
}

/// Carrier and DME: the hematocrit/hemoglobin result of dialysis-related lines.
fn professional_supporting_info(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    if c.lines
        .iter()
        .any(|l| l.betos.starts_with("T1") || l.code == "E1390")
    {
        w.sinfo(
            seq,
            None,
            Some((
                "line_hct_hgb_rslt_num",
                "Hematocrit / Hemoglobin Test Results",
            )),
        );
        w.key("valueReference");
        w.begin_object();
        w.key_string("reference", "#line-observation-1");
        w.end_object();
        w.end_object();
    }
}

/// Institutional claims: patient status, admission period and the inpatient stay's facts.
fn stay_supporting_info(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    let ct = c.ct;
    let inpatient_like = matches!(ct, ClaimType::Inpatient | ClaimType::Snf);
    if matches!(
        ct,
        ClaimType::Inpatient | ClaimType::Snf | ClaimType::Hospice
    ) {
        let (code, disp) = if ct == ClaimType::Hospice && c.discharge == "30" {
            ("C", "Still a patient")
        } else {
            ("A", "Discharged")
        };
        w.si_code(
            seq,
            None,
            "nch_ptnt_stus_ind_cd",
            Some("NCH Patient Status Indicator Code"),
            code,
            Some(disp),
        );
    }
    if ct != ClaimType::Outpatient {
        w.sinfo(seq, Some(("admissionperiod", "Admission Period")), None);
        w.period("timingPeriod", c.from, Some(c.thru));
        w.end_object();
    }
    if inpatient_like {
        w.sinfo(
            seq,
            Some(("admtype", "Information")),
            Some((
                "clm_ip_admsn_type_cd",
                "Claim Inpatient Admission Type Code",
            )),
        );
        w.key("code");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        if ct == ClaimType::Inpatient {
            w.coding(NUBC_ADMIT, "1", Some("Emergency - The patient required immediate medical intervention as a result of severe, life threatening, or potentially disabling conditions. Generally, the patient was admitted through the emergency room."));
        } else {
            w.coding(NUBC_ADMIT, "3", Some("Elective - The patient's condition permitted adequate time to schedule the availability of suitable accommodations."));
        }
        w.end_array();
        w.end_object();
        w.end_object();
        w.si_code(
            seq,
            None,
            "clm_src_ip_admsn_cd",
            Some("Claim Source Inpatient Admission Code"),
            "1",
            None,
        );
        w.si_code(
            seq,
            None,
            "clm_drg_cd",
            Some("Claim Diagnosis Related Group Code (or MS-DRG Code)"),
            c.drg.0,
            None,
        );
        w.sinfo(
            seq,
            None,
            Some((
                "nch_blood_pnts_frnshd_qty",
                "NCH Blood Pints Furnished Quantity",
            )),
        );
        w.key("valueQuantity");
        w.begin_object();
        w.key_int("value", 0);
        w.key_string("unit", "pint");
        w.key_string("system", "http://unitsofmeasure.org");
        w.key_string("code", "[pt_us]");
        w.end_object();
        w.end_object();
    }
}

/// SNF qualifying-stay dates, PPS indicator, and home health's LUPA, referral and visits.
fn snf_and_hha_supporting_info(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    let ct = c.ct;
    if ct == ClaimType::Snf {
        w.sinfo(
            seq,
            None,
            Some(("nch_qlfyd_stay_from_dt", "NCH Qualified Stay From Date")),
        );
        w.period("timingPeriod", c.from - 5, Some(c.from - 1));
        w.end_object();
        w.sinfo(
            seq,
            None,
            Some((
                "nch_vrfd_ncvrd_stay_from_dt",
                "NCH Verified Non-covered Stay From Date",
            )),
        );
        w.period("timingPeriod", c.from - 5, Some(c.from - 1));
        w.end_object();
        w.sinfo(
            seq,
            None,
            Some((
                "nch_bene_mdcr_bnfts_exhtd_dt_i",
                "NCH Beneficiary Medicare Benefits Exhausted Date",
            )),
        );
        w.key_date("timingDate", c.thru);
        w.end_object();
    }
    if matches!(ct, ClaimType::Snf | ClaimType::Hha) {
        w.si_code(
            seq,
            None,
            "clm_pps_ind_cd",
            Some("Claim PPS Indicator Code"),
            "2",
            Some("PPS bill; claim contains PPS indicator"),
        );
    }
    if ct == ClaimType::Hha {
        w.si_code(
            seq,
            None,
            "clm_hha_lupa_ind_cd",
            Some("Claim HHA Low Utilization Payment Adjustment (LUPA) Indicator Code"),
            "L",
            Some("Low utilization payment adjustment (LUPA) claim"),
        );
        w.si_code(seq, None, "clm_hha_rfrl_cd", Some("Claim HHA Referral Code"), "1", Some("Physician referral - The patient was admitted upon the recommendation of a personal physician."));
        w.sinfo(
            seq,
            None,
            Some(("clm_hha_tot_visit_cnt", "Claim HHA Total Visit Count")),
        );
        w.key("valueQuantity");
        w.begin_object();
        w.key_int("value", c.lines.first().map_or(1, |l| l.units));
        w.end_object();
        w.end_object();
    }
}

/// MCO paid switch, type of bill, discharge status and primary payer.
fn bill_and_discharge_info(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    let ct = c.ct;
    if matches!(
        ct,
        ClaimType::Inpatient | ClaimType::Outpatient | ClaimType::Snf
    ) {
        w.si_code(
            seq,
            None,
            "clm_mco_pd_sw",
            Some("Claim MCO Paid Switch"),
            "0",
            Some("No managed care organization (MCO) payment"),
        );
    }
    w.sinfo(seq, Some(("typeofbill", "Type of Bill")), None);
    w.key("code");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    // Type of bill: facility type + classification digits in clm_fac_type_cd /
    // clm_srvc_clsfctn_type_cd, frequency digit here; all three in the NUBC bill-type code.
    w.coding2(BB, "clm_freq_cd", "1", Some("Admit thru discharge claim"));
    w.coding(
        "https://www.nubc.org/CodeSystem/TypeOfBill",
        std::str::from_utf8(&c.bill_type).unwrap_or("111"),
        None,
    );
    w.end_array();
    w.end_object();
    w.end_object();
    w.sinfo(seq, Some(("discharge-status", "Discharge Status")), None);
    let disp = discharge_display(c.discharge);
    w.codeable_bb("code", "ptnt_dschrg_stus_cd", c.discharge, Some(disp));
    w.end_object();
    w.si_code(
        seq,
        None,
        "nch_prmry_pyr_cd",
        Some("NCH Primary Payer Code (if not Medicare)"),
        "A",
        Some("Employer group health plan (EGHP) insurance for an aged beneficiary"),
    );
}

fn prof_item(w: &mut JsonWriter<'_>, c: &Claim, l: &Line, seq: i64) {
    w.begin_object();
    prof_item_extensions(w, c, l);
    prof_item_service(w, c, l, seq);
    prof_item_location(w, c, l);
    prof_item_adjudication(w, c, l);
    w.end_object();
}

/// A carrier/DME line's Blue Button extensions.
fn prof_item_extensions(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let state = &tables::STATES[c.state];
    let dme = c.ct == ClaimType::Dme;
    w.key("extension");
    w.begin_array();
    if dme {
        w.ext_ident_n("suplrnum", c.org_npi as i64);
        w.begin_object();
        w.key("url");
        w.string_concat(BB, "dmerc_line_scrn_svgs_amt");
        w.key("valueQuantity");
        w.begin_object();
        w.key_int("value", 0);
        w.end_object();
        w.end_object();
        w.begin_object();
        w.key("url");
        w.string_concat(BB, "dmerc_line_mtus_cnt");
        w.key("valueQuantity");
        w.begin_object();
        w.key_int("value", l.units);
        w.key_string("unit", "Number of services");
        w.key("system");
        w.string_concat(BB, "dmerc_line_mtus_cd");
        w.key_string("code", "3");
        w.end_object();
        w.end_object();
        w.ext_coding("dmerc_line_prcng_state_cd", state.abbr, None);
        w.ext_coding("dmerc_line_supplr_type_cd", "3", Some("Suppliers (other than sole proprietorship) for whom employer identification (EI) numbers are used in coding the ID field."));
    } else {
        w.ext_qty("carr_line_mtus_cnt", l.units);
        w.ext_coding("carr_line_mtus_cd", "3", Some("Services"));
    }
    w.ext_coding("betos_cd", l.betos, Some(l.desc));
    w.ext_coding("line_bene_prmry_pyr_cd", "E", Some("Workers' compensation"));
    w.ext_coding("line_prcsg_ind_cd", "A", Some("Allowed"));
    w.ext_coding(
        "line_service_deductible",
        if l.deductible > 0 { "0" } else { "1" },
        Some(if l.deductible > 0 {
            "Service Subject to Deductible"
        } else {
            "Service Not Subject to Deductible"
        }),
    );
    w.end_array();
}

/// A carrier/DME line's sequences, category, productOrService, modifiers and period.
fn prof_item_service(w: &mut JsonWriter<'_>, c: &Claim, l: &Line, seq: i64) {
    let dme = c.ct == ClaimType::Dme;
    w.key_int("sequence", seq);
    w.key("careTeamSequence");
    w.begin_array();
    w.int(2);
    w.end_array();
    w.key("diagnosisSequence");
    w.begin_array();
    w.int(l.dx as i64 + 1);
    w.end_array();
    let lab = l.betos.starts_with("T1") || l.code == "E1390";
    if lab {
        w.key("informationSequence");
        w.begin_array();
        w.int(2);
        w.end_array();
    }
    let (tos, tos_disp) = if dme {
        (
            l.tos,
            if l.tos == "R" {
                "Rental of DME"
            } else {
                "Lump sum purchase of DME, prosthetics orthotics"
            },
        )
    } else if l.betos.starts_with('T') {
        ("5", "Diagnostic laboratory")
    } else {
        ("1", "Medical care")
    };
    w.codeable_bb("category", "line_cms_type_srvc_cd", tos, Some(tos_disp));
    w.key("productOrService");
    w.begin_object();
    if let Some((ndc, name)) = tables::ndc_for_hcpcs(l.code) {
        w.key("extension");
        w.begin_array();
        w.begin_object();
        w.key_string("url", NDC_SYS);
        w.key("valueCoding");
        w.coding(NDC_SYS, ndc, Some(name));
        w.end_object();
        w.end_array();
    }
    w.key("coding");
    w.begin_array();
    w.coding2(BBCS, "hcpcs", l.code, Some(l.desc));
    w.end_array();
    w.end_object();
    if l.betos.starts_with('M') || dme {
        w.key("modifier");
        w.begin_array();
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.begin_object();
        w.key("system");
        w.string_concat(BBCS, "hcpcs");
        w.key_string("version", "0");
        w.key_string("code", if dme { "NU" } else { "25" });
        w.end_object();
        w.end_array();
        w.end_object();
        w.end_array();
    }
    w.period("servicedPeriod", l.from, Some(l.thru));
}

/// A carrier/DME line's place of service (with the pricing state and locality) and quantity.
fn prof_item_location(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let state = &tables::STATES[c.state];
    let dme = c.ct == ClaimType::Dme;
    let lab = l.betos.starts_with("T1") || l.code == "E1390";
    let pos = tables::POS[l.pos];
    w.key("locationCodeableConcept");
    w.begin_object();
    w.key("extension");
    w.begin_array();
    w.ext_coding("prvdr_state_cd", state.ssa, None);
    if !dme {
        w.ext_coding("prvdr_zip", &format!("{}01", state.zip3), None);
        w.ext_coding("carr_line_prcng_lclty_cd", state.locality, Some(state.city));
        if lab {
            w.ext_ident("carr_line_clia_lab_num", "22D0999999");
        }
    }
    w.end_array();
    w.key("coding");
    w.begin_array();
    w.coding2(BB, "line_place_of_srvc_cd", pos.0, Some(pos.1));
    w.end_array();
    w.end_object();
    w.key("quantity");
    w.begin_object();
    w.key_int("value", l.units);
    w.end_object();
}

/// A carrier/DME line's adjudication.
fn prof_item_adjudication(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let dme = c.ct == ClaimType::Dme;
    w.key("adjudication");
    w.begin_array();
    // Professional-NonClinician requires the line's benefit payment status.
    w.payment_status(None);
    w.adj_reason("carr_line_rdcd_pmt_phys_astn_c", "0", Some("N/A"));
    w.begin_object();
    w.key("extension");
    w.begin_array();
    w.ext_coding("line_pmt_80_100_cd", "0", Some("80%"));
    w.end_array();
    w.key("category");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.tho("adjudication", "benefit", Some("Benefit Amount"));
    w.bb_cat(
        "adjudication",
        "line_nch_pmt_amt",
        "Line NCH Medicare Payment Amount",
    );
    w.end_array();
    w.end_object();
    w.money("amount", l.paid);
    w.end_object();
    let c4a = (C4BB, "C4BBAdjudication");
    let tho = (THO, "adjudication");
    w.adj(
        (c4a.0, c4a.1, "paidtopatient", "Paid to patient"),
        "line_bene_pmt_amt",
        "Line Payment Amount to Beneficiary",
        0,
    );
    w.adj(
        (c4a.0, c4a.1, "paidtoprovider", "Paid to provider"),
        "line_prvdr_pmt_amt",
        "Line Provider Payment Amount",
        l.paid,
    );
    w.adj(
        (tho.0, tho.1, "deductible", "Deductible"),
        "line_bene_ptb_ddctbl_amt",
        "Line Beneficiary Part B Deductible Amount",
        l.deductible,
    );
    w.adj(
        (c4a.0, c4a.1, "priorpayerpaid", "Prior payer paid"),
        "line_bene_prmry_pyr_pd_amt",
        "Line Primary Payer (if not Medicare) Paid Amount",
        0,
    );
    w.adj(
        (c4a.0, c4a.1, "coinsurance", "Co-insurance"),
        "line_coinsrnc_amt",
        "Line Beneficiary Coinsurance Amount",
        l.coinsurance,
    );
    w.adj(
        (tho.0, tho.1, "submitted", "Submitted Amount"),
        "line_sbmtd_chrg_amt",
        "Line Submitted Charge Amount",
        l.charge,
    );
    w.adj(
        (tho.0, tho.1, "eligible", "Eligible Amount"),
        "line_alowd_chrg_amt",
        "Line Allowed Charge Amount",
        l.allowed,
    );
    if dme {
        w.adj(
            (c4a.0, c4a.1, "paidtoprovider", "Paid to provider"),
            "rev_cntr_prvdr_pmt_amt",
            "Revenue Center (Medicare) Provider Payment Amount",
            l.paid,
        );
        w.adj(
            (tho.0, tho.1, "eligible", "Eligible Amount"),
            "line_prmry_alowd_chrg_amt",
            "Line Primary Payer Allowed Charge Amount",
            0,
        );
        w.adj(
            (tho.0, tho.1, "submitted", "Submitted Amount"),
            "line_dme_prchs_price_amt",
            "Line DME Purchase Price Amount",
            l.allowed,
        );
    }
    w.end_array();
}

fn inst_item(w: &mut JsonWriter<'_>, c: &Claim, l: &Line, seq: i64) {
    w.begin_object();
    inst_item_revenue(w, c, l, seq);
    inst_item_service(w, c, l);
    inst_item_adjudication(w, c, l);
    inst_item_type_adjudication(w, c, l);
    w.end_object();
}

/// An institutional line's units, sequences and revenue center.
fn inst_item_revenue(w: &mut JsonWriter<'_>, c: &Claim, l: &Line, seq: i64) {
    let ct = c.ct;
    w.key("extension");
    w.begin_array();
    w.ext_qty("rev_cntr_unit_cnt", l.units);
    w.end_array();
    w.key_int("sequence", seq);
    w.key("careTeamSequence");
    w.begin_array();
    w.int(if ct == ClaimType::Hha || ct == ClaimType::Hospice {
        2
    } else {
        4
    });
    w.end_array();
    w.key("revenue");
    w.begin_object();
    if matches!(ct, ClaimType::Outpatient | ClaimType::Hha) {
        w.key("extension");
        w.begin_array();
        w.ext_coding("rev_cntr_stus_ind_cd", "A", Some("Services not paid under OPPS; uses a different fee schedule (e.g., ambulance, PT, mammography)"));
        w.end_array();
    }
    w.key("coding");
    w.begin_array();
    w.coding2(BB, "rev_cntr", l.rev.0, Some(l.rev.1));
    w.coding(NUBC_REV, l.rev.0, None);
    w.coding2(
        BB,
        "rev_cntr_ddctbl_coinsrnc_cd",
        "0",
        Some("Charges are subject to deductible and coinsurance"),
    );
    w.end_array();
    w.end_object();
}

/// An institutional line's productOrService, modifiers, service date, location and quantity.
fn inst_item_service(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let ct = c.ct;
    let state = &tables::STATES[c.state];
    w.key("productOrService");
    w.begin_object();
    if ct == ClaimType::Outpatient && l.rev.0 == "0636" {
        w.key("extension");
        w.begin_array();
        w.begin_object();
        w.key_string("url", NDC_SYS);
        w.key("valueCoding");
        w.coding(NDC_SYS, "00409488820", Some("ONDANSETRON 2 MG/ML VIAL"));
        w.end_object();
        w.end_array();
    }
    w.key("coding");
    w.begin_array();
    if !l.code.is_empty() {
        w.coding2(BB, "hcpcs_cd", l.code, None);
        w.coding2(BBCS, "hcpcs", l.code, None);
    } else {
        w.tho(
            "data-absent-reason",
            "not-applicable",
            Some("Not Applicable"),
        );
    }
    w.end_array();
    w.end_object();
    if !l.code.is_empty() {
        w.key("modifier");
        w.begin_array();
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding2(BBCS, "hcpcs", "GP", None);
        w.end_array();
        w.end_object();
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding("http://unitsofmeasure.org", "UN", Some("Unit"));
        w.end_array();
        w.end_object();
        w.end_array();
    }
    if matches!(
        ct,
        ClaimType::Outpatient | ClaimType::Hha | ClaimType::Hospice
    ) {
        w.key_date("servicedDate", l.from);
    }
    w.key("locationAddress");
    w.begin_object();
    w.key_string("state", state.abbr);
    w.end_object();
    w.key("quantity");
    w.begin_object();
    w.key_int("value", l.units);
    w.end_object();
}

/// An institutional line's adjudication: the amounts every type has.
fn inst_item_adjudication(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let ct = c.ct;
    w.key("adjudication");
    w.begin_array();
    if matches!(ct, ClaimType::Outpatient | ClaimType::Hha) {
        w.adj_reason("rev_cntr_1st_ansi_cd", "CO45", None);
        if ct == ClaimType::Outpatient {
            w.adj_reason("rev_cntr_2nd_ansi_cd", "PR2", None);
        }
    }
    let c4a = (C4BB, "C4BBAdjudication");
    let tho = (THO, "adjudication");
    w.adj(
        (tho.0, tho.1, "submitted", "Submitted Amount"),
        "rev_cntr_rate_amt",
        "Revenue Center Rate Amount",
        l.charge / l.units.max(1),
    );
    w.adj(
        (tho.0, tho.1, "submitted", "Submitted Amount"),
        "rev_cntr_tot_chrg_amt",
        "Revenue Center Total Charge Amount",
        l.charge,
    );
    w.adj(
        (c4a.0, c4a.1, "noncovered", "Noncovered"),
        "rev_cntr_ncvrd_chrg_amt",
        "Revenue Center Non-Covered Charge Amount",
        l.charge - l.allowed,
    );
}

/// An institutional line's adjudication by claim type (outpatient, hospice), closing the list.
fn inst_item_type_adjudication(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let ct = c.ct;
    let c4a = (C4BB, "C4BBAdjudication");
    let tho = (THO, "adjudication");
    if ct == ClaimType::Outpatient {
        w.adj(
            (tho.0, tho.1, "deductible", "Deductible"),
            "rev_cntr_blood_ddctbl_amt",
            "Revenue Center Blood Deductible Amount",
            0,
        );
        w.adj(
            (tho.0, tho.1, "deductible", "Deductible"),
            "rev_cntr_cash_ddctbl_amt",
            "Revenue Center Cash Deductible Amount",
            l.deductible,
        );
        w.adj(
            (c4a.0, c4a.1, "coinsurance", "Co-insurance"),
            "rev_cntr_coinsrnc_wge_adjstd_c",
            "Revenue Center Coinsurance/Wage Adjusted Coinsurance Amount",
            l.coinsurance,
        );
        w.adj(
            (c4a.0, c4a.1, "coinsurance", "Co-insurance"),
            "rev_cntr_rdcd_coinsrnc_amt",
            "Revenue Center Reduced Coinsurance Amount",
            0,
        );
        w.adj(
            (c4a.0, c4a.1, "priorpayerpaid", "Prior payer paid"),
            "rev_cntr_1st_msp_pd_amt",
            "Revenue Center 1st Medicare Secondary Payer (MSP) Paid Amount",
            0,
        );
        w.adj(
            (c4a.0, c4a.1, "priorpayerpaid", "Prior payer paid"),
            "rev_cntr_2nd_msp_pd_amt",
            "Revenue Center 2nd Medicare Secondary Payer (MSP) Paid Amount",
            0,
        );
        w.adj(
            (c4a.0, c4a.1, "paidbypatient", "Paid by patient"),
            "rev_cntr_ptnt_rspnsblty_pmt",
            "Revenue Center Patient Responsibility Payment Amount",
            l.deductible + l.coinsurance,
        );
    }
    if matches!(ct, ClaimType::Outpatient | ClaimType::Hospice) {
        w.adj(
            (c4a.0, c4a.1, "paidtoprovider", "Paid to provider"),
            "rev_cntr_prvdr_pmt_amt",
            "Revenue Center (Medicare) Provider Payment Amount",
            l.paid,
        );
        w.adj(
            (c4a.0, c4a.1, "paidtopatient", "Paid to patient"),
            "rev_cntr_bene_pmt_amt",
            "Revenue Center Payment Amount to Beneficiary",
            0,
        );
    }
    if matches!(
        ct,
        ClaimType::Outpatient | ClaimType::Hospice | ClaimType::Hha
    ) {
        w.adj(
            (tho.0, tho.1, "submitted", "Submitted Amount"),
            "rev_cntr_pmt_amt_amt",
            "Revenue Center (Medicare) Payment Amount",
            l.paid,
        );
    }
    w.end_array();
}

fn pde_item(w: &mut JsonWriter<'_>, c: &Claim) {
    let Some(p) = &c.pde else { return };
    w.begin_object();
    w.key_int("sequence", 1);
    w.key("careTeamSequence");
    w.begin_array();
    w.int(1);
    w.end_array();
    w.key("productOrService");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding(NDC_SYS, p.ndc.0, Some(p.ndc.1));
    w.end_array();
    w.end_object();
    w.key_date("servicedDate", c.from);
    w.key("quantity");
    w.begin_object();
    w.key("value");
    w.milli(p.quantity_milli);
    w.end_object();
    w.key("adjudication");
    w.begin_array();
    let c4a = (C4BB, "C4BBAdjudication");
    let tho = (THO, "adjudication");
    // Part D benefit phases: below/above the out-of-pocket threshold split the gross cost.
    w.adj(
        (tho.0, tho.1, "benefit", "Benefit Amount"),
        "cvrd_d_plan_pd_amt",
        "Amount paid by Part D plan for the PDE (drug is covered by Part D)",
        p.plan_paid,
    );
    w.adj(
        (c4a.0, c4a.1, "coinsurance", "Co-insurance"),
        "gdc_blw_oopt_amt",
        "Gross Drug Cost Below Part D Out-of-Pocket Threshold (GDCB)",
        p.total,
    );
    w.adj(
        (c4a.0, c4a.1, "coinsurance", "Co-insurance"),
        "gdc_abv_oopt_amt",
        "Gross Drug Cost Above Part D Out-of-Pocket Threshold (GDCA)",
        0,
    );
    w.adj(
        (c4a.0, c4a.1, "paidbypatient", "Paid by patient"),
        "ptnt_pay_amt",
        "Amount Paid by Patient",
        p.patient_pay,
    );
    w.adj(
        (c4a.0, c4a.1, "priorpayerpaid", "Prior payer paid"),
        "othr_troop_amt",
        "Other True Out-of-Pocket (TrOOP) Amount",
        0,
    );
    w.adj(
        (c4a.0, c4a.1, "discount", "Discount"),
        "lics_amt",
        "Amount paid for the PDE by Part D low income subsidy",
        p.lics,
    );
    w.adj(
        (c4a.0, c4a.1, "priorpayerpaid", "Prior payer paid"),
        "plro_amt",
        "Reduction in patient liability due to payments by other payers (PLRO)",
        0,
    );
    w.adj(
        (c4a.0, c4a.1, "drugcost", "Drug Cost"),
        "tot_rx_cst_amt",
        "Total drug cost (Part D)",
        p.total,
    );
    w.adj(
        (c4a.0, c4a.1, "discount", "Discount"),
        "rptd_gap_dscnt_num",
        "Gap Discount Amount",
        0,
    );
    w.end_array();
    w.end_object();
}

fn benefit_balance(w: &mut JsonWriter<'_>, c: &Claim) {
    let ct = c.ct;
    w.key("benefitBalance");
    w.begin_array();
    w.begin_object();
    w.key("category");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.tho("ex-benefitcategory", "1", Some("Medical Care"));
    w.end_array();
    w.end_object();
    w.key("financial");
    w.begin_array();
    match ct {
        ClaimType::Carrier | ClaimType::Dme => professional_financials(w, c),
        ClaimType::Outpatient => outpatient_financials(w, c),
        ClaimType::Inpatient | ClaimType::Snf => {
            stay_financials(w, c);
            stay_day_financials(w, c);
        }
        ClaimType::Hospice => hospice_financials(w, c),
        _ => other_financials(w),
    }
    w.end_array();
    w.end_object();
    w.end_array();
}

/// Carrier and DME benefit-balance financials (deductible, payments, charges).
fn professional_financials(w: &mut JsonWriter<'_>, c: &Claim) {
    w.financial_money(
        "carr_clm_cash_ddctbl_apld_amt",
        "Carrier Claim Cash Deductible Applied Amount (sum of all line-level deductible amounts)",
        c.deductible,
    );
    w.financial_money(
        "nch_clm_prvdr_pmt_amt",
        "NCH Claim Provider Payment Amount",
        c.paid,
    );
    w.financial_money(
        "nch_clm_bene_pmt_amt",
        "NCH Claim Payment Amount to Beneficiary",
        0,
    );
    w.financial_money(
        "nch_carr_clm_sbmtd_chrg_amt",
        "NCH Carrier Claim Submitted Charge Amount (sum of all line-level submitted charges)",
        c.charge,
    );
    w.financial_money(
        "nch_carr_clm_alowd_amt",
        "NCH Carrier Claim Allowed Charge Amount (sum of all line-level allowed charges)",
        c.allowed,
    );
}

/// Outpatient benefit-balance financials.
fn outpatient_financials(w: &mut JsonWriter<'_>, c: &Claim) {
    w.financial_money(
        "nch_profnl_cmpnt_chrg_amt",
        "Professional Component Charge Amount",
        0,
    );
    w.financial_money(
        "nch_bene_ptb_ddctbl_amt",
        "NCH Beneficiary Part B Deductible Amount",
        c.deductible,
    );
    w.financial_money(
        "nch_bene_ptb_coinsrnc_amt",
        "NCH Beneficiary Part B Coinsurance Amount",
        c.coinsurance,
    );
    w.financial_money(
        "clm_op_prvdr_pmt_amt",
        "Claim Outpatient Provider Payment Amount",
        c.paid,
    );
    w.financial_money(
        "clm_op_bene_pmt_amt",
        "Claim Outpatient Payment Amount to Beneficiary",
        0,
    );
    w.financial_money(
        "nch_bene_blood_ddctbl_lblty_am",
        "NCH Beneficiary Blood Deductible Liability Amount",
        0,
    );
    w.financial_money(
        "prpayamt",
        "NCH Primary Payer (if not Medicare) Claim Paid Amount",
        0,
    );
}

/// Inpatient and SNF benefit-balance financials: days, amounts, primary payer.
fn stay_financials(w: &mut JsonWriter<'_>, c: &Claim) {
    w.financial_int(
        "clm_utlztn_day_cnt",
        "Claim Medicare Utilization Day Count",
        c.days,
    );
    w.financial_int(
        "bene_tot_coinsrnc_days_cnt",
        "Beneficiary Total Coinsurance Days Count",
        0,
    );
    w.financial_int(
        "clm_non_utlztn_days_cnt",
        "Claim Medicare Non Utilization Days Count",
        0,
    );
    w.financial_money(
        "nch_bene_ip_ddctbl_amt",
        "NCH Beneficiary Inpatient (or other Part A) Deductible Amount",
        c.deductible,
    );
    w.financial_money(
        "nch_bene_pta_coinsrnc_lblty_amt",
        "NCH Beneficiary Part A Coinsurance Liability Amount",
        c.coinsurance,
    );
    w.financial_money(
        "nch_ip_ncvrd_chrg_amt",
        "NCH Inpatient(or other Part A) Non-covered Charge Amount",
        c.charge - c.allowed,
    );
    w.financial_money(
        "nch_ip_tot_ddctn_amt",
        "NCH Inpatient (or other Part A) Total Deductible/Coinsurance Amount",
        c.deductible + c.coinsurance,
    );
    w.financial_money(
        "clm_pps_cptl_dsprprtnt_shr_amt",
        "Claim PPS Capital Disproportionate Share Amount",
        0,
    );
    w.financial_money(
        "clm_pps_cptl_excptn_amt",
        "Claim PPS Capital Exception Amount",
        0,
    );
    w.financial_money(
        "clm_pps_cptl_fsp_amt",
        "Claim PPS Capital Federal Specific Portion (FSP) Amount",
        c.paid / 12,
    );
    w.financial_money(
        "clm_pps_cptl_ime_amt",
        "Claim PPS Capital Indirect Medical Education (IME) Amount",
        0,
    );
    w.financial_money(
        "clm_pps_cptl_outlier_amt",
        "Claim PPS Capital Outlier Amount",
        0,
    );
    w.financial_money(
        "clm_pps_old_cptl_hld_hrmls_amt",
        "Claim PPS Old Capital Hold Harmless Amount",
        0,
    );
    w.financial_money(
        "nch_bene_blood_ddctbl_lblty_am",
        "NCH Beneficiary Blood Deductible Liability Amount",
        0,
    );
    w.financial_money(
        "prpayamt",
        "NCH Primary Payer (if not Medicare) Claim Paid Amount",
        0,
    );
}

/// Inpatient-only financials (DRG outlier, pass-through, lifetime reserve) and the stay's
/// remaining day counts.
fn stay_day_financials(w: &mut JsonWriter<'_>, c: &Claim) {
    let ct = c.ct;
    if ct == ClaimType::Inpatient {
        w.financial_money(
            "clm_pass_thru_per_diem_amt",
            "Claim Pass Thru Per Diem Amount",
            0,
        );
        w.financial_money(
            "nch_profnl_cmpnt_chrg_amt",
            "Professional Component Charge Amount",
            0,
        );
        w.financial_money(
            "clm_tot_pps_cptl_amt",
            "Claim Total PPS Capital Amount",
            c.paid / 10,
        );
        w.financial_money(
            "nch_drg_outlier_aprvd_pmt_amt",
            "NCH DRG Outlier Approved Payment Amount",
            0,
        );
        w.financial_int(
            "clm_pps_cptl_drg_wt_num",
            "Claim PPS Capital DRG Weight Number",
            1,
        );
        w.financial_int(
            "bene_lrd_used_cnt",
            "Beneficiary Medicare Lifetime Reserve Days (LRD) Used Count",
            0,
        );
    }
}

/// Hospice benefit-balance financials.
fn hospice_financials(w: &mut JsonWriter<'_>, c: &Claim) {
    w.financial_int(
        "clm_utlztn_day_cnt",
        "Claim Medicare Utilization Day Count",
        c.days,
    );
    w.financial_money(
        "prpayamt",
        "NCH Primary Payer (if not Medicare) Claim Paid Amount",
        0,
    );
}

/// Home health (and any other type's) benefit-balance financials.
fn other_financials(w: &mut JsonWriter<'_>) {
    w.financial_money(
        "prpayamt",
        "NCH Primary Payer (if not Medicare) Claim Paid Amount",
        0,
    );
}
