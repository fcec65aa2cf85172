//! A model written in the macro, documented under `deny(missing_docs)`, trained for a few
//! steps with Z-IL.
#![deny(missing_docs)]

use pc_macros::pc_model;
use pc_runtime::init::{InitKind, init, seeded_rng};
use pc_runtime::optim::Sgd;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    /// A small classifier: the macro carries this comment to the struct.
    model Classifier {
        dim B;
        input x: [B, 4];
        target y: [B, 3];
        /// The hidden layer's weights.
        param w1: [4, 8] = xavier;
        param w2: [8, 3] = xavier;
        node h = tanh(x @ w1);
        node out = h @ w2;
        loss cross_entropy(out, y);
    }
}

fn main() {
    let mut rng = seeded_rng(3);
    let x = init::<f32>(InitKind::Normal { std: 1.0 }, &[16, 4], &mut rng);
    let y = init::<f32>(InitKind::Uniform { lo: 0.0, hi: 1.0 }, &[16, 3], &mut rng);
    let batch = Batch::new().with("x", x).with("y", y);

    let mut model = Classifier::<f32>::new(0);
    assert_eq!(model.param_names(), ["w1", "w2"]);
    let before = model.w1.clone();
    let mut optimiser = Sgd::new(0.1);
    let first = model.train_step(&batch, Method::Zil, &mut optimiser).unwrap();
    let mut last = first;
    for _ in 0..20 {
        last = model.train_step(&batch, Method::Zil, &mut optimiser).unwrap();
    }
    assert_ne!(model.w1, before, "a step changes the parameters");
    assert!(last < first, "the loss falls: {first} to {last}");
}
