// An index past the last step of a loop.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model IndexOutOfRange {
        dim B;
        const T = 3;
        input xs: [T, B, 4];
        target y: [B, 4];
        param w: [4, 4] = xavier;
        node h[0] = tanh(xs[0] @ w);
        for t in 1..T {
            node h[t] = tanh(xs[t] @ w + h[t - 1] @ w);
        }
        node out = h[T] @ w;
        loss mse(out, y);
    }
}

fn main() {
    let model = IndexOutOfRange::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
