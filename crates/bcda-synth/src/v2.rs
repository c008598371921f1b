//! FHIR R4 (BCDA v2) serializers with CARIN Blue Button profiles, in BFD's shapes.

use crate::common::*;
use crate::json::W;
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

impl W<'_> {
    fn meta2(&mut self, last_updated: i64, profile: &str) {
        self.k("meta");
        self.o();
        self.k("lastUpdated");
        self.instant(last_updated);
        self.k("profile");
        self.a();
        self.s2(PROFILE, profile);
        self.ae();
        self.oe();
    }
    /// A coding `{"system":BBCS+cs,"code":BB+var,"display":label}`.
    fn bb_cat(&mut self, cs: &str, var: &str, label: &str) {
        self.o();
        self.k("system");
        self.s2(BBCS, cs);
        self.k("code");
        self.s2(BB, var);
        self.ks("display", label);
        self.oe();
    }
    /// A coding in a C4BB or HL7 terminology code system named by its last segment.
    fn c4(&mut self, cs: &str, code: &str, display: &str) {
        self.coding2(C4BB, cs, code, Some(display));
    }
    fn tho(&mut self, cs: &str, code: &str, display: Option<&str>) {
        self.coding2(THO, cs, code, display);
    }
    fn money(&mut self, key: &str, cents: i64) {
        self.k(key);
        self.o();
        self.k("value");
        self.cents(cents);
        self.ks("currency", "USD");
        self.oe();
    }
    /// One adjudication/total entry: category = (first coding) + Blue Button coding, amount.
    fn adj(&mut self, first: (&str, &str, &str, &str), var: &str, label: &str, cents: i64) {
        self.o();
        self.k("category");
        self.o();
        self.k("coding");
        self.a();
        self.coding2(first.0, first.1, first.2, Some(first.3));
        self.bb_cat("adjudication", var, label);
        self.ae();
        self.oe();
        self.money("amount", cents);
        self.oe();
    }
    /// The CARIN benefit-payment-status entry (`C4BBPayerAdjudicationStatus#other`), with an
    /// amount when it is a `total`.
    fn payment_status(&mut self, amount: Option<i64>) {
        self.o();
        self.k("category");
        self.o();
        self.k("coding");
        self.a();
        self.c4("C4BBPayerAdjudicationStatus", "other", "Other");
        self.ae();
        self.oe();
        if let Some(cents) = amount {
            self.money("amount", cents);
        }
        self.oe();
    }
    /// A denial-reason adjudication carrying a reason coding.
    fn adj_reason(&mut self, var: &str, code: &str, display: Option<&str>) {
        self.o();
        self.k("category");
        self.o();
        self.k("coding");
        self.a();
        self.c4(
            "C4BBAdjudicationDiscriminator",
            "denialreason",
            "Denial Reason",
        );
        self.ae();
        self.oe();
        self.k("reason");
        self.o();
        self.k("coding");
        self.a();
        self.coding2(BB, var, code, display);
        self.ae();
        self.oe();
        self.oe();
    }
    /// Opens a supportingInfo entry (caller writes the value and closes it).
    fn sinfo(&mut self, seq: &mut i64, c4: Option<(&str, &str)>, bb: Option<(&str, &str)>) {
        *seq += 1;
        self.o();
        self.ki("sequence", *seq);
        self.k("category");
        self.o();
        self.k("coding");
        self.a();
        match c4 {
            Some((code, disp)) => self.c4("C4BBSupportingInfoType", code, disp),
            None => self.tho("claiminformationcategory", "info", Some("Information")),
        }
        if let Some((var, label)) = bb {
            self.bb_cat("information", var, label);
        }
        self.ae();
        self.oe();
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
        self.k("code");
        self.o();
        self.k("coding");
        self.a();
        self.coding2(BB, var, code, display);
        self.ae();
        self.oe();
        self.oe();
    }
    fn npi_ident(&mut self, npi: u64) {
        self.k("identifier");
        self.o();
        self.k("type");
        self.o();
        self.k("coding");
        self.a();
        self.c4("C4BBIdentifierType", "npi", "National Provider Identifier");
        self.ae();
        self.oe();
        self.k("value");
        self.is(npi as i64);
        self.oe();
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
        self.o();
        if carrier_ext {
            self.k("extension");
            self.a();
            self.ext_coding("carr_line_prvdr_type_cd", "0", None);
            self.ext_coding("prtcptng_ind_cd", "1", Some("Participating"));
            self.ae();
        }
        self.ki("sequence", seq);
        self.k("provider");
        self.o();
        self.npi_ident(npi);
        if let Some(n) = name {
            self.ks("display", n);
        }
        self.oe();
        if carrier_ext {
            self.k("responsible");
            self.bool(true);
        }
        self.k("role");
        self.o();
        self.k("coding");
        self.a();
        if role.0 == "THO" {
            self.tho("claimcareteamrole", role.1, Some(role.2));
        } else {
            self.c4("C4BBClaimCareTeamRole", role.1, role.2);
        }
        self.ae();
        self.oe();
        if qual.is_some() || specialty.is_some() {
            self.k("qualification");
            self.o();
            self.k("coding");
            self.a();
            if let Some((code, disp)) = qual {
                self.coding(NUCC, code, Some(disp));
            }
            if let Some((code, disp)) = specialty {
                self.coding2(BB, "prvdr_spclty", code, Some(disp));
            }
            self.ae();
            self.oe();
        }
        self.oe();
    }
    fn financial_money(&mut self, var: &str, label: &str, cents: i64) {
        self.o();
        self.k("type");
        self.o();
        self.k("coding");
        self.a();
        self.bb_cat("benefit-balance", var, label);
        self.ae();
        self.oe();
        self.money("usedMoney", cents);
        self.oe();
    }
    fn financial_int(&mut self, var: &str, label: &str, n: i64) {
        self.o();
        self.k("type");
        self.o();
        self.k("coding");
        self.a();
        self.bb_cat("benefit-balance", var, label);
        self.ae();
        self.oe();
        self.ki("usedUnsignedInt", n);
        self.oe();
    }
    fn codeable_bb(&mut self, key: &str, var: &str, code: &str, display: Option<&str>) {
        self.k(key);
        self.o();
        self.k("coding");
        self.a();
        self.coding2(BB, var, code, display);
        self.ae();
        self.oe();
    }
}

/// Writes one v2 Patient line.
pub(crate) fn patient(w: &mut W<'_>, b: &Beneficiary) {
    w.o();
    w.ks("resourceType", "Patient");
    w.k("id");
    w.is(b.bene_id);
    w.meta2(b.last_updated, "C4BB-Patient");
    w.k("extension");
    w.a();
    w.o();
    w.ks(
        "url",
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
    );
    w.ks(
        "valueCode",
        if b.sex == crate::Sex::Female {
            "248152002"
        } else {
            "248153007"
        },
    );
    w.oe();
    w.ext_coding(
        "race",
        &b.race_code.to_string(),
        Some(race_display(b.race_code)),
    );
    w.o();
    w.ks(
        "url",
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
    );
    w.k("extension");
    w.a();
    let (omb, omb_disp) = match b.race_code {
        1 => ("2106-3", "White"),
        2 => ("2054-5", "Black or African American"),
        4 => ("2028-9", "Asian"),
        6 => ("1002-5", "American Indian or Alaska Native"),
        _ => ("UNK", "Unknown"),
    };
    w.o();
    w.ks("url", "ombCategory");
    w.k("valueCoding");
    if omb == "UNK" {
        w.tho("v3-NullFlavor", "UNK", Some("Unknown"));
    } else {
        w.coding("urn:oid:2.16.840.1.113883.6.238", omb, Some(omb_disp));
    }
    w.oe();
    w.o();
    w.ks("url", "text");
    w.ks("valueString", omb_disp);
    w.oe();
    w.ae();
    w.oe();
    let year = crate::date::year_of(crate::date::day_of_unix(b.last_updated));
    w.o();
    w.k("url");
    w.s2(BB, "rfrnc_yr");
    w.k("valueDate");
    w.is(year as i64);
    w.oe();
    dual_months(w, b);
    w.ae();
    w.k("identifier");
    w.a();
    w.o();
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
    w.o();
    w.k("extension");
    w.a();
    w.o();
    w.k("url");
    w.s2(BBCS, "identifier-currency");
    w.k("valueCoding");
    w.coding2(BBCS, "identifier-currency", "current", Some("Current"));
    w.oe();
    w.ae();
    w.k("system");
    w.s2(THO, "v2-0203");
    w.ks("code", "MC");
    w.ks("display", "Patient's Medicare number");
    w.oe();
    w.ae();
    w.oe();
    w.ks("system", MBI_SYS);
    w.ks("value", &b.mbi);
    w.period("period", b.part_a_start.min(b.part_b_start), None);
    w.oe();
    w.o();
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
    w.tho("v2-0203", "MB", Some("Member Number"));
    w.ae();
    w.oe();
    w.k("system");
    w.s2(BB, "bene_id");
    w.k("value");
    w.is(b.bene_id);
    w.oe();
    w.ae();
    w.k("name");
    w.a();
    w.o();
    w.ks("use", "usual");
    w.ks("family", b.family_name);
    w.k("given");
    w.a();
    w.s(b.given_name);
    let mut mi = [0u8; 4];
    w.s(b.middle_initial.encode_utf8(&mut mi));
    w.ae();
    w.oe();
    w.ae();
    w.ks("gender", gender(b));
    w.kd("birthDate", b.birth_date);
    w.k("address");
    w.a();
    w.o();
    w.k("line");
    w.a();
    w.s(&b.line);
    w.ae();
    w.ks("city", b.city);
    w.ks("district", b.county);
    w.ks("state", b.state);
    w.ks("postalCode", &b.zip);
    w.oe();
    w.ae();
    w.oe();
    w.end_line();
}

fn dual_months(w: &mut W<'_>, b: &Beneficiary) {
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
    w: &mut W<'_>,
    b: &Beneficiary,
    part: (&str, &str, i32, Option<i32>),
    ctx: &Ctx,
) {
    let (idp, plan, start, end) = part;
    let ent = entitlement_codes(b);
    let ref_year = crate::date::year_of(ctx.ref_day);
    w.o();
    w.ks("resourceType", "Coverage");
    w.k("id");
    w.si(&format!("{idp}-"), b.bene_id);
    w.meta2(b.last_updated, "C4BB-Coverage");
    w.k("extension");
    w.a();
    coverage_extensions(w, b, idp, end, ent, ref_year);
    w.ae();
    w.ks("status", if end.is_some() { "cancelled" } else { "active" });
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
    w.tho("v3-ActCode", "SUBSIDIZ", None);
    w.ae();
    w.oe();
    w.ks("subscriberId", &b.mbi);
    w.reference("beneficiary", "Patient/", b.bene_id);
    w.k("relationship");
    w.o();
    w.k("coding");
    w.a();
    w.tho("subscriber-relationship", "self", Some("Self"));
    w.ae();
    w.oe();
    w.period("period", start, end);
    w.k("payor");
    w.a();
    w.o();
    w.k("identifier");
    w.o();
    w.ks("value", "Centers for Medicare and Medicaid Services");
    w.oe();
    w.oe();
    w.ae();
    w.k("class");
    w.a();
    for (code, disp, value) in [("group", "Group", "Medicare"), ("plan", "Plan", plan)] {
        w.o();
        w.k("type");
        w.o();
        w.k("coding");
        w.a();
        w.tho("coverage-class", code, Some(disp));
        w.ae();
        w.oe();
        w.ks("value", value);
        w.oe();
    }
    w.ae();
    w.oe();
    w.end_line();
}

/// The Blue Button extensions of a Coverage (shared by v1 and v2).
pub(crate) fn coverage_extensions(
    w: &mut W<'_>,
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
                w.ext_coding("a_trm_cd", "0", Some("Not Terminated"));
            } else {
                w.ext_coding("b_trm_cd", "0", Some("Not Terminated"));
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
    w.o();
    w.k("url");
    w.s2(BB, "rfrnc_yr");
    w.k("valueDate");
    w.is(year as i64);
    w.oe();
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
pub(crate) fn eob(w: &mut W<'_>, b: &Beneficiary, c: &Claim) {
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
    w.o();
    w.ks("resourceType", "ExplanationOfBenefit");
    w.k("id");
    w.si(&format!("{}-", ct.id_prefix()), c.id);
    w.meta2(c.last_updated, profile_for(ct));
    // contained
    match ct {
        ClaimType::Carrier | ClaimType::Dme => {
            let lab = c
                .lines
                .iter()
                .any(|l| l.betos.starts_with("T1") || l.code == "E1390");
            if lab {
                w.k("contained");
                w.a();
                w.o();
                w.ks("resourceType", "Observation");
                w.ks("id", "line-observation-1");
                w.ks("status", "unknown");
                let (code, disp) = if ct == ClaimType::Dme {
                    ("R2", "Hematocrit Test")
                } else {
                    ("R1", "Hemoglobin Test")
                };
                w.codeable_bb("code", "line_hct_hgb_type_cd", code, Some(disp));
                w.k("valueQuantity");
                w.o();
                w.k("value");
                w.milli(
                    if ct == ClaimType::Dme { 44_400 } else { 13_500 }
                        + (c.id.unsigned_abs() % 40) as i64 * 100,
                );
                w.oe();
                w.oe();
                w.ae();
            }
        }
        ClaimType::Pde => {}
        _ => {
            w.k("contained");
            w.a();
            w.o();
            w.ks("resourceType", "Organization");
            w.ks("id", "provider-org");
            w.meta2_plain("C4BB-Organization");
            w.k("identifier");
            w.a();
            w.o();
            w.k("type");
            w.o();
            w.k("coding");
            w.a();
            w.tho("v2-0203", "PRN", Some("Provider number"));
            w.ae();
            w.oe();
            w.ks("value", &c.provider_num);
            w.oe();
            w.o();
            w.k("type");
            w.o();
            w.k("coding");
            w.a();
            w.c4("C4BBIdentifierType", "npi", "National Provider Identifier");
            w.ae();
            w.oe();
            w.ks("system", NPI_SYS);
            w.k("value");
            w.is(c.org_npi as i64);
            w.oe();
            w.ae();
            w.k("active");
            w.bool(true);
            w.ks("name", c.facility);
            w.oe();
            w.ae();
        }
    }
    // extensions
    if ct != ClaimType::Pde {
        w.k("extension");
        w.a();
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
                w.o();
                w.k("url");
                w.s2(BB, "ime_op_clm_val_amt");
                w.money("valueMoney", c.paid / 20);
                w.oe();
                w.o();
                w.k("url");
                w.s2(BB, "clm_uncompd_care_pmt_amt");
                w.money("valueMoney", c.paid / 50);
                w.oe();
                w.o();
                w.k("url");
                w.s2(BB, "dsh_op_clm_val_amt");
                w.money("valueMoney", c.paid / 40);
                w.oe();
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
        w.ae();
    }
    // identifiers
    w.k("identifier");
    w.a();
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
        w.o();
        w.k("type");
        w.o();
        w.k("coding");
        w.a();
        w.c4("C4BBIdentifierType", "uc", "Unique Claim ID");
        w.ae();
        w.oe();
        w.k("system");
        w.s2(sys_a, sys_b);
        w.k("value");
        w.is(value);
        w.oe();
    }
    w.ae();
    w.ks("status", c.status);
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
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
    w.ae();
    w.oe();
    if institutional {
        let (sub, text) = if matches!(ct, ClaimType::Outpatient | ClaimType::Hha) {
            ("outpatient", "Outpatient")
        } else {
            ("inpatient", "Inpatient")
        };
        w.k("subType");
        w.o();
        w.k("coding");
        w.a();
        w.c4("C4BBInstitutionalClaimSubType", sub, text);
        w.ae();
        w.ks("text", text);
        w.oe();
    }
    w.ks("use", "claim");
    w.reference("patient", "Patient/", b.bene_id);
    w.k("billablePeriod");
    w.o();
    if institutional {
        w.k("extension");
        w.a();
        w.ext_coding("claim_query_cd", "3", Some("Final bill"));
        w.ae();
    }
    w.kd("start", c.from);
    w.kd("end", c.thru);
    w.oe();
    w.k("created");
    w.instant(c.last_updated);
    w.k("insurer");
    w.o();
    w.k("identifier");
    w.o();
    w.ks("value", "CMS");
    w.oe();
    w.oe();
    // provider / referral / facility
    match ct {
        ClaimType::Carrier => {
            w.k("provider");
            w.o();
            w.k("identifier");
            w.o();
            w.k("system");
            w.s2(BB, "carr_clm_blg_npi_num");
            w.k("value");
            w.is(c.org_npi as i64);
            w.oe();
            w.oe();
        }
        ClaimType::Dme | ClaimType::Pde => {
            w.k("provider");
            w.o();
            if ct == ClaimType::Dme {
                w.ks("type", "Practitioner");
            }
            w.k("identifier");
            w.o();
            w.ks("system", NPI_SYS);
            w.k("value");
            let npi = c.pde.as_ref().map_or(c.rendering_npi, |p| p.pharmacy_npi);
            w.is(npi as i64);
            w.oe();
            if ct == ClaimType::Dme {
                w.ks("display", c.facility);
            }
            w.oe();
        }
        _ => {
            w.k("provider");
            w.o();
            w.ks("reference", "#provider-org");
            w.oe();
        }
    }
    if matches!(ct, ClaimType::Carrier | ClaimType::Dme) {
        w.k("referral");
        w.o();
        w.npi_ident(c.referring_npi);
        if ct == ClaimType::Dme {
            w.ks("display", "Referring physician");
        }
        w.oe();
    }
    if institutional {
        w.k("facility");
        w.o();
        w.k("extension");
        w.a();
        w.ext_coding("clm_fac_type_cd", ti.fac_type.0, Some(ti.fac_type.1));
        w.ae();
        w.oe();
    }
    if let Some(p) = &c.pde {
        w.k("facility");
        w.o();
        w.k("extension");
        w.a();
        w.ext_coding(
            "phrmcy_srvc_type_cd",
            "01",
            Some("Community/retail pharmacy"),
        );
        w.ae();
        w.k("identifier");
        w.o();
        w.k("type");
        w.o();
        w.k("coding");
        w.a();
        w.coding2(C4BB, "C4BBIdentifierType", "npi", None);
        w.ae();
        w.oe();
        w.k("value");
        w.is(p.pharmacy_npi as i64);
        w.oe();
        w.ks("display", "Community Pharmacy");
        w.oe();
    }
    w.ks("outcome", "complete");
    if matches!(ct, ClaimType::Carrier | ClaimType::Dme) {
        w.ks("disposition", "Debit accepted");
    }
    // careTeam
    w.k("careTeam");
    w.a();
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
            w.o();
            w.k("extension");
            w.a();
            w.ext_coding("prtcptng_ind_cd", "1", Some("Participating"));
            w.ae();
            w.ki("sequence", 2);
            w.k("provider");
            w.o();
            w.npi_ident(c.rendering_npi);
            w.ks("display", c.facility);
            w.oe();
            w.k("responsible");
            w.bool(true);
            w.k("role");
            w.o();
            w.k("coding");
            w.a();
            w.c4("C4BBClaimCareTeamRole", "performing", "Performing provider");
            w.ae();
            w.oe();
            w.k("qualification");
            w.o();
            w.k("coding");
            w.a();
            w.coding(
                NUCC,
                "332B00000X",
                Some("Durable Medical Equipment & Medical Supplies"),
            );
            w.coding2(BB, "prvdr_spclty", "A5", Some("Pharmacy (DMERC)"));
            w.ae();
            w.oe();
            w.oe();
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
    w.ae();
    // supportingInfo
    w.k("supportingInfo");
    w.a();
    let mut seq = 0i64;
    supporting_info(w, c, &mut seq);
    w.ae();
    // diagnosis
    if ct != ClaimType::Pde {
        w.k("diagnosis");
        w.a();
        let mut dseq = 0;
        for (i, (code, disp)) in c.dx.iter().enumerate() {
            dseq += 1;
            w.o();
            if ct == ClaimType::Inpatient && i > 0 {
                w.k("extension");
                w.a();
                w.ext_coding(
                    &format!("clm_poa_ind_sw{i}"),
                    "Y",
                    Some("Diagnosis was present at the time of admission (POA)"),
                );
                w.ae();
            }
            w.ki("sequence", dseq);
            w.k("diagnosisCodeableConcept");
            w.o();
            w.k("coding");
            w.a();
            w.coding(ICD10CM, code, Some(disp));
            w.coding(ICD10, code, Some(disp));
            w.ae();
            w.oe();
            w.k("type");
            w.a();
            w.o();
            w.k("coding");
            w.a();
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
            w.ae();
            w.oe();
            w.ae();
            w.oe();
            if ct == ClaimType::Inpatient && i == 0 {
                dseq += 1;
                w.o();
                w.ki("sequence", dseq);
                w.k("diagnosisCodeableConcept");
                w.o();
                w.k("coding");
                w.a();
                w.coding(ICD10CM, code, Some(disp));
                w.coding(ICD10, code, Some(disp));
                w.ae();
                w.oe();
                w.k("type");
                w.a();
                w.o();
                w.k("coding");
                w.a();
                w.tho("ex-diagnosistype", "admitting", Some("Admitting Diagnosis"));
                w.ae();
                w.oe();
                w.ae();
                w.oe();
            }
        }
        for (i, (code, disp)) in c.ext_causes.iter().enumerate() {
            dseq += 1;
            w.o();
            w.k("extension");
            w.a();
            w.ext_coding(
                &format!("clm_e_poa_ind_sw{}", i + 1),
                "Y",
                Some("Diagnosis was present at the time of admission (POA)"),
            );
            w.ae();
            w.ki("sequence", dseq);
            w.k("diagnosisCodeableConcept");
            w.o();
            w.k("coding");
            w.a();
            w.coding(ICD10CM, code, Some(disp));
            w.coding(ICD10, code, Some(disp));
            w.ae();
            w.oe();
            w.k("type");
            w.a();
            w.o();
            w.k("coding");
            w.a();
            w.c4(
                "C4BBClaimDiagnosisType",
                "externalcauseofinjury",
                "External Cause of Injury",
            );
            w.ae();
            w.oe();
            w.ae();
            w.oe();
        }
        w.ae();
    }
    // procedure
    if !c.pcs.is_empty() || ct == ClaimType::Outpatient {
        let fallback = [(("3E033GC", "Introduction of Other Therapeutic Substance into Peripheral Vein, Percutaneous Approach"), c.from)];
        let pcs: &[((&str, &str), i32)] = if c.pcs.is_empty() { &fallback } else { &c.pcs };
        w.k("procedure");
        w.a();
        for (i, ((code, disp), day)) in pcs.iter().enumerate() {
            w.o();
            w.ki("sequence", i as i64 + 1);
            w.k("date");
            w.date_midnight(*day);
            w.k("type");
            w.a();
            w.o();
            w.k("coding");
            w.a();
            let (pt, ptd) = if i == 0 {
                ("principal", "Principal")
            } else {
                ("other", "Other")
            };
            w.c4("C4BBClaimProcedureType", pt, ptd);
            w.ae();
            w.oe();
            w.ae();
            w.k("procedureCodeableConcept");
            w.o();
            w.k("coding");
            w.a();
            w.coding(ICD10PCS, code, Some(disp));
            w.coding(ICD10, code, Some(disp));
            w.ae();
            w.oe();
            w.oe();
        }
        w.ae();
    }
    // insurance
    w.k("insurance");
    w.a();
    w.o();
    w.k("focal");
    w.bool(true);
    w.k("coverage");
    w.o();
    let part = match ct {
        ClaimType::Carrier | ClaimType::Dme | ClaimType::Outpatient => "Coverage/part-b-",
        ClaimType::Pde => "Coverage/part-d-",
        _ => "Coverage/part-a-",
    };
    if let Some(p) = &c.pde {
        w.k("extension");
        w.a();
        w.ext_ident("plan_cntrct_rec_id", &p.plan_contract);
        w.ext_ident("plan_pbp_rec_num", "001");
        w.ae();
    }
    w.k("reference");
    w.si(part, b.bene_id);
    w.oe();
    w.oe();
    w.ae();
    // items
    w.k("item");
    w.a();
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
    w.ae();
    // totals and payment
    w.k("total");
    w.a();
    if let Some(p) = &c.pde {
        w.o();
        w.k("category");
        w.o();
        w.k("coding");
        w.a();
        w.c4("C4BBAdjudication", "drugcost", "Drug Cost");
        w.ae();
        w.oe();
        w.money("amount", p.total);
        w.oe();
        w.o();
        w.k("category");
        w.o();
        w.k("coding");
        w.a();
        w.c4("C4BBPayerAdjudicationStatus", "other", "Other");
        w.ae();
        w.oe();
        w.money("amount", 0);
        w.oe();
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
    w.ae();
    w.k("payment");
    w.o();
    if ct == ClaimType::Pde {
        w.kd("date", c.processed);
    } else {
        w.money("amount", c.paid);
    }
    w.oe();
    if ct != ClaimType::Pde {
        benefit_balance(w, c);
    }
    w.oe();
    w.end_line();
}

impl W<'_> {
    fn meta2_plain(&mut self, profile: &str) {
        self.k("meta");
        self.o();
        self.k("profile");
        self.a();
        self.s2(PROFILE, profile);
        self.ae();
        self.oe();
    }
}

fn supporting_info(w: &mut W<'_>, c: &Claim, seq: &mut i64) {
    let ct = c.ct;
    if ct == ClaimType::Pde {
        let p = c.pde.as_ref();
        w.sinfo(seq, Some(("compoundcode", "Compound Code")), None);
        w.k("code");
        w.o();
        w.k("coding");
        w.a();
        w.tho("v3-ActCode", "RXDINV", Some("Rx dispense invoice"));
        w.ae();
        w.oe();
        w.oe();
        w.sinfo(seq, Some(("refillnum", "Refill Number")), None);
        w.k("valueQuantity");
        w.o();
        w.ki("value", p.map_or(0, |p| p.fill_num));
        w.oe();
        w.oe();
        w.sinfo(seq, Some(("dayssupply", "Days Supply")), None);
        w.k("valueQuantity");
        w.o();
        w.ki("value", p.map_or(30, |p| p.days_supply));
        w.oe();
        w.oe();
        w.si_code(
            seq,
            None,
            "drug_cvrg_stus_cd",
            Some("Drug Coverage Status Code"),
            "C",
            Some("Covered"),
        );
        // CARIN requires the dawcode slice (NCPDP code); BFD's variable coding follows it.
        w.sinfo(
            seq,
            Some(("dawcode", "DAW Code")),
            Some((
                "daw_prod_slctn_cd",
                "Dispense as Written (DAW) Product Selection Code",
            )),
        );
        w.k("code");
        w.o();
        w.k("coding");
        w.a();
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
        w.ae();
        w.oe();
        w.oe();
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
        w.oe();
        w.sinfo(
            seq,
            Some(("brandgenericindicator", "Brand Generic Indicator")),
            None,
        );
        w.codeable_bb("code", "brnd_gnrc_cd", "G", Some("Generic Null/missing"));
        w.oe();
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
        return;
    }
    // NCH weekly processing date (claim received) for every Parts A/B claim.
    w.sinfo(
        seq,
        Some(("clmrecvddate", "Claim Received Date")),
        Some(("nch_wkly_proc_dt", "NCH Weekly Claim Processing Date")),
    );
    w.kd("timingDate", c.processed);
    w.oe();
    if matches!(ct, ClaimType::Carrier | ClaimType::Dme) {
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
            w.k("valueReference");
            w.o();
            w.ks("reference", "#line-observation-1");
            w.oe();
            w.oe();
        }
        return;
    }
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
        w.oe();
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
        w.k("code");
        w.o();
        w.k("coding");
        w.a();
        if ct == ClaimType::Inpatient {
            w.coding(NUBC_ADMIT, "1", Some("Emergency - The patient required immediate medical intervention as a result of severe, life threatening, or potentially disabling conditions. Generally, the patient was admitted through the emergency room."));
        } else {
            w.coding(NUBC_ADMIT, "3", Some("Elective - The patient's condition permitted adequate time to schedule the availability of suitable accommodations."));
        }
        w.ae();
        w.oe();
        w.oe();
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
        w.k("valueQuantity");
        w.o();
        w.ki("value", 0);
        w.ks("unit", "pint");
        w.ks("system", "http://unitsofmeasure.org");
        w.ks("code", "[pt_us]");
        w.oe();
        w.oe();
    }
    if ct == ClaimType::Snf {
        w.sinfo(
            seq,
            None,
            Some(("nch_qlfyd_stay_from_dt", "NCH Qualified Stay From Date")),
        );
        w.period("timingPeriod", c.from - 5, Some(c.from - 1));
        w.oe();
        w.sinfo(
            seq,
            None,
            Some((
                "nch_vrfd_ncvrd_stay_from_dt",
                "NCH Verified Non-covered Stay From Date",
            )),
        );
        w.period("timingPeriod", c.from - 5, Some(c.from - 1));
        w.oe();
        w.sinfo(
            seq,
            None,
            Some((
                "nch_bene_mdcr_bnfts_exhtd_dt_i",
                "NCH Beneficiary Medicare Benefits Exhausted Date",
            )),
        );
        w.kd("timingDate", c.thru);
        w.oe();
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
        w.k("valueQuantity");
        w.o();
        w.ki("value", c.lines.first().map_or(1, |l| l.units));
        w.oe();
        w.oe();
    }
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
    w.k("code");
    w.o();
    w.k("coding");
    w.a();
    // Type of bill: facility type + classification digits in clm_fac_type_cd /
    // clm_srvc_clsfctn_type_cd, frequency digit here; all three in the NUBC bill-type code.
    w.coding2(BB, "clm_freq_cd", "1", Some("Admit thru discharge claim"));
    w.coding(
        "https://www.nubc.org/CodeSystem/TypeOfBill",
        std::str::from_utf8(&c.bill_type).unwrap_or("111"),
        None,
    );
    w.ae();
    w.oe();
    w.oe();
    w.sinfo(seq, Some(("discharge-status", "Discharge Status")), None);
    let disp = discharge_display(c.discharge);
    w.codeable_bb("code", "ptnt_dschrg_stus_cd", c.discharge, Some(disp));
    w.oe();
    w.si_code(
        seq,
        None,
        "nch_prmry_pyr_cd",
        Some("NCH Primary Payer Code (if not Medicare)"),
        "A",
        Some("Employer group health plan (EGHP) insurance for an aged beneficiary"),
    );
}

fn prof_item(w: &mut W<'_>, c: &Claim, l: &Line, seq: i64) {
    let state = &tables::STATES[c.state];
    let dme = c.ct == ClaimType::Dme;
    w.o();
    w.k("extension");
    w.a();
    if dme {
        w.ext_ident_n("suplrnum", c.org_npi as i64);
        w.o();
        w.k("url");
        w.s2(BB, "dmerc_line_scrn_svgs_amt");
        w.k("valueQuantity");
        w.o();
        w.ki("value", 0);
        w.oe();
        w.oe();
        w.o();
        w.k("url");
        w.s2(BB, "dmerc_line_mtus_cnt");
        w.k("valueQuantity");
        w.o();
        w.ki("value", l.units);
        w.ks("unit", "Number of services");
        w.k("system");
        w.s2(BB, "dmerc_line_mtus_cd");
        w.ks("code", "3");
        w.oe();
        w.oe();
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
    w.ae();
    w.ki("sequence", seq);
    w.k("careTeamSequence");
    w.a();
    w.i(2);
    w.ae();
    w.k("diagnosisSequence");
    w.a();
    w.i(l.dx as i64 + 1);
    w.ae();
    let lab = l.betos.starts_with("T1") || l.code == "E1390";
    if lab {
        w.k("informationSequence");
        w.a();
        w.i(2);
        w.ae();
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
    w.k("productOrService");
    w.o();
    if let Some((ndc, name)) = tables::ndc_for_hcpcs(l.code) {
        w.k("extension");
        w.a();
        w.o();
        w.ks("url", NDC_SYS);
        w.k("valueCoding");
        w.coding(NDC_SYS, ndc, Some(name));
        w.oe();
        w.ae();
    }
    w.k("coding");
    w.a();
    w.coding2(BBCS, "hcpcs", l.code, Some(l.desc));
    w.ae();
    w.oe();
    if l.betos.starts_with('M') || dme {
        w.k("modifier");
        w.a();
        w.o();
        w.k("coding");
        w.a();
        w.o();
        w.k("system");
        w.s2(BBCS, "hcpcs");
        w.ks("version", "0");
        w.ks("code", if dme { "NU" } else { "25" });
        w.oe();
        w.ae();
        w.oe();
        w.ae();
    }
    w.period("servicedPeriod", l.from, Some(l.thru));
    let pos = tables::POS[l.pos];
    w.k("locationCodeableConcept");
    w.o();
    w.k("extension");
    w.a();
    w.ext_coding("prvdr_state_cd", state.ssa, None);
    if !dme {
        w.ext_coding("prvdr_zip", &format!("{}01", state.zip3), None);
        w.ext_coding("carr_line_prcng_lclty_cd", state.locality, Some(state.city));
        if lab {
            w.ext_ident("carr_line_clia_lab_num", "22D0999999");
        }
    }
    w.ae();
    w.k("coding");
    w.a();
    w.coding2(BB, "line_place_of_srvc_cd", pos.0, Some(pos.1));
    w.ae();
    w.oe();
    w.k("quantity");
    w.o();
    w.ki("value", l.units);
    w.oe();
    w.k("adjudication");
    w.a();
    // Professional-NonClinician requires the line's benefit payment status.
    w.payment_status(None);
    w.adj_reason("carr_line_rdcd_pmt_phys_astn_c", "0", Some("N/A"));
    w.o();
    w.k("extension");
    w.a();
    w.ext_coding("line_pmt_80_100_cd", "0", Some("80%"));
    w.ae();
    w.k("category");
    w.o();
    w.k("coding");
    w.a();
    w.tho("adjudication", "benefit", Some("Benefit Amount"));
    w.bb_cat(
        "adjudication",
        "line_nch_pmt_amt",
        "Line NCH Medicare Payment Amount",
    );
    w.ae();
    w.oe();
    w.money("amount", l.paid);
    w.oe();
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
    w.ae();
    w.oe();
}

fn inst_item(w: &mut W<'_>, c: &Claim, l: &Line, seq: i64) {
    let ct = c.ct;
    let state = &tables::STATES[c.state];
    w.o();
    w.k("extension");
    w.a();
    w.ext_qty("rev_cntr_unit_cnt", l.units);
    w.ae();
    w.ki("sequence", seq);
    w.k("careTeamSequence");
    w.a();
    w.i(if ct == ClaimType::Hha || ct == ClaimType::Hospice {
        2
    } else {
        4
    });
    w.ae();
    w.k("revenue");
    w.o();
    if matches!(ct, ClaimType::Outpatient | ClaimType::Hha) {
        w.k("extension");
        w.a();
        w.ext_coding("rev_cntr_stus_ind_cd", "A", Some("Services not paid under OPPS; uses a different fee schedule (e.g., ambulance, PT, mammography)"));
        w.ae();
    }
    w.k("coding");
    w.a();
    w.coding2(BB, "rev_cntr", l.rev.0, Some(l.rev.1));
    w.coding(NUBC_REV, l.rev.0, None);
    w.coding2(
        BB,
        "rev_cntr_ddctbl_coinsrnc_cd",
        "0",
        Some("Charges are subject to deductible and coinsurance"),
    );
    w.ae();
    w.oe();
    w.k("productOrService");
    w.o();
    if ct == ClaimType::Outpatient && l.rev.0 == "0636" {
        w.k("extension");
        w.a();
        w.o();
        w.ks("url", NDC_SYS);
        w.k("valueCoding");
        w.coding(NDC_SYS, "00409488820", Some("ONDANSETRON 2 MG/ML VIAL"));
        w.oe();
        w.ae();
    }
    w.k("coding");
    w.a();
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
    w.ae();
    w.oe();
    if !l.code.is_empty() {
        w.k("modifier");
        w.a();
        w.o();
        w.k("coding");
        w.a();
        w.coding2(BBCS, "hcpcs", "GP", None);
        w.ae();
        w.oe();
        w.o();
        w.k("coding");
        w.a();
        w.coding("http://unitsofmeasure.org", "UN", Some("Unit"));
        w.ae();
        w.oe();
        w.ae();
    }
    if matches!(
        ct,
        ClaimType::Outpatient | ClaimType::Hha | ClaimType::Hospice
    ) {
        w.kd("servicedDate", l.from);
    }
    w.k("locationAddress");
    w.o();
    w.ks("state", state.abbr);
    w.oe();
    w.k("quantity");
    w.o();
    w.ki("value", l.units);
    w.oe();
    w.k("adjudication");
    w.a();
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
    w.ae();
    w.oe();
}

fn pde_item(w: &mut W<'_>, c: &Claim) {
    let Some(p) = &c.pde else { return };
    w.o();
    w.ki("sequence", 1);
    w.k("careTeamSequence");
    w.a();
    w.i(1);
    w.ae();
    w.k("productOrService");
    w.o();
    w.k("coding");
    w.a();
    w.coding(NDC_SYS, p.ndc.0, Some(p.ndc.1));
    w.ae();
    w.oe();
    w.kd("servicedDate", c.from);
    w.k("quantity");
    w.o();
    w.k("value");
    w.milli(p.quantity_milli);
    w.oe();
    w.k("adjudication");
    w.a();
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
    w.ae();
    w.oe();
}

fn benefit_balance(w: &mut W<'_>, c: &Claim) {
    let ct = c.ct;
    w.k("benefitBalance");
    w.a();
    w.o();
    w.k("category");
    w.o();
    w.k("coding");
    w.a();
    w.tho("ex-benefitcategory", "1", Some("Medical Care"));
    w.ae();
    w.oe();
    w.k("financial");
    w.a();
    match ct {
        ClaimType::Carrier | ClaimType::Dme => {
            w.financial_money("carr_clm_cash_ddctbl_apld_amt", "Carrier Claim Cash Deductible Applied Amount (sum of all line-level deductible amounts)", c.deductible);
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
            w.financial_money("nch_carr_clm_sbmtd_chrg_amt", "NCH Carrier Claim Submitted Charge Amount (sum of all line-level submitted charges)", c.charge);
            w.financial_money(
                "nch_carr_clm_alowd_amt",
                "NCH Carrier Claim Allowed Charge Amount (sum of all line-level allowed charges)",
                c.allowed,
            );
        }
        ClaimType::Outpatient => {
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
        ClaimType::Inpatient | ClaimType::Snf => {
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
        ClaimType::Hospice => {
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
        _ => {
            w.financial_money(
                "prpayamt",
                "NCH Primary Payer (if not Medicare) Claim Paid Amount",
                0,
            );
        }
    }
    w.ae();
    w.oe();
    w.ae();
}
