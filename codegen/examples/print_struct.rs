//! Prints the generated Rust code of one type, e.g.
//! `cargo run -p bcda-codegen --example print_struct -- r4 Period`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (module, name) = match &args[..] {
        [m, n] => (m.as_str(), n.as_str()),
        _ => {
            eprintln!("usage: print_struct stu3|r4 TypeName");
            std::process::exit(2);
        }
    };
    let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fhir-specs");
    let code = bcda_codegen::generate_module(&specs, module, None).expect("generate");
    let start = format!("pub struct {name}<'a> {{");
    let Some(pos) = code.find(&start) else {
        eprintln!("no struct {name} in {module}");
        std::process::exit(1);
    };
    // Back up to the doc comment, print until the IntoOwned impl ends.
    let from = code[..pos].rfind("/// FHIR").unwrap_or(pos);
    let end = code[pos..]
        .find("impl IntoOwned")
        .map(|e| pos + e)
        .unwrap_or(code.len());
    println!("{}", &code[from..end]);
}
