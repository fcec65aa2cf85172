//! The main job: a `.pcg` MLP, compiled by `build.rs`, trained with Z-IL on the 8x8 digits
//! embedded in the binary.

use std::process::ExitCode;

use pc_examples::digits::Digits;
use pc_runtime::data::digits;
use pc_runtime::optim::Adam;
use pc_runtime::train::Trainer;
use pc_runtime::{Method, Model};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let data = digits::load::<f32>()?;
    let (train, test) = data.split(0.2, 7);
    println!(
        "8x8 digits: {} training and {} held-out images; model `Digits`, {} Z-IL steps",
        train.len(),
        test.len(),
        Digits::<f32>::DEPTH
    );

    // Z-IL's update equals backprop's: check it on one batch before training.
    let mut model = Digits::<f32>::new(1);
    let batch = train.batch(&(0..64).collect::<Vec<_>>(), "x", "y");
    let backprop = model.gradients(&batch, Method::Backprop)?;
    for method in [Method::Zil, Method::ZilFull] {
        let zil = model.gradients(&batch, method)?;
        println!(
            "{method} vs backprop on one batch: largest relative difference {:.2e}",
            zil.relative_difference(&backprop)
        );
    }

    let trainer = Trainer::new()
        .epochs(15)
        .batch_size(32)
        .method(Method::Zil)
        .seed(3)
        .progress(true);
    let history = trainer.fit(&mut model, &mut Adam::new(1e-3), &train, Some(&test))?;
    for epoch in &history.epochs {
        println!(
            "epoch {:>2}  train loss {:.4}  test loss {:.4}  test accuracy {:.2}%",
            epoch.epoch,
            epoch.train_loss,
            epoch.test_loss.unwrap_or(f64::NAN),
            100.0 * epoch.test_accuracy.unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
