//! The rows of the Tuva views, read out of their Arrow batches into plain structs keyed by
//! EOB id (step 1 of the Rust side: what the ViewDefinitions produced, as records).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int32Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

/// Where a row came from: the input file and the export's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The input file's name (no directory).
    pub name: String,
    /// The export's `transactionTime` date from `manifest.json` (days since 1970-01-01).
    pub date: Option<i32>,
}

/// A column of a view batch, typed.
struct Column<'b> {
    array: &'b dyn Array,
}

impl<'b> Column<'b> {
    fn of(batch: &'b RecordBatch, name: &str) -> Column<'b> {
        let array = batch
            .column_by_name(name)
            .unwrap_or_else(|| panic!("the built-in view has column {name}"));
        Column {
            array: array.as_ref(),
        }
    }

    fn str(&self, row: usize) -> Option<String> {
        let a = self.array.as_string::<i32>();
        a.is_valid(row).then(|| a.value(row).to_string())
    }

    fn int(&self, row: usize) -> Option<i32> {
        let a = self.array.as_primitive::<Int32Type>();
        a.is_valid(row).then(|| a.value(row))
    }

    fn bool(&self, row: usize) -> bool {
        let a = self.array.as_boolean();
        a.is_valid(row) && a.value(row)
    }

    /// A decimal as f64 (Tuva's `float` columns).
    fn dec(&self, row: usize) -> Option<f64> {
        let DataType::Decimal128(_, scale) = self.array.data_type() else {
            panic!("decimal column expected");
        };
        let a = self.array.as_primitive::<Decimal128Type>();
        a.is_valid(row)
            .then(|| a.value(row) as f64 / 10f64.powi(i32::from(*scale)))
    }

    fn strs(&self, row: usize) -> Vec<String> {
        let a = self.array.as_list::<i32>();
        if !a.is_valid(row) {
            return Vec::new();
        }
        let v = a.value(row);
        let s = v.as_string::<i32>();
        (0..s.len())
            .filter(|&i| s.is_valid(i))
            .map(|i| s.value(i).to_string())
            .collect()
    }
}

/// Declares a record read from a view batch: `field: kind "column"` per field.
macro_rules! record {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $kind:ident $ty:ty = $col:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
            /// The file the resource was read from.
            pub file: Arc<FileInfo>,
        }

        impl $name {
            /// Every row of a batch of the view.
            pub fn read(batch: &RecordBatch, file: &Arc<FileInfo>) -> Vec<$name> {
                $(let $field = Column::of(batch, $col);)*
                (0..batch.num_rows())
                    .map(|r| $name { $($field: $field.$kind(r),)* file: file.clone() })
                    .collect()
            }
        }
    };
}

record! {
    /// One EOB's header (view `tuva_claim`).
    Header {
        /// EOB id.
        id: str Option<String> = "id",
        /// `Patient/<id>`.
        patient: str Option<String> = "patient",
        /// Claim group identifier.
        claim_group: str Option<String> = "claim_group",
        /// eob-type code.
        eob_type: str Option<String> = "eob_type",
        /// EOB status.
        status: str Option<String> = "status",
        /// meta.lastUpdated.
        last_updated: str Option<String> = "last_updated",
        /// billablePeriod.start.
        claim_start: str Option<String> = "claim_start",
        /// billablePeriod.end.
        claim_end: str Option<String> = "claim_end",
        /// Facility type code (bill type digit 1).
        facility_type: str Option<String> = "facility_type",
        /// Service classification (bill type digit 2).
        service_class: str Option<String> = "service_class",
        /// Frequency code (bill type digit 3).
        frequency: str Option<String> = "frequency",
        /// NUBC type of bill.
        type_of_bill: str Option<String> = "type_of_bill",
        /// DRG.
        drg: str Option<String> = "drg",
        /// Admission type.
        admit_type: str Option<String> = "admit_type",
        /// Admission source (CCW).
        admit_source: str Option<String> = "admit_source",
        /// Point of origin (NUBC).
        point_of_origin: str Option<String> = "point_of_origin",
        /// Discharge status.
        discharge_status: str Option<String> = "discharge_status",
        /// Admission period start.
        admission_start: str Option<String> = "admission_start",
        /// Admission period end.
        admission_end: str Option<String> = "admission_end",
        /// NCH weekly processing date.
        processed_date: str Option<String> = "processed_date",
        /// Days supply (Part D).
        days_supply: dec Option<f64> = "days_supply",
        /// Refill number (Part D).
        refills: dec Option<f64> = "refills",
        /// Billing provider NPI.
        provider_npi: str Option<String> = "provider_npi",
        /// Contained organization NPI.
        org_npi: str Option<String> = "org_npi",
        /// facility.identifier (pharmacy NPI).
        facility_npi: str Option<String> = "facility_npi",
        /// payment.amount.
        payment: dec Option<f64> = "payment",
        /// payment.date.
        payment_date: str Option<String> = "payment_date",
        /// Total submitted charge.
        total_charge: dec Option<f64> = "total_charge",
    }
}

record! {
    /// One EOB item (view `tuva_claim_line`).
    Line {
        /// EOB id.
        id: str Option<String> = "id",
        /// item.sequence.
        sequence: int Option<i32> = "sequence",
        /// First careTeamSequence.
        care_team_sequence: int Option<i32> = "care_team_sequence",
        /// servicedDate.
        service_date: str Option<String> = "service_date",
        /// servicedPeriod.start.
        service_start: str Option<String> = "service_start",
        /// servicedPeriod.end.
        service_end: str Option<String> = "service_end",
        /// Revenue center.
        revenue_center: str Option<String> = "revenue_center",
        /// HCPCS.
        hcpcs: str Option<String> = "hcpcs",
        /// HCPCS modifiers.
        modifiers: strs Vec<String> = "modifiers",
        /// NDC.
        ndc: str Option<String> = "ndc",
        /// Place of service.
        place_of_service: str Option<String> = "place_of_service",
        /// Units.
        units: dec Option<f64> = "units",
        /// Paid.
        paid: dec Option<f64> = "paid",
        /// Allowed.
        allowed: dec Option<f64> = "allowed",
        /// Charge.
        charge: dec Option<f64> = "charge",
        /// Deductible.
        deductible: dec Option<f64> = "deductible",
        /// Coinsurance.
        coinsurance: dec Option<f64> = "coinsurance",
        /// Patient paid (Part D).
        patient_paid: dec Option<f64> = "patient_paid",
    }
}

record! {
    /// One diagnosis (view `tuva_claim_diagnosis`).
    Diagnosis {
        /// EOB id.
        id: str Option<String> = "id",
        /// diagnosis.sequence.
        sequence: int Option<i32> = "sequence",
        /// ICD-10-CM code.
        icd10: str Option<String> = "icd10",
        /// ICD-9-CM code.
        icd9: str Option<String> = "icd9",
        /// Present on admission.
        poa: str Option<String> = "poa",
        /// Typed principal.
        principal: bool bool = "principal",
        /// Typed admitting.
        admitting: bool bool = "admitting",
    }
}

record! {
    /// One procedure (view `tuva_claim_procedure`).
    Procedure {
        /// EOB id.
        id: str Option<String> = "id",
        /// procedure.sequence.
        sequence: int Option<i32> = "sequence",
        /// ICD-10-PCS code.
        icd10: str Option<String> = "icd10",
        /// ICD-9 procedure code.
        icd9: str Option<String> = "icd9",
        /// Procedure date.
        date: str Option<String> = "date",
    }
}

record! {
    /// One care team member (view `tuva_claim_care_team`).
    CareTeam {
        /// EOB id.
        id: str Option<String> = "id",
        /// careTeam.sequence.
        sequence: int Option<i32> = "sequence",
        /// Role code.
        role: str Option<String> = "role",
        /// NPI.
        npi: str Option<String> = "npi",
    }
}

record! {
    /// One Coverage (view `tuva_coverage`).
    Coverage {
        /// Coverage id.
        id: str Option<String> = "id",
        /// `Patient/<id>`.
        beneficiary: str Option<String> = "beneficiary",
        /// Coverage status.
        status: str Option<String> = "status",
        /// Part A, Part B, Part C, Part D.
        part: str Option<String> = "part",
        /// MBI.
        subscriber_id: str Option<String> = "subscriber_id",
        /// period.start.
        start: str Option<String> = "start",
        /// period.end.
        end: str Option<String> = "end",
        /// Medicare status code.
        medicare_status: str Option<String> = "medicare_status",
        /// Original reason for entitlement.
        orec: str Option<String> = "orec",
        /// Monthly dual status codes.
        dual_monthly: strs Vec<String> = "dual_monthly",
    }
}

record! {
    /// One Patient (view `tuva_patient`).
    Patient {
        /// Patient id.
        id: str Option<String> = "id",
        /// FHIR gender.
        gender: str Option<String> = "gender",
        /// Birth date.
        birth_date: str Option<String> = "birth_date",
        /// Death date.
        death_date: str Option<String> = "death_date",
        /// CMS race code.
        race: str Option<String> = "race",
        /// First given name.
        first_name: str Option<String> = "first_name",
        /// Second given name.
        middle_name: str Option<String> = "middle_name",
        /// Family name.
        last_name: str Option<String> = "last_name",
        /// First address line.
        address: str Option<String> = "address",
        /// City.
        city: str Option<String> = "city",
        /// State.
        state: str Option<String> = "state",
        /// ZIP.
        zip: str Option<String> = "zip",
    }
}

/// `Patient/123` → `123` (a bare id stays as it is).
pub fn patient_id(reference: &str) -> &str {
    reference.strip_prefix("Patient/").unwrap_or(reference)
}
