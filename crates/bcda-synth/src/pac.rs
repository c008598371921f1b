//! Partially adjudicated claims (v2 Claim and ClaimResponse), shaped as BFD serves the
//! RDA feeds: FISS (institutional, Part A/B) and MCS (professional, Part B).
//!
//! BCDA's docs: partially adjudicated data covers Parts A and B excluding DME, is updated
//! daily and holds only the last 60 days of updates; so claims here fall in that window.

use crate::common::{C4BB, ICD10CM, MBI_SYS, NDC_SYS, NPI_SYS, THO};
use crate::ids::npi_from_number;
use crate::json::W;
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
    pub lines: Vec<(&'static str, i64, i64, i32)>,
    pub npi: u64,
    pub provider_num: String,
    pub drg: &'static str,
    pub total: i64,
    pub status: &'static str,
}

/// Claims per beneficiary: 0-3, for ACOs with partially adjudicated data.
pub(crate) fn count(ctx: &Ctx, b: &Beneficiary) -> u32 {
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

fn id(w: &mut W<'_>, p: &PacClaim) {
    w.k("id");
    w.si(if p.fiss { "f-" } else { "m-" }, p.key as i64);
}

/// Writes the contained Patient of a partially adjudicated claim.
fn contained_patient(w: &mut W<'_>, b: &Beneficiary, fiss: bool) {
    w.o();
    w.ks("resourceType", "Patient");
    w.ks("id", "patient");
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
    w.ae();
    w.k("identifier");
    w.a();
    w.o();
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
    w.coding2(THO, "v2-0203", "MC", Some("Patient's Medicare Number"));
    w.ae();
    w.oe();
    w.ks("system", MBI_SYS);
    w.ks("value", &b.mbi);
    w.oe();
    w.ae();
    w.k("name");
    w.a();
    w.o();
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
    w.ks("text", &format!("{given} {mi}. {family}"));
    w.ks("family", &family);
    w.k("given");
    w.a();
    w.s(&given);
    w.s(&format!("{mi}."));
    w.ae();
    w.oe();
    w.ae();
    w.ks("gender", crate::common::gender(b));
    if fiss {
        w.kd("birthDate", b.birth_date);
    }
    w.oe();
}

fn header(w: &mut W<'_>, p: &PacClaim, rt: &str) {
    w.o();
    w.ks("resourceType", rt);
    id(w, p);
    w.meta(p.last_updated, None);
}

fn identifier(w: &mut W<'_>, p: &PacClaim) {
    w.k("identifier");
    w.a();
    w.o();
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
    w.coding2(C4BB, "C4BBIdentifierType", "uc", Some("Unique Claim ID"));
    w.ae();
    w.oe();
    w.k("system");
    w.s2(BB, if p.fiss { "fiss/dcn" } else { "mcs/icn" });
    w.k("value");
    w.is(p.key as i64);
    w.oe();
    w.ae();
    w.ks("status", "active");
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
    if p.fiss {
        w.coding2(THO, "claim-type", "institutional", Some("Institutional"));
    } else {
        w.coding2(THO, "claim-type", "professional", Some("Professional"));
    }
    w.ae();
    w.oe();
    w.ks("use", "claim");
    w.k("patient");
    w.o();
    w.ks("reference", "#patient");
    w.oe();
}

/// Writes one v2 Claim line.
pub(crate) fn claim(w: &mut W<'_>, b: &Beneficiary, p: &PacClaim) {
    header(w, p, "Claim");
    w.k("contained");
    w.a();
    contained_patient(w, b, p.fiss);
    w.o();
    w.ks("resourceType", "Organization");
    w.ks("id", "provider-org");
    if !p.fiss {
        w.k("extension");
        w.a();
        w.ext_coding("mcs/bill-prov-type", "20", None);
        w.ext_coding("mcs/bill-prov-spec", "11", None);
        w.ae();
    }
    w.k("identifier");
    w.a();
    if p.fiss {
        w.o();
        w.k("type");
        w.o();
        w.k("coding");
        w.a();
        w.coding2(THO, "v2-0203", "PRN", Some("Provider number"));
        w.ae();
        w.oe();
        w.k("system");
        w.s2(BB, "fiss/meda-prov-6");
        w.ks("value", &p.provider_num);
        w.oe();
    }
    w.o();
    w.k("type");
    w.o();
    w.k("coding");
    w.a();
    w.coding2(
        C4BB,
        "C4BBIdentifierType",
        "npi",
        Some("National Provider Identifier"),
    );
    w.ae();
    w.oe();
    w.ks("system", NPI_SYS);
    w.k("value");
    w.is(p.npi as i64);
    w.oe();
    w.ae();
    w.oe();
    w.ae();
    w.k("extension");
    w.a();
    if p.fiss {
        w.ext_coding("fiss/serv-typ-cd", "1", None);
    } else {
        w.ext_coding("mcs/claim-type", "R", None);
    }
    w.ae();
    identifier(w, p);
    w.period("billablePeriod", p.from, Some(p.thru));
    w.k("created");
    w.instant(p.last_updated);
    w.k("provider");
    w.o();
    w.ks("reference", "#provider-org");
    w.oe();
    w.k("priority");
    w.o();
    w.k("coding");
    w.a();
    w.coding2(THO, "processpriority", "normal", Some("Normal"));
    w.ae();
    w.oe();
    if p.fiss {
        w.k("facility");
        w.o();
        w.k("extension");
        w.a();
        w.ext_coding("fiss/lob-cd", "1", None);
        w.ae();
        w.oe();
        w.k("supportingInfo");
        w.a();
        let cat = |w: &mut W<'_>, seq: i64, c4: Option<(&str, &str)>, bb: Option<(&str, &str)>| {
            w.o();
            w.ki("sequence", seq);
            w.k("category");
            w.o();
            w.k("coding");
            w.a();
            match c4 {
                Some((code, d)) => w.coding2(C4BB, "C4BBSupportingInfoType", code, Some(d)),
                None => w.coding2(THO, "claiminformationcategory", "info", Some("Information")),
            }
            if let Some((var, label)) = bb {
                w.o();
                w.k("system");
                w.s2(BBCS, "information");
                w.k("code");
                w.s2(BB, var);
                w.ks("display", label);
                w.oe();
            }
            w.ae();
            w.oe();
        };
        cat(w, 1, Some(("typeofbill", "Type of Bill")), None);
        w.k("code");
        w.o();
        w.k("coding");
        w.a();
        w.coding2(BB, "fiss/freq-cd", "1", None);
        w.ae();
        w.oe();
        w.oe();
        cat(
            w,
            2,
            None,
            Some((
                "clm_drg_cd",
                "Claim Diagnosis Related Group Code (or MS-DRG Code)",
            )),
        );
        w.k("code");
        w.o();
        w.k("coding");
        w.a();
        w.coding2(BB, "clm_drg_cd", p.drg, None);
        w.ae();
        w.oe();
        w.oe();
        cat(
            w,
            3,
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
        w.coding(
            "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit",
            "3",
            None,
        );
        w.ae();
        w.oe();
        w.oe();
        w.ae();
    }
    w.k("diagnosis");
    w.a();
    for (i, (code, _)) in p.dx.iter().enumerate() {
        w.o();
        w.ki("sequence", i as i64 + 1);
        w.k("diagnosisCodeableConcept");
        w.o();
        w.k("coding");
        w.a();
        w.coding(ICD10CM, code, None);
        w.ae();
        w.oe();
        if p.fiss {
            if i < 2 {
                w.k("type");
                w.a();
                w.o();
                w.k("coding");
                w.a();
                let (c, d) = if i == 0 {
                    ("principal", "Principal Diagnosis")
                } else {
                    ("admitting", "Admitting Diagnosis")
                };
                w.coding2(THO, "ex-diagnosistype", c, Some(d));
                w.ae();
                w.oe();
                w.ae();
            }
            w.k("onAdmission");
            w.o();
            w.k("coding");
            w.a();
            w.coding2(BB, "fiss/diag-poa-ind", "y", None);
            w.ae();
            w.oe();
        }
        w.oe();
    }
    w.ae();
    if p.fiss {
        w.k("procedure");
        w.a();
        w.o();
        w.ki("sequence", 1);
        w.k("date");
        w.date_midnight(p.from);
        w.k("procedureCodeableConcept");
        w.o();
        w.k("coding");
        w.a();
        w.coding("http://www.cms.gov/Medicare/Coding/ICD10", "3E033GC", None);
        w.ae();
        w.oe();
        w.oe();
        w.ae();
        w.k("insurance");
        w.a();
        w.o();
        w.ki("sequence", 1);
        w.k("focal");
        w.bool(true);
        w.k("coverage");
        w.o();
        w.k("identifier");
        w.o();
        w.k("system");
        w.s2(BB, "fiss/payers-name");
        w.ks("value", "MEDICARE");
        w.oe();
        w.oe();
        w.oe();
        w.ae();
    } else {
        // R4 requires Claim.insurance (BFD's MCS sample omits it).
        w.k("insurance");
        w.a();
        w.o();
        w.ki("sequence", 1);
        w.k("focal");
        w.bool(true);
        w.k("coverage");
        w.o();
        w.k("identifier");
        w.o();
        w.ks("value", "MEDICARE");
        w.oe();
        w.oe();
        w.oe();
        w.ae();
    }
    w.k("item");
    w.a();
    for (i, (code, units, _charge, day)) in p.lines.iter().enumerate() {
        w.o();
        if p.fiss {
            w.k("extension");
            w.a();
            w.ext_qty("fiss/rev-serv-unit-cnt", *units);
            w.o();
            w.k("url");
            w.s2(BB, "fiss/hcpc-ind");
            w.k("valueCodeableConcept");
            w.o();
            w.k("coding");
            w.a();
            w.coding2(BB, "fiss/hcpc-ind", "A", None);
            w.ae();
            w.oe();
            w.oe();
            w.ae();
        }
        w.ki("sequence", i as i64 + 1);
        if !p.fiss {
            w.k("diagnosisSequence");
            w.a();
            w.i(1);
            w.ae();
        }
        if p.fiss {
            w.k("revenue");
            w.o();
            w.k("extension");
            w.a();
            w.o();
            w.k("url");
            w.s2(BB, "fiss/non-bill-rev-code");
            w.k("valueCodeableConcept");
            w.o();
            w.k("coding");
            w.a();
            w.coding2(BB, "fiss/non-bill-rev-code", "0001", None);
            w.ae();
            w.oe();
            w.oe();
            w.ae();
            w.k("coding");
            w.a();
            w.coding2(BB, "fiss/rev-cd", "0510", None);
            w.ae();
            w.oe();
        }
        w.k("productOrService");
        w.o();
        if p.fiss {
            w.k("extension");
            w.a();
            w.o();
            w.k("url");
            w.s2(BB, "fiss/apc-hcpcs-apc");
            w.k("valueCodeableConcept");
            w.o();
            w.k("coding");
            w.a();
            w.coding2(BB, "fiss/apc-hcpcs-apc", "05012", None);
            w.ae();
            w.oe();
            w.oe();
            w.ae();
        }
        w.k("coding");
        w.a();
        w.coding(HCPCS_RELEASE, code, None);
        w.ae();
        w.oe();
        w.k("modifier");
        w.a();
        w.o();
        w.k("coding");
        w.a();
        w.o();
        if p.fiss {
            w.k("system");
            w.s2(BBCS, "hcpcs");
        } else {
            w.ks("system", HCPCS_RELEASE);
        }
        w.ks("version", "1");
        w.ks("code", "25");
        w.oe();
        w.ae();
        w.oe();
        w.ae();
        if p.fiss {
            w.kd("servicedDate", *day);
            w.k("quantity");
            w.o();
            w.ki("value", *units);
            w.oe();
        } else {
            w.period("servicedPeriod", *day, Some(*day));
        }
        if let Some((ndc, _)) = tables::ndc_for_hcpcs(code) {
            w.k("detail");
            w.a();
            w.o();
            w.ki("sequence", 1);
            w.k("productOrService");
            w.o();
            w.k("coding");
            w.a();
            w.coding(NDC_SYS, ndc, None);
            w.ae();
            w.oe();
            w.k("quantity");
            w.o();
            w.k("value");
            w.milli(1_000 * units);
            w.ks("unit", "ML");
            w.ks("system", "http://unitsofmeasure.org");
            w.ks("code", "mL");
            w.oe();
            w.oe();
            w.ae();
        }
        w.oe();
    }
    w.ae();
    w.k("total");
    w.o();
    w.k("value");
    w.cents(p.total);
    w.ks("currency", "USD");
    w.oe();
    w.oe();
    w.end_line();
}

/// Writes one v2 ClaimResponse line.
pub(crate) fn claim_response(w: &mut W<'_>, b: &Beneficiary, p: &PacClaim) {
    header(w, p, "ClaimResponse");
    w.k("contained");
    w.a();
    contained_patient(w, b, p.fiss);
    w.ae();
    w.k("extension");
    w.a();
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
    w.ae();
    identifier(w, p);
    w.k("created");
    w.instant(p.last_updated);
    w.k("insurer");
    w.o();
    w.k("identifier");
    w.o();
    w.ks("value", "CMS");
    w.oe();
    w.oe();
    w.k("request");
    w.o();
    w.k("reference");
    w.si(if p.fiss { "Claim/f-" } else { "Claim/m-" }, p.key as i64);
    w.oe();
    let done = matches!(p.status, "5" | "m");
    w.ks("outcome", if done { "complete" } else { "queued" });
    if p.fiss {
        w.k("item");
        w.a();
        w.o();
        w.ki("itemSequence", 1);
        w.k("adjudication");
        w.a();
        for (var, code) in [
            ("fiss/aco-red-rarc", "N130"),
            ("fiss/aco-red-carc", "45"),
            ("fiss/aco-red-cagc", "CO"),
        ] {
            w.o();
            w.k("category");
            w.o();
            w.k("coding");
            w.a();
            w.coding2(
                C4BB,
                "C4BBAdjudicationDiscriminator",
                "denialreason",
                Some("Denial Reason"),
            );
            w.ae();
            w.oe();
            w.k("reason");
            w.o();
            w.k("coding");
            w.a();
            w.coding2(BB, var, code, None);
            w.ae();
            w.oe();
            w.oe();
        }
        w.ae();
        w.oe();
        w.ae();
    }
    w.oe();
    w.end_line();
}
