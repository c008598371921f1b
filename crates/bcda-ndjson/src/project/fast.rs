//! The fast lane of the projected path: the same [`Resource`] values as the serde_json
//! decoders in the parent module, built from a [`scan::Index`](crate::scan::Index) instead.
//!
//! Contract: whenever this lane returns a value, the serde_json decoder would return an equal
//! one for the same line (tests compare them on every sample line and on mutated lines).
//! Anything unusual (an escape, a `null` or a wrong JSON type in a projected field, a field
//! given twice, an amount that is not an exact decimal) makes it give up, and the caller runs
//! the serde_json decoder, which accepts the line or reports its problem with a location.

use std::marker::PhantomData;

use super::{
    Address, Amount, CareTeam, CategoryAmount, Coding, Coverage, CoverageClass, Diagnosis, Eob,
    Extension, Grouping, Identifier, Items, Money, Patient, Payment, Period, Pick, Picked,
    Reference, Resource, Str,
};
use crate::scan::{Bail, Cursor, Fast, Index};

/// Marks field `bit` as seen; a second time gives up (serde's derive rejects duplicates).
fn once(seen: &mut u32, bit: u32) -> Fast<()> {
    if *seen & (1 << bit) != 0 {
        return Err(Bail);
    }
    *seen |= 1 << bit;
    Ok(())
}

fn string<'a>(c: &mut Cursor<'a, '_>) -> Fast<Str<'a>> {
    c.string().map(Str)
}

fn coding<'a>(c: &mut Cursor<'a, '_>) -> Fast<Coding<'a>> {
    let mut out = Coding {
        system: None,
        code: None,
    };
    let mut seen = 0;
    c.object(|c, key| match key {
        b"system" => {
            once(&mut seen, 0)?;
            out.system = Some(string(c)?);
            Ok(())
        }
        b"code" => {
            once(&mut seen, 1)?;
            out.code = Some(string(c)?);
            Ok(())
        }
        _ => c.skip(),
    })?;
    Ok(out)
}

/// A `CodeableConcept` reduced to its best coding (see [`Picked`]).
fn picked<'a, P: Pick>(c: &mut Cursor<'a, '_>) -> Fast<Picked<'a, P>> {
    let mut out = Picked {
        system: None,
        code: None,
        _pick: PhantomData,
    };
    c.object(|c, key| {
        if key != b"coding" {
            return c.skip();
        }
        let mut best = None;
        let mut best_score = 0;
        c.array(|c| {
            let k = coding(c)?;
            let score = P::score(k.system.as_deref(), k.code.as_deref());
            if score > best_score {
                best_score = score;
                best = Some((k.system, k.code));
            }
            Ok(())
        })?;
        if let Some((system, code)) = best {
            out.system = system;
            out.code = code;
        }
        Ok(())
    })?;
    Ok(out)
}

fn identifier<'a>(c: &mut Cursor<'a, '_>) -> Fast<Identifier<'a>> {
    let mut out = Identifier {
        system: None,
        value: None,
        id_type: None,
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"system" => {
                once(&mut seen, 0)?;
                out.system = Some(string(c)?);
            }
            b"value" => {
                once(&mut seen, 1)?;
                out.value = Some(string(c)?);
            }
            b"type" => {
                once(&mut seen, 2)?;
                out.id_type = Some(picked(c)?);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn reference<'a>(c: &mut Cursor<'a, '_>) -> Fast<Reference<'a>> {
    let mut out = Reference {
        reference: None,
        identifier: None,
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"reference" => {
                once(&mut seen, 0)?;
                out.reference = Some(string(c)?);
            }
            b"identifier" => {
                once(&mut seen, 1)?;
                out.identifier = Some(identifier(c)?);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn period<'a>(c: &mut Cursor<'a, '_>) -> Fast<Period<'a>> {
    let mut out = Period {
        start: None,
        end: None,
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"start" => {
                once(&mut seen, 0)?;
                out.start = Some(string(c)?);
            }
            b"end" => {
                once(&mut seen, 1)?;
                out.end = Some(string(c)?);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn money(c: &mut Cursor<'_, '_>) -> Fast<Money> {
    let mut out = Money { value: None };
    let mut seen = 0;
    c.object(|c, key| {
        if key != b"value" {
            return c.skip();
        }
        once(&mut seen, 0)?;
        let text = c.number()?;
        out.value = Some(Amount::parse(text.as_bytes()).ok_or(Bail)?);
        Ok(())
    })?;
    Ok(out)
}

fn category_amount<'a>(c: &mut Cursor<'a, '_>) -> Fast<CategoryAmount<'a>> {
    let mut out = CategoryAmount {
        category: None,
        amount: None,
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"category" => {
                once(&mut seen, 0)?;
                out.category = Some(picked::<super::CategoryPick>(c)?);
            }
            b"amount" => {
                once(&mut seen, 1)?;
                out.amount = Some(money(c)?);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn items<'a>(c: &mut Cursor<'a, '_>) -> Fast<Items<'a>> {
    let mut acc = Items::default();
    c.array(|c| {
        c.object(|c, key| match key {
            b"productOrService" | b"service" => {
                let p = picked::<super::ServicePick>(c)?;
                if let (Some(system), Some(code)) = (p.system, p.code) {
                    acc.services.push((system, code));
                }
                Ok(())
            }
            b"servicedDate" => {
                let d = string(c)?;
                if acc.first_date.is_none() {
                    acc.first_date = Some(d);
                }
                Ok(())
            }
            b"servicedPeriod" => {
                let p = period(c)?;
                if acc.first_date.is_none() {
                    acc.first_date = p.start;
                }
                Ok(())
            }
            b"adjudication" => c.array(|c| {
                let adj = category_amount(c)?;
                if let Some(v) = adj.amount.and_then(|m| m.value) {
                    acc.adjudication
                        .push((adj.category.and_then(|k| k.code), v));
                }
                Ok(())
            }),
            _ => c.skip(),
        })?;
        acc.count += 1;
        Ok(())
    })?;
    Ok(acc)
}

fn list<'a, T>(
    c: &mut Cursor<'a, '_>,
    one: for<'t> fn(&mut Cursor<'a, 't>) -> Fast<T>,
) -> Fast<Vec<T>> {
    let mut out = Vec::new();
    c.array(|c| {
        out.push(one(c)?);
        Ok(())
    })?;
    Ok(out)
}

fn diagnosis<'a>(c: &mut Cursor<'a, '_>) -> Fast<Diagnosis<'a>> {
    let mut out = Diagnosis { concept: None };
    let mut seen = 0;
    c.object(|c, key| {
        if key != b"diagnosisCodeableConcept" {
            return c.skip();
        }
        once(&mut seen, 0)?;
        out.concept = Some(picked(c)?);
        Ok(())
    })?;
    Ok(out)
}

fn care_team<'a>(c: &mut Cursor<'a, '_>) -> Fast<CareTeam<'a>> {
    let mut out = CareTeam { provider: None };
    let mut seen = 0;
    c.object(|c, key| {
        if key != b"provider" {
            return c.skip();
        }
        once(&mut seen, 0)?;
        out.provider = Some(reference(c)?);
        Ok(())
    })?;
    Ok(out)
}

fn payment(c: &mut Cursor<'_, '_>) -> Fast<Payment> {
    let mut out = Payment { amount: None };
    let mut seen = 0;
    c.object(|c, key| {
        if key != b"amount" {
            return c.skip();
        }
        once(&mut seen, 0)?;
        out.amount = Some(money(c)?);
        Ok(())
    })?;
    Ok(out)
}

fn eob<'a>(c: &mut Cursor<'a, '_>) -> Fast<Eob<'a>> {
    let mut out = Eob {
        resource_type: None,
        id: None,
        status: None,
        claim_type: None,
        patient: None,
        billable_period: None,
        payment: None,
        total: Vec::new(),
        total_cost: None,
        item: Items::default(),
        diagnosis: Vec::new(),
        care_team: Vec::new(),
        provider: None,
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"resourceType" => {
                once(&mut seen, 0)?;
                out.resource_type = Some(string(c)?);
            }
            b"id" => {
                once(&mut seen, 1)?;
                out.id = Some(string(c)?);
            }
            b"type" => {
                once(&mut seen, 2)?;
                out.claim_type = Some(picked(c)?);
            }
            b"patient" => {
                once(&mut seen, 3)?;
                out.patient = Some(reference(c)?);
            }
            b"billablePeriod" => {
                once(&mut seen, 4)?;
                out.billable_period = Some(period(c)?);
            }
            b"payment" => {
                once(&mut seen, 5)?;
                out.payment = Some(payment(c)?);
            }
            b"total" => {
                once(&mut seen, 6)?;
                out.total = list(c, category_amount)?;
            }
            b"totalCost" => {
                once(&mut seen, 7)?;
                out.total_cost = Some(money(c)?);
            }
            b"item" => {
                once(&mut seen, 8)?;
                out.item = items(c)?;
            }
            b"diagnosis" => {
                once(&mut seen, 9)?;
                out.diagnosis = list(c, diagnosis)?;
            }
            b"careTeam" => {
                once(&mut seen, 10)?;
                out.care_team = list(c, care_team)?;
            }
            b"provider" => {
                once(&mut seen, 11)?;
                out.provider = Some(reference(c)?);
            }
            b"status" => {
                once(&mut seen, 12)?;
                out.status = Some(string(c)?);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn address<'a>(c: &mut Cursor<'a, '_>) -> Fast<Address<'a>> {
    let mut out = Address { state: None };
    let mut seen = 0;
    c.object(|c, key| {
        if key != b"state" {
            return c.skip();
        }
        once(&mut seen, 0)?;
        out.state = Some(string(c)?);
        Ok(())
    })?;
    Ok(out)
}

fn patient<'a>(c: &mut Cursor<'a, '_>) -> Fast<Patient<'a>> {
    let mut out = Patient {
        resource_type: None,
        id: None,
        gender: None,
        birth_date: None,
        address: Vec::new(),
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"resourceType" => {
                once(&mut seen, 0)?;
                out.resource_type = Some(string(c)?);
            }
            b"id" => {
                once(&mut seen, 1)?;
                out.id = Some(string(c)?);
            }
            b"gender" => {
                once(&mut seen, 2)?;
                out.gender = Some(string(c)?);
            }
            b"birthDate" => {
                once(&mut seen, 3)?;
                out.birth_date = Some(string(c)?);
            }
            b"address" => {
                once(&mut seen, 4)?;
                out.address = list(c, address)?;
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn coverage_class<'a>(c: &mut Cursor<'a, '_>) -> Fast<CoverageClass<'a>> {
    let mut out = CoverageClass {
        class_type: None,
        value: None,
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"type" => {
                once(&mut seen, 0)?;
                out.class_type = Some(picked(c)?);
            }
            b"value" => {
                once(&mut seen, 1)?;
                out.value = Some(string(c)?);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn grouping<'a>(c: &mut Cursor<'a, '_>) -> Fast<Grouping<'a>> {
    let mut out = Grouping { sub_plan: None };
    let mut seen = 0;
    c.object(|c, key| {
        if key != b"subPlan" {
            return c.skip();
        }
        once(&mut seen, 0)?;
        out.sub_plan = Some(string(c)?);
        Ok(())
    })?;
    Ok(out)
}

fn extension<'a>(c: &mut Cursor<'a, '_>) -> Fast<Extension<'a>> {
    let mut out = Extension {
        url: None,
        value_coding: None,
        value_date: None,
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"url" => {
                once(&mut seen, 0)?;
                out.url = Some(string(c)?);
            }
            b"valueCoding" => {
                once(&mut seen, 1)?;
                out.value_coding = Some(coding(c)?);
            }
            b"valueDate" => {
                once(&mut seen, 2)?;
                out.value_date = Some(string(c)?);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

fn coverage<'a>(c: &mut Cursor<'a, '_>) -> Fast<Coverage<'a>> {
    let mut out = Coverage {
        resource_type: None,
        id: None,
        beneficiary: None,
        period: None,
        class: Vec::new(),
        grouping: None,
        extension: Vec::new(),
    };
    let mut seen = 0;
    c.object(|c, key| {
        match key {
            b"resourceType" => {
                once(&mut seen, 0)?;
                out.resource_type = Some(string(c)?);
            }
            b"id" => {
                once(&mut seen, 1)?;
                out.id = Some(string(c)?);
            }
            b"beneficiary" => {
                once(&mut seen, 2)?;
                out.beneficiary = Some(reference(c)?);
            }
            b"period" => {
                once(&mut seen, 3)?;
                out.period = Some(period(c)?);
            }
            b"class" => {
                once(&mut seen, 4)?;
                out.class = list(c, coverage_class)?;
            }
            b"grouping" => {
                once(&mut seen, 5)?;
                out.grouping = Some(grouping(c)?);
            }
            b"extension" => {
                once(&mut seen, 6)?;
                out.extension = list(c, extension)?;
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(out)
}

/// The resource type a line most likely has, without parsing it: the first key's value
/// (BFD's order), else the file's type, else the value of the last `"resourceType"` key in the
/// line (BCDA sorts keys alphabetically: the top-level one comes after `contained` resources).
/// Only a guess: the decoded `resourceType` is checked against it.
fn guess_resource_type<'a>(line: &'a [u8], expected: Option<&'a str>) -> Option<&'a str> {
    if let Some(rt) = super::peek_resource_type(line) {
        return Some(rt);
    }
    if expected.is_some() {
        return expected;
    }
    let key = memchr::memmem::rfind(line, b"\"resourceType\"")?;
    super::peek_resource_type_at(line, key)
}

/// Decodes one line of an ExplanationOfBenefit, Patient or Coverage (whichever
/// [`guess_resource_type`] says, and equal to `expected` when a file type is known) through
/// the fast lane; `None` means "use the serde_json decoder". Key order does not matter.
/// `prepared`: `index` holds [`Index::scan_line`]'s work on this line.
pub(super) fn decode<'a>(
    line: &'a [u8],
    expected: Option<&str>,
    index: &mut Index,
    prepared: bool,
) -> Option<Resource<'a>> {
    let rt = guess_resource_type(line, expected)?;
    if expected.is_some_and(|e| e != rt) {
        return None;
    }
    let text = if prepared {
        index.line_str(line)
    } else {
        index.build_str(line)
    }
    .ok()?;
    let mut c = index.cursor(text);
    // The decoded resourceType must be the guess; anything else is left to serde_json.
    let is = |t: &Option<Str<'_>>| t.as_deref() == Some(rt);
    let res = match rt {
        "ExplanationOfBenefit" => {
            let e = eob(&mut c).ok()?;
            is(&e.resource_type).then(|| Resource::Eob(Box::new(e)))?
        }
        "Patient" => {
            let p = patient(&mut c).ok()?;
            is(&p.resource_type).then_some(Resource::Patient(p))?
        }
        "Coverage" => {
            let v = coverage(&mut c).ok()?;
            is(&v.resource_type).then_some(Resource::Coverage(v))?
        }
        _ => return None,
    };
    if !c.at_end() {
        return None;
    }
    Some(res)
}

#[cfg(test)]
mod tests {
    use super::super::{Coverage, Eob, Other, Patient, Resource};
    use super::decode;
    use crate::scan::Index;
    use bcda_synth::{sandbox_catalogue, FhirVersion, Generator, ResourceKind};
    use proptest::prelude::*;

    /// What the serde_json decoders make of a line (the reference).
    fn reference(line: &[u8]) -> Option<String> {
        let text = std::str::from_utf8(line).ok()?;
        let other: Other<'_> = serde_json::from_str(text).ok()?;
        let r = match other.resource_type?.as_ref() {
            "ExplanationOfBenefit" => {
                let v: Eob<'_> = serde_json::from_str(text).ok()?;
                (v.resource_type.as_deref() == Some("ExplanationOfBenefit"))
                    .then(|| Resource::Eob(Box::new(v)))?
            }
            "Patient" => {
                let v: Patient<'_> = serde_json::from_str(text).ok()?;
                (v.resource_type.as_deref() == Some("Patient")).then_some(Resource::Patient(v))?
            }
            "Coverage" => {
                let v: Coverage<'_> = serde_json::from_str(text).ok()?;
                (v.resource_type.as_deref() == Some("Coverage")).then_some(Resource::Coverage(v))?
            }
            _ => return None,
        };
        Some(format!("{r:?}"))
    }

    fn fast(line: &[u8]) -> Option<String> {
        decode(line, None, &mut Index::new(), false).map(|r| format!("{r:?}"))
    }

    /// Lines of a small synthetic export: every claim type, Patient and Coverage, v1 and v2.
    fn synthetic_lines() -> Vec<Vec<u8>> {
        let spec = sandbox_catalogue()
            .into_iter()
            .find(|a| a.spec.cms_id == "A9994")
            .expect("A9994")
            .spec;
        let g = Generator::new(&spec, 1_767_225_600);
        let benes: Vec<u32> = g.current_beneficiaries().into_iter().take(12).collect();
        let mut lines = Vec::new();
        for version in [FhirVersion::Stu3, FhirVersion::R4] {
            for kind in [
                ResourceKind::Patient,
                ResourceKind::Coverage,
                ResourceKind::ExplanationOfBenefit,
            ] {
                let mut out = Vec::new();
                g.write_ndjson(version, kind, &benes, None, 1_767_225_600, &mut out)
                    .expect("generate");
                lines.extend(
                    out.split(|&b| b == b'\n')
                        .filter(|l| !l.is_empty())
                        .map(<[u8]>::to_vec),
                );
            }
        }
        lines
    }

    /// NDJSON lines of the shared samples (when `../shared` is present).
    fn sample_lines() -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
        let mut lines = Vec::new();
        for sub in ["v1", "v2"] {
            let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "ndjson") {
                    let data = std::fs::read(&p).expect("read sample");
                    lines.extend(
                        data.split(|&b| b == b'\n')
                            .filter(|l| !l.is_empty())
                            .map(<[u8]>::to_vec),
                    );
                }
            }
        }
        lines
    }

    #[test]
    fn every_synthetic_line_takes_the_fast_lane_and_equals_serde() {
        let lines = synthetic_lines();
        assert!(lines.len() > 100, "{} lines", lines.len());
        for line in &lines {
            let want = reference(line);
            assert!(want.is_some(), "serde_json refused a synthetic line");
            assert_eq!(fast(line), want, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn sample_lines_agree_with_serde() {
        for line in sample_lines() {
            if let Some(got) = fast(&line) {
                assert_eq!(
                    Some(got),
                    reference(&line),
                    "{}",
                    String::from_utf8_lossy(&line)
                );
            }
        }
    }

    #[test]
    fn status_is_decoded_on_the_fast_lane_as_by_serde() {
        let line = br#"{"resourceType":"ExplanationOfBenefit","id":"1","status":"cancelled"}"#;
        let got = decode(line, None, &mut Index::new(), false);
        let Some(Resource::Eob(eob)) = got else {
            panic!("the fast lane takes the line: {got:?}")
        };
        assert_eq!(eob.status.as_deref(), Some("cancelled"));
        assert_eq!(fast(line), reference(line));
        // A duplicate status: serde rejects it, so does the fast lane.
        let twice =
            br#"{"resourceType":"ExplanationOfBenefit","status":"active","status":"cancelled"}"#;
        assert_eq!(fast(twice), None);
        assert_eq!(reference(twice), None);
    }

    #[test]
    fn unusual_but_valid_lines_go_to_serde() {
        let eob = br#"{"resourceType":"ExplanationOfBenefit","id":"1","payment":{"amount":{"value":1.5}}}"#;
        assert!(fast(eob).is_some());
        for line in [
            // a duplicate projected field: serde rejects it, so must the fast lane
            &br#"{"resourceType":"ExplanationOfBenefit","id":"1","id":"2"}"#[..],
            // null in a projected field
            br#"{"resourceType":"ExplanationOfBenefit","payment":null}"#,
            // an escaped key, an invalid escape, a lone surrogate
            br#"{"resourceType":"ExplanationOfBenefit","\u0069d":"1"}"#,
            br#"{"resourceType":"ExplanationOfBenefit","id":"a\qb"}"#,
            br#"{"resourceType":"ExplanationOfBenefit","id":"\ud800"}"#,
            // a resourceType that is not the guess (first key, else the file's type)
            br#"{"resourceType":"Patient","resourceType":"Coverage"}"#,
            // a wrong JSON type
            br#"{"resourceType":"ExplanationOfBenefit","total":{}}"#,
            // an amount that is not a number
            br#"{"resourceType":"ExplanationOfBenefit","payment":{"amount":{"value":"1"}}}"#,
            // trailing bytes
            br#"{"resourceType":"Patient"} {}"#,
        ] {
            assert_eq!(fast(line), None, "{}", String::from_utf8_lossy(line));
        }
        // A file of Patients does not take an EOB line.
        assert!(decode(eob, Some("Patient"), &mut Index::new(), false).is_none());
        let sorted = br#"{"id":"1","payment":{"amount":{"value":1.5}},"resourceType":"Patient"}"#;
        assert!(decode(
            sorted,
            Some("ExplanationOfBenefit"),
            &mut Index::new(),
            false
        )
        .is_none());
    }

    #[test]
    fn every_synthetic_line_sorted_and_escaped_takes_the_fast_lane() {
        for line in synthetic_lines() {
            // Sorted keys at every level (serde_json's map), every `/` escaped, non-ASCII.
            let mut v: serde_json::Value = serde_json::from_slice(&line).unwrap();
            if let Some(id) = v.get_mut("id") {
                *id = serde_json::Value::String(format!("{}’–\"", id.as_str().unwrap()));
            }
            let text = serde_json::to_string(&v).unwrap().replace('/', "\\/");
            let want = reference(text.as_bytes());
            assert!(want.is_some(), "serde_json refused {text}");
            assert_eq!(fast(text.as_bytes()), want, "{text}");
        }
    }

    #[test]
    fn escapes_and_sorted_keys_stay_on_the_fast_lane() {
        for line in [
            r#"{"resourceType":"ExplanationOfBenefit","id":"a\"b\\c\/d\b\f\n\r\t","type":{"coding":[{"system":"https://bluebutton.cms.gov/resources/codesystem/eob-type","code":"CARRIER","display":"\u2019 \u2013 \u003c\u003e\u0026 \uD83D\uDE00 ’ –"}]}}"#.as_bytes(),
            br#"{"billablePeriod":{"end":"2020-01-31","start":"2020-01-01"},"contained":[{"id":"o","resourceType":"Organization"}],"id":"e\u00e9","payment":{"amount":{"value":50}},"resourceType":"ExplanationOfBenefit","type":{"coding":[{"code":"PDE","system":"https://bluebutton.cms.gov/resources/codesystem/eob-type"}]}}"#,
            br#"{"birthDate":"1950-01-01","gender":"female","id":"p\u0031","resourceType":"Patient"}"#,
        ] {
            let want = reference(line);
            assert!(want.is_some(), "serde_json refused {}", String::from_utf8_lossy(line));
            assert_eq!(fast(line), want, "{}", String::from_utf8_lossy(line));
        }
    }

    /// Bytes that matter to JSON, for mutations.
    const SIGNIFICANT: &[u8] = b"{}[]:,\"\\ 0123456789.-+eEtrufalsn\t\n\x01\xc3";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Whatever the fast lane accepts, serde_json accepts with the same value.
        #[test]
        fn mutated_lines_never_disagree(
            pick in 0usize..1000,
            edits in proptest::collection::vec((0.0f64..1.0, 0usize..SIGNIFICANT.len(), 0u8..3), 1..4),
        ) {
            thread_local! {
                static LINES: Vec<Vec<u8>> = {
                    // Short lines keep the mutations meaningful.
                    let mut v = synthetic_lines();
                    v.sort_by_key(Vec::len);
                    v.truncate(200);
                    v
                };
            }
            let mut line = LINES.with(|l| l[pick % l.len()].clone());
            for (at, byte, op) in edits {
                let i = ((line.len() as f64) * at) as usize;
                let b = SIGNIFICANT[byte];
                match op {
                    0 if i < line.len() => line[i] = b,
                    1 => line.insert(i.min(line.len()), b),
                    _ if i < line.len() => {
                        line.remove(i);
                    }
                    _ => {}
                }
            }
            if let Some(got) = fast(&line) {
                prop_assert_eq!(Some(got), reference(&line), "{}", String::from_utf8_lossy(&line));
            }
        }
    }
}
