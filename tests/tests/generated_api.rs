//! The face of generated code: names, shapes checked at the boundary, the energy trace, and a
//! parse, print, parse round trip of every fixture.

use pc_runtime::data::Dataset;
use pc_runtime::optim::Sgd;
use pc_runtime::train::{NonFinite, TrainError, Trainer};
use pc_runtime::{Batch, Method, Model, ModelError, ParamReads, SharedUpdates, Tensor, ZilOptions};
use pc_tests::harness::random_batch;

#[allow(dead_code, reason = "each test uses only part of a generated model")]
mod rnn {
    include!(concat!(env!("OUT_DIR"), "/rnn.rs"));
}
#[allow(dead_code, reason = "each test uses only part of a generated model")]
mod residual {
    include!(concat!(env!("OUT_DIR"), "/residual.rs"));
}

use residual::Residual;
use rnn::Rnn;

#[test]
fn parameters_inputs_and_targets_are_named_in_declaration_order() {
    let model = Rnn::<f64>::new(1);
    assert_eq!(model.param_names(), &["wx", "wh", "b", "wo", "bo"]);
    assert_eq!(model.input_names(), &["xs"]);
    assert_eq!(model.target_names(), &["y"]);
    assert_eq!(
        model.param("wh").map(|w| w.shape().to_vec()),
        Some(vec![12, 12])
    );
    let params = model.params();
    let names: Vec<&str> = params.names().collect();
    assert_eq!(names, model.param_names());
}

#[test]
fn a_batch_of_the_wrong_shape_is_an_error_naming_the_input_and_both_shapes() {
    let model = Rnn::<f64>::new(1);
    let batch = Batch::new()
        .with("xs", Tensor::zeros(ndarray::IxDyn(&[6, 4, 7])))
        .with("y", Tensor::zeros(ndarray::IxDyn(&[4, 3])));
    let error = model.gradients(&batch, Method::Zil).unwrap_err();
    assert_eq!(
        error.to_string(),
        "model `Rnn`: `xs` must have shape [6, B = 4, 5], found [6, 4, 7]"
    );
}

#[test]
fn run_time_dimensions_must_agree_across_tensors() {
    let model = Rnn::<f64>::new(1);
    let batch = Batch::new()
        .with("xs", Tensor::zeros(ndarray::IxDyn(&[6, 4, 5])))
        .with("y", Tensor::zeros(ndarray::IxDyn(&[3, 3])));
    let error = model.loss(&batch).unwrap_err();
    assert_eq!(
        error.to_string(),
        "model `Rnn`: `y` must have shape [B = 4, 3], found [3, 3]"
    );
}

#[test]
fn a_missing_tensor_and_a_wrong_parameter_are_errors() {
    let mut model = Rnn::<f64>::new(1);
    let batch = Batch::new().with("xs", Tensor::zeros(ndarray::IxDyn(&[6, 4, 5])));
    assert_eq!(
        model.gradients(&batch, Method::Backprop).unwrap_err(),
        ModelError::MissingTensor {
            model: "Rnn".into(),
            name: "y".into()
        }
    );
    // Prediction needs no target.
    assert_eq!(model.predict(&batch).map(|out| out.len()), Ok(1));

    let error = model
        .set_param("wh", Tensor::zeros(ndarray::IxDyn(&[12, 13])))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "model `Rnn`: `wh` must have shape [12, 12], found [12, 13]"
    );
    assert!(matches!(
        model.set_param("nope", Tensor::zeros(ndarray::IxDyn(&[1]))),
        Err(ModelError::UnknownParam { .. })
    ));
}

#[test]
fn the_energy_trace_follows_the_wave_of_errors() {
    let model = Residual::<f64>::new(3);
    let batch = random_batch::<f64>(Residual::<f64>::INPUTS, Residual::<f64>::DATA_SHAPES, 4, 2);
    let (gradients, trace) = model
        .energy_trace(&batch, &ZilOptions::default())
        .expect("batch fits");
    let backprop = model
        .gradients(&batch, Method::Backprop)
        .expect("batch fits");
    assert!(gradients.relative_difference(&backprop) <= 1e-12);

    assert_eq!(trace.steps.len(), Residual::<f64>::DEPTH);
    assert_eq!(
        trace.vertices.last().map(String::as_str),
        Some("mse(out, y)")
    );
    // At step 0 the values are the forward pass: only the loss vertex has an error, and the
    // energy is the loss.
    let first = &trace.steps[0];
    let (internal, loss) = first.error_norms.split_at(first.error_norms.len() - 1);
    assert!(internal.iter().all(|norm| *norm == 0.0), "{internal:?}");
    assert!(loss[0] > 0.0);
    assert!((first.energy - model.loss(&batch).expect("batch fits")).abs() < 1e-12);
    // The error reaches one more level at every step: h0, at the top, is the last to move.
    let h0 = trace
        .vertices
        .iter()
        .position(|name| name == "h0")
        .expect("h0 is traced");
    let moved = trace
        .steps
        .iter()
        .position(|step| step.error_norms[h0] > 0.0);
    assert_eq!(moved, Some(Residual::<f64>::DEPTH - 1));
}

#[test]
fn inference_settings_that_cannot_run_are_errors_naming_the_setting() {
    let model = Residual::<f64>::new(3);
    let batch = random_batch::<f64>(Residual::<f64>::INPUTS, Residual::<f64>::DATA_SHAPES, 4, 2);
    let reason = |method, options: ZilOptions| match model
        .loss_and_gradients_with(&batch, method, &options)
    {
        Err(ModelError::InvalidOptions { model, reason }) => {
            assert_eq!(model, "Residual");
            reason
        }
        other => panic!("expected invalid options, got {other:?}"),
    };
    let settings = ZilOptions::default;

    let at_step = ZilOptions {
        param_reads: ParamReads::AtStep(0),
        ..settings()
    };
    assert_eq!(
        reason(Method::Zil, at_step.clone()),
        "reading parameters at another step than each vertex's level needs full mode \
         (`zil-full`): the wavefront mode computes each error only at its own step"
    );
    assert!(
        model
            .loss_and_gradients_with(&batch, Method::ZilFull, &at_step)
            .is_ok()
    );

    let nan_rate = ZilOptions {
        gamma: f64::NAN,
        ..settings()
    };
    assert_eq!(
        reason(Method::ZilFull, nan_rate),
        "the inference rate must be finite, found NaN"
    );
    let negative_noise = ZilOptions {
        initial_noise: Some((-1.0, 0)),
        ..settings()
    };
    assert_eq!(
        reason(Method::Zil, negative_noise),
        "the initial noise's standard deviation must be finite and at least 0, found -1"
    );
    let infinite_rate = ZilOptions {
        shared_updates: SharedUpdates::Immediate {
            learning_rate: f64::INFINITY,
        },
        ..settings()
    };
    let error = model
        .energy_trace(&batch, &infinite_rate)
        .expect_err("an infinite learning rate is refused");
    assert_eq!(
        error.to_string(),
        "model `Residual`: invalid Z-IL options: the learning rate of immediate updates must be \
         finite, found inf"
    );
}

#[test]
fn a_loss_that_is_not_finite_names_the_first_vertex_it_reached() {
    let mut model = Residual::<f64>::new(3);
    let features = Tensor::from_shape_fn(ndarray::IxDyn(&[6, 8]), |index| index[1] as f64);
    let data = Dataset::new(features, vec![0, 1, 2, 3, 0, 1], 4).expect("labels fit");
    let mut w1 = model.param("w1").expect("w1 exists").clone();
    w1[[2, 5]] = f64::NAN;
    model.set_param("w1", w1).expect("the shape is right");
    let before = model.params();

    let error = Trainer::new()
        .batch_size(3)
        .fit(&mut model, &mut Sgd::new(0.1), &data, None)
        .expect_err("the loss is NaN");

    assert_eq!(
        error.to_string(),
        "epoch 1, step 1: the loss is not finite: vertex `h1` is the first whose value is not; \
         the parameters from before that step are kept"
    );
    assert_eq!(
        error,
        TrainError::NonFinite {
            value: NonFinite::Loss {
                vertex: Some("h1".to_string())
            },
            epoch: 1,
            step: 1
        }
    );
    let after = model.params();
    for ((name, old), (_, new)) in before.iter().zip(after.iter()) {
        assert!(
            old.iter().zip(new).all(|(a, b)| a.to_bits() == b.to_bits()),
            "`{name}` changed"
        );
    }
}

#[test]
fn every_fixture_survives_a_parse_print_parse_round_trip() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pass");
    let mut count = 0;
    for entry in std::fs::read_dir(dir)
        .expect("fixtures exist")
        .filter_map(Result::ok)
    {
        let source = std::fs::read_to_string(entry.path()).expect("fixtures are readable");
        let first = pc_dsl::syntax::parse(&source).expect("pass fixtures parse");
        let printed = pc_dsl::syntax::print(&first);
        let second = pc_dsl::syntax::parse(&printed).expect("printed text parses");
        assert_eq!(
            pc_dsl::syntax::print(&second),
            printed,
            "{}",
            entry.path().display()
        );

        // The same models, down to the IR.
        let ir = |text: &str| {
            let checked = pc_dsl::check(text);
            assert!(!checked.has_errors());
            checked
                .graphs
                .iter()
                .map(pc_dsl::ir::print_graph)
                .collect::<String>()
        };
        assert_eq!(ir(&source), ir(&printed), "{}", entry.path().display());
        count += 1;
    }
    assert!(count >= 7);
}

#[test]
fn gradients_by_every_method_have_one_result_type() {
    let model = Rnn::<f32>::new(5);
    let batch = random_batch::<f32>(Rnn::<f32>::INPUTS, Rnn::<f32>::DATA_SHAPES, 2, 1);
    for method in Method::ALL {
        let gradients = model.gradients(&batch, method).expect("batch fits");
        let names: Vec<&str> = gradients.names().collect();
        assert_eq!(names, Rnn::<f32>::PARAMS);
    }
}
