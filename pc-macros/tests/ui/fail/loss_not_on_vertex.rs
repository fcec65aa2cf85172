// A loss on a `let`, which is no vertex.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model LossNotOnVertex {
        dim B;
        input x: [B, 4];
        target y: [B, 4];
        param w: [4, 4] = xavier;
        let z = x @ w;
        node h = tanh(z);
        loss mse(z, y);
    }
}

fn main() {
    let model = LossNotOnVertex::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
