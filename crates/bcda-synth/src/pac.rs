//! Partially adjudicated claims (v2 Claim and ClaimResponse from FISS and MCS).

use crate::json::W;
use crate::model::{Beneficiary, Ctx};

pub(crate) struct PacClaim {
    pub last_updated: i64,
}

pub(crate) fn count(_ctx: &Ctx, _b: &Beneficiary) -> u32 {
    0
}
pub(crate) fn pac_claim(ctx: &Ctx, _b: &Beneficiary, _k: u32) -> PacClaim {
    PacClaim { last_updated: ctx.reference }
}
pub(crate) fn claim(_w: &mut W<'_>, _b: &Beneficiary, _p: &PacClaim) {}
pub(crate) fn claim_response(_w: &mut W<'_>, _b: &Beneficiary, _p: &PacClaim) {}
