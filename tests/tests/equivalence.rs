//! Generated code of every pass fixture, in `f64` on random data: backprop against finite
//! differences, both Z-IL modes against backprop, and the negative controls that show each of
//! Z-IL's conditions is needed.

use pc_runtime::{Method, Model, ParamReads, SharedUpdates, ZilOptions};
use pc_tests::harness::{finite_difference_error, random_batch};

/// Backprop against central finite differences, relative.
const FINITE_DIFFERENCE_TOLERANCE: f64 = 1e-6;
/// Z-IL against backprop, relative: the schedules are exact, so only rounding is left.
const EXACT_TOLERANCE: f64 = 1e-12;
/// A broken condition must move the result at least this far from backprop.
const BROKEN_THRESHOLD: f64 = 1e-6;

macro_rules! fixture {
    ($module:ident, $file:literal) => {
        #[allow(dead_code, reason = "each test uses only part of a generated model")]
        mod $module {
            include!(concat!(env!("OUT_DIR"), "/", $file, ".rs"));
        }
    };
}

fixture!(mlp, "mlp");
fixture!(cnn, "cnn");
fixture!(residual, "residual");
fixture!(residual_unlevelled, "residual_unlevelled");
fixture!(gated, "gated");
fixture!(gated_unlevelled, "gated_unlevelled");
fixture!(rnn, "rnn");
fixture!(rnn_seq, "rnn_seq");
fixture!(siamese, "siamese");
fixture!(all_ops, "all_ops");

/// The difference from backprop of a method with options, on a fixture type.
macro_rules! difference {
    ($model:ty, $method:expr, $options:expr) => {{
        let model = <$model>::new(11);
        let batch = random_batch::<f64>(<$model>::INPUTS, <$model>::DATA_SHAPES, 3, 5);
        let backprop = model
            .gradients(&batch, Method::Backprop)
            .expect("batch fits");
        let (_, gradients) = model
            .loss_and_gradients_with(&batch, $method, &$options)
            .expect("batch fits");
        let difference = gradients.relative_difference(&backprop);
        println!(
            "{} by {}: {difference:.2e} from backprop",
            stringify!($model),
            $method
        );
        difference
    }};
}

/// Every exactness claim for one fixture.
macro_rules! exact {
    ($test:ident, $model:ty) => {
        #[test]
        fn $test() {
            let model = <$model>::new(7);
            let batch = random_batch::<f64>(<$model>::INPUTS, <$model>::DATA_SHAPES, 3, 1);
            let backprop = model
                .gradients(&batch, Method::Backprop)
                .expect("batch fits");
            let fd = finite_difference_error(&model, &batch, &backprop, 40, 1e-5);
            assert!(
                fd <= FINITE_DIFFERENCE_TOLERANCE,
                "backprop vs finite differences: {fd:e}"
            );
            for method in [Method::Zil, Method::ZilFull] {
                let gradients = model.gradients(&batch, method).expect("batch fits");
                let difference = gradients.relative_difference(&backprop);
                assert!(
                    difference <= EXACT_TOLERANCE,
                    "{method} vs backprop: {difference:e}"
                );
            }
        }
    };
}

exact!(mlp_is_exact, mlp::Mlp<f64>);
exact!(cnn_is_exact, cnn::Cnn<f64>);
exact!(residual_is_exact, residual::Residual<f64>);
exact!(gated_is_exact, gated::Gated<f64>);
exact!(rnn_is_exact, rnn::Rnn<f64>);
exact!(rnn_seq_is_exact, rnn_seq::RnnSeq<f64>);
exact!(siamese_is_exact, siamese::Siamese<f64>);
exact!(all_ops_is_exact, all_ops::AllOps<f64>);

#[test]
fn without_levelling_skip_connections_break_exactness() {
    let options = ZilOptions::default();
    for method in [Method::Zil, Method::ZilFull] {
        let residual = difference!(residual_unlevelled::Residual<f64>, method, options);
        let gated = difference!(gated_unlevelled::Gated<f64>, method, options);
        assert!(
            residual > BROKEN_THRESHOLD,
            "{method} on residual: {residual:e}"
        );
        assert!(gated > BROKEN_THRESHOLD, "{method} on gated: {gated:e}");
    }
}

#[test]
fn an_inference_rate_below_one_breaks_exactness() {
    let options = ZilOptions {
        gamma: 0.9,
        ..ZilOptions::default()
    };
    for method in [Method::Zil, Method::ZilFull] {
        let found = difference!(mlp::Mlp<f64>, method, options);
        assert!(found > BROKEN_THRESHOLD, "{method}: {found:e}");
    }
}

#[test]
fn values_away_from_the_forward_pass_break_exactness() {
    let options = ZilOptions {
        initial_noise: Some((0.1, 3)),
        ..ZilOptions::default()
    };
    for method in [Method::Zil, Method::ZilFull] {
        let found = difference!(mlp::Mlp<f64>, method, options);
        assert!(found > BROKEN_THRESHOLD, "{method}: {found:e}");
    }
}

#[test]
fn applying_shared_parameter_reads_at_once_breaks_exactness() {
    let options = ZilOptions {
        shared_updates: SharedUpdates::Immediate {
            learning_rate: 1e-2,
        },
        ..ZilOptions::default()
    };
    for method in [Method::Zil, Method::ZilFull] {
        let found = difference!(rnn_seq::RnnSeq<f64>, method, options);
        assert!(found > BROKEN_THRESHOLD, "{method}: {found:e}");
    }
}

#[test]
fn reading_parameters_away_from_their_level_breaks_exactness() {
    // Step 0 sees errors that are still zero below the output; the last step sees errors that
    // have moved on from backprop's deltas.
    for step in [0, mlp::Mlp::<f64>::DEPTH - 1] {
        let options = ZilOptions {
            param_reads: ParamReads::AtStep(step),
            ..ZilOptions::default()
        };
        let found = difference!(mlp::Mlp<f64>, Method::ZilFull, options);
        assert!(found > BROKEN_THRESHOLD, "step {step}: {found:e}");
    }
}

#[test]
fn deferred_reads_are_exact_on_the_same_model() {
    let found = difference!(rnn_seq::RnnSeq<f64>, Method::ZilFull, ZilOptions::default());
    assert!(found <= EXACT_TOLERANCE, "{found:e}");
}

/// The relative difference from backprop of both Z-IL modes in `f32` and `f64`.
macro_rules! precision_row {
    ($name:literal, $module:ident :: $model:ident) => {{
        let mut row = vec![$name.to_string()];
        let f32_model = $module::$model::<f32>::new(7);
        let f32_batch = random_batch::<f32>(
            $module::$model::<f32>::INPUTS,
            $module::$model::<f32>::DATA_SHAPES,
            8,
            1,
        );
        let f32_backprop = f32_model
            .gradients(&f32_batch, Method::Backprop)
            .expect("batch fits");
        let f64_model = $module::$model::<f64>::new(7);
        let f64_batch = random_batch::<f64>(
            $module::$model::<f64>::INPUTS,
            $module::$model::<f64>::DATA_SHAPES,
            8,
            1,
        );
        let f64_backprop = f64_model
            .gradients(&f64_batch, Method::Backprop)
            .expect("batch fits");
        let mut worst = (0.0_f64, 0.0_f64);
        for method in [Method::Zil, Method::ZilFull] {
            let single = f32_model
                .gradients(&f32_batch, method)
                .expect("batch fits")
                .relative_difference(&f32_backprop);
            let double = f64_model
                .gradients(&f64_batch, method)
                .expect("batch fits")
                .relative_difference(&f64_backprop);
            row.push(format!("{single:.1e}"));
            row.push(format!("{double:.1e}"));
            worst = (worst.0.max(single), worst.1.max(double));
        }
        (row, worst)
    }};
}

#[test]
fn precision_of_both_modes_in_f32_and_f64() {
    // A value node keeps its displacement from the forward pass apart from its value, so an
    // error is the sum its children sent, not a difference of two close values; and each
    // sum adds backprop's terms in backprop's order. Z-IL's gradients are then backprop's to
    // the last bit, in f32 as in f64 (run with `--nocapture` to see the table).
    let rows = [
        precision_row!("mlp", mlp::Mlp),
        precision_row!("cnn", cnn::Cnn),
        precision_row!("residual", residual::Residual),
        precision_row!("gated", gated::Gated),
        precision_row!("rnn", rnn::Rnn),
        precision_row!("rnn_seq", rnn_seq::RnnSeq),
        precision_row!("siamese", siamese::Siamese),
        precision_row!("all_ops", all_ops::AllOps),
    ];
    println!("| fixture | zil f32 | zil f64 | zil-full f32 | zil-full f64 |");
    println!("| --- | --- | --- | --- | --- |");
    for (row, (single, double)) in &rows {
        println!("| {} |", row.join(" | "));
        assert_eq!(*double, 0.0, "{}: f64", row[0]);
        assert_eq!(*single, 0.0, "{}: f32", row[0]);
    }
}
