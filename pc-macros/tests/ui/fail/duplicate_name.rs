// A vertex defined twice.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model DuplicateName {
        dim B;
        input x: [B, 4];
        target y: [B, 2];
        param w: [4, 2] = xavier;
        node h = tanh(x @ w);
        node h = sigmoid(x @ w);
        loss mse(h, y);
    }
}

fn main() {
    let model = DuplicateName::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
