//! The top-level elements of the resource types BCDA serves (Patient, Coverage,
//! ExplanationOfBenefit; the union of FHIR R4 and STU3), to reject a view path whose first
//! element cannot exist on its resource. Other resource types are not checked.
//!
//! bcda-fhir's generated models do not expose their metadata at run time, and depending on
//! them would put the whole generated model into this crate's build; these lists are taken
//! from the R4 (4.0.1) and STU3 (3.0.2) StructureDefinitions. Choice elements appear by their
//! stem (`deceased` for `deceasedBoolean` / `deceasedDateTime`).

use crate::fhirpath::Expr;

/// Elements every resource has (Resource and DomainResource).
const BASE: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
];

const PATIENT: &[&str] = &[
    "identifier",
    "active",
    "name",
    "telecom",
    "gender",
    "birthDate",
    "deceased",
    "address",
    "maritalStatus",
    "multipleBirth",
    "photo",
    "contact",
    "animal",
    "communication",
    "generalPractitioner",
    "managingOrganization",
    "link",
];

const COVERAGE: &[&str] = &[
    "identifier",
    "status",
    "type",
    "policyHolder",
    "subscriber",
    "subscriberId",
    "beneficiary",
    "dependent",
    "relationship",
    "period",
    "payor",
    "class",
    "grouping",
    "sequence",
    "order",
    "network",
    "costToBeneficiary",
    "subrogation",
    "contract",
];

const EOB: &[&str] = &[
    "identifier",
    "status",
    "type",
    "subType",
    "use",
    "patient",
    "billablePeriod",
    "created",
    "enterer",
    "insurer",
    "provider",
    "organization",
    "priority",
    "fundsReserveRequested",
    "fundsReserve",
    "related",
    "prescription",
    "originalPrescription",
    "payee",
    "referral",
    "facility",
    "claim",
    "claimResponse",
    "outcome",
    "disposition",
    "preAuthRef",
    "preAuthRefPeriod",
    "careTeam",
    "information",
    "supportingInfo",
    "diagnosis",
    "procedure",
    "precedence",
    "insurance",
    "accident",
    "employmentImpacted",
    "hospitalization",
    "item",
    "addItem",
    "adjudication",
    "total",
    "totalCost",
    "unallocDeductable",
    "totalBenefit",
    "payment",
    "formCode",
    "form",
    "processNote",
    "benefitPeriod",
    "benefitBalance",
];

fn elements(resource: &str) -> Option<&'static [&'static str]> {
    match resource {
        "Patient" => Some(PATIENT),
        "Coverage" => Some(COVERAGE),
        "ExplanationOfBenefit" => Some(EOB),
        _ => None,
    }
}

/// The first element of `expr`, evaluated on a `resource`, that is not an element of it; `None`
/// when all are (or the resource type is not one this module knows).
pub(super) fn unknown_first_element(resource: &str, expr: &Expr) -> Option<String> {
    let known = elements(resource)?;
    let mut names = Vec::new();
    root_members(expr, &mut names);
    names
        .into_iter()
        .find(|n| n != resource && !BASE.contains(&n.as_str()) && !known.contains(&n.as_str()))
}

/// Member names evaluated directly on the expression's input.
fn root_members(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Member(None, name) => out.push(name.clone()),
        Expr::Member(Some(base), _) | Expr::Call(Some(base), _, _) => root_members(base, out),
        Expr::Call(None, _, args) => args.iter().for_each(|a| root_members(a, out)),
        Expr::Index(a, b) | Expr::Binary(_, a, b) => {
            root_members(a, out);
            root_members(b, out);
        }
        Expr::Neg(a) => root_members(a, out),
        Expr::Literal(_) | Expr::This | Expr::Var(_) => {}
    }
}
