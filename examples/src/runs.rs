//! Training an example's model with one method, or with two from the same seed to compare
//! them, then printing the per-epoch figures and plotting them.

use std::error::Error;
use std::io::IsTerminal;
use std::path::PathBuf;

use pc_runtime::data::Dataset;
use pc_runtime::train::{History, Trainer};
use pc_runtime::{Method, Model};

use crate::cli::TrainArgs;
use crate::compare::print_comparison;
use crate::plot::{self, Panel, Series};

/// One training run: the method and what each epoch gave.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// How gradients were computed.
    pub method: Method,
    /// The statistics of every epoch.
    pub history: History,
}

/// Prints the largest relative difference between each Z-IL mode's gradients and backprop's
/// on the first `size` training samples: Z-IL's update equals backprop's.
pub fn print_gradient_check<M: Model<f32>>(
    model: &M,
    train: &Dataset<f32>,
    size: usize,
) -> Result<(), Box<dyn Error>> {
    let (input, target) = match (model.input_names(), model.target_names()) {
        ([input, ..], [target, ..]) => (*input, *target),
        _ => return Err(format!("model `{}` has no input or target", model.name()).into()),
    };
    let indices: Vec<usize> = (0..size.min(train.len())).collect();
    let batch = train.batch(&indices, input, target);
    let backprop = model.gradients(&batch, Method::Backprop)?;
    for method in [Method::Zil, Method::ZilFull] {
        let zil = model.gradients(&batch, method)?;
        println!(
            "{method} vs backprop on one batch of {}: largest relative difference {:.2e}",
            indices.len(),
            zil.relative_difference(&backprop)
        );
    }
    Ok(())
}

/// Trains `model` with every method `args` asks for, each run from the same parameters and
/// batch order; prints each epoch, compares the runs when there are two, writes the plot into
/// `args.out` as `name.svg`, and returns the runs.
pub fn train_and_report<M: Model<f32> + Clone>(
    name: &str,
    model: &M,
    args: &TrainArgs,
    train: &Dataset<f32>,
    test: &Dataset<f32>,
) -> Result<Vec<Run>, Box<dyn Error>> {
    // The trainer shows every epoch on stderr as it ends; the table repeats it on stdout only
    // when stdout goes elsewhere than the terminal that already shows it.
    let repeat_epochs = !(std::io::stdout().is_terminal() && std::io::stderr().is_terminal());
    let mut runs = Vec::new();
    for method in args.methods() {
        println!("training with {method}");
        let history = train_one(model.clone(), method, args, train, test)?;
        if repeat_epochs {
            print_epochs(&history);
        }
        runs.push(Run { method, history });
    }
    if let [first, second] = runs.as_slice() {
        print_comparison(first, second);
    }

    let path = plot_runs(name, &runs, &args.out.join(format!("{name}.svg")))?;
    println!("plot written to {}", path.display());
    Ok(runs)
}

/// Trains one copy of the model with `method` and a fresh optimiser, as `args` says.
fn train_one<M: Model<f32>>(
    mut model: M,
    method: Method,
    args: &TrainArgs,
    train: &Dataset<f32>,
    test: &Dataset<f32>,
) -> Result<History, Box<dyn Error>> {
    let trainer = Trainer::new()
        .epochs(args.epochs)
        .batch_size(args.batch_size)
        .method(method)
        .seed(args.seed)
        .progress(true);
    let mut optimiser = args.optimiser.build(args.learning_rate);
    let history = trainer.fit(&mut model, &mut *optimiser, train, Some(test))?;
    Ok(history)
}

/// Prints one line per epoch.
fn print_epochs(history: &History) {
    for epoch in &history.epochs {
        println!(
            "epoch {:>2}  train loss {:.4}  test loss {:.4}  test accuracy {:.2}%  ({:.1} s)",
            epoch.epoch,
            epoch.train_loss,
            epoch.test_loss.unwrap_or(f64::NAN),
            100.0 * epoch.test_accuracy.unwrap_or(f64::NAN),
            epoch.seconds
        );
    }
}

/// Writes the loss and accuracy curves of every run to `path`: one colour per curve, the
/// second run dashed so that it shows where it lies on the first.
pub fn plot_runs(name: &str, runs: &[Run], path: &std::path::Path) -> Result<PathBuf, String> {
    let series = |label: &str, values: fn(&History) -> Vec<f64>| -> Vec<Series> {
        runs.iter()
            .enumerate()
            .map(|(index, run)| Series {
                name: format!("{} {label}", run.method),
                values: values(&run.history),
                dashed: index > 0,
            })
            .collect()
    };

    let mut losses = series("train loss", History::train_losses);
    losses.extend(series("test loss", History::test_losses));
    let accuracies = series("test accuracy", |history| {
        let accuracies = history.test_accuracies();
        accuracies.into_iter().map(|a| 100.0 * a).collect()
    });
    let panels = [
        Panel {
            title: "loss".to_string(),
            y_label: "cross-entropy".to_string(),
            series: losses,
        },
        Panel {
            title: "test accuracy".to_string(),
            y_label: "accuracy (%)".to_string(),
            series: accuracies,
        },
    ];
    let methods: Vec<&str> = runs.iter().map(|run| run.method.name()).collect();
    let caption = format!("{name}: {}", methods.join(" vs "));
    plot::write_svg(path, &caption, &panels)?;
    Ok(path.to_path_buf())
}
