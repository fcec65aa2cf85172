//! Runnable predictive-coding examples; the models live in `models/` and are compiled by the
//! crate's build script. The other modules are what the binaries and benches share: their
//! flags, MNIST loading, training and reporting, plotting, peak memory, and timing.

use std::error::Error;
use std::process::ExitCode;

pub mod cli;
pub mod compare;
pub mod data;
pub mod memory;
pub mod plot;
pub mod runs;
pub mod timing;

/// The digit classifier of `models/digits.pcg`.
pub mod digits {
    pc_runtime::include_model!("digits");
}

/// The MNIST MLP of `models/mnist_mlp.pcg`, used by the speed benchmarks.
pub mod mnist_mlp {
    pc_runtime::include_model!("mnist_mlp");
}

/// The MNIST CNN of `models/mnist_cnn.pcg`, used by the speed benchmarks.
pub mod mnist_cnn {
    pc_runtime::include_model!("mnist_cnn");
}

/// The test suite's CNN fixture, `tests/fixtures/pass/cnn.pcg`, for the speed benchmarks:
/// small enough that a step's fixed costs show beside its arithmetic.
pub mod cnn_fixture {
    pc_runtime::include_model!("cnn");
}

/// The MNIST RNN of `models/mnist_rnn.pcg`, reading each image row by row.
pub mod mnist_rnn {
    pc_runtime::include_model!("mnist_rnn");
}

/// The exit code of an example whose body returned `result`, printing the error if any, so
/// that a failure ends with a message rather than a panic.
pub fn exit_code(result: Result<(), Box<dyn Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
