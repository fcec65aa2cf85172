//! Speed of `pc_model!`'s expansion, in process: the tokens of the pass fixture with the most
//! generated code, through [`pc_dsl::expand::pc_model`].
//!
//! Run with `cargo bench -p pc-dsl --bench expand`. The fixture is chosen when the benchmark
//! starts, by the length of the formatted Rust a build script would write for each fixture of
//! `tests/fixtures/pass`. The tokens come from `proc_macro2`'s own implementation rather than
//! rustc's, so the figure leaves out the conversions at the macro's boundary.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, SamplingMode};
use pc_dsl::Config;
use proc_macro2::TokenStream;

mod common;
use common::time;

/// How many expansions are timed for the printed figure.
const ROUNDS: usize = 30;

fn main() {
    let (path, source, rust_len) = largest_fixture();
    let name = path
        .file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
    let tokens: TokenStream = match source.parse() {
        Ok(tokens) => tokens,
        Err(error) => panic!("`{name}` must be Rust tokens: {error}"),
    };
    let expanded = pc_dsl::expand::pc_model(tokens.clone()).to_string();
    assert!(
        !expanded.contains("compile_error"),
        "`{name}` must expand without errors: {expanded}"
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("expand");
    // Flat sampling: each expansion takes milliseconds, too long for a linear ramp.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(30);
    group.bench_function(&name, |b| {
        b.iter(|| pc_dsl::expand::pc_model(black_box(tokens.clone())))
    });
    group.finish();

    if common::measuring() {
        let expansion = time(ROUNDS, || drop(pc_dsl::expand::pc_model(tokens.clone())));
        println!(
            "expand: `{name}`, {} bytes of source, {rust_len} bytes of formatted Rust, {} bytes \
             of expanded tokens; pc_model {expansion}",
            source.len(),
            expanded.len(),
        );
    }
    criterion.final_summary();
}

/// The pass fixture whose generated Rust is longest: its path, its text and that length.
fn largest_fixture() -> (PathBuf, String, usize) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pass");
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(error) => panic!("`{}` must be readable: {error}", folder.display()),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pcg"))
        .collect();
    paths.sort();

    let config = Config::new();
    let mut largest: Option<(PathBuf, String, usize)> = None;
    for path in paths {
        let source = match std::fs::read_to_string(&path) {
            Ok(source) => source,
            Err(error) => panic!("`{}` must be readable: {error}", path.display()),
        };
        let rust_len = match pc_dsl::compile(&source, &config) {
            Ok(compiled) => compiled.rust("fixture.pcg", &config).len(),
            Err(diagnostics) => panic!("`{}` must compile: {diagnostics:?}", path.display()),
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("fixture `{name}`: {rust_len} bytes of formatted Rust");
        if largest.as_ref().is_none_or(|(_, _, len)| rust_len > *len) {
            largest = Some((path, source, rust_len));
        }
    }
    match largest {
        Some(largest) => largest,
        None => panic!("`{}` holds no fixture", folder.display()),
    }
}
