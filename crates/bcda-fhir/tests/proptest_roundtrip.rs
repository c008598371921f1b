//! Property tests: generated resources serialize, parse back, and compare equal, both as typed
//! values and as JSON text (decimals, escapes, partial dates, `_field` alignment, choices).

use bcda_fhir::json::Writer;
use bcda_fhir::r4::{self, ExplanationOfBenefit, Patient};
use bcda_fhir::runtime::IntoOwned;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    // Non-empty, with quotes, backslashes, control characters and non-ASCII.
    proptest::string::string_regex("[a-zA-Z0-9 \"\\\\/é漢\u{1}\n\t-]{1,12}")
        .unwrap()
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn decimal() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0u64..1_000_000,
        0usize..4,
        proptest::option::of(-3i32..3),
    )
        .prop_map(|(neg, int, frac, exp)| {
            let mut s = String::new();
            if neg {
                s.push('-');
            }
            s.push_str(&int.to_string());
            if frac > 0 {
                s.push('.');
                s.push_str(&"0123"[..frac]);
            }
            if let Some(e) = exp {
                s.push_str(&format!("e{e}"));
            }
            s
        })
}

fn date() -> impl Strategy<Value = String> {
    (1900u32..2030, 1u32..13, 1u32..29, 0usize..3).prop_map(|(y, m, d, parts)| match parts {
        0 => format!("{y}"),
        1 => format!("{y}-{m:02}"),
        _ => format!("{y}-{m:02}-{d:02}"),
    })
}

fn extension(w: &mut Writer, url: &str, value: &str) {
    w.begin_object();
    w.key("url");
    w.string(url);
    w.key("valueString");
    w.string(value);
    w.end_object();
}

prop_compose! {
    fn patient_json()(
        id in "[A-Za-z0-9.-]{1,20}",
        given in proptest::collection::vec(proptest::option::of(text()), 1..4),
        family in text(),
        birth in date(),
        gender in prop_oneof![Just("male"), Just("female"), Just("other"), Just("unknown")],
        ext_on_gender in any::<bool>(),
        deceased in proptest::option::of(any::<bool>()),
    ) -> String {
        let mut w = Writer::new();
        w.begin_object();
        w.key("resourceType"); w.string("Patient");
        w.key("id"); w.string(&id);
        w.key("name"); w.begin_array(); w.begin_object();
        w.key("family"); w.string(&family);
        let any_value = given.iter().any(Option::is_some);
        if any_value {
            w.key("given"); w.begin_array();
            for g in &given { match g { Some(s) => w.string(s), None => w.null() } }
            w.end_array();
        }
        if given.iter().any(Option::is_none) {
            w.key("_given"); w.begin_array();
            for g in &given {
                match g {
                    Some(_) => w.null(),
                    None => { w.begin_object(); w.key("extension"); w.begin_array(); extension(&mut w, "http://example.org/absent", "masked"); w.end_array(); w.end_object(); }
                }
            }
            w.end_array();
        }
        w.end_object(); w.end_array();
        w.key("gender"); w.string(gender);
        if ext_on_gender {
            w.key("_gender"); w.begin_object(); w.key("id"); w.string("g"); w.end_object();
        }
        w.key("birthDate"); w.string(&birth);
        if let Some(d) = deceased { w.key("deceasedBoolean"); w.boolean(d); }
        w.end_object();
        w.into_string()
    }
}

prop_compose! {
    fn eob_json()(
        amounts in proptest::collection::vec(decimal(), 1..6),
        npi in "[0-9]{10}",
        code in text(),
    ) -> String {
        let mut w = Writer::new();
        w.begin_object();
        w.key("resourceType"); w.string("ExplanationOfBenefit");
        w.key("status"); w.string("active");
        w.key("type"); w.begin_object(); w.key("text"); w.string(&code); w.end_object();
        w.key("use"); w.string("claim");
        w.key("patient"); w.begin_object(); w.key("reference"); w.string("Patient/-1"); w.end_object();
        w.key("created"); w.string("2021-01-01T00:00:00Z");
        w.key("insurer"); w.begin_object(); w.key("identifier"); w.begin_object(); w.key("value"); w.string(&npi); w.end_object(); w.end_object();
        w.key("provider"); w.begin_object(); w.key("display"); w.string(&code); w.end_object();
        w.key("outcome"); w.string("complete");
        w.key("insurance"); w.begin_array(); w.begin_object(); w.key("focal"); w.boolean(true);
        w.key("coverage"); w.begin_object(); w.key("reference"); w.string("Coverage/c"); w.end_object(); w.end_object(); w.end_array();
        w.key("item"); w.begin_array();
        for (i, a) in amounts.iter().enumerate() {
            w.begin_object();
            w.key("sequence"); w.integer(i as i64 + 1);
            w.key("productOrService"); w.begin_object(); w.key("text"); w.string(&code); w.end_object();
            w.key("adjudication"); w.begin_array(); w.begin_object();
            w.key("category"); w.begin_object(); w.key("text"); w.string("paid"); w.end_object();
            w.key("amount"); w.begin_object(); w.key("value"); w.raw(a); w.key("currency"); w.string("USD"); w.end_object();
            w.end_object(); w.end_array();
            w.end_object();
        }
        w.end_array();
        w.end_object();
        w.into_string()
    }
}

proptest! {
    #[test]
    fn patients_round_trip(json in patient_json()) {
        let p = Patient::from_json(&json).unwrap();
        let out = p.to_json();
        prop_assert_eq!(&out, &json);
        let again = Patient::from_json(&out).unwrap();
        prop_assert_eq!(&again, &p);
        prop_assert_eq!(again.clone().into_owned(), p.clone().into_owned());
    }

    #[test]
    fn eobs_round_trip_with_exact_decimals(json in eob_json()) {
        let e = ExplanationOfBenefit::from_json(&json).unwrap();
        prop_assert_eq!(e.to_json(), json.clone());
        prop_assert!(e.validate().is_empty(), "{:?}", e.validate());
        let r = r4::Resource::from_json(&json).unwrap();
        prop_assert_eq!(r.to_json(), json);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = r4::Resource::from_slice(&bytes, bcda_fhir::runtime::ParseOptions::lenient());
        let _ = bcda_fhir::stu3::Resource::from_slice(&bytes, bcda_fhir::runtime::ParseOptions::strict());
    }
}
