//! FHIR STU3 (BCDA v1) serializers with Blue Button shapes.

use crate::json::W;
use crate::model::{Beneficiary, Claim, Ctx};

pub(crate) fn patient(w: &mut W<'_>, b: &Beneficiary) {
    crate::v2::patient(w, b)
}
pub(crate) fn coverage(w: &mut W<'_>, b: &Beneficiary, part: (&str, &str, i32, Option<i32>), ctx: &Ctx) {
    crate::v2::coverage(w, b, part, ctx)
}
pub(crate) fn eob(w: &mut W<'_>, b: &Beneficiary, c: &Claim) {
    crate::v2::eob(w, b, c)
}
