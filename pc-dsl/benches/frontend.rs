//! Speed of the compiler on a generated 1,000-vertex model: parse, lower and check, then the
//! whole pipeline through generated Rust.
//!
//! Run with `cargo bench -p pc-dsl --bench frontend`. The model is a ladder: every vertex
//! reads the one before it through one of ten weights and the one before that through a
//! shared weight, so levelling inserts an identity vertex per vertex and the Z-IL schedule is
//! 1,000 steps deep. The target is under 50 ms for parse, lower and check.

use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode};
use pc_dsl::Config;

mod common;
use common::time;

/// The number of `node` vertices of the generated model.
const VERTICES: usize = 1000;

/// How many times parse, lower and check are timed for the printed figure.
const CHECK_ROUNDS: usize = 20;

/// How many times the whole pipeline is timed for the printed figure.
const COMPILE_ROUNDS: usize = 5;

fn main() {
    let source = ladder(VERTICES);
    let checked = pc_dsl::check(&source);
    assert!(
        checked.diagnostics.is_empty() && checked.graphs.len() == 1,
        "the generated model must check cleanly: {:?}",
        checked.diagnostics
    );
    let config = Config::new();
    assert!(
        pc_dsl::compile(&source, &config).is_ok(),
        "the generated model must compile"
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("frontend");
    // Flat sampling: each call takes milliseconds to seconds, too long for a linear ramp.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(30);
    group.bench_function("parse", |b| {
        b.iter(|| pc_dsl::syntax::parse(black_box(&source)))
    });
    group.bench_function("check", |b| b.iter(|| pc_dsl::check(black_box(&source))));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("compile_rust", |b| {
        b.iter(|| compile_rust(black_box(&source), &config))
    });
    group.finish();

    if common::measuring() {
        let check = time(CHECK_ROUNDS, || drop(pc_dsl::check(&source)));
        let compile = time(COMPILE_ROUNDS, || drop(compile_rust(&source, &config)));
        println!(
            "frontend: {VERTICES} vertices, {} bytes of source; parse + lower + check {} \
             (target < 50 ms); compile + rust() {}",
            source.len(),
            check,
            compile,
        );
    }
    criterion.final_summary();
}

/// The whole pipeline: the generated Rust of the model.
fn compile_rust(source: &str, config: &Config) -> String {
    match pc_dsl::compile(source, config) {
        Ok(compiled) => compiled.rust("ladder.pcg", config),
        Err(diagnostics) => panic!("the generated model must compile: {diagnostics:?}"),
    }
}

/// A model of `count` tanh vertices, each reading the previous two, and one loss.
fn ladder(count: usize) -> String {
    let mut text = String::from(
        "/// A generated ladder for the front-end benchmark.\n\
         model Ladder {\n    dim B;\n    const W = 8;\n\n    input  x: [B, W];\n    \
         target y: [B, W];\n\n    param u: [W, W] = normal(0.1);\n",
    );
    for i in 0..10 {
        let _ = writeln!(text, "    param w{i}: [W, W] = xavier;");
    }
    text.push_str("\n    node v0 = tanh(x @ w0);\n    node v1 = tanh(v0 @ w1 + x @ u);\n");
    for i in 2..count {
        let _ = writeln!(
            text,
            "    node v{i} = tanh(v{} @ w{} + v{} @ u);",
            i - 1,
            i % 10,
            i - 2
        );
    }
    let _ = writeln!(text, "\n    loss mse(v{}, y);\n}}", count - 1);
    text
}
