//! The projected read path: borrowed serde_json structs that decode only the fields the
//! statistics need and skip everything else without building it.
//!
//! Strings borrow from the line ([`Str`] only allocates when a string holds escapes); money is
//! read from its JSON text ([`Amount`]) into fixed-point integers, so sums are exact.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::engine::{LineCtx, LineProcessor, LineRef};
use crate::scan::Index;

mod fast;
use crate::error::IssueKind;

/// A string borrowed from the input when it has no escapes, owned otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Str<'a>(pub Cow<'a, str>);

impl Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Fixed-point money: an integer number of ten-thousandths (1e-4) of the currency unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub i128);

/// Ten-thousandths per unit.
pub const AMOUNT_SCALE: i128 = 10_000;

impl Amount {
    /// Parses a JSON number's text (`126.99`, `0`, `-5.5E2`) exactly. Digits beyond the fourth
    /// decimal place are rounded half away from zero. Returns `None` for anything that is not a
    /// JSON number or that overflows.
    pub fn parse(text: &[u8]) -> Option<Amount> {
        let (neg, mut s) = match text.first()? {
            b'-' => (true, &text[1..]),
            _ => (false, text),
        };
        let mut mantissa: i128 = 0;
        let mut frac_digits: i32 = 0;
        let mut digits = 0;
        let mut seen_dot = false;
        while let Some(&c) = s.first() {
            match c {
                b'0'..=b'9' => {
                    if digits < 36 {
                        mantissa = mantissa * 10 + i128::from(c - b'0');
                        if seen_dot {
                            frac_digits += 1;
                        }
                    } else if !seen_dot {
                        return None;
                    }
                    digits += 1;
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => break,
            }
            s = &s[1..];
        }
        if digits == 0 {
            return None;
        }
        let mut exp: i32 = 0;
        if let Some(&c) = s.first() {
            if c != b'e' && c != b'E' {
                return None;
            }
            let t = std::str::from_utf8(&s[1..]).ok()?;
            exp = t.parse().ok()?;
        }
        // value = mantissa * 10^(exp - frac_digits); we want value * 10^4.
        let shift = exp.checked_sub(frac_digits)?.checked_add(4)?;
        let scaled = if shift >= 0 {
            mantissa.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?
        } else {
            let div = 10i128
                .checked_pow(u32::try_from(-shift).ok()?)
                .unwrap_or(i128::MAX);
            let q = mantissa / div;
            let r = mantissa % div;
            if r * 2 >= div {
                q + 1
            } else {
                q
            }
        };
        Some(Amount(if neg { -scaled } else { scaled }))
    }

    /// Formats as a decimal with at least two places (`1234.5` → `1234.50`, exact).
    pub fn to_decimal_string(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let units = abs / AMOUNT_SCALE as u128;
        let frac = abs % AMOUNT_SCALE as u128;
        let mut f = format!("{frac:04}");
        while f.len() > 2 && f.ends_with('0') {
            f.pop();
        }
        format!("{}{units}.{f}", if neg { "-" } else { "" })
    }
}

impl std::ops::AddAssign for Amount {
    fn add_assign(&mut self, rhs: Amount) {
        self.0 += rhs.0;
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &'de RawValue = <&RawValue>::deserialize(d)?;
        Amount::parse(raw.get().as_bytes()).ok_or_else(|| {
            de::Error::custom(format_args!(
                "invalid money amount {}: not an exact decimal number",
                raw.get()
            ))
        })
    }
}

/// `Coding` (only `system` and `code`).
#[derive(Debug, Deserialize)]
pub struct Coding<'a> {
    /// `system`.
    #[serde(borrow, default)]
    pub system: Option<Str<'a>>,
    /// `code`.
    #[serde(borrow, default)]
    pub code: Option<Str<'a>>,
}

/// `CodeableConcept` (only `coding`).
#[derive(Debug, Deserialize, Default)]
pub struct CodeableConcept<'a> {
    /// `coding`.
    #[serde(borrow, default)]
    pub coding: Vec<Coding<'a>>,
}

/// Chooses, among the codings of a `CodeableConcept`, the one a statistic needs.
pub trait Pick {
    /// 0: not wanted; otherwise higher is better (the first best coding wins).
    fn score(system: Option<&str>, code: Option<&str>) -> u8;
}

/// A `CodeableConcept` reduced, while parsing and without allocating, to its best coding
/// according to `P`.
pub struct Picked<'a, P> {
    /// `system` of the chosen coding.
    pub system: Option<Str<'a>>,
    /// `code` of the chosen coding.
    pub code: Option<Str<'a>>,
    _pick: std::marker::PhantomData<P>,
}

impl<P> fmt::Debug for Picked<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Picked")
            .field("system", &self.system)
            .field("code", &self.code)
            .finish()
    }
}

struct CodingSeq<P>(std::marker::PhantomData<P>);

impl<'de, P: Pick> de::DeserializeSeed<'de> for CodingSeq<P> {
    type Value = Option<(Option<Str<'de>>, Option<Str<'de>>)>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct V<P>(std::marker::PhantomData<P>);
        impl<'de, P: Pick> Visitor<'de> for V<P> {
            type Value = Option<(Option<Str<'de>>, Option<Str<'de>>)>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of Coding")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut best = None;
                let mut best_score = 0;
                while let Some(c) = seq.next_element::<Coding<'de>>()? {
                    let score = P::score(c.system.as_deref(), c.code.as_deref());
                    if score > best_score {
                        best_score = score;
                        best = Some((c.system, c.code));
                    }
                }
                Ok(best)
            }
        }
        d.deserialize_seq(V::<P>(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a, P: Pick> Deserialize<'de> for Picked<'a, P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<P>(std::marker::PhantomData<P>);
        impl<'de, P: Pick> Visitor<'de> for V<P> {
            type Value = Picked<'de, P>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a CodeableConcept")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Picked {
                    system: None,
                    code: None,
                    _pick: std::marker::PhantomData,
                };
                while let Some(key) = map.next_key::<Str<'de>>()? {
                    if &*key == "coding" {
                        if let Some((system, code)) =
                            map.next_value_seed(CodingSeq::<P>(std::marker::PhantomData))?
                        {
                            out.system = system;
                            out.code = code;
                        }
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V::<P>(std::marker::PhantomData))
    }
}

/// The BFD `eob-type` coding of `EOB.type`.
#[derive(Debug)]
pub enum EobTypePick {}
impl Pick for EobTypePick {
    fn score(system: Option<&str>, _: Option<&str>) -> u8 {
        u8::from(system == Some("https://bluebutton.cms.gov/resources/codesystem/eob-type"))
    }
}

/// Substring searchers of the code-system tests, built once (`str::contains` sets up a
/// searcher on every call, which showed in profiles).
static BLUE_BUTTON: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("bluebutton.cms.gov"));
static HCPCS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("hcpcs"));
static CPT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("cpt"));
static ICD_10: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("icd-10"));

fn contains(haystack: &str, needle: &Finder<'_>) -> bool {
    needle.find(haystack.as_bytes()).is_some()
}

/// An adjudication/total category: a Blue Button coding if present, else the first coding.
#[derive(Debug)]
pub enum CategoryPick {}
impl Pick for CategoryPick {
    fn score(system: Option<&str>, code: Option<&str>) -> u8 {
        match (system, code) {
            (_, None) => 0,
            (Some(s), _) if contains(s, &BLUE_BUTTON) => 2,
            _ => 1,
        }
    }
}

/// A service code: HCPCS/CPT or NDC.
#[derive(Debug)]
pub enum ServicePick {}
impl Pick for ServicePick {
    fn score(system: Option<&str>, code: Option<&str>) -> u8 {
        match (system, code) {
            (Some(s), Some(_)) if contains(s, &HCPCS) || contains(s, &CPT) || s == NDC_SYSTEM => 1,
            _ => 0,
        }
    }
}

/// The NDC code system.
pub const NDC_SYSTEM: &str = "http://hl7.org/fhir/sid/ndc";

/// An ICD-10 diagnosis coding.
#[derive(Debug)]
pub enum Icd10Pick {}
impl Pick for Icd10Pick {
    fn score(system: Option<&str>, code: Option<&str>) -> u8 {
        u8::from(code.is_some() && system.is_some_and(|s| contains(s, &ICD_10)))
    }
}

/// The `npi` identifier type.
#[derive(Debug)]
pub enum NpiTypePick {}
impl Pick for NpiTypePick {
    fn score(_: Option<&str>, code: Option<&str>) -> u8 {
        u8::from(code == Some("npi"))
    }
}

/// The `plan` coverage class type.
#[derive(Debug)]
pub enum PlanClassPick {}
impl Pick for PlanClassPick {
    fn score(_: Option<&str>, code: Option<&str>) -> u8 {
        u8::from(code == Some("plan"))
    }
}

/// `Identifier` (system, value, type).
#[derive(Debug, Deserialize)]
pub struct Identifier<'a> {
    /// `system`.
    #[serde(borrow, default)]
    pub system: Option<Str<'a>>,
    /// `value`.
    #[serde(borrow, default)]
    pub value: Option<Str<'a>>,
    /// `type`.
    #[serde(rename = "type", borrow, default)]
    pub id_type: Option<Picked<'a, NpiTypePick>>,
}

/// `Reference` (reference and identifier).
#[derive(Debug, Deserialize)]
pub struct Reference<'a> {
    /// `reference`, e.g. `Patient/-19990000000001`.
    #[serde(borrow, default)]
    pub reference: Option<Str<'a>>,
    /// `identifier`.
    #[serde(borrow, default)]
    pub identifier: Option<Identifier<'a>>,
}

/// `Period`.
#[derive(Debug, Deserialize)]
pub struct Period<'a> {
    /// `start`.
    #[serde(borrow, default)]
    pub start: Option<Str<'a>>,
    /// `end`.
    #[serde(borrow, default)]
    pub end: Option<Str<'a>>,
}

/// `Money` (only `value`, exact).
#[derive(Debug, Deserialize)]
pub struct Money {
    /// `value`.
    #[serde(default)]
    pub value: Option<Amount>,
}

/// `adjudication[]` and `total[]` entries: category + amount.
#[derive(Debug, Deserialize)]
pub struct CategoryAmount<'a> {
    /// `category`.
    #[serde(borrow, default)]
    pub category: Option<Picked<'a, CategoryPick>>,
    /// `amount`.
    #[serde(default)]
    pub amount: Option<Money>,
}

/// `item[]`, folded while parsing: no per-item allocation, one vector of adjudications and one of
/// service codes per claim.
#[derive(Debug, Default)]
pub struct Items<'a> {
    /// Number of `item` entries (claim lines).
    pub count: u64,
    /// The first `servicedDate` (or `servicedPeriod.start`) among the items.
    pub first_date: Option<Str<'a>>,
    /// `(category code, amount)` of every `item[].adjudication[]` that has an amount.
    pub adjudication: Vec<(Option<Str<'a>>, Amount)>,
    /// The HCPCS/CPT or NDC coding of each item's `productOrService` (STU3 `service`):
    /// `(system, code)`.
    pub services: Vec<(Str<'a>, Str<'a>)>,
}

struct ItemSeed<'x, 'a>(&'x mut Items<'a>);

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for ItemSeed<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for ItemSeed<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an item object")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let acc = self.0;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match &*key {
                "productOrService" | "service" => {
                    let p: Picked<'de, ServicePick> = map.next_value()?;
                    if let (Some(system), Some(code)) = (p.system, p.code) {
                        acc.services.push((system, code));
                    }
                }
                "servicedDate" => {
                    let d: Str<'de> = map.next_value()?;
                    if acc.first_date.is_none() {
                        acc.first_date = Some(d);
                    }
                }
                "servicedPeriod" => {
                    let p: Period<'de> = map.next_value()?;
                    if acc.first_date.is_none() {
                        acc.first_date = p.start;
                    }
                }
                "adjudication" => map.next_value_seed(AdjudicationSeed(&mut *acc))?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct AdjudicationSeed<'x, 'a>(&'x mut Items<'a>);

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for AdjudicationSeed<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for AdjudicationSeed<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of adjudication")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(adj) = seq.next_element::<CategoryAmount<'de>>()? {
            if let Some(v) = adj.amount.and_then(|m| m.value) {
                self.0
                    .adjudication
                    .push((adj.category.and_then(|c| c.code), v));
            }
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Items<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Items<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of item")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Items<'de>, A::Error> {
                let mut acc = Items::default();
                while seq.next_element_seed(ItemSeed(&mut acc))?.is_some() {
                    acc.count += 1;
                }
                Ok(acc)
            }
        }
        d.deserialize_seq(V)
    }
}

/// `diagnosis[]`.
#[derive(Debug, Deserialize)]
pub struct Diagnosis<'a> {
    /// `diagnosisCodeableConcept`.
    #[serde(rename = "diagnosisCodeableConcept", borrow, default)]
    pub concept: Option<Picked<'a, Icd10Pick>>,
}

/// `careTeam[]`.
#[derive(Debug, Deserialize)]
pub struct CareTeam<'a> {
    /// `provider`.
    #[serde(borrow, default)]
    pub provider: Option<Reference<'a>>,
}

/// `payment`.
#[derive(Debug, Deserialize)]
pub struct Payment {
    /// `amount`.
    #[serde(default)]
    pub amount: Option<Money>,
}

/// The fields of an ExplanationOfBenefit the statistics use (STU3 and R4).
#[derive(Debug, Deserialize)]
pub struct Eob<'a> {
    /// `resourceType`.
    #[serde(rename = "resourceType", borrow, default)]
    pub resource_type: Option<Str<'a>>,
    /// `id`.
    #[serde(borrow, default)]
    pub id: Option<Str<'a>>,
    /// `status` (`active` for the final version of a claim, `cancelled` for a superseded one).
    #[serde(borrow, default)]
    pub status: Option<Str<'a>>,
    /// `type`.
    #[serde(rename = "type", borrow, default)]
    pub claim_type: Option<Picked<'a, EobTypePick>>,
    /// `patient`.
    #[serde(borrow, default)]
    pub patient: Option<Reference<'a>>,
    /// `billablePeriod`.
    #[serde(rename = "billablePeriod", borrow, default)]
    pub billable_period: Option<Period<'a>>,
    /// `payment`.
    #[serde(default)]
    pub payment: Option<Payment>,
    /// R4 `total[]`.
    #[serde(borrow, default)]
    pub total: Vec<CategoryAmount<'a>>,
    /// STU3 `totalCost`.
    #[serde(rename = "totalCost", default)]
    pub total_cost: Option<Money>,
    /// `item[]`, folded.
    #[serde(borrow, default)]
    pub item: Items<'a>,
    /// `diagnosis[]`.
    #[serde(borrow, default)]
    pub diagnosis: Vec<Diagnosis<'a>>,
    /// `careTeam[]`.
    #[serde(rename = "careTeam", borrow, default)]
    pub care_team: Vec<CareTeam<'a>>,
    /// `provider` (R4).
    #[serde(borrow, default)]
    pub provider: Option<Reference<'a>>,
}

/// `address[]` (only `state`).
#[derive(Debug, Deserialize)]
pub struct Address<'a> {
    /// `state`.
    #[serde(borrow, default)]
    pub state: Option<Str<'a>>,
}

/// The fields of a Patient the statistics use.
#[derive(Debug, Deserialize)]
pub struct Patient<'a> {
    /// `resourceType`.
    #[serde(rename = "resourceType", borrow, default)]
    pub resource_type: Option<Str<'a>>,
    /// `id`.
    #[serde(borrow, default)]
    pub id: Option<Str<'a>>,
    /// `gender`.
    #[serde(borrow, default)]
    pub gender: Option<Str<'a>>,
    /// `birthDate`.
    #[serde(rename = "birthDate", borrow, default)]
    pub birth_date: Option<Str<'a>>,
    /// `address[]`.
    #[serde(borrow, default)]
    pub address: Vec<Address<'a>>,
}

/// `Coverage.class[]` (R4).
#[derive(Debug, Deserialize)]
pub struct CoverageClass<'a> {
    /// `type`.
    #[serde(rename = "type", borrow, default)]
    pub class_type: Option<Picked<'a, PlanClassPick>>,
    /// `value`.
    #[serde(borrow, default)]
    pub value: Option<Str<'a>>,
}

/// `Coverage.grouping` (STU3).
#[derive(Debug, Deserialize)]
pub struct Grouping<'a> {
    /// `subPlan`.
    #[serde(rename = "subPlan", borrow, default)]
    pub sub_plan: Option<Str<'a>>,
}

/// `extension[]` with a `valueCoding`.
#[derive(Debug, Deserialize)]
pub struct Extension<'a> {
    /// `url`.
    #[serde(borrow, default)]
    pub url: Option<Str<'a>>,
    /// `valueCoding`.
    #[serde(rename = "valueCoding", borrow, default)]
    pub value_coding: Option<Coding<'a>>,
    /// `valueDate` (BFD's `rfrnc_yr` reference year).
    #[serde(rename = "valueDate", borrow, default)]
    pub value_date: Option<Str<'a>>,
}

/// The fields of a Coverage the statistics use (STU3 and R4).
#[derive(Debug, Deserialize)]
pub struct Coverage<'a> {
    /// `resourceType`.
    #[serde(rename = "resourceType", borrow, default)]
    pub resource_type: Option<Str<'a>>,
    /// `id`.
    #[serde(borrow, default)]
    pub id: Option<Str<'a>>,
    /// `beneficiary`.
    #[serde(borrow, default)]
    pub beneficiary: Option<Reference<'a>>,
    /// `period`.
    #[serde(borrow, default)]
    pub period: Option<Period<'a>>,
    /// R4 `class[]`.
    #[serde(rename = "class", borrow, default)]
    pub class: Vec<CoverageClass<'a>>,
    /// STU3 `grouping`.
    #[serde(borrow, default)]
    pub grouping: Option<Grouping<'a>>,
    /// `extension[]`.
    #[serde(borrow, default)]
    pub extension: Vec<Extension<'a>>,
}

#[derive(Deserialize)]
struct BundleEntry<'a> {
    #[serde(borrow, default)]
    resource: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Bundle<'a> {
    #[serde(rename = "resourceType", borrow, default)]
    resource_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    entry: Vec<BundleEntry<'a>>,
}

#[derive(Deserialize)]
struct Other<'a> {
    #[serde(rename = "resourceType", borrow, default)]
    resource_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
}

/// One projected resource.
#[derive(Debug)]
pub enum Resource<'a> {
    /// An ExplanationOfBenefit.
    Eob(Box<Eob<'a>>),
    /// A Patient.
    Patient(Patient<'a>),
    /// A Coverage.
    Coverage(Coverage<'a>),
    /// Any other resource type (counted only).
    Other {
        /// Its `resourceType`.
        resource_type: Str<'a>,
        /// Its `id`.
        id: Option<Str<'a>>,
    },
}

impl Resource<'_> {
    /// The resource type.
    pub fn resource_type(&self) -> &str {
        match self {
            Resource::Eob(_) => "ExplanationOfBenefit",
            Resource::Patient(_) => "Patient",
            Resource::Coverage(_) => "Coverage",
            Resource::Other { resource_type, .. } => resource_type,
        }
    }
}

/// Reads `resourceType` when it is the first key of the object (as BFD and most FHIR
/// serialisers write it), without parsing the rest. `None` when it is not first.
pub fn peek_resource_type(bytes: &[u8]) -> Option<&str> {
    let i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    peek_resource_type_at(bytes, skip_ws(bytes, i + 1))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The string value of the `"resourceType"` key that starts at `bytes[i]` (`None` when there is
/// no such key there, or its value is not a plain string).
pub(crate) fn peek_resource_type_at(bytes: &[u8], i: usize) -> Option<&str> {
    let key = b"\"resourceType\"";
    if !bytes.get(i..)?.starts_with(key) {
        return None;
    }
    let mut i = skip_ws(bytes, i + key.len());
    if bytes.get(i) != Some(&b':') {
        return None;
    }
    i = skip_ws(bytes, i + 1);
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let len = memchr::memchr(b'"', &bytes[start..])?;
    let name = &bytes[start..start + len];
    if name.contains(&b'\\') {
        return None;
    }
    std::str::from_utf8(name).ok()
}

/// The projected read path as a [`LineProcessor`]: every line yields one [`Resource`] (or one
/// per entry for a Bundle).
///
/// By default an ExplanationOfBenefit, Patient or Coverage line goes through the fast lane
/// ([`crate::scan`]: a structural index, then a walk that decodes only the projected fields);
/// whatever the fast lane does not accept (escapes, errors, other resource types) goes through
/// the serde_json decoders, which are the reference and report problems with their location.
#[derive(Debug, Clone, Copy)]
pub struct Projected {
    fast: bool,
}

impl Default for Projected {
    fn default() -> Projected {
        Projected { fast: true }
    }
}

impl Projected {
    /// Only the serde_json decoders (the reference the fast lane is tested against, and the
    /// baseline of its benchmark).
    pub fn serde_only() -> Projected {
        Projected { fast: false }
    }
}

/// Byte offset in `bytes` of serde_json's (1-based) line and column.
fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => start += i + 1,
            None => return bytes.len(),
        }
    }
    (start + column.saturating_sub(1)).min(bytes.len())
}

fn path_of<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => None,
        Err(e) => {
            let p = e.path().to_string();
            if p == "." {
                None
            } else {
                Some(p)
            }
        }
    }
}

fn report_json<'a, T: Deserialize<'a>>(
    ctx: &mut LineCtx<'_>,
    bytes: &'a [u8],
    base: usize,
    e: &serde_json::Error,
) {
    let off = if e.line() == 0 {
        bytes.len()
    } else {
        offset_of(bytes, e.line(), e.column())
    };
    let path = path_of::<T>(bytes);
    let msg = e.to_string();
    let kind = if msg.starts_with("invalid money amount") {
        IssueKind::InvalidValue
    } else {
        IssueKind::InvalidJson
    };
    // serde_json's message ends with its own "at line L column C": keep only the cause.
    let cause = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(c, _)| c)
        .to_string();
    ctx.report(kind, Some(base + off), path, cause);
}

impl Projected {
    fn decode<'a, E>(
        &self,
        bytes: &'a [u8],
        base: usize,
        expected: Option<&str>,
        ctx: &mut LineCtx<'_>,
        emit: &mut E,
        depth: u32,
    ) where
        E: FnMut(Resource<'a>, LineRef),
    {
        let peek = peek_resource_type(bytes);
        let guess = peek.or(expected);
        let decoded = self.decode_as(guess, bytes, base, ctx);
        let Some(res) = decoded else { return };
        let actual = match &res {
            Decoded::Resource(r) => r.resource_type().to_string(),
            Decoded::Bundle(_) => "Bundle".to_string(),
            Decoded::Missing => {
                ctx.report(
                    IssueKind::MissingResourceType,
                    Some(base),
                    Some("resourceType".into()),
                    "record has no resourceType; skipped".into(),
                );
                return;
            }
        };
        if Some(actual.as_str()) != guess {
            // The hint was wrong: decode again as what the record says it is.
            if depth == 0 {
                if let Some(e) = expected {
                    if e != actual {
                        let msg = format!(
                            "resourceType is {actual:?} but this file holds {e:?}; skipped"
                        );
                        ctx.report(
                            IssueKind::WrongResourceType,
                            Some(base),
                            Some("resourceType".into()),
                            msg,
                        );
                        return;
                    }
                }
            }
            let Some(again) = self.decode_as(Some(&actual), bytes, base, ctx) else {
                return;
            };
            self.emit_decoded(again, bytes, base, ctx, emit, depth);
            return;
        }
        if let Some(e) = expected {
            if e != actual {
                let msg = format!("resourceType is {actual:?} but this file holds {e:?}; skipped");
                ctx.report(
                    IssueKind::WrongResourceType,
                    Some(base),
                    Some("resourceType".into()),
                    msg,
                );
                return;
            }
        }
        self.emit_decoded(res, bytes, base, ctx, emit, depth);
    }

    fn emit_decoded<'a, E>(
        &self,
        d: Decoded<'a>,
        bytes: &'a [u8],
        base: usize,
        ctx: &mut LineCtx<'_>,
        emit: &mut E,
        depth: u32,
    ) where
        E: FnMut(Resource<'a>, LineRef),
    {
        match d {
            Decoded::Resource(r) => {
                let at = if base == 0 {
                    ctx.line_ref()
                } else {
                    ctx.line_ref_at(base)
                };
                emit(r, at);
            }
            Decoded::Bundle(entries) => {
                if depth > 8 {
                    return;
                }
                for raw in entries.into_iter().flatten() {
                    let sub = raw.get().as_bytes();
                    let off = sub.as_ptr() as usize - bytes.as_ptr() as usize;
                    self.decode(sub, base + off, None, ctx, emit, depth + 1);
                }
            }
            Decoded::Missing => {}
        }
    }

    fn decode_as<'a>(
        &self,
        rt: Option<&str>,
        bytes: &'a [u8],
        base: usize,
        ctx: &mut LineCtx<'_>,
    ) -> Option<Decoded<'a>> {
        fn go<'a, T: Deserialize<'a>>(
            bytes: &'a [u8],
            base: usize,
            ctx: &mut LineCtx<'_>,
        ) -> Option<T> {
            // From `&str`, serde_json does not re-validate UTF-8 string by string (8% of a
            // run); checking the whole line once is cheaper (ASCII fast path).
            let parsed = match std::str::from_utf8(bytes) {
                Ok(text) => serde_json::from_str::<T>(text),
                Err(_) => serde_json::from_slice::<T>(bytes),
            };
            match parsed {
                Ok(v) => Some(v),
                Err(e) => {
                    report_json::<T>(ctx, bytes, base, &e);
                    None
                }
            }
        }
        Some(match rt {
            Some("ExplanationOfBenefit") => {
                let v: Eob<'a> = go(bytes, base, ctx)?;
                match v.resource_type.as_deref() {
                    Some("ExplanationOfBenefit") => Decoded::Resource(Resource::Eob(Box::new(v))),
                    Some(t) => other(t, v.id.clone()),
                    None => Decoded::Missing,
                }
            }
            Some("Patient") => {
                let v: Patient<'a> = go(bytes, base, ctx)?;
                match v.resource_type.as_deref() {
                    Some("Patient") => Decoded::Resource(Resource::Patient(v)),
                    Some(t) => other(t, v.id.clone()),
                    None => Decoded::Missing,
                }
            }
            Some("Coverage") => {
                let v: Coverage<'a> = go(bytes, base, ctx)?;
                match v.resource_type.as_deref() {
                    Some("Coverage") => Decoded::Resource(Resource::Coverage(v)),
                    Some(t) => other(t, v.id.clone()),
                    None => Decoded::Missing,
                }
            }
            Some("Bundle") => {
                let v: Bundle<'a> = go(bytes, base, ctx)?;
                match v.resource_type.as_deref() {
                    Some("Bundle") => {
                        Decoded::Bundle(v.entry.into_iter().map(|e| e.resource).collect())
                    }
                    Some(t) => other(t, None),
                    None => Decoded::Missing,
                }
            }
            _ => {
                let v: Other<'a> = go(bytes, base, ctx)?;
                match v.resource_type {
                    Some(t) => Decoded::Resource(Resource::Other {
                        resource_type: t,
                        id: v.id,
                    }),
                    None => Decoded::Missing,
                }
            }
        })
    }
}

fn other<'a>(t: &str, id: Option<Str<'a>>) -> Decoded<'a> {
    Decoded::Resource(Resource::Other {
        resource_type: Str(Cow::Owned(t.to_string())),
        id,
    })
}

#[allow(clippy::large_enum_variant)] // decoded records are moved once, boxing would cost more
enum Decoded<'a> {
    Resource(Resource<'a>),
    Bundle(Vec<Option<&'a RawValue>>),
    Missing,
}

impl LineProcessor for Projected {
    type Scratch = Index;
    type Record<'a> = Resource<'a>;
    // The fast lane's scanner sees whether a line is ASCII (or checks it), so valid lines are
    // not read twice; the serde_json decoder, which skips strings unread, checks first.
    const CHECKS_UTF8: bool = true;

    fn new_scratch(&self) -> Index {
        Index::new()
    }

    /// The fast lane's stage 1 finds the end of the line while it indexes it.
    fn line_end(&self, rest: &[u8], index: &mut Index) -> usize {
        if self.fast {
            index.scan_line(rest)
        } else {
            crate::split::line_len(rest)
        }
    }

    fn process<'a, E>(
        &self,
        line: &'a [u8],
        index: &'a mut Index,
        ctx: &mut LineCtx<'_>,
        mut emit: E,
    ) where
        E: FnMut(Resource<'a>, LineRef),
    {
        if self.fast {
            let expected = ctx.input().expected_type();
            if let Some(r) = fast::decode(line, expected, index, ctx.line_prepared()) {
                emit(r, ctx.line_ref());
                return;
            }
        }
        if !ctx.check_utf8() {
            return;
        }
        let expected = ctx.input().expected_type().map(str::to_owned);
        self.decode(line, 0, expected.as_deref(), ctx, &mut emit, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        let p = |s: &str| Amount::parse(s.as_bytes()).map(|a| a.0);
        assert_eq!(p("126.99"), Some(1_269_900));
        assert_eq!(p("0"), Some(0));
        assert_eq!(p("550.0"), Some(5_500_000));
        assert_eq!(p("-12.3"), Some(-123_000));
        assert_eq!(p("1.5E2"), Some(1_500_000));
        assert_eq!(p("1.23456"), Some(12_346));
        assert_eq!(p("abc"), None);
        assert_eq!(p("\"12\""), None);
        // Absurd exponents are rejected, never overflow.
        assert_eq!(p("1e2147483647"), None);
        assert_eq!(p("1e-2147483648"), Some(0));
        assert_eq!(p("1e-99999"), Some(0));
        assert_eq!(p("1e99999"), None);
        assert_eq!(Amount(1_269_900).to_decimal_string(), "126.99");
        assert_eq!(Amount(5_500_000).to_decimal_string(), "550.00");
        assert_eq!(Amount(-12_345).to_decimal_string(), "-1.2345");
        // 0.1 + 0.2 is exactly 0.3 in fixed point.
        assert_eq!(p("0.1").unwrap() + p("0.2").unwrap(), p("0.3").unwrap());
    }

    #[test]
    fn peek_reads_first_key_only() {
        assert_eq!(
            peek_resource_type(br#"{"resourceType":"Patient","id":"1"}"#),
            Some("Patient")
        );
        assert_eq!(
            peek_resource_type(b"{\n  \"resourceType\" : \"Bundle\""),
            Some("Bundle")
        );
        assert_eq!(
            peek_resource_type(br#"{"id":"1","resourceType":"Patient"}"#),
            None
        );
        assert_eq!(peek_resource_type(b"[1]"), None);
    }
}
