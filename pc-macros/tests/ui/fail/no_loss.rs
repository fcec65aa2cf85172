// A model without a loss.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model NoLoss {
        dim B;
        input x: [B, 4];
        param w: [4, 4] = xavier;
        node h = tanh(x @ w);
    }
}

fn main() {
    let model = NoLoss::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
