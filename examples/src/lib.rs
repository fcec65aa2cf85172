//! Runnable predictive-coding examples. Models come in all three ways a program can bring
//! them in: `.pcg` files in `models/` compiled by the crate's build script, a model written
//! inline with `pc_model!`, and a `.pcg` file read by `pc_model!(file = ...)`. The other modules are what the binaries and benches share: their
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

/// Softmax regression for the 8x8 digits, written inline with `pc_model!`.
pub mod digits_linear {
    pc_macros::pc_model! {
        /// Softmax regression for the 8x8 digits: one linear vertex under the loss.
        model DigitsLinear {
            dim B;
            input x: [B, 64];
            target y: [B, 10];
            param w: [64, 10] = zeros;
            param b: [10] = zeros;
            node out = x @ w + b;
            loss cross_entropy(out, y);
        }
    }
}

/// The residual MLP of `models/digits_residual.pcg`, read by the file form of `pc_model!`.
pub mod digits_residual {
    pc_macros::pc_model!(file = "models/digits_residual.pcg");
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
