//! The Tuva ViewDefinitions (plain SQL on FHIR v2 views in `views/r4/`, usable by any
//! engine) and their evaluation as one [`ViewSet`] on the `bcda-view` pipeline.

use bcda_ndjson::{FhirVersion, IssueKind};
use bcda_view::pipeline::{LineError, LineViews};
use bcda_view::{Cell, Column, EvalError, View, ViewSet};

use crate::error::TuvaError;

/// The built-in Tuva views for R4 (BCDA v2), as `(name, JSON text)`, in evaluation order.
pub const R4_VIEWS: &[(&str, &str)] = &[
    ("tuva_claim", include_str!("../views/r4/tuva_claim.json")),
    (
        "tuva_claim_line",
        include_str!("../views/r4/tuva_claim_line.json"),
    ),
    (
        "tuva_claim_diagnosis",
        include_str!("../views/r4/tuva_claim_diagnosis.json"),
    ),
    (
        "tuva_claim_procedure",
        include_str!("../views/r4/tuva_claim_procedure.json"),
    ),
    (
        "tuva_claim_care_team",
        include_str!("../views/r4/tuva_claim_care_team.json"),
    ),
    (
        "tuva_coverage",
        include_str!("../views/r4/tuva_coverage.json"),
    ),
    (
        "tuva_patient",
        include_str!("../views/r4/tuva_patient.json"),
    ),
];

/// Index of each view in [`R4_VIEWS`] (and in a [`TuvaViews`]).
pub mod index {
    /// `tuva_claim`.
    pub const CLAIM: usize = 0;
    /// `tuva_claim_line`.
    pub const LINE: usize = 1;
    /// `tuva_claim_diagnosis`.
    pub const DIAGNOSIS: usize = 2;
    /// `tuva_claim_procedure`.
    pub const PROCEDURE: usize = 3;
    /// `tuva_claim_care_team`.
    pub const CARE_TEAM: usize = 4;
    /// `tuva_coverage`.
    pub const COVERAGE: usize = 5;
    /// `tuva_patient`.
    pub const PATIENT: usize = 6;
}

/// Named views, loaded and checked, evaluated with one parse per line: the
/// [`LineViews`] the `bcda-view` pipeline runs.
#[derive(Debug, Clone)]
pub struct TuvaViews {
    set: ViewSet,
    names: Vec<String>,
}

impl TuvaViews {
    /// Loads the built-in R4 views ([`R4_VIEWS`]).
    pub fn r4() -> Result<TuvaViews, TuvaError> {
        TuvaViews::from_json(R4_VIEWS)
    }

    /// Loads and checks views given as `(name, ViewDefinition JSON)`.
    pub fn from_json(views: &[(&str, &str)]) -> Result<TuvaViews, TuvaError> {
        let loaded = views
            .iter()
            .map(|(name, text)| {
                View::from_json(text).map_err(|source| TuvaError::View {
                    name: (*name).to_string(),
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TuvaViews {
            set: ViewSet::new(loaded),
            names: views.iter().map(|(n, _)| (*n).to_string()).collect(),
        })
    }
}

/// An evaluation error as a located issue, like `bcda stats` reports bad lines.
fn line_error(e: EvalError) -> LineError {
    match e {
        EvalError::Json { message } => LineError {
            kind: IssueKind::InvalidJson,
            offset: None,
            json_path: None,
            message,
        },
        EvalError::Path(p) => LineError {
            kind: IssueKind::InvalidValue,
            offset: None,
            json_path: Some(p.at.clone()),
            message: p.to_string(),
        },
    }
}

impl LineViews for TuvaViews {
    fn len(&self) -> usize {
        self.set.views().len()
    }

    fn columns(&self, view: usize) -> &[Column] {
        self.set.views()[view].columns()
    }

    fn name(&self, view: usize) -> String {
        self.names[view].clone()
    }

    fn resource_type(&self, view: usize) -> &str {
        self.set.views()[view].resource_type()
    }

    fn eval_line(
        &self,
        line: &str,
        _version: Option<FhirVersion>,
        sink: &mut dyn FnMut(usize, &[Cell<'_>]),
    ) -> Result<usize, LineError> {
        self.set.eval_line(line, sink).map_err(line_error)
    }
}
