//! FHIR STU3 (BCDA v1) serializers in BFD's Blue Button shapes.

use crate::common::*;
use crate::json::JsonWriter;
use crate::model::{Beneficiary, Claim, ClaimType, Ctx, Line};
use crate::tables;

const CARE_ROLE: &str = "http://hl7.org/fhir/claimcareteamrole";
const EX_CLAIMTYPE: &str = "http://hl7.org/fhir/ex-claimtype";
const UCUM: &str = "http://unitsofmeasure.org";

impl JsonWriter<'_> {
    /// STU3 Money: `{"value":..,"system":"urn:iso:std:iso:4217","code":"USD"}`.
    fn money1(&mut self, key: &str, cents: i64) {
        self.key(key);
        self.begin_object();
        if self.go_order() {
            self.key_string("code", "USD");
            self.key_string("system", "urn:iso:std:iso:4217");
        }
        self.key("value");
        self.cents(cents);
        if !self.go_order() {
            self.key_string("system", "urn:iso:std:iso:4217");
            self.key_string("code", "USD");
        }
        self.end_object();
    }
    fn ext_money1(&mut self, var: &str, cents: i64) {
        self.begin_object();
        self.key("url");
        self.string_concat(BB, var);
        self.money1("valueMoney", cents);
        self.end_object();
    }
    /// `"category":{"coding":[{"system":BBCS+cs,"code":BB+var,"display":label}]}`
    fn cat1(&mut self, cs: &str, var: &str, label: &str) {
        self.key("category");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.begin_object();
        self.key("system");
        self.string_concat(BBCS, cs);
        self.key("code");
        self.string_concat(BB, var);
        self.key_string("display", label);
        self.end_object();
        self.end_array();
        self.end_object();
    }
    fn adj1(&mut self, var: &str, label: &str, cents: i64) {
        self.begin_object();
        self.cat1("adjudication", var, label);
        self.money1("amount", cents);
        self.end_object();
    }
    fn adj1_reason(&mut self, var: &str, label: &str, code: &str, display: Option<&str>) {
        self.begin_object();
        self.cat1("adjudication", var, label);
        self.key("reason");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding2(BB, var, code, display);
        self.end_array();
        self.end_object();
        self.end_object();
    }
    /// Opens an `information` entry (caller writes the value and closes it).
    fn info(&mut self, seq: &mut i64, var: &str, label: &str) {
        *seq += 1;
        self.begin_object();
        self.key_int("sequence", *seq);
        self.cat1("information", var, label);
    }
    fn info_code(
        &mut self,
        seq: &mut i64,
        var: &str,
        label: &str,
        code: &str,
        display: Option<&str>,
    ) {
        self.info(seq, var, label);
        self.key("code");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding2(BB, var, code, display);
        self.end_array();
        self.end_object();
        self.end_object();
    }
    fn npi1(&mut self, key: &str, npi: u64, display: Option<&str>) {
        self.key(key);
        self.begin_object();
        self.key("identifier");
        self.begin_object();
        self.key_string("system", NPI_SYS);
        self.key("value");
        self.int_string(npi as i64);
        self.end_object();
        if let Some(d) = display {
            self.key_string("display", d);
        }
        self.end_object();
    }
    fn care1(
        &mut self,
        seq: i64,
        npi: u64,
        display: Option<&str>,
        role: (&str, &str),
        specialty: Option<(&str, &str)>,
    ) {
        self.begin_object();
        self.key_int("sequence", seq);
        self.npi1("provider", npi, display);
        self.key("role");
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding(CARE_ROLE, role.0, Some(role.1));
        self.end_array();
        self.end_object();
        if let Some((code, disp)) = specialty {
            self.key("qualification");
            self.begin_object();
            self.key("coding");
            self.begin_array();
            self.coding2(BB, "prvdr_spclty", code, Some(disp));
            self.end_array();
            self.end_object();
        }
        self.end_object();
    }
    fn codeable1(&mut self, key: &str, var: &str, code: &str, display: Option<&str>) {
        self.key(key);
        self.begin_object();
        self.key("coding");
        self.begin_array();
        self.coding2(BB, var, code, display);
        self.end_array();
        self.end_object();
    }
}

/// Writes one v1 Patient line.
pub(crate) fn patient(w: &mut JsonWriter<'_>, b: &Beneficiary) {
    w.begin_object();
    w.key_string("resourceType", "Patient");
    w.key("id");
    w.int_string(b.bene_id);
    w.meta(b.last_updated, None);
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
    w.key("url");
    w.string_concat(BB, "rfrnc_yr");
    w.key("valueDate");
    w.int_string(crate::date::year_of(crate::date::day_of_unix(b.last_updated)) as i64);
    w.end_object();
    let disp = dual_display(b.dual_status);
    for m in [
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
    ] {
        w.ext_coding(&format!("dual_{m}"), b.dual_status, Some(disp));
    }
    w.end_array();
    w.key("identifier");
    w.begin_array();
    w.begin_object();
    w.key("system");
    w.string_concat(BB, "bene_id");
    w.key("value");
    w.int_string(b.bene_id);
    w.end_object();
    // BFD's mbi-hash is a keyed hash nobody outside CMS can recompute; this one is a
    // synthetic 64-hex-digit stand-in derived from the MBI.
    w.begin_object();
    w.key_string(
        "system",
        "https://bluebutton.cms.gov/resources/identifier/mbi-hash",
    );
    w.key_string("value", &synthetic_hash(&b.mbi));
    w.period("period", b.part_a_start.min(b.part_b_start), None);
    w.end_object();
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
    w.key_string("system", MBI_SYS);
    w.key_string("value", &b.mbi);
    w.period("period", b.part_a_start.min(b.part_b_start), None);
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

/// 64 hex digits derived from `text` (stands in for BFD's keyed MBI hash).
fn synthetic_hash(text: &str) -> String {
    let mut h = crate::rng::fnv1a(text.as_bytes());
    let mut out = String::with_capacity(64);
    for _ in 0..4 {
        h = crate::rng::mix(h.wrapping_add(0x9e37_79b9_7f4a_7c15));
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// Writes one v1 Coverage line for a part.
pub(crate) fn coverage(
    w: &mut JsonWriter<'_>,
    b: &Beneficiary,
    part: (&str, &str, i32, Option<i32>),
    ctx: &Ctx,
) {
    let (idp, plan, start, end) = part;
    w.begin_object();
    w.key_string("resourceType", "Coverage");
    w.key("id");
    w.string_prefixed_int(&format!("{idp}-"), b.bene_id);
    w.meta(b.last_updated, None);
    w.key("extension");
    w.begin_array();
    crate::v2::coverage_extensions(
        w,
        b,
        idp,
        end,
        entitlement_codes(b),
        crate::date::year_of(ctx.ref_day),
    );
    w.end_array();
    w.key_string("status", if end.is_some() { "cancelled" } else { "active" });
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding("Medicare", plan, None);
    w.end_array();
    w.end_object();
    w.reference("beneficiary", "Patient/", b.bene_id);
    w.period("period", start, end);
    w.key("grouping");
    w.begin_object();
    w.key_string("subGroup", "Medicare");
    w.key_string("subPlan", plan);
    w.end_object();
    w.end_object();
    w.end_line();
}

fn has_lab(c: &Claim) -> bool {
    c.lines
        .iter()
        .any(|l| l.betos.starts_with("T1") || l.code == "E1390")
}

/// Writes one v1 ExplanationOfBenefit line.
pub(crate) fn eob(w: &mut JsonWriter<'_>, b: &Beneficiary, c: &Claim) {
    let ti = type_info(c.ct);
    let ct = c.ct;
    let prof = matches!(ct, ClaimType::Carrier | ClaimType::Dme);
    let institutional = !prof && ct != ClaimType::Pde;
    let state = &tables::STATES[c.state];
    let spec = tables::SPECIALTIES[c.specialty];
    w.begin_object();
    w.key_string("resourceType", "ExplanationOfBenefit");
    w.key("id");
    w.string_prefixed_int(&format!("{}-", ct.id_prefix()), c.id);
    w.meta(c.last_updated, None);
    eob_contained(w, b, c, ct, prof);
    eob_extensions(w, c, ct, prof, state);
    eob_identifiers_and_type(w, b, c, &ti, ct, institutional);
    eob_parties(w, c, &ti, prof, institutional);
    eob_information_section(w, c);
    eob_care_team(w, c, ct, &spec);
    eob_diagnoses(w, c, ct, institutional);
    eob_procedures(w, c, ct);
    eob_insurance(w, b, c, ct, institutional);
    eob_items(w, c, ct);
    eob_totals_and_payment(w, c, ct, institutional);
    w.end_object();
    w.end_line();
}

/// The contained section of an ExplanationOfBenefit.
fn eob_contained(w: &mut JsonWriter<'_>, b: &Beneficiary, c: &Claim, ct: ClaimType, prof: bool) {
    if prof {
        w.key("contained");
        w.begin_array();
        w.begin_object();
        w.key_string("resourceType", "ReferralRequest");
        w.key_string("id", "referral-1");
        w.key_string("status", "completed");
        w.reference("subject", "Patient/", b.bene_id);
        w.key("requester");
        w.begin_object();
        w.npi1("agent", c.referring_npi, Some("Referring physician"));
        w.end_object();
        w.key("recipient");
        w.begin_array();
        w.begin_object();
        w.key("identifier");
        w.begin_object();
        w.key_string("system", NPI_SYS);
        w.key("value");
        w.int_string(c.rendering_npi as i64);
        w.end_object();
        w.key_string("display", c.facility);
        w.end_object();
        w.end_array();
        w.end_object();
        if has_lab(c) {
            w.begin_object();
            w.key_string("resourceType", "Observation");
            w.key_string("id", "line-observation-1");
            w.key_string("status", "unknown");
            let (code, disp) = if ct == ClaimType::Dme {
                ("R2", "Hematocrit Test")
            } else {
                ("R1", "Hemoglobin Test")
            };
            w.codeable1("code", "line_hct_hgb_type_cd", code, Some(disp));
            w.key("valueQuantity");
            w.begin_object();
            w.key("value");
            w.milli(
                if ct == ClaimType::Dme { 44_400 } else { 13_500 }
                    + (c.id.unsigned_abs() % 40) as i64 * 100,
            );
            w.end_object();
            w.end_object();
        }
        w.end_array();
    }
}

/// The extensions section of an ExplanationOfBenefit.
fn eob_extensions(
    w: &mut JsonWriter<'_>,
    c: &Claim,
    ct: ClaimType,
    prof: bool,
    state: &tables::State,
) {
    if ct != ClaimType::Pde {
        w.key("extension");
        w.begin_array();
        if prof {
            w.ext_money1("prpayamt", 0);
            w.ext_ident("carr_num", state.carrier);
            w.ext_ident_n("carr_clm_cntl_num", c.control_num as i64);
            w.ext_coding("carr_clm_pmt_dnl_cd", "1", Some("Physician/supplier"));
            w.ext_coding("asgmntcd", "A", Some("Assigned claim"));
            w.ext_ident("clm_clncl_tril_num", "0");
            w.ext_money1("carr_clm_cash_ddctbl_apld_amt", c.deductible);
            w.ext_money1("nch_clm_prvdr_pmt_amt", c.paid);
            w.ext_money1("nch_clm_bene_pmt_amt", 0);
            w.ext_money1("nch_carr_clm_sbmtd_chrg_amt", c.charge);
            w.ext_money1("nch_carr_clm_alowd_amt", c.allowed);
        } else {
            match ct {
                ClaimType::Inpatient | ClaimType::Snf => {
                    if ct == ClaimType::Inpatient {
                        w.ext_money1("ime_op_clm_val_amt", c.paid / 20);
                        w.ext_money1("dsh_op_clm_val_amt", c.paid / 40);
                        w.ext_money1("clm_pass_thru_per_diem_amt", 0);
                        w.ext_money1("nch_profnl_cmpnt_chrg_amt", 0);
                        w.ext_money1("clm_tot_pps_cptl_amt", c.paid / 10);
                        w.ext_money1("clm_uncompd_care_pmt_amt", c.paid / 50);
                        w.ext_money1("nch_drg_outlier_aprvd_pmt_amt", 0);
                    }
                    w.ext_money1("nch_bene_ip_ddctbl_amt", c.deductible);
                    w.ext_money1("nch_bene_pta_coinsrnc_lblty_amt", c.coinsurance);
                    w.ext_money1("nch_ip_ncvrd_chrg_amt", c.charge - c.allowed);
                    w.ext_money1("nch_ip_tot_ddctn_amt", c.deductible + c.coinsurance);
                    w.ext_money1("clm_pps_cptl_dsprprtnt_shr_amt", 0);
                    w.ext_money1("clm_pps_cptl_excptn_amt", 0);
                    w.ext_money1("clm_pps_cptl_fsp_amt", c.paid / 12);
                    w.ext_money1("clm_pps_cptl_ime_amt", 0);
                    w.ext_money1("clm_pps_cptl_outlier_amt", 0);
                    w.ext_money1("clm_pps_old_cptl_hld_hrmls_amt", 0);
                    w.ext_money1("nch_bene_blood_ddctbl_lblty_am", 0);
                }
                ClaimType::Outpatient => {
                    w.ext_money1("nch_profnl_cmpnt_chrg_amt", 0);
                    w.ext_money1("nch_bene_ptb_ddctbl_amt", c.deductible);
                    w.ext_money1("nch_bene_ptb_coinsrnc_amt", c.coinsurance);
                    w.ext_money1("clm_op_prvdr_pmt_amt", c.paid);
                    w.ext_money1("clm_op_bene_pmt_amt", 0);
                    w.ext_money1("nch_bene_blood_ddctbl_lblty_am", 0);
                }
                _ => {}
            }
            w.ext_coding("clm_mdcr_non_pmt_rsn_cd", "P", Some("Payment requested"));
            w.ext_money1("prpayamt", 0);
            w.ext_ident("fi_num", state.carrier);
            w.ext_ident_n("fi_doc_clm_cntl_num", c.control_num as i64);
            w.ext_ident_n("fi_orig_clm_cntl_num", c.control_num as i64);
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
    let ids: [(&str, &str, i64); 3] = if ct == ClaimType::Pde {
        [
            (BB, "pde_id", c.id),
            (CLAIM_GROUP, "", c.group),
            (
                BB,
                "rx_srvc_rfrnc_num",
                c.pde.as_ref().map_or(0, |p| p.rx_num as i64),
            ),
        ]
    } else {
        [
            (BB, "clm_id", c.id),
            (CLAIM_GROUP, "", c.group),
            ("", "", 0),
        ]
    };
    for (a, s, v) in ids {
        if a.is_empty() {
            continue;
        }
        w.begin_object();
        w.key("system");
        w.string_concat(a, s);
        w.key("value");
        w.int_string(v);
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
    match ct {
        ClaimType::Dme => {}
        ClaimType::Carrier | ClaimType::Outpatient => {
            w.coding(EX_CLAIMTYPE, "professional", Some("Professional"))
        }
        ClaimType::Pde => w.coding(EX_CLAIMTYPE, "pharmacy", Some("Pharmacy")),
        _ => w.coding(EX_CLAIMTYPE, "institutional", Some("Institutional")),
    }
    if ct != ClaimType::Pde {
        w.coding2(
            BB,
            "nch_near_line_rec_ident_cd",
            ti.near_line.0,
            Some(ti.near_line.1),
        );
    }
    if institutional {
        w.coding2(BB, "clm_srvc_clsfctn_type_cd", ti.srvc_clsfctn, None);
    }
    w.end_array();
    w.end_object();
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
}

/// The provider and facility section of an ExplanationOfBenefit.
fn eob_parties(w: &mut JsonWriter<'_>, c: &Claim, ti: &TypeInfo, prof: bool, institutional: bool) {
    if institutional {
        w.key("provider");
        w.begin_object();
        w.key("identifier");
        w.begin_object();
        w.key("system");
        w.string_concat(BB, "prvdr_num");
        w.key_string("value", &c.provider_num);
        w.end_object();
        w.end_object();
        w.npi1("organization", c.org_npi, Some(c.facility));
        w.key("facility");
        w.begin_object();
        w.key("extension");
        w.begin_array();
        w.ext_coding("clm_fac_type_cd", ti.fac_type.0, Some(ti.fac_type.1));
        w.end_array();
        w.key("identifier");
        w.begin_object();
        w.key_string("system", NPI_SYS);
        w.key("value");
        w.int_string(c.org_npi as i64);
        w.end_object();
        w.key_string("display", c.facility);
        w.end_object();
    }
    if let Some(p) = &c.pde {
        for key in ["organization", "facility"] {
            w.key(key);
            w.begin_object();
            if key == "facility" {
                w.key("extension");
                w.begin_array();
                w.ext_coding(
                    "phrmcy_srvc_type_cd",
                    "01",
                    Some("Community/retail pharmacy"),
                );
                w.end_array();
            }
            w.key("identifier");
            w.begin_object();
            w.key("type");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding(NPI_SYS, "NPI", Some("National Provider Identifier"));
            w.end_array();
            w.end_object();
            w.key_string("system", NPI_SYS);
            w.key("value");
            w.int_string(p.pharmacy_npi as i64);
            w.end_object();
            w.key_string("display", "Community Pharmacy");
            w.end_object();
        }
    }
    if prof {
        w.key("referral");
        w.begin_object();
        w.key_string("reference", "#referral-1");
        w.end_object();
        w.key_string("disposition", "Debit accepted");
    }
}

/// The information section of an ExplanationOfBenefit.
fn eob_information_section(w: &mut JsonWriter<'_>, c: &Claim) {
    w.key("information");
    w.begin_array();
    let mut seq = 0;
    information(w, c, &mut seq);
    w.end_array();
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
    match ct {
        ClaimType::Carrier | ClaimType::Dme => {
            w.begin_object();
            w.key("extension");
            w.begin_array();
            if ct == ClaimType::Carrier {
                w.ext_coding("carr_line_prvdr_type_cd", "0", None);
            }
            w.ext_coding("prtcptng_ind_cd", "1", Some("Participating"));
            if ct == ClaimType::Carrier {
                w.begin_object();
                w.key_string("url", NPI_SYS);
                w.key("valueCoding");
                w.begin_object();
                w.key_string("system", NPI_SYS);
                w.key("code");
                w.int_string(c.org_npi as i64);
                w.key_string("display", c.facility);
                w.end_object();
                w.end_object();
            }
            w.end_array();
            w.key_int("sequence", 2);
            w.npi1(
                "provider",
                c.rendering_npi,
                if ct == ClaimType::Dme {
                    Some(c.facility)
                } else {
                    None
                },
            );
            w.key("responsible");
            w.bool(true);
            w.key("role");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding(CARE_ROLE, "primary", Some("Primary provider"));
            w.end_array();
            w.end_object();
            w.key("qualification");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            if ct == ClaimType::Dme {
                w.coding2(BB, "prvdr_spclty", "A5", Some("Pharmacy (DMERC)"));
            } else {
                w.coding2(BB, "prvdr_spclty", spec.0, Some(spec.1));
            }
            w.end_array();
            w.end_object();
            w.end_object();
        }
        ClaimType::Pde => {
            let npi = c.pde.as_ref().map_or(0, |p| p.prescriber_npi);
            w.care1(
                2,
                npi,
                Some("Prescriber"),
                ("primary", "Primary provider"),
                None,
            );
        }
        _ => {
            if matches!(
                ct,
                ClaimType::Inpatient | ClaimType::Outpatient | ClaimType::Snf
            ) {
                w.care1(
                    2,
                    c.operating_npi,
                    None,
                    ("assist", "Assisting Provider"),
                    None,
                );
                w.care1(3, c.referring_npi, None, ("other", "Other"), None);
            }
            w.care1(
                4,
                c.attending_npi,
                None,
                ("primary", "Primary provider"),
                None,
            );
            w.care1(
                5,
                c.rendering_npi,
                None,
                ("primary", "Primary provider"),
                Some((spec.0, spec.1)),
            );
        }
    }
    w.end_array();
}

/// The diagnosis section of an ExplanationOfBenefit.
fn eob_diagnoses(w: &mut JsonWriter<'_>, c: &Claim, ct: ClaimType, institutional: bool) {
    if ct != ClaimType::Pde {
        w.key("diagnosis");
        w.begin_array();
        let mut dseq = 0;
        // BFD writes the DRG as a diagnosis entry holding only packageCode, which STU3 core
        // rejects (diagnosis[x] is 1..1); here it rides on the principal diagnosis instead.
        let drg = matches!(ct, ClaimType::Inpatient | ClaimType::Snf);
        let dx_type = |w: &mut JsonWriter<'_>, code: &str, disp: &str| {
            w.key("type");
            w.begin_array();
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding2(BBCS, "diagnosis-type", code, Some(disp));
            w.end_array();
            w.end_object();
            w.end_array();
        };
        for (i, (code, disp)) in c.dx.iter().enumerate() {
            if ct == ClaimType::Inpatient && i == 0 {
                dseq += 1;
                w.begin_object();
                w.key_int("sequence", dseq);
                dx_concept(w, code, disp);
                dx_type(w, "admitting", "The diagnosis given as the reason why the patient was admitted to the hospital.");
                w.end_object();
            }
            dseq += 1;
            w.begin_object();
            if ct == ClaimType::Inpatient {
                w.key("extension");
                w.begin_array();
                w.ext_coding(
                    &format!("clm_poa_ind_sw{}", i + 1),
                    "Y",
                    Some("Diagnosis was present at the time of admission (POA)"),
                );
                w.end_array();
            }
            w.key_int("sequence", dseq);
            dx_concept(w, code, disp);
            if i == 0 && drg {
                w.codeable1("packageCode", "clm_drg_cd", c.drg.0, None);
            }
            if i == 0 {
                dx_type(w, "principal", "The single medical diagnosis that is most relevant to the patient's chief complaint or need for treatment.");
            } else if institutional {
                dx_type(w, "other", "Required when other conditions coexist or develop subsequently during the treatment");
            }
            w.end_object();
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
            dx_concept(w, code, disp);
            if i == 0 {
                dx_type(w, "external-first", "The code used to identify the 1st external cause of injury, poisoning, or other adverse effect.");
            } else {
                dx_type(w, "external", "A code used to identify an external cause of injury, poisoning, or other adverse effect.");
            }
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
            w.key("procedureCodeableConcept");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding(ICD10, code, Some(disp));
            w.end_array();
            w.end_object();
            w.end_object();
        }
        w.end_array();
    }
}

/// The insurance section of an ExplanationOfBenefit.
fn eob_insurance(
    w: &mut JsonWriter<'_>,
    b: &Beneficiary,
    c: &Claim,
    ct: ClaimType,
    institutional: bool,
) {
    w.key("insurance");
    w.begin_object();
    w.key("coverage");
    w.begin_object();
    if let Some(p) = &c.pde {
        w.key("extension");
        w.begin_array();
        w.ext_ident("plan_cntrct_rec_id", &p.plan_contract);
        w.ext_ident("plan_pbp_rec_num", "001");
        w.end_array();
    }
    let part = match ct {
        ClaimType::Carrier | ClaimType::Dme | ClaimType::Outpatient => "Coverage/part-b-",
        ClaimType::Pde => "Coverage/part-d-",
        _ => "Coverage/part-a-",
    };
    w.key("reference");
    w.string_prefixed_int(part, b.bene_id);
    w.end_object();
    w.end_object();
    if institutional && ct != ClaimType::Outpatient {
        w.key("hospitalization");
        w.begin_object();
        if ct == ClaimType::Hospice {
            w.key("extension");
            w.begin_array();
            w.ext_qty("bene_hospc_prd_cnt", 1 + c.days / 90);
            w.end_array();
        }
        w.key_date("start", c.from);
        w.key_date("end", c.thru);
        w.end_object();
    }
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
fn eob_totals_and_payment(w: &mut JsonWriter<'_>, c: &Claim, ct: ClaimType, institutional: bool) {
    if institutional {
        w.money1("totalCost", c.charge);
    }
    w.key("payment");
    w.begin_object();
    if ct == ClaimType::Pde {
        w.key_date("date", c.processed);
    } else {
        w.money1("amount", c.paid);
    }
    w.end_object();
    if institutional {
        w.key("benefitBalance");
        w.begin_array();
        w.begin_object();
        w.key("category");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding(
            "http://hl7.org/fhir/benefit-category",
            "medical",
            Some("Medical Health Coverage"),
        );
        w.end_array();
        w.end_object();
        w.key("financial");
        w.begin_array();
        let fin = |w: &mut JsonWriter<'_>, var: &str, label: &str, n: i64| {
            w.begin_object();
            w.key("type");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.begin_object();
            w.key("system");
            w.string_concat(BBCS, "benefit-balance");
            w.key("code");
            w.string_concat(BB, var);
            w.key_string("display", label);
            w.end_object();
            w.end_array();
            w.end_object();
            w.key_int("usedUnsignedInt", n);
            w.end_object();
        };
        match ct {
            ClaimType::Inpatient | ClaimType::Snf => {
                fin(
                    w,
                    "bene_tot_coinsrnc_days_cnt",
                    "Beneficiary Total Coinsurance Days Count",
                    0,
                );
                fin(
                    w,
                    "clm_non_utlztn_days_cnt",
                    "Claim Medicare Non Utilization Days Count",
                    0,
                );
                fin(
                    w,
                    "clm_utlztn_day_cnt",
                    "Claim Medicare Utilization Day Count",
                    c.days,
                );
            }
            ClaimType::Hha => fin(
                w,
                "clm_hha_tot_visit_cnt",
                "Claim HHA Total Visit Count",
                c.lines.first().map_or(1, |l| l.units),
            ),
            _ => fin(
                w,
                "clm_utlztn_day_cnt",
                "Claim Medicare Utilization Day Count",
                c.days,
            ),
        }
        w.end_array();
        w.end_object();
        w.end_array();
    }
}

fn dx_concept(w: &mut JsonWriter<'_>, code: &str, disp: &str) {
    w.key("diagnosisCodeableConcept");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding(ICD10, code, Some(disp));
    w.end_array();
    w.end_object();
}

fn information(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    if c.pde.is_some() {
        pde_information(w, seq);
        return;
    }
    w.info(seq, "nch_wkly_proc_dt", "NCH Weekly Claim Processing Date");
    w.key_date("timingDate", c.processed);
    w.end_object();
    if matches!(c.ct, ClaimType::Carrier | ClaimType::Dme) {
        return;
    }
    stay_information(w, c, seq);
    snf_information(w, c, seq);
    bill_information(w, c, seq);
}

/// A Part D event's information (v1: the PDE variables).
fn pde_information(w: &mut JsonWriter<'_>, seq: &mut i64) {
    w.info_code(
        seq,
        "daw_prod_slctn_cd",
        "Dispense as Written (DAW) Product Selection Code",
        "0",
        Some("No Product Selection Indicated (may also have missing values)"),
    );
    w.info_code(
        seq,
        "dspnsng_stus_cd",
        "Dispensing Status Code",
        "C",
        Some("Completion of partial fill"),
    );
    w.info_code(
        seq,
        "drug_cvrg_stus_cd",
        "Drug Coverage Status Code",
        "C",
        Some("Covered"),
    );
    w.info_code(
        seq,
        "adjstmt_dltn_cd",
        "Adjustment Deletion Code",
        "A",
        Some("Adjustment"),
    );
    w.info_code(
        seq,
        "nstd_frmt_cd",
        "Non-Standard Format Code",
        "X",
        Some("X12 837"),
    );
    w.info_code(
        seq,
        "prcng_excptn_cd",
        "Pricing Exception Code",
        "O",
        Some("Out-of-network pharmacy"),
    );
    w.info_code(
        seq,
        "ctstrphc_cvrg_cd",
        "Catastrophic Coverage Code",
        "A",
        Some("Attachment point met on this event"),
    );
    w.info_code(
        seq,
        "rx_orgn_cd",
        "Prescription Origination Code",
        "3",
        Some("Electronic"),
    );
    w.info_code(
        seq,
        "brnd_gnrc_cd",
        "Brand-Generic Code Reported by Submitting Plan",
        "G",
        Some("Generic Null/missing"),
    );
    w.info_code(
        seq,
        "phrmcy_srvc_type_cd",
        "Pharmacy service type code",
        "01",
        Some("Community/retail pharmacy"),
    );
    w.info_code(
        seq,
        "ptnt_rsdnc_cd",
        "Patient Residence Code",
        "01",
        Some("Home"),
    );
    w.info_code(
        seq,
        "submsn_clr_cd",
        "Submission clarification code",
        "00",
        Some("Default"),
    );
}

/// Institutional claims: patient status and the inpatient stay's facts.
fn stay_information(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    let ct = c.ct;
    if matches!(
        ct,
        ClaimType::Inpatient | ClaimType::Snf | ClaimType::Hospice
    ) {
        let (code, disp) = if ct == ClaimType::Hospice && c.discharge == "30" {
            ("C", "Still a patient")
        } else {
            ("A", "Discharged")
        };
        w.info_code(
            seq,
            "nch_ptnt_stus_ind_cd",
            "NCH Patient Status Indicator Code",
            code,
            Some(disp),
        );
    }
    if matches!(ct, ClaimType::Inpatient | ClaimType::Snf) {
        w.info(
            seq,
            "clm_ip_admsn_type_cd",
            "Claim Inpatient Admission Type Code",
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
        w.info_code(
            seq,
            "clm_src_ip_admsn_cd",
            "Claim Source Inpatient Admission Code",
            "1",
            None,
        );
        w.info(
            seq,
            "nch_blood_pnts_frnshd_qty",
            "NCH Blood Pints Furnished Quantity",
        );
        w.key("valueQuantity");
        w.begin_object();
        w.key_int("value", 0);
        w.key_string("unit", "pint");
        w.key_string("system", UCUM);
        w.key_string("code", "[pt_us]");
        w.end_object();
        w.end_object();
    }
}

/// SNF qualifying-stay dates and PPS indicator.
fn snf_information(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    let ct = c.ct;
    if ct == ClaimType::Snf {
        w.info(
            seq,
            "nch_vrfd_ncvrd_stay_from_dt",
            "NCH Verified Non-covered Stay From Date",
        );
        w.period("timingPeriod", c.from - 5, Some(c.from - 1));
        w.end_object();
        w.info(
            seq,
            "nch_bene_mdcr_bnfts_exhtd_dt_i",
            "NCH Beneficiary Medicare Benefits Exhausted Date",
        );
        w.key_date("timingDate", c.thru);
        w.end_object();
        w.info(
            seq,
            "nch_qlfyd_stay_from_dt",
            "NCH Qualified Stay From Date",
        );
        w.period("timingPeriod", c.from - 5, Some(c.from - 1));
        w.end_object();
        w.info_code(
            seq,
            "clm_pps_ind_cd",
            "Claim PPS Indicator Code",
            "2",
            Some("PPS bill; claim contains PPS indicator"),
        );
    }
}

/// MCO paid switch, discharge status, primary payer and home health's LUPA and referral.
fn bill_information(w: &mut JsonWriter<'_>, c: &Claim, seq: &mut i64) {
    let ct = c.ct;
    if matches!(
        ct,
        ClaimType::Inpatient | ClaimType::Outpatient | ClaimType::Snf
    ) {
        w.info_code(
            seq,
            "clm_mco_pd_sw",
            "Claim MCO Paid Switch",
            "0",
            Some("No managed care organization (MCO) payment"),
        );
    }
    w.info_code(
        seq,
        "clm_freq_cd",
        "Claim Frequency Code",
        "1",
        Some("Admit thru discharge claim"),
    );
    let disp = discharge_display(c.discharge);
    w.info_code(
        seq,
        "ptnt_dschrg_stus_cd",
        "Patient Discharge Status Code",
        c.discharge,
        Some(disp),
    );
    w.info_code(
        seq,
        "nch_prmry_pyr_cd",
        "NCH Primary Payer Code (if not Medicare)",
        "A",
        Some("Employer group health plan (EGHP) insurance for an aged beneficiary"),
    );
    if ct == ClaimType::Hha {
        w.info_code(
            seq,
            "clm_hha_lupa_ind_cd",
            "Claim HHA Low Utilization Payment Adjustment (LUPA) Indicator Code",
            "L",
            Some("Low utilization payment adjustment (LUPA) claim"),
        );
        w.info_code(seq, "clm_hha_rfrl_cd", "Claim HHA Referral Code", "1", Some("Physician referral - The patient was admitted upon the recommendation of a personal physician."));
    }
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
    let dme = c.ct == ClaimType::Dme;
    let lab = l.betos.starts_with("T1") || l.code == "E1390";
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
    } else {
        w.ext_coding("carr_line_mtus_cd", "3", Some("Services"));
        w.ext_qty("carr_line_mtus_cnt", l.units);
    }
    w.ext_coding("betos_cd", l.betos, Some(l.desc));
    w.ext_coding("line_bene_prmry_pyr_cd", "E", Some("Workers' compensation"));
    w.ext_coding(
        "line_service_deductible",
        if l.deductible > 0 { "0" } else { "1" },
        Some(if l.deductible > 0 {
            "Service Subject to Deductible"
        } else {
            "Service Not Subject to Deductible"
        }),
    );
    if lab {
        w.begin_object();
        w.key("url");
        w.string_concat(BB, "line_hct_hgb_rslt_num");
        w.key("valueReference");
        w.begin_object();
        w.key_string("reference", "#line-observation-1");
        w.end_object();
        w.end_object();
    }
    if let Some((ndc, name)) = tables::ndc_for_hcpcs(l.code) {
        w.begin_object();
        w.key_string("url", NDC_SYS);
        w.key("valueCoding");
        w.coding(NDC_SYS, ndc, Some(name));
        w.end_object();
    }
    w.end_array();
}

/// A carrier/DME line's link ids, category, service, modifiers and period.
fn prof_item_service(w: &mut JsonWriter<'_>, c: &Claim, l: &Line, seq: i64) {
    let dme = c.ct == ClaimType::Dme;
    w.key_int("sequence", seq);
    w.key("careTeamLinkId");
    w.begin_array();
    w.int(2);
    w.end_array();
    w.key("diagnosisLinkId");
    w.begin_array();
    w.int(l.dx as i64 + 1);
    w.end_array();
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
    w.codeable1("category", "line_cms_type_srvc_cd", tos, Some(tos_disp));
    w.key("service");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.begin_object();
    w.key("system");
    w.string_concat(BBCS, "hcpcs");
    w.key_string("version", "0");
    w.key_string("code", l.code);
    w.end_object();
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

/// A carrier/DME line's place of service (with pricing state and locality) and quantity.
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
    if dme {
        w.ext_coding("dmerc_line_prcng_state_cd", state.abbr, None);
        w.ext_coding("dmerc_line_supplr_type_cd", "3", Some("Suppliers (other than sole proprietorship) for whom employer identification (EI) numbers are used in coding the ID field."));
    } else {
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
    if dme {
        w.adj1(
            "line_prmry_alowd_chrg_amt",
            "Line Primary Payer Allowed Charge Amount",
            0,
        );
        w.adj1(
            "line_dme_prchs_price_amt",
            "Line DME Purchase Price Amount",
            l.allowed,
        );
    } else {
        w.adj1_reason(
            "carr_line_rdcd_pmt_phys_astn_c",
            "Carrier Line Reduced Payment Physician Assistant Code",
            "0",
            Some("N/A"),
        );
    }
    w.begin_object();
    w.key("extension");
    w.begin_array();
    w.ext_coding("line_pmt_80_100_cd", "0", Some("80%"));
    w.end_array();
    w.cat1(
        "adjudication",
        "line_nch_pmt_amt",
        "Line NCH Medicare Payment Amount",
    );
    w.money1("amount", l.paid);
    w.end_object();
    w.adj1("line_bene_pmt_amt", "Line Payment Amount to Beneficiary", 0);
    w.adj1("line_prvdr_pmt_amt", "Line Provider Payment Amount", l.paid);
    w.adj1(
        "line_bene_ptb_ddctbl_amt",
        "Line Beneficiary Part B Deductible Amount",
        l.deductible,
    );
    w.adj1(
        "line_bene_prmry_pyr_pd_amt",
        "Line Primary Payer (if not Medicare) Paid Amount",
        0,
    );
    w.adj1(
        "line_coinsrnc_amt",
        "Line Beneficiary Coinsurance Amount",
        l.coinsurance,
    );
    w.adj1(
        "line_sbmtd_chrg_amt",
        "Line Submitted Charge Amount",
        l.charge,
    );
    w.adj1(
        "line_alowd_chrg_amt",
        "Line Allowed Charge Amount",
        l.allowed,
    );
    w.adj1_reason(
        "line_prcsg_ind_cd",
        "Line Processing Indicator Code",
        "A",
        Some("Allowed"),
    );
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

/// An institutional line's units, sequence and revenue center.
fn inst_item_revenue(w: &mut JsonWriter<'_>, c: &Claim, l: &Line, seq: i64) {
    let ct = c.ct;
    w.key("extension");
    w.begin_array();
    w.begin_object();
    w.key("url");
    w.string_concat(BB, "rev_cntr_ndc_qty");
    w.key("valueQuantity");
    w.begin_object();
    w.key_int("value", l.units);
    w.key_string("unit", "Unit");
    w.key_string("system", UCUM);
    w.key_string("code", "UN");
    w.end_object();
    w.end_object();
    w.end_array();
    w.key_int("sequence", seq);
    w.key("careTeamLinkId");
    w.begin_array();
    w.int(5);
    w.end_array();
    w.key("revenue");
    w.begin_object();
    w.key("extension");
    w.begin_array();
    if matches!(ct, ClaimType::Outpatient | ClaimType::Hha) {
        w.ext_coding("rev_cntr_stus_ind_cd", "A", Some("Services not paid under OPPS; uses a different fee schedule (e.g., ambulance, PT, mammography)"));
    }
    w.ext_coding(
        "rev_cntr_ddctbl_coinsrnc_cd",
        "0",
        Some("Charges are subject to deductible and coinsurance"),
    );
    w.end_array();
    w.key("coding");
    w.begin_array();
    w.coding2(BB, "rev_cntr", l.rev.0, Some(l.rev.1));
    w.end_array();
    w.end_object();
}

/// An institutional line's service, modifiers, service date, location and quantity.
fn inst_item_service(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let ct = c.ct;
    let state = &tables::STATES[c.state];
    if !l.code.is_empty() {
        w.key("service");
        w.begin_object();
        if ct == ClaimType::Outpatient && l.rev.0 == "0636" {
            w.key("extension");
            w.begin_array();
            w.ext_coding(
                "rev_cntr_ide_ndc_upc_num",
                "00409488820",
                Some("ONDANSETRON 2 MG/ML VIAL"),
            );
            w.end_array();
        }
        w.key("coding");
        w.begin_array();
        w.coding2(BBCS, "hcpcs", l.code, None);
        w.end_array();
        w.end_object();
        w.key("modifier");
        w.begin_array();
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding2(BBCS, "hcpcs", "GP", None);
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
        w.adj1_reason(
            "rev_cntr_1st_ansi_cd",
            "Revenue Center 1st ANSI Code",
            "CO45",
            None,
        );
        if ct == ClaimType::Outpatient {
            w.adj1_reason(
                "rev_cntr_2nd_ansi_cd",
                "Revenue Center 2nd ANSI Code",
                "PR2",
                None,
            );
        }
    }
    w.adj1(
        "rev_cntr_rate_amt",
        "Revenue Center Rate Amount",
        l.charge / l.units.max(1),
    );
    w.adj1(
        "rev_cntr_tot_chrg_amt",
        "Revenue Center Total Charge Amount",
        l.charge,
    );
    w.adj1(
        "rev_cntr_ncvrd_chrg_amt",
        "Revenue Center Non-Covered Charge Amount",
        l.charge - l.allowed,
    );
}

/// An institutional line's adjudication by claim type, closing the list.
fn inst_item_type_adjudication(w: &mut JsonWriter<'_>, c: &Claim, l: &Line) {
    let ct = c.ct;
    if ct == ClaimType::Outpatient {
        w.adj1(
            "rev_cntr_blood_ddctbl_amt",
            "Revenue Center Blood Deductible Amount",
            0,
        );
        w.adj1(
            "rev_cntr_cash_ddctbl_amt",
            "Revenue Center Cash Deductible Amount",
            l.deductible,
        );
        w.adj1(
            "rev_cntr_coinsrnc_wge_adjstd_c",
            "Revenue Center Coinsurance/Wage Adjusted Coinsurance Amount",
            l.coinsurance,
        );
        w.adj1(
            "rev_cntr_rdcd_coinsrnc_amt",
            "Revenue Center Reduced Coinsurance Amount",
            0,
        );
        w.adj1(
            "rev_cntr_1st_msp_pd_amt",
            "Revenue Center 1st Medicare Secondary Payer (MSP) Paid Amount",
            0,
        );
        w.adj1(
            "rev_cntr_2nd_msp_pd_amt",
            "Revenue Center 2nd Medicare Secondary Payer (MSP) Paid Amount",
            0,
        );
        w.adj1(
            "rev_cntr_ptnt_rspnsblty_pmt",
            "Revenue Center Patient Responsibility Payment Amount",
            l.deductible + l.coinsurance,
        );
    }
    if matches!(ct, ClaimType::Outpatient | ClaimType::Hospice) {
        w.adj1(
            "rev_cntr_prvdr_pmt_amt",
            "Revenue Center (Medicare) Provider Payment Amount",
            l.paid,
        );
        w.adj1(
            "rev_cntr_bene_pmt_amt",
            "Revenue Center Payment Amount to Beneficiary",
            0,
        );
    }
    if matches!(
        ct,
        ClaimType::Outpatient | ClaimType::Hospice | ClaimType::Hha
    ) {
        w.adj1(
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
    w.key("careTeamLinkId");
    w.begin_array();
    w.int(2);
    w.end_array();
    w.key("service");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding(NDC_SYS, p.ndc.0, Some(p.ndc.1));
    w.end_array();
    w.end_object();
    w.key_date("servicedDate", c.from);
    w.key("quantity");
    w.begin_object();
    w.key("extension");
    w.begin_array();
    w.ext_qty("fill_num", p.fill_num);
    w.ext_qty("days_suply_num", p.days_supply);
    w.end_array();
    w.key("value");
    w.milli(p.quantity_milli);
    w.end_object();
    w.key("adjudication");
    w.begin_array();
    w.begin_object();
    w.cat1(
        "adjudication",
        "cvrd_d_plan_pd_amt",
        "Amount paid by Part D plan for the PDE (drug is covered by Part D)",
    );
    w.codeable1("reason", "drug_cvrg_stus_cd", "C", Some("Covered"));
    w.money1("amount", p.plan_paid);
    w.end_object();
    w.adj1(
        "gdc_blw_oopt_amt",
        "Gross Drug Cost Below Part D Out-of-Pocket Threshold (GDCB)",
        p.total,
    );
    w.adj1(
        "gdc_abv_oopt_amt",
        "Gross Drug Cost Above Part D Out-of-Pocket Threshold (GDCA)",
        0,
    );
    w.adj1("ptnt_pay_amt", "Amount Paid by Patient", p.patient_pay);
    w.adj1(
        "othr_troop_amt",
        "Other True Out-of-Pocket (TrOOP) Amount",
        0,
    );
    w.adj1(
        "lics_amt",
        "Amount paid for the PDE by Part D low income subsidy",
        p.lics,
    );
    w.adj1(
        "plro_amt",
        "Reduction in patient liability due to payments by other payers (PLRO)",
        0,
    );
    w.adj1("tot_rx_cst_amt", "Total drug cost (Part D)", p.total);
    w.adj1("rptd_gap_dscnt_num", "Gap Discount Amount", 0);
    w.end_array();
    w.key("detail");
    w.begin_array();
    w.begin_object();
    w.key_int("sequence", 1);
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding(
        "http://hl7.org/fhir/v3/ActCode",
        "RXDINV",
        Some("Rx dispense invoice"),
    );
    w.end_array();
    w.end_object();
    w.end_object();
    w.end_array();
    w.end_object();
}
