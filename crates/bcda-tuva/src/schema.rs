//! The three tables of the Tuva input layer: column names, order and types, as defined in
//! `tuva-health/tuva` `models/input_layer/*.yml` (the `config.meta.data_type` of each column;
//! columns without one are text). `tests/tuva_schema.rs` checks this list against the YAML
//! in `../shared/tuva-input-layer/`.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// A Tuva column type (`config.meta.data_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TuvaType {
    /// `varchar` (and columns without a declared type): Utf8.
    Varchar,
    /// `integer`: Int32.
    Integer,
    /// `date`: Date32.
    Date,
    /// `float` and `number`: Float64.
    Float,
    /// `boolean`: Boolean.
    Boolean,
    /// `timestamp`: Timestamp(microsecond, UTC).
    Timestamp,
}

impl TuvaType {
    /// The Arrow type written for it.
    pub fn arrow(self) -> DataType {
        match self {
            TuvaType::Varchar => DataType::Utf8,
            TuvaType::Integer => DataType::Int32,
            TuvaType::Date => DataType::Date32,
            TuvaType::Float => DataType::Float64,
            TuvaType::Boolean => DataType::Boolean,
            TuvaType::Timestamp => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into()))
            }
        }
    }

    /// The YAML `data_type` names that map to this type.
    pub fn yaml_names(self) -> &'static [&'static str] {
        match self {
            TuvaType::Varchar => &["varchar", ""],
            TuvaType::Integer => &["integer"],
            TuvaType::Date => &["date"],
            TuvaType::Float => &["float", "number"],
            TuvaType::Boolean => &["boolean"],
            TuvaType::Timestamp => &["timestamp"],
        }
    }
}

use TuvaType::{Boolean as B, Date as D, Float as F, Integer as I, Timestamp as T, Varchar as V};

/// `medical_claim`: 148 columns in Tuva's order.
pub const MEDICAL_CLAIM: &[(&str, TuvaType)] = &[
    ("claim_id", V),
    ("claim_line_number", I),
    ("claim_type", V),
    ("person_id", V),
    ("member_id", V),
    ("payer", V),
    ("plan", V),
    ("claim_start_date", D),
    ("claim_end_date", D),
    ("claim_line_start_date", D),
    ("claim_line_end_date", D),
    ("admission_date", D),
    ("discharge_date", D),
    ("admit_source_code", V),
    ("admit_type_code", V),
    ("discharge_disposition_code", V),
    ("place_of_service_code", V),
    ("bill_type_code", V),
    ("drg_code_type", V),
    ("drg_code", V),
    ("revenue_center_code", V),
    ("service_unit_quantity", F),
    ("hcpcs_code", V),
    ("hcpcs_modifier_1", V),
    ("hcpcs_modifier_2", V),
    ("hcpcs_modifier_3", V),
    ("hcpcs_modifier_4", V),
    ("hcpcs_modifier_5", V),
    ("rendering_npi", V),
    ("rendering_tin", V),
    ("billing_npi", V),
    ("billing_tin", V),
    ("facility_npi", V),
    ("paid_date", D),
    ("paid_amount", F),
    ("allowed_amount", F),
    ("charge_amount", F),
    ("coinsurance_amount", F),
    ("copayment_amount", F),
    ("deductible_amount", F),
    ("total_cost_amount", F),
    ("diagnosis_code_type", V),
    ("diagnosis_code_1", V),
    ("diagnosis_code_2", V),
    ("diagnosis_code_3", V),
    ("diagnosis_code_4", V),
    ("diagnosis_code_5", V),
    ("diagnosis_code_6", V),
    ("diagnosis_code_7", V),
    ("diagnosis_code_8", V),
    ("diagnosis_code_9", V),
    ("diagnosis_code_10", V),
    ("diagnosis_code_11", V),
    ("diagnosis_code_12", V),
    ("diagnosis_code_13", V),
    ("diagnosis_code_14", V),
    ("diagnosis_code_15", V),
    ("diagnosis_code_16", V),
    ("diagnosis_code_17", V),
    ("diagnosis_code_18", V),
    ("diagnosis_code_19", V),
    ("diagnosis_code_20", V),
    ("diagnosis_code_21", V),
    ("diagnosis_code_22", V),
    ("diagnosis_code_23", V),
    ("diagnosis_code_24", V),
    ("diagnosis_code_25", V),
    ("diagnosis_poa_1", V),
    ("diagnosis_poa_2", V),
    ("diagnosis_poa_3", V),
    ("diagnosis_poa_4", V),
    ("diagnosis_poa_5", V),
    ("diagnosis_poa_6", V),
    ("diagnosis_poa_7", V),
    ("diagnosis_poa_8", V),
    ("diagnosis_poa_9", V),
    ("diagnosis_poa_10", V),
    ("diagnosis_poa_11", V),
    ("diagnosis_poa_12", V),
    ("diagnosis_poa_13", V),
    ("diagnosis_poa_14", V),
    ("diagnosis_poa_15", V),
    ("diagnosis_poa_16", V),
    ("diagnosis_poa_17", V),
    ("diagnosis_poa_18", V),
    ("diagnosis_poa_19", V),
    ("diagnosis_poa_20", V),
    ("diagnosis_poa_21", V),
    ("diagnosis_poa_22", V),
    ("diagnosis_poa_23", V),
    ("diagnosis_poa_24", V),
    ("diagnosis_poa_25", V),
    ("procedure_code_type", V),
    ("procedure_code_1", V),
    ("procedure_code_2", V),
    ("procedure_code_3", V),
    ("procedure_code_4", V),
    ("procedure_code_5", V),
    ("procedure_code_6", V),
    ("procedure_code_7", V),
    ("procedure_code_8", V),
    ("procedure_code_9", V),
    ("procedure_code_10", V),
    ("procedure_code_11", V),
    ("procedure_code_12", V),
    ("procedure_code_13", V),
    ("procedure_code_14", V),
    ("procedure_code_15", V),
    ("procedure_code_16", V),
    ("procedure_code_17", V),
    ("procedure_code_18", V),
    ("procedure_code_19", V),
    ("procedure_code_20", V),
    ("procedure_code_21", V),
    ("procedure_code_22", V),
    ("procedure_code_23", V),
    ("procedure_code_24", V),
    ("procedure_code_25", V),
    ("procedure_date_1", D),
    ("procedure_date_2", D),
    ("procedure_date_3", D),
    ("procedure_date_4", D),
    ("procedure_date_5", D),
    ("procedure_date_6", D),
    ("procedure_date_7", D),
    ("procedure_date_8", D),
    ("procedure_date_9", D),
    ("procedure_date_10", D),
    ("procedure_date_11", D),
    ("procedure_date_12", D),
    ("procedure_date_13", D),
    ("procedure_date_14", D),
    ("procedure_date_15", D),
    ("procedure_date_16", D),
    ("procedure_date_17", D),
    ("procedure_date_18", D),
    ("procedure_date_19", D),
    ("procedure_date_20", D),
    ("procedure_date_21", D),
    ("procedure_date_22", D),
    ("procedure_date_23", D),
    ("procedure_date_24", D),
    ("procedure_date_25", D),
    ("in_network_flag", B),
    ("data_source", V),
    ("file_name", V),
    ("file_date", D),
    ("ingest_datetime", T),
];

/// `pharmacy_claim`: 25 columns in Tuva's order.
pub const PHARMACY_CLAIM: &[(&str, TuvaType)] = &[
    ("claim_id", V),
    ("claim_line_number", I),
    ("person_id", V),
    ("member_id", V),
    ("payer", V),
    ("plan", V),
    ("prescribing_provider_npi", V),
    ("dispensing_provider_npi", V),
    ("dispensing_date", D),
    ("ndc_code", V),
    ("quantity", I),
    ("days_supply", I),
    ("refills", I),
    ("paid_date", D),
    ("paid_amount", F),
    ("allowed_amount", F),
    ("charge_amount", F),
    ("coinsurance_amount", F),
    ("copayment_amount", F),
    ("deductible_amount", F),
    ("in_network_flag", B),
    ("data_source", V),
    ("file_name", V),
    ("file_date", D),
    ("ingest_datetime", T),
];

/// `eligibility`: 39 columns in Tuva's order.
pub const ELIGIBILITY: &[(&str, TuvaType)] = &[
    ("person_id", V),
    ("member_id", V),
    ("subscriber_id", V),
    ("gender", V),
    ("race", V),
    ("birth_date", D),
    ("death_date", D),
    ("death_flag", B),
    ("enrollment_start_date", D),
    ("enrollment_end_date", D),
    ("payer", V),
    ("payer_type", V),
    ("plan", V),
    ("original_reason_entitlement_code", V),
    ("dual_status_code", V),
    ("medicare_status_code", V),
    ("enrollment_status", V),
    ("hospice_flag", V),
    ("institutional_snp_flag", V),
    ("long_term_institutional_flag", V),
    ("group_id", V),
    ("group_name", V),
    ("name_suffix", V),
    ("first_name", V),
    ("middle_name", V),
    ("last_name", V),
    ("social_security_number", V),
    ("subscriber_relation", V),
    ("address", V),
    ("city", V),
    ("state", V),
    ("zip_code", V),
    ("phone", V),
    ("email", V),
    ("ethnicity", V),
    ("data_source", V),
    ("file_name", V),
    ("file_date", D),
    ("ingest_datetime", T),
];

/// The Arrow schema of a table (every column nullable: Tuva tests not-null itself).
pub fn schema(columns: &[(&str, TuvaType)]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, ty)| Field::new(*name, ty.arrow(), true))
            .collect::<Vec<_>>(),
    ))
}
