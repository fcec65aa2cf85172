//! Property test: on random models (random ops, skip edges of random length, gates joining
//! vertices of different depths, parameters shared across levels, several losses), the
//! compiler's Z-IL schedules in both modes give backprop's gradients.
//!
//! The models run through the reference interpreter, which executes the compiler's own vertex
//! programs and schedules, so a wrong levelling, gradient or schedule fails here.

use pc_dsl::ir::VertexKind;
use pc_dsl::passes::schedule::{Mode, zil_schedule};
use pc_dsl::{Config, Levelling};
use pc_runtime::Tensor;
use pc_runtime::init::{InitKind, init, seeded_rng};
use pc_tests::interp::Interpreter;
use pc_tests::random_model::random_model;
use proptest::prelude::*;

/// Z-IL against backprop on random models, relative.
const TOLERANCE: f64 = 1e-10;

/// The largest absolute difference over the largest absolute value of `reference`.
fn relative_difference(found: &[Tensor<f64>], reference: &[Tensor<f64>]) -> f64 {
    let mut difference = 0.0_f64;
    let mut scale = 0.0_f64;
    for (a, b) in found.iter().zip(reference) {
        for (x, y) in a.iter().zip(b.iter()) {
            difference = difference.max((x - y).abs());
            scale = scale.max(y.abs());
        }
    }
    if scale == 0.0 {
        difference
    } else {
        difference / scale
    }
}

/// Backprop, Z-IL wavefront and Z-IL full on one random model, levelled as asked.
fn run(seed: u64, levelling: Levelling) -> (f64, f64, usize) {
    let source = random_model(seed, 30);
    let compiled = pc_dsl::compile(&source, &Config::new().levelling(levelling))
        .unwrap_or_else(|d| panic!("random model {seed} does not compile: {d:?}\n{source}"));
    let model = &compiled.models[0];
    let graph = &model.graph;

    let mut rng = seeded_rng(seed);
    let params: Vec<Tensor<f64>> = graph
        .params
        .iter()
        .map(|param| {
            let shape = param.shape.fixed().expect("parameters have fixed shapes");
            init(InitKind::Normal { std: 0.5 }, &shape, &mut rng)
        })
        .collect();
    let data: Vec<_> = graph
        .vertex_ids()
        .filter(|id| graph.vertex(*id).is_data())
        .map(|id| {
            let width = match graph.vertex(id).shape.as_ref().map(|s| s.0.len()) {
                Some(_) => graph
                    .vertex(id)
                    .shape
                    .as_ref()
                    .and_then(|s| s.0.last().copied()),
                None => None,
            };
            let width = match width {
                Some(pc_dsl::ir::Dim::Fixed(n)) => n,
                _ => 1,
            };
            let tensor = match graph.vertex(id).kind {
                VertexKind::Target => one_hot(3, width, seed),
                _ => init(InitKind::Normal { std: 1.0 }, &[3, width], &mut rng),
            };
            (id, tensor)
        })
        .collect();

    let backprop = Interpreter::new(model, params.clone(), data.clone()).backprop();
    let wavefront_schedule = zil_schedule(graph, Mode::Wavefront);
    let full_schedule = zil_schedule(graph, Mode::Full);
    let wavefront =
        Interpreter::new(model, params.clone(), data.clone()).zil(&wavefront_schedule, 1.0);
    let full = Interpreter::new(model, params, data).zil(&full_schedule, 1.0);
    (
        relative_difference(&wavefront, &backprop),
        relative_difference(&full, &backprop),
        graph.vertices.len(),
    )
}

fn one_hot(rows: usize, classes: usize, seed: u64) -> Tensor<f64> {
    let mut tensor = Tensor::zeros(ndarray::IxDyn(&[rows, classes]));
    for row in 0..rows {
        tensor[[row, (row + seed as usize) % classes]] = 1.0;
    }
    tensor
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn zil_equals_backprop_on_random_models(seed in any::<u64>()) {
        let (wavefront, full, _) = run(seed, Levelling::Full);
        prop_assert!(wavefront <= TOLERANCE, "wavefront: {wavefront:e}");
        prop_assert!(full <= TOLERANCE, "full: {full:e}");
    }

    #[test]
    fn wavefront_levelling_keeps_the_wavefront_mode_exact(seed in any::<u64>()) {
        let (wavefront, _, _) = run(seed, Levelling::Wavefront);
        prop_assert!(wavefront <= TOLERANCE, "wavefront: {wavefront:e}");
    }
}

#[test]
fn random_models_are_deep_and_have_long_edges() {
    // The generator must exercise levelling: some models need identity vertices.
    let mut with_identities = 0;
    for seed in 0..50 {
        let source = random_model(seed, 30);
        let compiled = pc_dsl::compile(&source, &Config::new()).expect("random models compile");
        let graph = &compiled.models[0].graph;
        if graph
            .vertices
            .iter()
            .any(|v| matches!(v.kind, VertexKind::Identity { .. }))
        {
            with_identities += 1;
        }
    }
    assert!(
        with_identities >= 25,
        "only {with_identities} of 50 random models needed levelling"
    );
}

#[test]
fn without_levelling_random_models_are_not_exact() {
    // The property above can fail: with no identity vertices, many models break.
    let broken = (0..40)
        .filter(|seed| {
            let (wavefront, full, _) = run(*seed, Levelling::Off);
            wavefront > 1e-6 || full > 1e-6
        })
        .count();
    assert!(
        broken >= 10,
        "only {broken} of 40 unlevelled random models were off"
    );
}
