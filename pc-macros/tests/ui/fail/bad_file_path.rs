// A `.pcg` file that does not exist: the error is on the path.

use pc_macros::pc_model;

pc_model!(file = "models/missing.pcg");

fn main() {}
