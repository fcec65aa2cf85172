//! Training in `f32` with Z-IL, in both modes, retraces backprop's run from the same seed: the
//! same loss after every epoch and the same parameters at the end, to the last bit.

use pc_examples::digits::Digits;
use pc_examples::digits_residual::DigitsResidual;
use pc_runtime::data::digits;
use pc_runtime::optim::Adam;
use pc_runtime::train::{History, Trainer};
use pc_runtime::{Method, Model};

/// Two epochs of `model` on the digits with `method`: the history and the trained model.
fn train<M: Model<f32>>(mut model: M, method: Method) -> (History, M) {
    let (train, test) = digits::load::<f32>()
        .expect("the digits are embedded")
        .split(0.2, 7);
    let trainer = Trainer::new()
        .epochs(2)
        .batch_size(64)
        .method(method)
        .seed(5);
    let history = trainer
        .fit(&mut model, &mut Adam::new(1e-3), &train, Some(&test))
        .expect("training succeeds");
    (history, model)
}

/// Trains copies of `model` by every method and checks that Z-IL's runs are backprop's.
fn assert_same_training<M: Model<f32> + Clone>(model: &M) {
    let (backprop, backprop_model) = train(model.clone(), Method::Backprop);
    let losses = backprop.train_losses();
    assert!(losses[1] < losses[0], "backprop did not learn: {losses:?}");
    for method in [Method::Zil, Method::ZilFull] {
        let (zil, zil_model) = train(model.clone(), method);
        assert_eq!(zil.train_losses(), losses, "{method}");
        assert_eq!(zil.test_losses(), backprop.test_losses(), "{method}");
        for name in model.param_names() {
            assert_eq!(
                zil_model.param(name),
                backprop_model.param(name),
                "{method}: `{name}`"
            );
        }
    }
}

#[test]
fn zil_in_f32_trains_exactly_as_backprop() {
    assert_same_training(&Digits::<f32>::new(3));
}

#[test]
fn so_it_does_on_a_levelled_graph() {
    // `h0` reaches `h2` through an identity vertex.
    assert_eq!(DigitsResidual::<f32>::DEPTH, 5);
    assert_same_training(&DigitsResidual::<f32>::new(3));
}
