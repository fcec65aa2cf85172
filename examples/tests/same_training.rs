//! Training in `f32` with Z-IL, in both modes, retraces backprop's run from the same seed: the
//! same loss after every epoch and the same parameters at the end, to the last bit.

use pc_examples::digits::Digits;
use pc_runtime::data::digits;
use pc_runtime::optim::Adam;
use pc_runtime::train::{History, Trainer};
use pc_runtime::{Method, Model};

/// Two epochs of the digits model with `method`: the history and the trained model.
fn train(method: Method) -> (History, Digits<f32>) {
    let (train, test) = digits::load::<f32>()
        .expect("the digits are embedded")
        .split(0.2, 7);
    let mut model = Digits::<f32>::new(3);
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

#[test]
fn zil_in_f32_trains_exactly_as_backprop() {
    let (backprop, backprop_model) = train(Method::Backprop);
    assert!(
        backprop.train_losses()[1] < backprop.train_losses()[0],
        "backprop did not learn: {:?}",
        backprop.train_losses()
    );
    for method in [Method::Zil, Method::ZilFull] {
        let (zil, zil_model) = train(method);
        assert_eq!(zil.train_losses(), backprop.train_losses(), "{method}");
        assert_eq!(zil.test_losses(), backprop.test_losses(), "{method}");
        for name in Digits::<f32>::PARAMS {
            assert_eq!(
                zil_model.param(name),
                backprop_model.param(name),
                "{method}: `{name}`"
            );
        }
    }
}
