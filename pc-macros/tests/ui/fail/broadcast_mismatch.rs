// Shapes that do not broadcast.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model BroadcastMismatch {
        dim B;
        input x: [B, 4];
        target y: [B, 3];
        param w: [4, 3] = xavier;
        param b: [5] = zeros;
        node out = x @ w + b;
        loss mse(out, y);
    }
}

fn main() {
    let model = BroadcastMismatch::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
