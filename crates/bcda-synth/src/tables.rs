//! Code tables: names, places, conditions, procedures, drugs.
//!
//! Codes are real public code-system values (ICD-10-CM, ICD-10-PCS, HCPCS/CPT, MS-DRG, NUCC,
//! CMS place-of-service and specialty codes); their pairing with a synthetic person is random.

/// A code and its display text.
pub(crate) type Cd = (&'static str, &'static str);

/// First names, female. Source: SSA "Top names of the 1940s and 1950s" (popular-names tables),
/// the birth decades of today's Medicare population.
pub(crate) const FIRST_F: &[&str] = &[
    "Mary", "Linda", "Patricia", "Barbara", "Susan", "Nancy", "Deborah", "Sandra", "Carol",
    "Kathleen", "Sharon", "Karen", "Donna", "Brenda", "Margaret", "Diane", "Pamela", "Janet",
    "Shirley", "Carolyn", "Judith", "Betty", "Dorothy", "Joyce", "Maria", "Rosa", "Gloria",
    "María", "Zoë",
];
/// First names, male (same source).
pub(crate) const FIRST_M: &[&str] = &[
    "James", "Robert", "John", "Michael", "William", "David", "Richard", "Thomas", "Charles",
    "Gary", "Larry", "Ronald", "Joseph", "Donald", "Kenneth", "Steven", "Dennis", "Paul", "José",
    "Stephen", "George", "Edward", "Jerry", "Daniel", "Roger", "Jose", "Juan", "Walter",
];
/// Surnames. Source: U.S. Census Bureau, "Frequently Occurring Surnames from the 2010 Census".
/// Spellings as people write them (`Muñoz`, `O'Brien`), not the Census file's ASCII folding.
pub(crate) const SURNAMES: &[&str] = &[
    "Smith",
    "Muñoz",
    "O'Brien",
    "Peña",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "O'Brien",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
];
/// Street names.
pub(crate) const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Park Rd",
    "Elm St",
    "Washington Ave",
    "Lake Shore Dr",
    "Hillcrest Rd",
    "Sunset Blvd",
    "Church St",
    "Mill Rd",
    "Rue de l'Église",
];

/// Street names as data entry sometimes leaves them (a quoted name, a backslash): about 1% of
/// addresses, so every escape path meets real data.
pub(crate) const DIRTY_STREETS: &[&str] = &["\"The Pines\" Ct", "County Rd 12\\B"];

/// A state: postal code, SSA state code, weight, a city, its county, a 3-digit ZIP prefix,
/// the Medicare carrier number and the carrier pricing locality.
pub(crate) struct State {
    pub abbr: &'static str,
    pub ssa: &'static str,
    pub weight: u32,
    pub city: &'static str,
    pub county: &'static str,
    pub zip3: &'static str,
    pub carrier: &'static str,
    pub locality: &'static str,
}

/// The ten states with the most Medicare enrollees, weighted by enrollment in thousands.
/// Source: CMS Medicare Enrollment Dashboard, total enrollment by state, 2023.
pub(crate) const STATES: &[State] = &[
    State {
        abbr: "CA",
        ssa: "05",
        weight: 6_700,
        city: "Los Angeles",
        county: "Los Angeles",
        zip3: "900",
        carrier: "01182",
        locality: "18",
    },
    State {
        abbr: "FL",
        ssa: "10",
        weight: 4_900,
        city: "Miami",
        county: "Miami-Dade",
        zip3: "331",
        carrier: "09102",
        locality: "04",
    },
    State {
        abbr: "TX",
        ssa: "45",
        weight: 4_500,
        city: "Houston",
        county: "Harris",
        zip3: "770",
        carrier: "04412",
        locality: "18",
    },
    State {
        abbr: "NY",
        ssa: "33",
        weight: 3_900,
        city: "Buffalo",
        county: "Erie",
        zip3: "142",
        carrier: "13282",
        locality: "04",
    },
    State {
        abbr: "PA",
        ssa: "39",
        weight: 2_900,
        city: "Pittsburgh",
        county: "Allegheny",
        zip3: "152",
        carrier: "12502",
        locality: "99",
    },
    State {
        abbr: "OH",
        ssa: "36",
        weight: 2_500,
        city: "Columbus",
        county: "Franklin",
        zip3: "432",
        carrier: "15202",
        locality: "00",
    },
    State {
        abbr: "IL",
        ssa: "14",
        weight: 2_300,
        city: "Springfield",
        county: "Sangamon",
        zip3: "627",
        carrier: "06102",
        locality: "99",
    },
    State {
        abbr: "MI",
        ssa: "23",
        weight: 2_200,
        city: "Detroit",
        county: "Wayne",
        zip3: "482",
        carrier: "08102",
        locality: "01",
    },
    State {
        abbr: "NC",
        ssa: "34",
        weight: 2_100,
        city: "Raleigh",
        county: "Wake",
        zip3: "276",
        carrier: "11502",
        locality: "00",
    },
    State {
        abbr: "GA",
        ssa: "11",
        weight: 1_900,
        city: "Atlanta",
        county: "Fulton",
        zip3: "303",
        carrier: "10212",
        locality: "01",
    },
];

/// A chronic condition: name, prevalence in per mille among FFS beneficiaries, ICD-10-CM codes
/// (BFD writes them without the dot), an MS-DRG for an admission, and a drug (NDC, name).
/// Prevalence source: CMS Chronic Conditions Data Warehouse, "Chronic Conditions Among
/// Medicare Beneficiaries", Medicare FFS prevalence 2018 (hypertension 57%, hyperlipidemia 47%,
/// rheumatoid/osteo-arthritis 33%, ischemic heart disease 27%, diabetes 27%, CKD 24%,
/// hypothyroidism 22%, depression 18%, heart failure 14%, Alzheimer's/dementia 11%, COPD 11%,
/// atrial fibrillation 9%, osteoporosis 6%, stroke/TIA 4%, prostate/breast cancer 4%).
pub(crate) struct Condition {
    pub name: &'static str,
    pub per_mille: u32,
    pub dx: &'static [Cd],
    pub drg: Cd,
    pub drug: Cd,
}

pub(crate) const CONDITIONS: &[Condition] = &[
    Condition {
        name: "hypertension",
        per_mille: 570,
        dx: &[("I10", "Essential (primary) hypertension")],
        drg: ("305", "HYPERTENSION WITHOUT MCC"),
        drug: ("68180051301", "LISINOPRIL 10 MG TABLET"),
    },
    Condition {
        name: "hyperlipidemia",
        per_mille: 470,
        dx: &[
            ("E785", "Hyperlipidemia, unspecified"),
            ("E782", "Mixed hyperlipidemia"),
        ],
        drg: ("305", "HYPERTENSION WITHOUT MCC"),
        drug: ("00071015623", "LIPITOR 20 MG TABLET"),
    },
    Condition {
        name: "arthritis",
        per_mille: 330,
        dx: &[
            ("M1990", "Unspecified osteoarthritis, unspecified site"),
            ("M170", "Bilateral primary osteoarthritis of knee"),
        ],
        drg: (
            "470",
            "MAJOR HIP AND KNEE JOINT REPLACEMENT OR REATTACHMENT OF LOWER EXTREMITY WITHOUT MCC",
        ),
        drug: ("00093014801", "MELOXICAM 15 MG TABLET"),
    },
    Condition {
        name: "ischemic heart disease",
        per_mille: 270,
        dx: &[(
            "I2510",
            "Atherosclerotic heart disease of native coronary artery without angina pectoris",
        )],
        drg: (
            "247",
            "PERCUTANEOUS CARDIOVASCULAR PROCEDURES WITH DRUG-ELUTING STENT WITHOUT MCC",
        ),
        drug: ("00069153068", "NORVASC 5 MG TABLET"),
    },
    Condition {
        name: "diabetes",
        per_mille: 270,
        dx: &[
            ("E119", "Type 2 diabetes mellitus without complications"),
            ("E1165", "Type 2 diabetes mellitus with hyperglycemia"),
        ],
        drg: ("638", "DIABETES WITH CC"),
        drug: ("00088222033", "LANTUS 100 UNIT/ML VIAL"),
    },
    Condition {
        name: "chronic kidney disease",
        per_mille: 240,
        dx: &[("N1830", "Chronic kidney disease, stage 3 unspecified")],
        drg: ("683", "RENAL FAILURE WITH CC"),
        drug: ("00054429725", "FUROSEMIDE 40 MG TABLET"),
    },
    Condition {
        name: "hypothyroidism",
        per_mille: 220,
        dx: &[("E039", "Hypothyroidism, unspecified")],
        drg: ("644", "ENDOCRINE DISORDERS WITH CC"),
        drug: ("00074455290", "SYNTHROID 50 MCG TABLET"),
    },
    Condition {
        name: "depression",
        per_mille: 180,
        dx: &[(
            "F329",
            "Major depressive disorder, single episode, unspecified",
        )],
        drg: ("881", "DEPRESSIVE NEUROSES"),
        drug: ("00049496050", "ZOLOFT 50 MG TABLET"),
    },
    Condition {
        name: "heart failure",
        per_mille: 140,
        dx: &[
            ("I509", "Heart failure, unspecified"),
            ("I5022", "Chronic systolic (congestive) heart failure"),
        ],
        drg: ("291", "HEART FAILURE AND SHOCK WITH MCC"),
        drug: ("00054429725", "FUROSEMIDE 40 MG TABLET"),
    },
    Condition {
        name: "dementia",
        per_mille: 110,
        dx: &[
            ("G309", "Alzheimer's disease, unspecified"),
            (
                "F0390",
                "Unspecified dementia without behavioral disturbance",
            ),
        ],
        drg: ("057", "DEGENERATIVE NERVOUS SYSTEM DISORDERS WITHOUT MCC"),
        drug: ("62856024630", "ARICEPT 10 MG TABLET"),
    },
    Condition {
        name: "copd",
        per_mille: 110,
        dx: &[("J449", "Chronic obstructive pulmonary disease, unspecified")],
        drg: ("190", "CHRONIC OBSTRUCTIVE PULMONARY DISEASE WITH MCC"),
        drug: ("00597007541", "SPIRIVA HANDIHALER 18 MCG CAPSULE"),
    },
    Condition {
        name: "atrial fibrillation",
        per_mille: 90,
        dx: &[("I4891", "Unspecified atrial fibrillation")],
        drg: ("309", "CARDIAC ARRHYTHMIA AND CONDUCTION DISORDERS WITH CC"),
        drug: ("00003089421", "ELIQUIS 5 MG TABLET"),
    },
    Condition {
        name: "osteoporosis",
        per_mille: 60,
        dx: &[(
            "M810",
            "Age-related osteoporosis without current pathological fracture",
        )],
        drg: ("481", "HIP AND FEMUR PROCEDURES EXCEPT MAJOR JOINT WITH CC"),
        drug: ("00006003144", "FOSAMAX 70 MG TABLET"),
    },
    Condition {
        name: "stroke",
        per_mille: 40,
        dx: &[("I639", "Cerebral infarction, unspecified")],
        drg: (
            "065",
            "INTRACRANIAL HEMORRHAGE OR CEREBRAL INFARCTION WITH CC OR TPA IN 24 HRS",
        ),
        drug: ("00003089421", "ELIQUIS 5 MG TABLET"),
    },
    Condition {
        name: "cancer",
        per_mille: 40,
        dx: &[
            ("C61", "Malignant neoplasm of prostate"),
            (
                "C50911",
                "Malignant neoplasm of unspecified site of right female breast",
            ),
        ],
        drg: (
            "843",
            "OTHER MYELOPROLIF DIS OR POORLY DIFF NEOPL DIAG WITH MCC",
        ),
        drug: ("00310020130", "ARIMIDEX 1 MG TABLET"),
    },
];

/// Acute or screening diagnoses that any claim may carry.
pub(crate) const ACUTE_DX: &[Cd] = &[
    (
        "Z0000",
        "Encounter for general adult medical examination without abnormal findings",
    ),
    ("J069", "Acute upper respiratory infection, unspecified"),
    ("N390", "Urinary tract infection, site not specified"),
    ("M5450", "Low back pain, unspecified"),
    ("R079", "Chest pain, unspecified"),
    ("R5383", "Other fatigue"),
    ("J189", "Pneumonia, unspecified organism"),
    ("A419", "Sepsis, unspecified organism"),
    ("Z23", "Encounter for immunization"),
    ("R0602", "Shortness of breath"),
];

/// Professional services: HCPCS/CPT code, short description, BETOS code, typical charge in cents.
pub(crate) const PROF_SERVICES: &[(&str, &str, &str, i64)] = &[
    (
        "99213",
        "Office/outpatient visit, established patient, low complexity",
        "M1B",
        15_000,
    ),
    (
        "99214",
        "Office/outpatient visit, established patient, moderate complexity",
        "M1B",
        22_000,
    ),
    (
        "99203",
        "Office/outpatient visit, new patient, low complexity",
        "M1A",
        19_000,
    ),
    ("99232", "Subsequent hospital inpatient care", "M2B", 16_000),
    ("G0439", "Annual wellness visit, subsequent", "M5D", 18_000),
    (
        "93000",
        "Electrocardiogram, routine, with interpretation and report",
        "T2A",
        6_000,
    ),
    ("80053", "Comprehensive metabolic panel", "T1B", 4_500),
    ("80061", "Lipid panel", "T1B", 5_500),
    ("83036", "Hemoglobin A1c", "T1H", 3_500),
    (
        "85025",
        "Complete blood count with automated differential",
        "T1D",
        3_000,
    ),
    (
        "36415",
        "Collection of venous blood by venipuncture",
        "T1A",
        1_200,
    ),
    (
        "71046",
        "Radiologic examination, chest, 2 views",
        "I1A",
        9_000,
    ),
    ("90662", "Influenza virus vaccine, high dose", "O1D", 7_000),
    (
        "97110",
        "Therapeutic exercises, each 15 minutes",
        "P5E",
        8_000,
    ),
    (
        "J1100",
        "Injection, dexamethasone sodium phosphate, 1 mg",
        "O1E",
        500,
    ),
];

/// NDCs of drugs billed under HCPCS J-codes (the drug-line `productOrService` extension).
pub(crate) fn ndc_for_hcpcs(code: &str) -> Option<Cd> {
    match code {
        "J1100" => Some(("63323016501", "DEXAMETHASONE SODIUM PHOSPHATE 4 MG/ML VIAL")),
        "J7613" => Some((
            "00487950101",
            "ALBUTEROL SULFATE 2.5 MG/3 ML INHALATION SOLUTION",
        )),
        _ => None,
    }
}

/// External causes of injury (ICD-10-CM chapter 20) for inpatient stays.
pub(crate) const EXTERNAL_CAUSES: &[Cd] = &[
    ("W19XXXA", "Unspecified fall, initial encounter"),
    ("W010XXA", "Fall on same level from slipping, tripping and stumbling without subsequent striking against object, initial encounter"),
    ("Y92009", "Unspecified place in unspecified non-institutional (private) residence as the place of occurrence of the external cause"),
];

/// DME items: HCPCS code, description, BETOS, charge in cents, CMS type-of-service code.
pub(crate) const DME_ITEMS: &[(&str, &str, &str, i64, &str)] = &[
    (
        "E0601",
        "Continuous positive airway pressure (CPAP) device",
        "D1E",
        95_000,
        "R",
    ),
    (
        "A4253",
        "Blood glucose test strips, per 50 strips",
        "D1A",
        4_500,
        "P",
    ),
    ("E1390", "Oxygen concentrator", "D1C", 25_000, "R"),
    ("K0001", "Standard wheelchair", "D1D", 60_000, "R"),
    (
        "L3908",
        "Wrist hand orthosis, prefabricated",
        "D1F",
        12_000,
        "P",
    ),
    ("A7030", "CPAP full face mask", "D1E", 18_000, "P"),
    (
        "J7613",
        "Albuterol, inhalation solution, administered through DME, unit dose, 1 mg",
        "D1G",
        3_000,
        "P",
    ),
];

/// Institutional revenue centers: revenue code, description, HCPCS (may be empty), charge.
pub(crate) const REVENUE: &[(&str, &str, &str, i64)] = &[
    ("0250", "Pharmacy - general", "", 30_000),
    ("0300", "Laboratory - general", "80053", 12_000),
    ("0320", "Diagnostic radiology - general", "71046", 45_000),
    ("0450", "Emergency room - general", "99284", 150_000),
    ("0510", "Clinic - general", "99213", 25_000),
    ("0636", "Drugs requiring detailed coding", "J1100", 8_000),
    ("0730", "EKG/ECG - general", "93005", 20_000),
    ("0420", "Physical therapy - general", "97110", 18_000),
];

/// Inpatient room-and-board and per-type institutional revenue codes (code, description,
/// per-day or per-visit charge in cents).
pub(crate) const ROOM_BOARD: Cd = ("0120", "Room and board - semi-private two beds");
/// SNF, HHA and hospice main revenue centers.
pub(crate) const SNF_REV: Cd = ("0191", "Subacute care - level I");
pub(crate) const HHA_REV: Cd = ("0551", "Skilled nursing - visit charge");
pub(crate) const HOSPICE_REV: Cd = ("0651", "Hospice - routine home care");

/// ICD-10-PCS procedures for inpatient stays.
pub(crate) const PCS: &[Cd] = &[
    (
        "02703ZZ",
        "Dilation of Coronary Artery, One Artery, Percutaneous Approach",
    ),
    (
        "0SRD0J9",
        "Replacement of Left Knee Joint with Synthetic Substitute, Cemented, Open Approach",
    ),
    (
        "0SR90J9",
        "Replacement of Right Hip Joint with Synthetic Substitute, Cemented, Open Approach",
    ),
    (
        "30233N1",
        "Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach",
    ),
    (
        "3E033GC",
        "Introduction of Other Therapeutic Substance into Peripheral Vein, Percutaneous Approach",
    ),
    (
        "B2111ZZ",
        "Fluoroscopy of Multiple Coronary Arteries using Low Osmolar Contrast",
    ),
    (
        "5A1955Z",
        "Respiratory Ventilation, Greater than 96 Consecutive Hours",
    ),
];

/// CMS specialty code, description, NUCC taxonomy code, taxonomy display.
pub(crate) const SPECIALTIES: &[(&str, &str, &str, &str)] = &[
    (
        "08",
        "Family Practice",
        "207Q00000X",
        "Family Medicine Physician",
    ),
    (
        "11",
        "Internal Medicine",
        "207R00000X",
        "Internal Medicine Physician",
    ),
    (
        "06",
        "Cardiology",
        "207RC0000X",
        "Cardiovascular Disease Physician",
    ),
    ("13", "Neurology", "2084N0400X", "Neurology Physician"),
    (
        "20",
        "Orthopedic Surgery",
        "207X00000X",
        "Orthopaedic Surgery Physician",
    ),
    (
        "29",
        "Pulmonary Disease",
        "207RP1001X",
        "Pulmonary Disease Physician",
    ),
    ("39", "Nephrology", "207RN0300X", "Nephrology Physician"),
    (
        "46",
        "Endocrinology",
        "207RE0101X",
        "Endocrinology, Diabetes & Metabolism Physician",
    ),
    (
        "50",
        "Nurse Practitioner",
        "363L00000X",
        "Nurse Practitioner",
    ),
    (
        "97",
        "Physician Assistant",
        "363A00000X",
        "Physician Assistant",
    ),
];

/// Place of service codes (CMS Place of Service Code Set) with the per-mille share of
/// Part B professional lines. Source: CMS Part B National Summary Data File, 2022 (office
/// and outpatient settings dominate allowed services).
pub(crate) const POS: &[(&str, &str, u32)] = &[
    ("11", "Office", 560),
    ("22", "On Campus-Outpatient Hospital", 120),
    ("21", "Inpatient Hospital", 90),
    ("81", "Independent Laboratory", 110),
    ("23", "Emergency Room - Hospital", 40),
    ("31", "Skilled Nursing Facility", 40),
    ("12", "Home", 40),
];

/// Facility names for institutional claims.
pub(crate) const FACILITIES: &[&str] = &[
    "General Hospital",
    "Regional Medical Center",
    "St. Mary’s Hospital",
    "University Hospital",
    "Community Health Center",
    "Valley Care Center",
    "Sunrise Home Health",
    "Comfort Hospice",
];

/// Why a beneficiary is admitted: an MS-DRG, the principal diagnosis that groups to it and,
/// for surgical DRGs, the ICD-10-PCS procedure.
pub(crate) struct Admission {
    pub drg: Cd,
    pub dx: Cd,
    pub pcs: Option<Cd>,
    /// Share of Medicare FFS discharges, per mille.
    pub per_mille: u32,
}

/// The most frequent reasons for a Medicare FFS hospital stay, weighted by their share of
/// discharges (per mille, rounded): CMS "Medicare Inpatient Hospitals - by Provider and
/// Service" public use file (FY 2021-2022 discharges by MS-DRG, national totals), where
/// septicemia (871/872) leads, then heart failure, pneumonia, respiratory failure, joint
/// replacement, kidney failure and infections, digestive disorders and stroke. Together about
/// 45% of stays; the other stays group to the DRG of one of the beneficiary's chronic
/// conditions ([`CONDITIONS`]).
pub(crate) const ADMISSIONS: &[Admission] = &[
    Admission {
        drg: (
            "871",
            "SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITH MCC",
        ),
        dx: ("A419", "Sepsis, unspecified organism"),
        pcs: None,
        per_mille: 90,
    },
    Admission {
        drg: (
            "872",
            "SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITHOUT MCC",
        ),
        dx: ("A419", "Sepsis, unspecified organism"),
        pcs: None,
        per_mille: 25,
    },
    Admission {
        drg: ("291", "HEART FAILURE AND SHOCK WITH MCC"),
        dx: (
            "I5023",
            "Acute on chronic systolic (congestive) heart failure",
        ),
        pcs: None,
        per_mille: 45,
    },
    Admission {
        drg: ("292", "HEART FAILURE AND SHOCK WITH CC"),
        dx: (
            "I5033",
            "Acute on chronic diastolic (congestive) heart failure",
        ),
        pcs: None,
        per_mille: 15,
    },
    Admission {
        drg: ("193", "SIMPLE PNEUMONIA AND PLEURISY WITH MCC"),
        dx: ("J189", "Pneumonia, unspecified organism"),
        pcs: None,
        per_mille: 25,
    },
    Admission {
        drg: ("194", "SIMPLE PNEUMONIA AND PLEURISY WITH CC"),
        dx: ("J181", "Lobar pneumonia, unspecified organism"),
        pcs: None,
        per_mille: 12,
    },
    Admission {
        drg: ("189", "PULMONARY EDEMA AND RESPIRATORY FAILURE"),
        dx: ("J9601", "Acute respiratory failure with hypoxia"),
        pcs: None,
        per_mille: 18,
    },
    Admission {
        drg: ("190", "CHRONIC OBSTRUCTIVE PULMONARY DISEASE WITH MCC"),
        dx: (
            "J441",
            "Chronic obstructive pulmonary disease with (acute) exacerbation",
        ),
        pcs: None,
        per_mille: 15,
    },
    Admission {
        drg: (
            "470",
            "MAJOR HIP AND KNEE JOINT REPLACEMENT OR REATTACHMENT OF LOWER EXTREMITY WITHOUT MCC",
        ),
        dx: ("M1712", "Unilateral primary osteoarthritis, left knee"),
        pcs: Some((
            "0SRD0J9",
            "Replacement of Left Knee Joint with Synthetic Substitute, Cemented, Open Approach",
        )),
        per_mille: 25,
    },
    Admission {
        drg: ("682", "RENAL FAILURE WITH MCC"),
        dx: ("N179", "Acute kidney failure, unspecified"),
        pcs: None,
        per_mille: 12,
    },
    Admission {
        drg: ("683", "RENAL FAILURE WITH CC"),
        dx: ("N179", "Acute kidney failure, unspecified"),
        pcs: None,
        per_mille: 15,
    },
    Admission {
        drg: ("690", "KIDNEY AND URINARY TRACT INFECTIONS WITHOUT MCC"),
        dx: ("N390", "Urinary tract infection, site not specified"),
        pcs: None,
        per_mille: 15,
    },
    Admission {
        drg: (
            "392",
            "ESOPHAGITIS, GASTROENTERITIS AND MISCELLANEOUS DIGESTIVE DISORDERS WITHOUT MCC",
        ),
        dx: (
            "K529",
            "Noninfective gastroenteritis and colitis, unspecified",
        ),
        pcs: None,
        per_mille: 18,
    },
    Admission {
        drg: (
            "065",
            "INTRACRANIAL HEMORRHAGE OR CEREBRAL INFARCTION WITH CC OR TPA IN 24 HRS",
        ),
        dx: ("I639", "Cerebral infarction, unspecified"),
        pcs: None,
        per_mille: 12,
    },
    Admission {
        drg: ("378", "G.I. HEMORRHAGE WITH CC"),
        dx: ("K922", "Gastrointestinal hemorrhage, unspecified"),
        pcs: None,
        per_mille: 12,
    },
    Admission {
        drg: ("309", "CARDIAC ARRHYTHMIA AND CONDUCTION DISORDERS WITH CC"),
        dx: ("I4891", "Unspecified atrial fibrillation"),
        pcs: None,
        per_mille: 12,
    },
    Admission {
        drg: (
            "247",
            "PERCUTANEOUS CARDIOVASCULAR PROCEDURES WITH DRUG-ELUTING STENT WITHOUT MCC",
        ),
        dx: (
            "I2510",
            "Atherosclerotic heart disease of native coronary artery without angina pectoris",
        ),
        pcs: Some((
            "02703ZZ",
            "Dilation of Coronary Artery, One Artery, Percutaneous Approach",
        )),
        per_mille: 10,
    },
    Admission {
        drg: ("280", "ACUTE MYOCARDIAL INFARCTION, DISCHARGED ALIVE WITH MCC"),
        dx: ("I214", "Non-ST elevation (NSTEMI) myocardial infarction"),
        pcs: None,
        per_mille: 10,
    },
    Admission {
        drg: ("481", "HIP AND FEMUR PROCEDURES EXCEPT MAJOR JOINT WITH CC"),
        dx: (
            "S72001A",
            "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
        ),
        pcs: None,
        per_mille: 9,
    },
    Admission {
        drg: ("603", "CELLULITIS WITHOUT MCC"),
        dx: ("L03115", "Cellulitis of right lower limb"),
        pcs: None,
        per_mille: 10,
    },
    Admission {
        drg: (
            "640",
            "MISCELLANEOUS DISORDERS OF NUTRITION, METABOLISM, FLUIDS AND ELECTROLYTES WITH MCC",
        ),
        dx: ("E871", "Hypo-osmolality and hyponatremia"),
        pcs: None,
        per_mille: 12,
    },
    Admission {
        drg: ("885", "PSYCHOSES"),
        dx: ("F209", "Schizophrenia, unspecified"),
        pcs: None,
        per_mille: 12,
    },
];
