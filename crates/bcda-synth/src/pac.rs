//! Partially adjudicated claims (v2 Claim and ClaimResponse), shaped as BFD serves the
//! RDA feeds: FISS (institutional, Part A/B) and MCS (professional, Part B).
//!
//! BCDA's docs: partially adjudicated data covers Parts A and B excluding DME, is updated
//! daily and holds only the last 60 days of updates; so claims here fall in that window.

use crate::common::{C4BB, ICD10CM, MBI_SYS, NDC_SYS, NPI_SYS, THO};
use crate::ids::npi_from_number;
use crate::json::JsonWriter;
use crate::model::{Beneficiary, Ctx};
use crate::rng::Rng;
use crate::tables::{self, Cd, CONDITIONS};

const BB: &str = "https://bluebutton.cms.gov/resources/variables/";
const BBCS: &str = "https://bluebutton.cms.gov/resources/codesystem/";
const HCPCS_RELEASE: &str = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";

/// One partially adjudicated claim.
pub(crate) struct PacClaim {
    pub fiss: bool,
    pub key: u64,
    pub from: i32,
    pub thru: i32,
    pub received: i32,
    pub last_updated: i64,
    pub dx: Vec<Cd>,
    pub lines: Vec<PacLine>,
    pub npi: u64,
    pub provider_num: String,
    pub drg: &'static str,
    pub total: i64,
    pub status: &'static str,
}

/// Claims per beneficiary: 0-3, for ACOs with partially adjudicated data.
pub(crate) fn count(ctx: &Ctx, b: &Beneficiary) -> u32 {
    if b.death_date.is_some() {
        // Partially adjudicated claims are recent: none for a beneficiary who died.
        return 0;
    }
    let mut r = Rng::new(ctx.seed, b.index as u64, 50);
    let n = r.below(4) as u32;
    if b.index.is_multiple_of(5) {
        n.max(2)
    } else {
        n
    }
}

pub(crate) fn pac_claim(ctx: &Ctx, b: &Beneficiary, k: u32) -> PacClaim {
    let mut r = Rng::new(ctx.seed, b.index as u64, 5_000 + k as u64);
    // FISS (institutional) and MCS (professional) alternate, starting from the index.
    let fiss = (b.index + k).is_multiple_of(2);
    let from = ctx.ref_day - 60 + r.below(50) as i32;
    let thru = if fiss {
        from + r.range(0, 5) as i32
    } else {
        from
    };
    let received = (thru + r.range(1, 5) as i32).min(ctx.ref_day - 1);
    let updated_day = (received + r.range(0, 3) as i32).min(ctx.ref_day - 1);
    let last_updated =
        (updated_day as i64 * 86_400 + r.range(6 * 3600, 22 * 3600)).min(ctx.reference - 60);
    let conds: Vec<&tables::Condition> = CONDITIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| b.conditions & (1 << i) != 0)
        .map(|(_, c)| c)
        .collect();
    let mut dx: Vec<Cd> = conds.iter().take(2).map(|c| c.dx[0]).collect();
    dx.push(*r.pick(tables::ACUTE_DX));
    let mut lines = Vec::new();
    let mut total = 0;
    for _ in 0..1 + r.below(3) {
        let (code, _, _, price) = *r.pick(tables::PROF_SERVICES);
        let units = r.range(1, 3);
        let charge = price * units * r.range(80, 120) / 100;
        total += charge;
        lines.push((
            code,
            units,
            charge,
            from + r.below((thru - from + 1) as u64) as i32,
        ));
    }
    PacClaim {
        fiss,
        key: (ctx.slot * 1_000_000 + b.index as u64) * 16 + k as u64,
        from,
        thru,
        received,
        last_updated,
        dx,
        lines,
        npi: npi_from_number(r.next_u64()),
        provider_num: format!("{:06}", r.below(1_000_000)),
        drg: conds.first().map_or("690", |c| c.drg.0),
        total,
        status: if fiss {
            ["a", "s", "m"]
        } else {
            ["1", "5", "9"]
        }[r.below(3) as usize],
    }
}

fn id(w: &mut JsonWriter<'_>, p: &PacClaim) {
    w.key("id");
    w.string_prefixed_int(if p.fiss { "f-" } else { "m-" }, p.key as i64);
}

/// Writes the contained Patient of a partially adjudicated claim.
fn contained_patient(w: &mut JsonWriter<'_>, b: &Beneficiary, fiss: bool) {
    w.begin_object();
    w.key_string("resourceType", "Patient");
    w.key_string("id", "patient");
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
    w.end_array();
    w.key("identifier");
    w.begin_array();
    w.begin_object();
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding2(THO, "v2-0203", "MC", Some("Patient's Medicare Number"));
    w.end_array();
    w.end_object();
    w.key_string("system", MBI_SYS);
    w.key_string("value", &b.mbi);
    w.end_object();
    w.end_array();
    w.key("name");
    w.begin_array();
    w.begin_object();
    let mut mi = [0u8; 4];
    let mi = b.middle_initial.encode_utf8(&mut mi);
    // FISS keeps 10 characters of the first name, MCS only initials and 6 of the last.
    let (given, family) = if fiss {
        (
            b.given_name.chars().take(10).collect::<String>(),
            b.family_name.chars().take(15).collect::<String>(),
        )
    } else {
        (
            format!("{}.", b.given_name.chars().next().unwrap_or('X')),
            b.family_name
                .chars()
                .take(6)
                .collect::<String>()
                .to_uppercase(),
        )
    };
    w.key_string("text", &format!("{given} {mi}. {family}"));
    w.key_string("family", &family);
    w.key("given");
    w.begin_array();
    w.string(&given);
    w.string(&format!("{mi}."));
    w.end_array();
    w.end_object();
    w.end_array();
    w.key_string("gender", crate::common::gender(b));
    if fiss {
        w.key_date("birthDate", b.birth_date);
    }
    w.end_object();
}

fn header(w: &mut JsonWriter<'_>, p: &PacClaim, rt: &str) {
    w.begin_object();
    w.key_string("resourceType", rt);
    id(w, p);
    w.meta(p.last_updated, None);
}

fn identifier(w: &mut JsonWriter<'_>, p: &PacClaim) {
    w.key("identifier");
    w.begin_array();
    w.begin_object();
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding2(C4BB, "C4BBIdentifierType", "uc", Some("Unique Claim ID"));
    w.end_array();
    w.end_object();
    w.key("system");
    w.string_concat(BB, if p.fiss { "fiss/dcn" } else { "mcs/icn" });
    w.key("value");
    w.int_string(p.key as i64);
    w.end_object();
    w.end_array();
    w.key_string("status", "active");
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    if p.fiss {
        w.coding2(THO, "claim-type", "institutional", Some("Institutional"));
    } else {
        w.coding2(THO, "claim-type", "professional", Some("Professional"));
    }
    w.end_array();
    w.end_object();
    w.key_string("use", "claim");
    w.key("patient");
    w.begin_object();
    w.key_string("reference", "#patient");
    w.end_object();
}

/// A service line of a partially adjudicated claim: HCPCS code, units, charge (cents), day.
pub(crate) type PacLine = (&'static str, i64, i64, i32);

/// Writes one v2 Claim line.
pub(crate) fn claim(w: &mut JsonWriter<'_>, b: &Beneficiary, p: &PacClaim) {
    header(w, p, "Claim");
    claim_contained(w, b, p);
    claim_header_fields(w, p);
    if p.fiss {
        fiss_facility_and_supporting_info(w, p);
    }
    claim_diagnoses(w, p);
    claim_procedure_and_insurance(w, p);
    claim_items(w, p);
    w.key("total");
    w.begin_object();
    w.key("value");
    w.cents(p.total);
    w.key_string("currency", "USD");
    w.end_object();
    w.end_object();
    w.end_line();
}

/// A Claim's `contained` Patient and billing Organization.
fn claim_contained(w: &mut JsonWriter<'_>, b: &Beneficiary, p: &PacClaim) {
    w.key("contained");
    w.begin_array();
    contained_patient(w, b, p.fiss);
    w.begin_object();
    w.key_string("resourceType", "Organization");
    w.key_string("id", "provider-org");
    if !p.fiss {
        w.key("extension");
        w.begin_array();
        w.ext_coding("mcs/bill-prov-type", "20", None);
        w.ext_coding("mcs/bill-prov-spec", "11", None);
        w.end_array();
    }
    w.key("identifier");
    w.begin_array();
    if p.fiss {
        w.begin_object();
        w.key("type");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding2(THO, "v2-0203", "PRN", Some("Provider number"));
        w.end_array();
        w.end_object();
        w.key("system");
        w.string_concat(BB, "fiss/meda-prov-6");
        w.key_string("value", &p.provider_num);
        w.end_object();
    }
    w.begin_object();
    w.key("type");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding2(
        C4BB,
        "C4BBIdentifierType",
        "npi",
        Some("National Provider Identifier"),
    );
    w.end_array();
    w.end_object();
    w.key_string("system", NPI_SYS);
    w.key("value");
    w.int_string(p.npi as i64);
    w.end_object();
    w.end_array();
    w.end_object();
    w.end_array();
}

/// A Claim's extension, identifier, billable period, created, provider and priority.
fn claim_header_fields(w: &mut JsonWriter<'_>, p: &PacClaim) {
    w.key("extension");
    w.begin_array();
    if p.fiss {
        w.ext_coding("fiss/serv-typ-cd", "1", None);
    } else {
        w.ext_coding("mcs/claim-type", "R", None);
    }
    w.end_array();
    identifier(w, p);
    w.period("billablePeriod", p.from, Some(p.thru));
    w.key("created");
    w.instant(p.last_updated);
    w.key("provider");
    w.begin_object();
    w.key_string("reference", "#provider-org");
    w.end_object();
    w.key("priority");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding2(THO, "processpriority", "normal", Some("Normal"));
    w.end_array();
    w.end_object();
}

/// A FISS claim's facility and supportingInfo (type of bill, DRG, admission type).
fn fiss_facility_and_supporting_info(w: &mut JsonWriter<'_>, p: &PacClaim) {
    w.key("facility");
    w.begin_object();
    w.key("extension");
    w.begin_array();
    w.ext_coding("fiss/lob-cd", "1", None);
    w.end_array();
    w.end_object();
    w.key("supportingInfo");
    w.begin_array();
    let cat =
        |w: &mut JsonWriter<'_>, seq: i64, c4: Option<(&str, &str)>, bb: Option<(&str, &str)>| {
            w.begin_object();
            w.key_int("sequence", seq);
            w.key("category");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            match c4 {
                Some((code, d)) => w.coding2(C4BB, "C4BBSupportingInfoType", code, Some(d)),
                None => w.coding2(THO, "claiminformationcategory", "info", Some("Information")),
            }
            if let Some((var, label)) = bb {
                w.begin_object();
                w.key("system");
                w.string_concat(BBCS, "information");
                w.key("code");
                w.string_concat(BB, var);
                w.key_string("display", label);
                w.end_object();
            }
            w.end_array();
            w.end_object();
        };
    cat(w, 1, Some(("typeofbill", "Type of Bill")), None);
    w.key("code");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding2(BB, "fiss/freq-cd", "1", None);
    w.end_array();
    w.end_object();
    w.end_object();
    cat(
        w,
        2,
        None,
        Some((
            "clm_drg_cd",
            "Claim Diagnosis Related Group Code (or MS-DRG Code)",
        )),
    );
    w.key("code");
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.coding2(BB, "clm_drg_cd", p.drg, None);
    w.end_array();
    w.end_object();
    w.end_object();
    cat(
        w,
        3,
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
    w.coding(
        "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit",
        "3",
        None,
    );
    w.end_array();
    w.end_object();
    w.end_object();
    w.end_array();
}

/// A Claim's diagnoses (FISS: principal and admitting types, present on admission).
fn claim_diagnoses(w: &mut JsonWriter<'_>, p: &PacClaim) {
    w.key("diagnosis");
    w.begin_array();
    for (i, (code, _)) in p.dx.iter().enumerate() {
        w.begin_object();
        w.key_int("sequence", i as i64 + 1);
        w.key("diagnosisCodeableConcept");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding(ICD10CM, code, None);
        w.end_array();
        w.end_object();
        if p.fiss {
            if i < 2 {
                w.key("type");
                w.begin_array();
                w.begin_object();
                w.key("coding");
                w.begin_array();
                let (c, d) = if i == 0 {
                    ("principal", "Principal Diagnosis")
                } else {
                    ("admitting", "Admitting Diagnosis")
                };
                w.coding2(THO, "ex-diagnosistype", c, Some(d));
                w.end_array();
                w.end_object();
                w.end_array();
            }
            w.key("onAdmission");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding2(BB, "fiss/diag-poa-ind", "y", None);
            w.end_array();
            w.end_object();
        }
        w.end_object();
    }
    w.end_array();
}

/// A Claim's procedure (FISS) and insurance.
fn claim_procedure_and_insurance(w: &mut JsonWriter<'_>, p: &PacClaim) {
    if p.fiss {
        w.key("procedure");
        w.begin_array();
        w.begin_object();
        w.key_int("sequence", 1);
        w.key("date");
        w.date_midnight(p.from);
        w.key("procedureCodeableConcept");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding("http://www.cms.gov/Medicare/Coding/ICD10", "3E033GC", None);
        w.end_array();
        w.end_object();
        w.end_object();
        w.end_array();
        w.key("insurance");
        w.begin_array();
        w.begin_object();
        w.key_int("sequence", 1);
        w.key("focal");
        w.bool(true);
        w.key("coverage");
        w.begin_object();
        w.key("identifier");
        w.begin_object();
        w.key("system");
        w.string_concat(BB, "fiss/payers-name");
        w.key_string("value", "MEDICARE");
        w.end_object();
        w.end_object();
        w.end_object();
        w.end_array();
    } else {
        // R4 requires Claim.insurance (BFD's MCS sample omits it).
        w.key("insurance");
        w.begin_array();
        w.begin_object();
        w.key_int("sequence", 1);
        w.key("focal");
        w.bool(true);
        w.key("coverage");
        w.begin_object();
        w.key("identifier");
        w.begin_object();
        w.key_string("value", "MEDICARE");
        w.end_object();
        w.end_object();
        w.end_object();
        w.end_array();
    }
}

/// A Claim's items.
fn claim_items(w: &mut JsonWriter<'_>, p: &PacClaim) {
    w.key("item");
    w.begin_array();
    for (i, line) in p.lines.iter().enumerate() {
        claim_item(w, p, i, line);
    }
    w.end_array();
}

/// One Claim item: a service line (FISS: a revenue line).
fn claim_item(w: &mut JsonWriter<'_>, p: &PacClaim, i: usize, line: &PacLine) {
    let (code, units, _charge, day) = line;
    w.begin_object();
    if p.fiss {
        w.key("extension");
        w.begin_array();
        w.ext_qty("fiss/rev-serv-unit-cnt", *units);
        w.begin_object();
        w.key("url");
        w.string_concat(BB, "fiss/hcpc-ind");
        w.key("valueCodeableConcept");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding2(BB, "fiss/hcpc-ind", "A", None);
        w.end_array();
        w.end_object();
        w.end_object();
        w.end_array();
    }
    w.key_int("sequence", i as i64 + 1);
    if !p.fiss {
        w.key("diagnosisSequence");
        w.begin_array();
        w.int(1);
        w.end_array();
    }
    if p.fiss {
        w.key("revenue");
        w.begin_object();
        w.key("extension");
        w.begin_array();
        w.begin_object();
        w.key("url");
        w.string_concat(BB, "fiss/non-bill-rev-code");
        w.key("valueCodeableConcept");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding2(BB, "fiss/non-bill-rev-code", "0001", None);
        w.end_array();
        w.end_object();
        w.end_object();
        w.end_array();
        w.key("coding");
        w.begin_array();
        w.coding2(BB, "fiss/rev-cd", "0510", None);
        w.end_array();
        w.end_object();
    }
    item_product_and_modifier(w, p, code);
    if p.fiss {
        w.key_date("servicedDate", *day);
        w.key("quantity");
        w.begin_object();
        w.key_int("value", *units);
        w.end_object();
    } else {
        w.period("servicedPeriod", *day, Some(*day));
    }
    if let Some((ndc, _)) = tables::ndc_for_hcpcs(code) {
        w.key("detail");
        w.begin_array();
        w.begin_object();
        w.key_int("sequence", 1);
        w.key("productOrService");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding(NDC_SYS, ndc, None);
        w.end_array();
        w.end_object();
        w.key("quantity");
        w.begin_object();
        w.key("value");
        w.milli(1_000 * units);
        w.key_string("unit", "ML");
        w.key_string("system", "http://unitsofmeasure.org");
        w.key_string("code", "mL");
        w.end_object();
        w.end_object();
        w.end_array();
    }
    w.end_object();
}

/// A Claim item's productOrService (FISS: with its APC) and modifier.
fn item_product_and_modifier(w: &mut JsonWriter<'_>, p: &PacClaim, code: &str) {
    w.key("productOrService");
    w.begin_object();
    if p.fiss {
        w.key("extension");
        w.begin_array();
        w.begin_object();
        w.key("url");
        w.string_concat(BB, "fiss/apc-hcpcs-apc");
        w.key("valueCodeableConcept");
        w.begin_object();
        w.key("coding");
        w.begin_array();
        w.coding2(BB, "fiss/apc-hcpcs-apc", "05012", None);
        w.end_array();
        w.end_object();
        w.end_object();
        w.end_array();
    }
    w.key("coding");
    w.begin_array();
    w.coding(HCPCS_RELEASE, code, None);
    w.end_array();
    w.end_object();
    w.key("modifier");
    w.begin_array();
    w.begin_object();
    w.key("coding");
    w.begin_array();
    w.begin_object();
    if p.fiss {
        w.key("system");
        w.string_concat(BBCS, "hcpcs");
    } else {
        w.key_string("system", HCPCS_RELEASE);
    }
    w.key_string("version", "1");
    w.key_string("code", "25");
    w.end_object();
    w.end_array();
    w.end_object();
    w.end_array();
}

/// Writes one v2 ClaimResponse line.
pub(crate) fn claim_response(w: &mut JsonWriter<'_>, b: &Beneficiary, p: &PacClaim) {
    header(w, p, "ClaimResponse");
    w.key("contained");
    w.begin_array();
    contained_patient(w, b, p.fiss);
    w.end_array();
    w.key("extension");
    w.begin_array();
    if p.fiss {
        w.ext_coding("fiss/curr-status", p.status, None);
        w.ext_date("fiss/recd-dt-cymd", p.received);
        w.ext_date(
            "fiss/curr-tran-dt-cymd",
            crate::date::day_of_unix(p.last_updated),
        );
        w.ext_coding("fiss/group-code", "00", None);
    } else {
        w.ext_coding("mcs/status-code", p.status, None);
        w.ext_date("mcs/claim-receipt-date", p.received);
        w.ext_date("mcs/status-date", crate::date::day_of_unix(p.last_updated));
    }
    w.end_array();
    identifier(w, p);
    w.key("created");
    w.instant(p.last_updated);
    w.key("insurer");
    w.begin_object();
    w.key("identifier");
    w.begin_object();
    w.key_string("value", "CMS");
    w.end_object();
    w.end_object();
    w.key("request");
    w.begin_object();
    w.key("reference");
    w.string_prefixed_int(if p.fiss { "Claim/f-" } else { "Claim/m-" }, p.key as i64);
    w.end_object();
    let done = matches!(p.status, "5" | "m");
    w.key_string("outcome", if done { "complete" } else { "queued" });
    if p.fiss {
        w.key("item");
        w.begin_array();
        w.begin_object();
        w.key_int("itemSequence", 1);
        w.key("adjudication");
        w.begin_array();
        for (var, code) in [
            ("fiss/aco-red-rarc", "N130"),
            ("fiss/aco-red-carc", "45"),
            ("fiss/aco-red-cagc", "CO"),
        ] {
            w.begin_object();
            w.key("category");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding2(
                C4BB,
                "C4BBAdjudicationDiscriminator",
                "denialreason",
                Some("Denial Reason"),
            );
            w.end_array();
            w.end_object();
            w.key("reason");
            w.begin_object();
            w.key("coding");
            w.begin_array();
            w.coding2(BB, var, code, None);
            w.end_array();
            w.end_object();
            w.end_object();
        }
        w.end_array();
        w.end_object();
        w.end_array();
    }
    w.end_object();
    w.end_line();
}
