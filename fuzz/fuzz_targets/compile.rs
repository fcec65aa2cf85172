//! Arbitrary bytes, read as UTF-8 lossily, through the whole compiler: it must return a result
//! or diagnostics that lie inside the input, and never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pc_dsl::{Config, Diagnostic};

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let config = Config::new();
    match pc_dsl::compile(&source, &config) {
        Ok(compiled) => {
            assert_inside(&compiled.warnings, &source);
            let rust = compiled.rust("fuzz.pcg", &config);
            if let Err(error) = syn::parse_file(&rust) {
                panic!("the generated Rust does not parse: {error}");
            }
        }
        Err(diagnostics) => {
            assert!(
                diagnostics.iter().any(Diagnostic::is_error),
                "failed without an error"
            );
            assert_inside(&diagnostics, &source);
        }
    }
});

/// Every span, primary and secondary, is a range of whole characters of the source.
fn assert_inside(diagnostics: &[Diagnostic], source: &str) {
    for diagnostic in diagnostics {
        let spans =
            std::iter::once(diagnostic.span).chain(diagnostic.labels.iter().map(|l| l.span));
        for span in spans {
            assert!(
                source.get(span.range()).is_some(),
                "span {span:?} of `{diagnostic}` is not inside the {} bytes of input",
                source.len()
            );
        }
        let _ = diagnostic.render("fuzz.pcg", source);
    }
}
