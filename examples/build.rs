//! Compiles the example models in `models/` into `OUT_DIR`.

fn main() {
    if let Err(error) = pc_dsl::compile_models(&[
        "models/digits.pcg",
        "models/mnist_mlp.pcg",
        "models/mnist_cnn.pcg",
        "models/mnist_rnn.pcg",
    ]) {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
