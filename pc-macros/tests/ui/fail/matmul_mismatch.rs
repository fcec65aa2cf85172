// Inner dimensions of `@` that differ.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model MatmulMismatch {
        dim B;
        input x: [B, 64];
        target y: [B, 10];
        param w: [32, 10] = xavier;
        node out = x @ w;
        loss cross_entropy(out, y);
    }
}

fn main() {
    let model = MatmulMismatch::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
