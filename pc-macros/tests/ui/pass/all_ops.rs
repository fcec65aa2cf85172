//! Every operation of the language, written in the macro: both Z-IL modes give backprop's
//! gradients.
#![deny(missing_docs)]

use pc_macros::pc_model;
use pc_runtime::init::{InitKind, init, seeded_rng};
use pc_runtime::{Batch, Method, Model};

pc_model! {
    /// Every operation of the language in one model, to check every vector-Jacobian product.
    model AllOps {
        dim B;
        input  x: [B, 2, 4, 4];
        input  seq: [3, B, 6];
        target y: [B, 5];
        target z: [B, 6];

        param k: [2, 2, 3, 3] = normal(0.3);
        param w: [8, 6] = normal(0.3);
        param m: [6, 6] = normal(0.3);
        param s: [6] = uniform(0.5, 1.5);
        param q: [9, 6] = normal(0.3);
        param v: [12, 5] = normal(0.3);

        node conv = leaky_relu(conv2d(x, k, stride = 1, padding = 1), 0.1);
        node pooled = reshape(max_pool2d(conv, 2) + avg_pool2d(conv, 2), [B, 8]);
        node mixed = softplus(pooled @ w) / s - exp(-(seq[1] * 0.5)) + log(sigmoid(seq[2]) + 1);
        node square = transpose(reshape(mixed @ m, [B, 2, 3])) @ reshape(relu(mixed), [B, 2, 3]);
        node probs = softmax(flatten(square));
        node both = concat(identity(mixed), probs @ q, axis = 1);
        node out = both @ v;

        loss cross_entropy(out, y);
        loss mse(mixed, z);
    }
}

fn main() {
    let mut rng = seeded_rng(7);
    let mut data = |shape: &[usize]| {
        init::<f64>(InitKind::Uniform { lo: 0.1, hi: 1.0 }, shape, &mut rng)
    };
    let batch = Batch::new()
        .with("x", data(&[3, 2, 4, 4]))
        .with("seq", data(&[3, 3, 6]))
        .with("y", data(&[3, 5]))
        .with("z", data(&[3, 6]));

    let model = AllOps::<f64>::new(1);
    let backprop = model.gradients(&batch, Method::Backprop).unwrap();
    assert_eq!(backprop.len(), 6);
    for method in [Method::Zil, Method::ZilFull] {
        let zil = model.gradients(&batch, method).unwrap();
        let difference = zil.relative_difference(&backprop);
        assert!(difference < 1e-12, "{method}: {difference:e}");
    }
}
