//! Compiles the example models in `models/` into `OUT_DIR`, and the test suite's CNN fixture
//! for the speed benchmarks.

fn main() {
    if let Err(error) = pc_dsl::compile_models(&[
        "models/digits.pcg",
        "models/mnist_mlp.pcg",
        "models/mnist_cnn.pcg",
        "models/mnist_rnn.pcg",
        "../tests/fixtures/pass/cnn.pcg",
    ]) {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
