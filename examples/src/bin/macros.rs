//! Models brought in by `pc_model!`, trained with Z-IL on the embedded 8x8 digits: softmax
//! regression written inline in `pc_examples::digits_linear`, or the residual MLP that
//! `pc_examples::digits_residual` reads from `models/digits_residual.pcg`.

use std::error::Error;
use std::process::ExitCode;

use pc_examples::cli::{Example, MacroModel, MacrosArgs, prepare_out_dir};
use pc_examples::digits_linear::DigitsLinear;
use pc_examples::digits_residual::DigitsResidual;
use pc_examples::runs::{print_gradient_check, train_and_report};
use pc_runtime::data::digits;

fn main() -> ExitCode {
    pc_examples::exit_code(run(MacrosArgs::parse_with_defaults()))
}

fn run(args: MacrosArgs) -> Result<(), Box<dyn Error>> {
    prepare_out_dir(&args.train.out)?;
    let (train, test) = digits::load::<f32>()?.split(0.2, 7);
    let seed = args.train.seed;
    match args.model {
        MacroModel::Linear => {
            println!("model `DigitsLinear`, written inline with `pc_model!`");
            let model = DigitsLinear::<f32>::new(seed);
            print_gradient_check(&model, &train, 64)?;
            train_and_report("digits_linear", &model, &args.train, &train, &test)?;
        }
        MacroModel::Residual => {
            println!(
                "model `DigitsResidual`, read by `pc_model!(file = ...)`: {} Z-IL steps",
                DigitsResidual::<f32>::DEPTH
            );
            let model = DigitsResidual::<f32>::new(seed);
            print_gradient_check(&model, &train, 64)?;
            train_and_report("digits_residual", &model, &args.train, &train, &test)?;
        }
    }
    Ok(())
}
