//! MNIST from the standard IDX files: the MLP 784-128-128-128-10 or a small CNN, trained with
//! any method, with the test loss and accuracy after every epoch.

use std::error::Error;
use std::process::ExitCode;

use pc_examples::cli::{Architecture, Example, MnistArgs, prepare_out_dir};
use pc_examples::data::load_mnist;
use pc_examples::memory::report_peak;
use pc_examples::mnist_cnn::MnistCnn;
use pc_examples::mnist_mlp::MnistMlp;
use pc_examples::runs::{print_gradient_check, train_and_report};

fn main() -> ExitCode {
    pc_examples::exit_code(run(MnistArgs::parse_with_defaults()))
}

fn run(args: MnistArgs) -> Result<(), Box<dyn Error>> {
    prepare_out_dir(&args.train.out)?;
    let (train, test) = load_mnist(&args.data)?;
    let seed = args.train.seed;

    match args.model {
        Architecture::Mlp => {
            let model = MnistMlp::<f32>::new(seed);
            print_gradient_check(&model, &train, args.train.batch_size)?;
            report_peak(|| train_and_report("mnist_mlp", &model, &args.train, &train, &test))?;
        }
        Architecture::Cnn => {
            let train = train.with_feature_shape(&[1, 28, 28])?;
            let test = test.with_feature_shape(&[1, 28, 28])?;
            let model = MnistCnn::<f32>::new(seed);
            print_gradient_check(&model, &train, args.train.batch_size)?;
            report_peak(|| train_and_report("mnist_cnn", &model, &args.train, &train, &test))?;
        }
    }
    Ok(())
}
