// A function given too many arguments.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model WrongArity {
        dim B;
        input x: [B, 4];
        target y: [B, 4];
        param w: [4, 4] = xavier;
        node out = tanh(x @ w, x);
        loss mse(out, y);
    }
}

fn main() {
    let model = WrongArity::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
