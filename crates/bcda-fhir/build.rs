//! Generates the FHIR models into OUT_DIR from `fhir-specs/` (no network, deterministic).

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let specs = manifest.join("../../fhir-specs");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let all = std::env::var_os("CARGO_FEATURE_ALL_RESOURCES").is_some();
    for module in ["stu3", "r4"] {
        println!("cargo:rerun-if-changed={}", specs.join(module).display());
        if std::env::var_os(format!("CARGO_FEATURE_{}", module.to_uppercase())).is_none() {
            continue;
        }
        let resources = if all {
            None
        } else {
            Some(bcda_codegen::default_resources())
        };
        let code = bcda_codegen::generate_module(&specs, module, resources)
            .unwrap_or_else(|e| panic!("generating {module}: {e}"));
        std::fs::write(out.join(format!("{module}.rs")), code).expect("write generated module");
    }
    if std::env::var_os("CARGO_FEATURE_CARIN_BB").is_some() {
        let dir = "carin-bb-1.1.0";
        println!("cargo:rerun-if-changed={}", specs.join(dir).display());
        let code = bcda_codegen::generate_profiles(&specs, dir)
            .unwrap_or_else(|e| panic!("generating {dir}: {e}"));
        std::fs::write(out.join("carin_bb.rs"), code).expect("write generated profiles");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
