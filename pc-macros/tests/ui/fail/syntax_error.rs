// Syntax errors in two statements: each is reported, and the statements around them are read.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model Broken {
        dim B;
        input x: [B, 4]
        target y: [B, 2];
        param w: [4, 2] = xavier;
        nod out = x @ w;
        loss mse(out, y);
    }
}

fn main() {
    let model = Broken::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
    let _ = &model.w;
}
