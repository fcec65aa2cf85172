//! The main job: a `.pcg` MLP, compiled by `build.rs`, trained with Z-IL on the 8x8 digits
//! embedded in the binary. `--compare` trains it with backprop too and plots both.

use std::error::Error;
use std::process::ExitCode;
use std::time::Instant;

use pc_examples::cli::{DigitsArgs, Example, prepare_out_dir};
use pc_examples::digits::Digits;
use pc_examples::runs::{print_gradient_check, train_and_report};
use pc_runtime::data::digits;

fn main() -> ExitCode {
    pc_examples::exit_code(run(DigitsArgs::parse_with_defaults()))
}

fn run(args: DigitsArgs) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    prepare_out_dir(&args.train.out)?;
    let (train, test) = digits::load::<f32>()?.split(0.2, 7);
    println!(
        "8x8 digits: {} training and {} held-out images; model `Digits`, {} Z-IL steps",
        train.len(),
        test.len(),
        Digits::<f32>::DEPTH
    );

    let model = Digits::<f32>::new(args.train.seed);
    print_gradient_check(&model, &train, 64)?;

    let runs = train_and_report("digits", &model, &args.train, &train, &test)?;
    let accuracy = runs
        .last()
        .and_then(|run| run.history.last())
        .and_then(|epoch| epoch.test_accuracy);
    if let Some(accuracy) = accuracy {
        println!("final test accuracy {:.2}%", 100.0 * accuracy);
    }
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
