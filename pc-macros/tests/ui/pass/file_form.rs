//! The file form reads a `.pcg` fixture; the model behaves as the one written in the macro.
#![deny(missing_docs)]

use pc_macros::pc_model;
use pc_runtime::init::{InitKind, init, seeded_rng};
use pc_runtime::{Batch, Method, Model};

pc_model!(file = "models/rnn.pcg");

fn main() {
    let mut rng = seeded_rng(5);
    let xs = init::<f64>(InitKind::Normal { std: 1.0 }, &[6, 3, 5], &mut rng);
    let y = init::<f64>(InitKind::Normal { std: 1.0 }, &[3, 3], &mut rng);
    let batch = Batch::new().with("xs", xs).with("y", y);

    let model = Rnn::<f64>::new(1);
    assert_eq!(Rnn::<f64>::NAME, "Rnn");
    let backprop = model.gradients(&batch, Method::Backprop).unwrap();
    for method in [Method::Zil, Method::ZilFull] {
        let zil = model.gradients(&batch, method).unwrap();
        let difference = zil.relative_difference(&backprop);
        assert!(difference < 1e-12, "{method}: {difference:e}");
    }
}
