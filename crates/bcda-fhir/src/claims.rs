//! Version-independent accessors for what analytics needs from an ExplanationOfBenefit
//! ([`EobAccess`], implemented for the STU3 and R4 models): code written once runs on BCDA v1
//! and v2 exports.

use crate::runtime::Decimal;

/// One claim line: when the service was given and what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts<'r> {
    /// `servicedDate`, or the start of `servicedPeriod` (FHIR date/dateTime text; see
    /// [`crate::runtime::Temporal::parse`]).
    pub start: Option<&'r str>,
    /// The end of `servicedPeriod`; the date itself for `servicedDate`.
    pub end: Option<&'r str>,
    /// `(system, code)` of the codings of the service (R4 `productOrService`, STU3 `service`).
    pub codes: Vec<(Option<&'r str>, &'r str)>,
}

/// What an analytics program reads from an ExplanationOfBenefit, whatever the FHIR release.
pub trait EobAccess {
    /// The patient's id: `patient.reference` without its `Patient/` prefix.
    fn patient_id(&self) -> Option<&str>;
    /// The claim type: the code of the `type` coding of the Blue Button `eob-type` code system
    /// (`CARRIER`, `INPATIENT`, `PDE`, ...).
    fn claim_type(&self) -> Option<&str>;
    /// `billablePeriod` as (start, end) FHIR dateTime texts.
    fn billable_period(&self) -> (Option<&str>, Option<&str>);
    /// The billing provider's NPI: the identifier of `provider` when it has one, else the
    /// first care team member identified by an NPI (system `http://hl7.org/fhir/sid/us-npi`
    /// or identifier type `npi`).
    fn provider_npi(&self) -> Option<&str>;
    /// `payment.amount.value`, exact.
    fn payment_amount(&self) -> Option<&Decimal<'_>>;
    /// Service dates and codes of every item.
    fn items(&self) -> Vec<ItemFacts<'_>>;
}

const EOB_TYPE: &str = "https://bluebutton.cms.gov/resources/codesystem/eob-type";
const US_NPI: &str = "http://hl7.org/fhir/sid/us-npi";

macro_rules! eob_access {
    ($m:ident, $opt:ident, item_code: |$it:ident| $code:expr) => {
        mod $m {
            use super::*;
            use crate::$m::ExplanationOfBenefitItemServiced as Serviced;
            use crate::$m::{CodeableConcept, ExplanationOfBenefit as Eob, Reference};

            fn code_of<'r>(cc: &'r CodeableConcept<'_>, system: &str) -> Option<&'r str> {
                let mut codings = cc.coding.iter();
                let c = codings.find(|c| c.system.as_str() == Some(system))?;
                c.code.as_str()
            }

            /// The NPI of a reference identified by one.
            fn npi_of<'r>(r: &'r Reference<'_>) -> Option<&'r str> {
                let id = r.identifier.as_deref()?;
                let typed = id
                    .type_
                    .as_ref()
                    .is_some_and(|t| t.coding.iter().any(|c| c.code.as_str() == Some("npi")));
                (typed || id.system.as_str() == Some(US_NPI)).then(|| id.value.as_str())?
            }

            impl EobAccess for Eob<'_> {
                fn patient_id(&self) -> Option<&str> {
                    let r = $opt(&self.patient)?.reference.as_str()?;
                    Some(r.strip_prefix("Patient/").unwrap_or(r))
                }
                fn claim_type(&self) -> Option<&str> {
                    code_of($opt(&self.type_)?, EOB_TYPE)
                }
                fn billable_period(&self) -> (Option<&str>, Option<&str>) {
                    let Some(p) = &self.billable_period else {
                        return (None, None);
                    };
                    (
                        p.start.get().map(|d| d.as_str()),
                        p.end.get().map(|d| d.as_str()),
                    )
                }
                fn provider_npi(&self) -> Option<&str> {
                    let billing = $opt(&self.provider)
                        .and_then(|r| r.identifier.as_deref())
                        .and_then(|i| i.value.as_str());
                    let team = || self.care_team.iter().find_map(|c| npi_of(&c.provider));
                    billing.or_else(team)
                }
                fn payment_amount(&self) -> Option<&Decimal<'_>> {
                    self.payment.as_ref()?.amount.as_ref()?.value.get()
                }
                fn items(&self) -> Vec<ItemFacts<'_>> {
                    self.item
                        .iter()
                        .map(|$it| {
                            let (start, end) = match &$it.serviced {
                                Some(Serviced::Date(d)) => {
                                    let d = d.get().map(|d| d.as_str());
                                    (d, d)
                                }
                                Some(Serviced::Period(p)) => (
                                    p.start.get().map(|d| d.as_str()),
                                    p.end.get().map(|d| d.as_str()),
                                ),
                                None => (None, None),
                            };
                            let codings = $code.into_iter().flat_map(|cc| cc.coding.iter());
                            let codes = codings
                                .filter_map(|c| Some((c.system.as_str(), c.code.as_str()?)))
                                .collect();
                            ItemFacts { start, end, codes }
                        })
                        .collect()
                }
            }
        }
    };
}

/// A required (`1..1`) element, as an option.
#[cfg(feature = "r4")]
fn some<T>(x: &T) -> Option<&T> {
    Some(x)
}

/// An optional (`0..1`) element.
#[cfg(feature = "stu3")]
fn opt<T>(x: &Option<T>) -> Option<&T> {
    x.as_ref()
}

#[cfg(feature = "r4")]
eob_access!(r4, some, item_code: |it| Some(&it.product_or_service));
#[cfg(feature = "stu3")]
eob_access!(stu3, opt, item_code: |it| it.service.as_ref());
