//! Training support: optimisers on a quadratic, the trainer on the embedded digits and on
//! models that go non-finite; data sets and checkpoints in the modules below.

#[path = "training/checkpoint.rs"]
mod checkpoint;
#[path = "training/data.rs"]
mod data;
#[path = "training/support.rs"]
mod support;

use ndarray::arr1;
use pc_runtime::data::{Dataset, digits};
use pc_runtime::optim::{Adam, Momentum, Sgd};
use pc_runtime::train::{NonFinite, TrainError, Trainer};
use pc_runtime::{Method, Named, Optimiser, Tensor};

use support::{Softmax, Toy};

/// The gradient of `1/2 |p - c|^2` at `p`: `p - c`.
fn quadratic_gradient(param: &Tensor<f64>, centre: &Tensor<f64>) -> Tensor<f64> {
    param - centre
}

#[test]
fn sgd_step_matches_the_hand_computed_one() {
    let mut param = arr1(&[1.0, -2.0, 0.5]).into_dyn();
    let centre = arr1(&[0.0, 1.0, 0.5]).into_dyn();
    let mut sgd = Sgd::new(0.1);

    let gradient = quadratic_gradient(&param, &centre);
    Optimiser::<f64>::begin_step(&mut sgd);
    sgd.update("p", &mut param, &gradient);

    // p - 0.1 (p - c) = [1 - 0.1, -2 + 0.3, 0.5]
    assert_eq!(param, arr1(&[0.9, -1.7, 0.5]).into_dyn());
}

#[test]
fn momentum_accumulates_velocity_per_parameter() {
    let mut first = arr1(&[1.0_f64]).into_dyn();
    let mut second = arr1(&[10.0]).into_dyn();
    let mut momentum = Momentum::new(0.1, 0.5);
    let gradient = arr1(&[2.0]).into_dyn();

    for _ in 0..2 {
        momentum.begin_step();
        momentum.update("first", &mut first, &gradient);
    }
    momentum.begin_step();
    momentum.update("second", &mut second, &gradient);

    // Velocities 2 then 0.5 * 2 + 2 = 3: 1 - 0.1 * 2 - 0.1 * 3 = 0.5.
    assert!((first[0] - 0.5).abs() < 1e-12, "first = {first}");
    // `second` has a velocity of its own, starting from zero.
    assert!((second[0] - 9.8).abs() < 1e-12, "second = {second}");
}

#[test]
fn adam_first_step_moves_every_element_by_about_the_learning_rate() {
    let mut param = arr1(&[3.0, -4.0, 1e-3, 250.0]).into_dyn();
    let before = param.clone();
    let mut adam = Adam::new(0.01);
    let gradient = quadratic_gradient(&param, &Tensor::zeros(vec![4]));

    adam.begin_step();
    adam.update("p", &mut param, &gradient);

    // With bias correction, m_hat / sqrt(v_hat) = g / |g| on the first step, whatever |g|.
    for ((after, before), gradient) in param.iter().zip(&before).zip(&gradient) {
        let moved = after - before;
        assert!((moved.abs() - 0.01).abs() < 1e-6, "moved by {moved}");
        assert!(moved * gradient < 0.0, "moved along the gradient");
    }
    assert_eq!(adam.steps(), 1);
}

#[test]
fn adam_minimises_a_quadratic() {
    let centre = arr1(&[1.0, -2.0, 3.0]).into_dyn();
    let mut param = Tensor::<f64>::zeros(vec![3]);
    let mut adam = Adam::new(0.1);
    for _ in 0..500 {
        let gradient = quadratic_gradient(&param, &centre);
        adam.begin_step();
        adam.update("p", &mut param, &gradient);
    }
    let distance = (&param - &centre).mapv(f64::abs).sum();
    assert!(distance < 1e-2, "ended at {param}, distance {distance}");
}

#[test]
fn softmax_regression_learns_the_digits() {
    let (train, test) = digits::load::<f32>().unwrap().split(0.25, 3);
    let mut model = Softmax::new(64, 10);
    let trainer = Trainer::new()
        .epochs(5)
        .batch_size(32)
        .method(Method::Backprop)
        .seed(11);

    let history = trainer
        .fit(&mut model, &mut Adam::new(0.05), &train, Some(&test))
        .unwrap();

    let accuracies = history.test_accuracies();
    let losses = history.train_losses();
    println!("train losses {losses:?}, held-out accuracies {accuracies:?}");
    assert_eq!(history.epochs.len(), 5);
    assert!(
        losses[4] < losses[0],
        "training loss did not fall: {losses:?}"
    );
    let accuracy = history.last().unwrap().test_accuracy.unwrap();
    assert!(accuracy > 0.85, "held-out accuracy {accuracy}");

    // The evaluation agrees with the one recorded after the last epoch.
    let evaluation = trainer.evaluate(&model, &test).unwrap();
    assert_eq!(
        Some(evaluation.accuracy),
        history.last().unwrap().test_accuracy
    );
}

#[test]
fn training_is_reproducible_from_the_seed() {
    let data = digits::load::<f64>().unwrap().take(300);
    let run = |seed| {
        let mut model = Softmax::new(64, 10);
        let trainer = Trainer::new().epochs(2).batch_size(16).seed(seed);
        let history = trainer
            .fit(&mut model, &mut Sgd::new(0.5), &data, None)
            .unwrap();
        (history.train_losses(), model.w)
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5).0, run(6).0);
}

/// Four samples, so that a batch size of 1 gives four steps per epoch.
fn four_samples() -> Dataset<f64> {
    Dataset::new(Tensor::zeros(vec![4, 1]), vec![0, 1, 0, 1], 2).unwrap()
}

/// A toy model with one parameter per name, all starting at `start`.
fn toy(
    names: &'static [&'static str],
    start: f64,
    objective: fn(&Named<f64>) -> (f64, Named<f64>),
) -> Toy {
    let mut params = Named::new();
    for name in names {
        params.push(*name, arr1(&[start]).into_dyn());
    }
    Toy {
        names,
        params,
        objective,
    }
}

fn fit_toy(model: &mut Toy, learning_rate: f64) -> TrainError {
    Trainer::new()
        .epochs(3)
        .batch_size(1)
        .fit(model, &mut Sgd::new(learning_rate), &four_samples(), None)
        .unwrap_err()
}

#[test]
fn a_nan_loss_stops_training_and_keeps_the_parameters() {
    // ln(w) with gradient 1/w: from w = 1 a step of 2 lands on w = -1, where ln is NaN.
    let mut model = toy(&["w"], 1.0, |params| {
        let w = params.get("w").unwrap()[0];
        (w.ln(), Named::new().with("w", arr1(&[1.0 / w]).into_dyn()))
    });

    let error = fit_toy(&mut model, 2.0);

    let expected = TrainError::NonFinite {
        value: NonFinite::Loss { vertex: None },
        epoch: 1,
        step: 2,
    };
    assert_eq!(error, expected);
    assert_eq!(
        error.to_string(),
        "epoch 1, step 2: the loss is not finite; the parameters from before that step are kept"
    );
    assert_eq!(model.params.get("w").unwrap()[0], -1.0);
}

#[test]
fn an_infinite_gradient_names_its_parameter_and_changes_nothing() {
    // a^2 + sqrt(b) at b = 0: the loss is finite but d/db is infinite.
    let mut model = toy(&["a", "b"], 0.0, |params| {
        let (a, b) = (params.get("a").unwrap()[0], params.get("b").unwrap()[0]);
        let gradients = Named::new()
            .with("a", arr1(&[2.0 * a + 1.0]).into_dyn())
            .with("b", arr1(&[0.5 / b.sqrt()]).into_dyn());
        (a * a + a + b.sqrt(), gradients)
    });

    let error = fit_toy(&mut model, 0.1);

    let expected = TrainError::NonFinite {
        value: NonFinite::Gradient("b".to_string()),
        epoch: 1,
        step: 1,
    };
    assert_eq!(error, expected);
    assert_eq!(
        error.to_string(),
        "epoch 1, step 1: the gradient of parameter `b` is not finite; the parameters from \
         before that step are kept"
    );
    // `a` comes first and its gradient is finite, but it is not updated either.
    assert_eq!(model.params.get("a").unwrap()[0], 0.0);
}

#[test]
fn an_update_that_overflows_names_its_parameter_and_is_undone() {
    // The loss w has gradient 1; a huge step reaches -f64::MAX, then minus infinity.
    let mut model = toy(&["w"], 0.0, |params| {
        let w = params.get("w").unwrap()[0];
        (w, Named::new().with("w", arr1(&[1.0]).into_dyn()))
    });

    let error = fit_toy(&mut model, f64::MAX);

    let expected = TrainError::NonFinite {
        value: NonFinite::Update("w".to_string()),
        epoch: 1,
        step: 2,
    };
    assert_eq!(error, expected);
    assert_eq!(model.params.get("w").unwrap()[0], -f64::MAX);
}

#[test]
fn the_trainer_rejects_settings_it_cannot_train_with() {
    let mut model = Softmax::<f64>::new(1, 2);
    let error = Trainer::new()
        .batch_size(0)
        .fit(&mut model, &mut Sgd::new(0.1), &four_samples(), None)
        .unwrap_err();
    assert_eq!(error.to_string(), "the batch size must be at least 1");
}
