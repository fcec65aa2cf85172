// A misspelt named argument.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model UnknownNamedArgument {
        dim B;
        input x: [B, 1, 8, 8];
        target y: [B, 4, 8, 8];
        param k: [4, 1, 3, 3] = he;
        node out = conv2d(x, k, strid = 1, padding = 1);
        loss mse(out, y);
    }
}

fn main() {
    let model = UnknownNamedArgument::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
