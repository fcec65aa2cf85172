// A misspelt name, with the name it most likely means.
// The code using the model adds no error: a stub of the same name stands in for it.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model! {
    model UnknownName {
        dim B;
        input x: [B, 4];
        target y: [B, 2];
        param weight: [4, 2] = xavier;
        node out = x @ wieght;
        loss mse(out, y);
    }
}

fn main() {
    let model = UnknownName::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
