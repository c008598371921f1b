//! URLs, code displays and small FHIR fragments shared by the v1 and v2 serializers.

use crate::json::JsonWriter;
use crate::model::{Beneficiary, ClaimType, Entitlement, Sex};

/// Blue Button variable URL prefix (extension URLs and coding systems).
pub(crate) const BB: &str = "https://bluebutton.cms.gov/resources/variables/";
/// Blue Button code-system URL prefix.
pub(crate) const BBCS: &str = "https://bluebutton.cms.gov/resources/codesystem/";
/// CARIN Blue Button code systems.
pub(crate) const C4BB: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/";
/// HL7 terminology code systems.
pub(crate) const THO: &str = "http://terminology.hl7.org/CodeSystem/";
pub(crate) const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub(crate) const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub(crate) const NPI_SYS: &str = "http://hl7.org/fhir/sid/us-npi";
pub(crate) const NDC_SYS: &str = "http://hl7.org/fhir/sid/ndc";
pub(crate) const MBI_SYS: &str = "http://hl7.org/fhir/sid/us-mbi";
pub(crate) const NUCC: &str = "http://nucc.org/provider-taxonomy";
pub(crate) const NUBC_REV: &str = "https://www.nubc.org/CodeSystem/RevenueCodes";
pub(crate) const NUBC_ADMIT: &str = "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit";
pub(crate) const ICD10PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
pub(crate) const CLAIM_GROUP: &str = "https://bluebutton.cms.gov/resources/identifier/claim-group";

/// Facts per claim type: NCH claim type code + display, eob-type code, near-line record code
/// + display, facility type code + display, claim service classification.
pub(crate) struct TypeInfo {
    pub nch: Option<(&'static str, &'static str)>,
    pub eob_type: &'static str,
    pub near_line: (&'static str, &'static str),
    pub fac_type: (&'static str, &'static str),
    pub srvc_clsfctn: &'static str,
}

const PART_A_REC: (&str, &str) = (
    "V",
    "Part A institutional claim record (inpatient [IP], skilled nursing facility [SNF], hospice [HOS], or home health agency [HHA])",
);
const PART_B_INST_REC: (&str, &str) = (
    "W",
    "Part B institutional claim record (outpatient [HOP], home health agency [HHA])",
);

pub(crate) fn type_info(ct: ClaimType) -> TypeInfo {
    match ct {
        ClaimType::Carrier => TypeInfo {
            nch: Some(("71", "Local carrier non-durable medical equipment, prosthetics, orthotics, and supplies (DMEPOS) claim")),
            eob_type: "CARRIER",
            near_line: ("O", "Part B physician/supplier claim record (processed by local carriers; can include DMEPOS services)"),
            fac_type: ("", ""),
            srvc_clsfctn: "",
        },
        ClaimType::Dme => TypeInfo {
            nch: Some(("82", "DMERC; DMEPOS claim")),
            eob_type: "DME",
            near_line: ("M", "Part B DMEPOS claim record (processed by DME Regional Carrier) (For 1991 through 1997 data, this code was used for all DMEPOS claims)"),
            fac_type: ("", ""),
            srvc_clsfctn: "",
        },
        ClaimType::Hha => TypeInfo {
            nch: Some(("10", "Home Health Agency (HHA) claim")),
            eob_type: "HHA",
            near_line: PART_B_INST_REC,
            fac_type: ("3", "Home Health Agency (HHA)"),
            srvc_clsfctn: "2",
        },
        ClaimType::Hospice => TypeInfo {
            nch: Some(("50", "Hospice claim")),
            eob_type: "HOSPICE",
            near_line: PART_A_REC,
            fac_type: ("8", "Special facility or Ambulatory Surgery Center (ASC) surgery"),
            srvc_clsfctn: "1",
        },
        ClaimType::Inpatient => TypeInfo {
            nch: Some(("60", "Inpatient claim")),
            eob_type: "INPATIENT",
            near_line: PART_A_REC,
            fac_type: ("1", "Hospital"),
            srvc_clsfctn: "1",
        },
        ClaimType::Outpatient => TypeInfo {
            nch: Some(("40", "Hospital Outpatient claim")),
            eob_type: "OUTPATIENT",
            near_line: PART_B_INST_REC,
            fac_type: ("1", "Hospital"),
            srvc_clsfctn: "3",
        },
        ClaimType::Pde => TypeInfo { nch: None, eob_type: "PDE", near_line: ("", ""), fac_type: ("", ""), srvc_clsfctn: "" },
        ClaimType::Snf => TypeInfo {
            nch: Some(("20", "Non swing bed Skilled Nursing Facility (SNF) claim")),
            eob_type: "SNF",
            near_line: PART_A_REC,
            fac_type: ("2", "Skilled Nursing Facility (SNF)"),
            srvc_clsfctn: "1",
        },
    }
}

/// Display of a dual status code (BFD `dual_NN`).
pub(crate) fn dual_display(code: &str) -> &'static str {
    match code {
        "02" => "Qualified Medicare Beneficiary (QMB) and full Medicaid coverage, including prescription drugs",
        "04" => "Specified Low-Income Medicare Beneficiary (SLMB) and full Medicaid coverage, including prescription drugs",
        "08" => "Other dual eligible (not QMB, SLMB, QWDI, or QI) with full Medicaid coverage, including prescription drugs",
        _ => "Non-Medicaid",
    }
}

/// `ms_cd`, `orec`, `crec`, `esrd_ind` codes and displays.
pub(crate) fn entitlement_codes(b: &Beneficiary) -> [(&'static str, &'static str); 3] {
    match b.entitlement {
        Entitlement::Aged => [
            ("10", "Aged without end-stage renal disease (ESRD)"),
            ("0", "Old age and survivor’s insurance (OASI)"),
            ("N", ""),
        ],
        Entitlement::Disabled => [
            ("20", "Disabled without ESRD"),
            ("1", "Disability insurance benefits (DIB)"),
            ("N", ""),
        ],
        Entitlement::Esrd => [
            ("31", "ESRD only"),
            ("2", "End-stage renal disease (ESRD)"),
            ("Y", ""),
        ],
    }
}

/// Display of a patient discharge status code (CCW `ptnt_dschrg_stus_cd`, NUBC), with the
/// code book's own characters (the en dash of the hospice codes).
pub(crate) fn discharge_display(code: &str) -> &'static str {
    match code {
        "01" => "Discharged to home/self-care (routine charge).",
        "03" => "Discharged/transferred to skilled nursing facility (SNF) with Medicare certification in anticipation of covered skilled care.",
        "06" => "Discharged/transferred to home care of organized home health service organization.",
        "20" => "Expired (did not recover - Christian Science patient).",
        "40" => "Expired at home (hospice claims only)",
        "41" => "Expired in a medical facility such as hospital, SNF, ICF, or freestanding hospice (hospice claims only)",
        "50" => "Discharged/transferred to a Hospice – home.",
        "51" => "Discharged/transferred to a Hospice – medical facility.",
        _ => "Still patient.",
    }
}

/// Race display for the BFD race code.
pub(crate) fn race_display(code: u8) -> &'static str {
    match code {
        1 => "White",
        2 => "Black",
        4 => "Asian",
        5 => "Hispanic",
        6 => "North American Native",
        _ => "Unknown",
    }
}

/// Gender as a FHIR code.
pub(crate) fn gender(b: &Beneficiary) -> &'static str {
    if b.sex == Sex::Female {
        "female"
    } else {
        "male"
    }
}

/// The Coverage parts a beneficiary has: `(id prefix, plan text, start, end)`. Parts A, B
/// and D end the day the beneficiary dies.
pub(crate) fn parts(b: &Beneficiary) -> Vec<(&'static str, &'static str, i32, Option<i32>)> {
    let end = b.death_date;
    let mut v = vec![
        ("part-a", "Part A", b.part_a_start, end),
        ("part-b", "Part B", b.part_b_start, end),
    ];
    if let Some((s, e)) = b.part_c {
        v.push(("part-c", "Part C", s, Some(e)));
    }
    if let Some(s) = b.part_d_start {
        v.push(("part-d", "Part D", s, end));
    }
    v
}

/// CCW's Part A/B termination code and display (`a_trm_cd`, `b_trm_cd`): `1` when coverage
/// ended with the beneficiary's death.
pub(crate) fn termination(b: &Beneficiary) -> (&'static str, &'static str) {
    if b.death_date.is_some() {
        ("1", "Dead")
    } else {
        ("0", "Not Terminated")
    }
}

impl JsonWriter<'_> {
    /// `{"url":BB+var,"valueCoding":{"system":BB+var,"code":..,"display":..}}`
    pub(crate) fn ext_coding(&mut self, var: &str, code: &str, display: Option<&str>) {
        self.begin_object();
        self.key("url");
        self.string_concat(BB, var);
        self.key("valueCoding");
        self.coding2(BB, var, code, display);
        self.end_object();
    }
    /// `{"url":BB+var,"valueIdentifier":{"system":BB+var,"value":..}}`
    pub(crate) fn ext_ident(&mut self, var: &str, value: &str) {
        self.begin_object();
        self.key("url");
        self.string_concat(BB, var);
        self.key("valueIdentifier");
        self.begin_object();
        self.key("system");
        self.string_concat(BB, var);
        self.key_string("value", value);
        self.end_object();
        self.end_object();
    }
    /// Identifier extension with an integer value.
    pub(crate) fn ext_ident_n(&mut self, var: &str, value: i64) {
        self.begin_object();
        self.key("url");
        self.string_concat(BB, var);
        self.key("valueIdentifier");
        self.begin_object();
        self.key("system");
        self.string_concat(BB, var);
        self.key("value");
        self.int_string(value);
        self.end_object();
        self.end_object();
    }
    /// `{"url":BB+var,"valueDate":..}`
    pub(crate) fn ext_date(&mut self, var: &str, day: i32) {
        self.begin_object();
        self.key("url");
        self.string_concat(BB, var);
        self.key_date("valueDate", day);
        self.end_object();
    }
    /// `{"url":BB+var,"valueQuantity":{"value":n}}`
    pub(crate) fn ext_qty(&mut self, var: &str, n: i64) {
        self.begin_object();
        self.key("url");
        self.string_concat(BB, var);
        self.key("valueQuantity");
        self.begin_object();
        self.key_int("value", n);
        self.end_object();
        self.end_object();
    }
    /// `"meta":{"lastUpdated":..,"profile":[..]}`
    pub(crate) fn meta(&mut self, last_updated: i64, profile: Option<&str>) {
        self.key("meta");
        self.begin_object();
        self.key("lastUpdated");
        self.instant(last_updated);
        if let Some(p) = profile {
            self.key("profile");
            self.begin_array();
            self.string(p);
            self.end_array();
        }
        self.end_object();
    }
    /// A Patient's `"name"` (usual: family, given name and middle initial), as v1 and v2
    /// write it.
    pub(crate) fn patient_name(&mut self, b: &Beneficiary) {
        self.key("name");
        self.begin_array();
        self.begin_object();
        self.key_string("use", "usual");
        self.key_string("family", b.family_name);
        self.key("given");
        self.begin_array();
        self.string(b.given_name);
        let mut mi = [0u8; 4];
        self.string(b.middle_initial.encode_utf8(&mut mi));
        self.end_array();
        self.end_object();
        self.end_array();
    }
    /// A Patient's `"address"` (line, city, county as district, state, ZIP), as v1 and v2
    /// write it.
    pub(crate) fn patient_address(&mut self, b: &Beneficiary) {
        self.key("address");
        self.begin_array();
        self.begin_object();
        self.key("line");
        self.begin_array();
        self.string(&b.line);
        self.end_array();
        self.key_string("city", b.city);
        self.key_string("district", b.county);
        self.key_string("state", b.state);
        self.key_string("postalCode", &b.zip);
        self.end_object();
        self.end_array();
    }
    /// Ends an NDJSON line.
    pub(crate) fn end_line(&mut self) {
        self.b.push(b'\n');
        self.reset();
    }
}
