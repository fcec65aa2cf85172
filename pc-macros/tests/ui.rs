//! The macro through rustc: every kind of mistake gives its errors on the right tokens (the
//! `.stderr` files pin them), and good models compile and run.

use std::path::Path;

#[test]
fn ui() {
    copy_models();
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}

/// trybuild compiles the cases as a crate of its own in `<target>/tests/trybuild/pc-macros`,
/// and `pc_model!(file = ...)` reads paths relative to the manifest of the crate it is
/// compiled in: the `.pcg` files the cases read are copied there, from the fixtures.
fn copy_models() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the temporary folder is in the target folder");
    let models = target.join("tests/trybuild/pc-macros/models");
    std::fs::create_dir_all(&models).expect("the target folder is writable");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    for fixture in ["pass/rnn.pcg", "fail/unknown_name.pcg"] {
        let from = fixtures.join(fixture);
        let name = from.file_name().expect("fixtures are files");
        std::fs::copy(&from, models.join(name)).expect("the fixtures are readable");
    }
}
