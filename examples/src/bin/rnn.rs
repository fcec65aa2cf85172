//! A many-to-one RNN reading each MNIST image row by row: 28 steps of 28 pixels, batched
//! time-major as `[28, B, 28]`, classified from the last hidden state.

use std::error::Error;
use std::process::ExitCode;

use pc_examples::cli::{Example, RnnArgs, prepare_out_dir};
use pc_examples::data::load_mnist;
use pc_examples::memory::report_peak;
use pc_examples::mnist_rnn::MnistRnn;
use pc_examples::runs::{print_gradient_check, train_and_report};
use pc_runtime::data::{Dataset, Layout};

fn main() -> ExitCode {
    pc_examples::exit_code(run(RnnArgs::parse_with_defaults()))
}

fn run(args: RnnArgs) -> Result<(), Box<dyn Error>> {
    prepare_out_dir(&args.train.out)?;
    let (train, test) = load_mnist(&args.data)?;
    let (train, test) = (rows_as_steps(train)?, rows_as_steps(test)?);
    println!("model `MnistRnn`: {} Z-IL steps", MnistRnn::<f32>::DEPTH);

    let model = MnistRnn::<f32>::new(args.train.seed);
    print_gradient_check(&model, &train, args.train.batch_size)?;
    report_peak(|| train_and_report("mnist_rnn", &model, &args.train, &train, &test))?;
    Ok(())
}

/// Images `[N, 784]` as sequences of their rows, batched `[28, B, 28]`.
fn rows_as_steps(data: Dataset<f32>) -> Result<Dataset<f32>, Box<dyn Error>> {
    Ok(data
        .with_feature_shape(&[28, 28])?
        .with_layout(Layout::TimeMajor)?)
}
