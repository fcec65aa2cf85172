//! Compiles every pass fixture into Rust for the equivalence tests: once fully levelled (the
//! default), and once without levelling for the negative controls.

use std::path::Path;

use pc_dsl::{Config, Levelling};

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let fixtures = Path::new("fixtures/pass");
    println!("cargo:rerun-if-changed={}", fixtures.display());
    let mut entries: Vec<_> = std::fs::read_dir(fixtures)
        .expect("the pass fixtures folder exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pcg"))
        .collect();
    entries.sort();

    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("model");
        let source = std::fs::read_to_string(&path).expect("fixtures are readable");
        let variants = [("", Levelling::Full), ("_unlevelled", Levelling::Off)];
        for (suffix, levelling) in variants {
            let config = Config::new().levelling(levelling);
            let name = path.display().to_string();
            let compiled = match pc_dsl::compile(&source, &config) {
                Ok(compiled) => compiled,
                Err(diagnostics) => {
                    eprint!("{}", pc_dsl::diag::render_all(&diagnostics, &name, &source));
                    std::process::exit(1);
                }
            };
            let file_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("model.pcg");
            let rust = compiled.rust(file_name, &config);
            let target = Path::new(&out_dir).join(format!("{stem}{suffix}.rs"));
            std::fs::write(&target, rust).expect("OUT_DIR is writable");
        }
    }
}
