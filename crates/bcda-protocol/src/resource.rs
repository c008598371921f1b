//! API versions and the resource types they export.

use std::fmt;
use std::str::FromStr;

use crate::ProtocolError;

/// A BCDA API version (the `vN` in `/api/vN/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiVersion {
    /// v1: FHIR STU3 (3.0.1), Blue Button profiles.
    V1,
    /// v2: FHIR R4 (4.0.1), CARIN Blue Button, plus Claim/ClaimResponse for partially
    /// adjudicated ACOs.
    V2,
}

impl ApiVersion {
    /// `"v1"` or `"v2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        }
    }

    /// The FHIR version string of the CapabilityStatement.
    pub fn fhir_version(self) -> &'static str {
        match self {
            ApiVersion::V1 => "3.0.1",
            ApiVersion::V2 => "4.0.1",
        }
    }

    /// The resource types `_type` may name in this version, in BCDA's order.
    pub fn supported_types(self) -> &'static [ResourceType] {
        match self {
            ApiVersion::V1 => &[
                ResourceType::Patient,
                ResourceType::Coverage,
                ResourceType::ExplanationOfBenefit,
            ],
            ApiVersion::V2 => &[
                ResourceType::Patient,
                ResourceType::Coverage,
                ResourceType::ExplanationOfBenefit,
                ResourceType::Claim,
                ResourceType::ClaimResponse,
            ],
        }
    }

    /// The types exported when `_type` is absent.
    ///
    /// v2 adds Claim and ClaimResponse for partially adjudicated ACOs.
    pub fn default_types(self, partially_adjudicated: bool) -> Vec<ResourceType> {
        let mut types = vec![
            ResourceType::Patient,
            ResourceType::ExplanationOfBenefit,
            ResourceType::Coverage,
        ];
        if self == ApiVersion::V2 && partially_adjudicated {
            types.push(ResourceType::Claim);
            types.push(ResourceType::ClaimResponse);
        }
        types
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiVersion {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "v1" => Ok(ApiVersion::V1),
            "v2" => Ok(ApiVersion::V2),
            other => Err(ProtocolError::Malformed {
                what: "API version",
                message: other.to_string(),
            }),
        }
    }
}

/// A resource type a bulk export can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// Beneficiary demographics.
    Patient,
    /// Part A/B/C/D coverage.
    Coverage,
    /// Adjudicated claims.
    ExplanationOfBenefit,
    /// Partially adjudicated claims (v2, PAC ACOs only).
    Claim,
    /// Responses to partially adjudicated claims (v2, PAC ACOs only).
    ClaimResponse,
}

impl ResourceType {
    /// Every resource type, in declaration order.
    pub const ALL: [ResourceType; 5] = [
        ResourceType::Patient,
        ResourceType::Coverage,
        ResourceType::ExplanationOfBenefit,
        ResourceType::Claim,
        ResourceType::ClaimResponse,
    ];

    /// The FHIR resource type name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Patient => "Patient",
            ResourceType::Coverage => "Coverage",
            ResourceType::ExplanationOfBenefit => "ExplanationOfBenefit",
            ResourceType::Claim => "Claim",
            ResourceType::ClaimResponse => "ClaimResponse",
        }
    }

    /// Beneficiaries per output file (BCDA's chunk sizes).
    pub fn chunk_size(self) -> usize {
        match self {
            ResourceType::ExplanationOfBenefit => 50,
            ResourceType::Patient => 5000,
            ResourceType::Coverage | ResourceType::Claim | ResourceType::ClaimResponse => 4000,
        }
    }

    /// True for the partially adjudicated types (Claim, ClaimResponse).
    pub fn is_partially_adjudicated(self) -> bool {
        matches!(self, ResourceType::Claim | ResourceType::ClaimResponse)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceType {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ProtocolError::Malformed {
                what: "resource type",
                message: s.to_string(),
            })
    }
}
