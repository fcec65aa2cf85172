// An error inside a `.pcg` file read by the file form: shown with the file's line, column and
// caret, at the path. The code using the model adds no error.

use pc_macros::pc_model;
use pc_runtime::{Batch, Method, Model};

pc_model!(file = "models/unknown_name.pcg");

fn main() {
    let model = UnknownName::<f32>::new(0);
    let _ = model.gradients(&Batch::new(), Method::Zil);
}
