//! Runs one target's check on files, without the fuzzer (a crash artifact, a corpus entry):
//! `cargo run -p bcda-fuzz-targets --example replay -- TARGET FILE...`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(target) = args.next() else {
        eprintln!("usage: replay TARGET FILE...");
        std::process::exit(2);
    };
    let Some(check) = bcda_fuzz_targets::check_of(&target) else {
        eprintln!("unknown target {target}");
        std::process::exit(2);
    };
    let mut failed = 0;
    for path in args {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        match std::panic::catch_unwind(|| check(&data)) {
            Ok(()) => println!("ok    {path}"),
            Err(_) => {
                println!("FAIL  {path}");
                failed += 1;
            }
        }
    }
    std::process::exit(i32::from(failed > 0));
}
