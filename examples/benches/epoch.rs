//! Wall time and peak memory of one MNIST training epoch of the MLP 784-128-128-128-10 by
//! backprop, Z-IL wavefront and Z-IL full, with the ratios Z-IL / backprop of this run.
//!
//! Run with `cargo bench -p pc-examples --bench epoch`. MNIST is read as the `mnist` example
//! reads it: from `$PC_MNIST_DIR`, else from `../shared/data/mnist` beside the workspace; when
//! it is not there, the bench says where it looked and ends without timing. Every epoch trains
//! a copy of the same initial model with a fresh optimiser, the batch size, optimiser, learning
//! rate and seed being the `mnist` example's defaults, so every method sees the same batches.
//!
//! The timed region is [`Trainer::fit`] for one epoch without a held-out set, as the example
//! trains: drawing the epoch's batch order, copying each batch out of the data set, and the
//! guarded training steps. Loading and standardising MNIST, copying the initial model and
//! building the optimiser happen before it; evaluating the trained model happens after it.
//!
//! The methods run in interleaved rounds, each round in another order, so that they see the
//! same machine load; the fastest and the median epoch of each method are printed, and the
//! medians of the per-round ratios to backprop. The losses show that the methods trained the
//! same: the mean over the epoch's batches, and the trained model's on the training set.
//!
//! Memory is measured apart: for each method the bench starts itself again, loads the data,
//! resets the peak resident size (`VmHWM`), trains one epoch and reads the peak. A fresh
//! process keeps the methods from hiding in memory that an earlier epoch freed and the
//! allocator kept. The growth over the resident size before counts all that the epoch first
//! touched: the heap it needs, and the pages of the code it runs.
//!
//! Under `cargo test --benches` the bench trains one round of one batch of random pixels per
//! method instead, so that it checks its own code in a moment and needs no data.

use std::error::Error;
use std::process::{Command, ExitCode};
use std::time::Duration;

use clap::ValueEnum;
use pc_examples::cli::{DataArgs, Example, MnistArgs, TrainArgs, shared_mnist_dir};
use pc_examples::data::load_mnist;
use pc_examples::memory::{self, mebibytes};
use pc_examples::mnist_mlp::MnistMlp;
use pc_examples::timing::{self, Summary};
use pc_runtime::data::mnist::DIR_VARIABLE;
use pc_runtime::data::{DataError, Dataset};
use pc_runtime::init::{InitKind, init, seeded_rng};
use pc_runtime::train::{Evaluation, Trainer};
use pc_runtime::{Method, Tensor};

/// Interleaved rounds of a real run: every order of the three methods twice.
const ROUNDS: usize = 2 * timing::ORDERS.len();

/// Set to a method's name, the bench measures the memory of one epoch by that method and
/// prints it as a [`Memory::line`] instead of timing.
const MEMORY_VARIABLE: &str = "PC_EPOCH_BENCH_MEMORY_OF";

fn main() -> ExitCode {
    pc_examples::exit_code(run())
}

fn run() -> Result<(), Box<dyn Error>> {
    let defaults = MnistArgs::try_parse_with_defaults(["mnist"])?;
    let measuring = timing::measuring();
    let train = if measuring {
        match load_train(&defaults.data)? {
            Some(train) => train,
            None => return Ok(()),
        }
    } else {
        random_data(defaults.train.batch_size)?
    };
    let setup = Setup {
        model: MnistMlp::<f32>::new(defaults.train.seed),
        train: &train,
        args: &defaults.train,
    };

    if let Some(method) = memory_method()? {
        println!("{}", epoch_memory(&setup, method)?.line());
        return Ok(());
    }
    let rounds = if measuring { ROUNDS } else { 1 };
    print_setup(&setup, rounds);
    let epochs = timed_epochs(&setup, rounds)?;
    let memory = Method::ALL
        .iter()
        .map(|&method| memory_in_fresh_process(method))
        .collect::<Result<Vec<Memory>, _>>()?;
    print_times(&epochs.summary);
    print_memory(&memory);
    print_losses(&epochs.losses, rounds);
    Ok(())
}

/// The standardised MNIST training set, or `None` after saying where it was looked for when it
/// is not there. A file that is there but corrupt is an error.
fn load_train(args: &DataArgs) -> Result<Option<Dataset<f32>>, Box<dyn Error>> {
    if args.dir().is_err() {
        println!(
            "epoch bench skipped: no MNIST; {DIR_VARIABLE} names no folder and `{}` does not \
             exist",
            shared_mnist_dir().display()
        );
        return Ok(None);
    }
    match load_mnist(args) {
        Ok((train, _test)) => Ok(Some(train)),
        Err(error) if matches!(error.downcast_ref(), Some(DataError::Missing { .. })) => {
            println!("epoch bench skipped: no MNIST; {error}");
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// One batch of `size` samples of MNIST's shape: pixels uniform on `[0, 1)`, labels cycling
/// through the ten digits.
fn random_data(size: usize) -> Result<Dataset<f32>, Box<dyn Error>> {
    let uniform = InitKind::Uniform { lo: 0.0, hi: 1.0 };
    let features: Tensor<f32> = init(uniform, &[size, 784], &mut seeded_rng(7));
    let labels = (0..size).map(|index| index % 10).collect();
    Ok(Dataset::new(features, labels, 10)?)
}

/// What every epoch starts from.
struct Setup<'a> {
    /// The initial model, copied for every epoch.
    model: MnistMlp<f32>,
    train: &'a Dataset<f32>,
    /// The `mnist` example's defaults: batch size, optimiser, learning rate and seed.
    args: &'a TrainArgs,
}

impl Setup<'_> {
    /// Trains a copy of the initial model for one epoch by `method` with a fresh optimiser;
    /// returns the trained model, the mean loss over the epoch's batches, and the wall time of
    /// [`Trainer::fit`] alone.
    fn epoch(&self, method: Method) -> Result<(MnistMlp<f32>, f64, Duration), Box<dyn Error>> {
        let mut model = self.model.clone();
        let mut optimiser = self.args.optimiser.build(self.args.learning_rate);
        let trainer = self.trainer().method(method);
        let (history, elapsed) =
            timing::timed(|| trainer.fit(&mut model, &mut *optimiser, self.train, None));
        let loss = history
            .map_err(|error| format!("{method}: {error}"))?
            .last()
            .map_or(f64::NAN, |epoch| epoch.train_loss);
        Ok((model, loss, elapsed))
    }

    /// The trainer of one epoch, without progress output.
    fn trainer(&self) -> Trainer {
        Trainer::new()
            .epochs(1)
            .batch_size(self.args.batch_size)
            .seed(self.args.seed)
    }
}

/// The losses of one method's timed epochs.
#[derive(Default)]
struct Losses {
    /// The mean loss over each epoch's batches, each taken before its update.
    epochs: Vec<f64>,
    /// The first trained model on the whole training set.
    after: Option<Evaluation>,
}

/// The times of all timed epochs, and each method's losses.
struct Epochs {
    summary: Summary,
    losses: [Losses; 3],
}

/// Trains one epoch per method per round, interleaved; stops training at the first failure.
fn timed_epochs(setup: &Setup<'_>, rounds: usize) -> Result<Epochs, Box<dyn Error>> {
    let mut losses: [Losses; 3] = Default::default();
    let mut failure = None;
    let times = timing::interleaved(rounds, |index| {
        if failure.is_some() {
            return Duration::ZERO;
        }
        timed_epoch(setup, Method::ALL[index], &mut losses[index]).unwrap_or_else(|error| {
            failure = Some(error);
            Duration::ZERO
        })
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(Epochs {
            summary: timing::summarise(&times),
            losses,
        }),
    }
}

/// Trains one epoch by `method` and adds its loss to `losses`; evaluates the trained model on
/// the training set, after the timing, when it is the method's first. Returns the epoch's time.
fn timed_epoch(
    setup: &Setup<'_>,
    method: Method,
    losses: &mut Losses,
) -> Result<Duration, Box<dyn Error>> {
    let (model, loss, elapsed) = setup.epoch(method)?;
    losses.epochs.push(loss);
    if losses.after.is_none() {
        let evaluation = setup.trainer().evaluate(&model, setup.train);
        losses.after = Some(evaluation.map_err(|error| format!("{method}: {error}"))?);
    }
    Ok(elapsed)
}

/// The resident sizes around one epoch, in bytes, where the system reports them.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Memory {
    /// The resident size before the epoch, the data set and the model loaded.
    before: Option<u64>,
    /// The peak resident size during the epoch, or since the start if it could not be reset.
    peak: Option<u64>,
    /// Whether the peak was reset before the epoch.
    reset: bool,
}

impl Memory {
    /// The line a memory run prints: `memory <before> <peak> <reset>`, `-` where unknown.
    fn line(&self) -> String {
        let bytes = |bytes: Option<u64>| bytes.map_or_else(|| "-".to_string(), |b| b.to_string());
        format!(
            "memory {} {} {}",
            bytes(self.before),
            bytes(self.peak),
            self.reset
        )
    }

    /// Reads a [`Memory::line`] back.
    fn parse(line: &str) -> Option<Memory> {
        let mut words = line.strip_prefix("memory ")?.split(' ');
        let mut bytes = || -> Option<Option<u64>> {
            match words.next()? {
                "-" => Some(None),
                number => number.parse().ok().map(Some),
            }
        };
        let (before, peak) = (bytes()?, bytes()?);
        let reset = words.next()?.parse().ok()?;
        Some(Memory {
            before,
            peak,
            reset,
        })
    }
}

/// The method whose memory this process is to measure, if it is a memory run.
fn memory_method() -> Result<Option<Method>, String> {
    let Some(name) = std::env::var_os(MEMORY_VARIABLE) else {
        return Ok(None);
    };
    Method::ALL
        .into_iter()
        .find(|method| name == method.name())
        .map(Some)
        .ok_or_else(|| format!("{MEMORY_VARIABLE} names no method: {}", name.display()))
}

/// Resets the peak resident size, trains one epoch by `method`, and reads the peak again.
fn epoch_memory(setup: &Setup<'_>, method: Method) -> Result<Memory, Box<dyn Error>> {
    let before = memory::resident_bytes();
    let reset = memory::reset_peak();
    setup.epoch(method)?;
    Ok(Memory {
        before,
        peak: memory::peak_resident_bytes(),
        reset,
    })
}

/// The memory of one epoch by `method` in a new process running this bench with the same
/// arguments, so that no memory freed by an earlier epoch, kept by the allocator for reuse,
/// hides what the method needs.
fn memory_in_fresh_process(method: Method) -> Result<Memory, Box<dyn Error>> {
    let output = Command::new(std::env::current_exe()?)
        .args(std::env::args_os().skip(1))
        .env(MEMORY_VARIABLE, method.name())
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("the memory run of {method} failed: {stdout}{stderr}").into());
    }
    stdout
        .lines()
        .find_map(Memory::parse)
        .ok_or_else(|| format!("the memory run of {method} printed no memory line").into())
}

/// Says what is trained, and how often.
fn print_setup(setup: &Setup<'_>, rounds: usize) {
    let args = setup.args;
    let optimiser = args
        .optimiser
        .to_possible_value()
        .map(|value| value.get_name().to_string())
        .unwrap_or_default();
    let rate = match args.learning_rate {
        Some(rate) => format!("learning rate {rate}"),
        None => "its default learning rate".to_string(),
    };
    println!(
        "one epoch of mnist_mlp (784-128-128-128-10, f32): {} images in {} of {}, \
         {optimiser} with {rate}, seed {}",
        setup.train.len(),
        counted(
            setup.train.len().div_ceil(args.batch_size),
            "batch",
            "batches"
        ),
        args.batch_size,
        args.seed
    );
    println!(
        "{} of the three methods, each round in another order",
        counted(rounds, "interleaved round", "interleaved rounds")
    );
}

/// Prints each method's fastest and median epoch, and the ratios to backprop.
fn print_times(summary: &Summary) {
    let Summary {
        fastest,
        median,
        ratios,
    } = summary;
    println!();
    println!("wall time of one epoch");
    for (index, method) in Method::ALL.iter().enumerate() {
        println!(
            "  {:<9} fastest {:.3} s  median {:.3} s",
            method.name(),
            fastest[index],
            median[index]
        );
    }
    for (index, method) in [Method::Zil, Method::ZilFull].iter().enumerate() {
        println!(
            "  {method}/backprop: {:.3} (median of per-round ratios), {:.3} (fastest over fastest)",
            ratios[index],
            fastest[index + 1] / fastest[0]
        );
    }
}

/// Prints the resident size before each method's epoch, its peak, and the growth.
fn print_memory(memory: &[Memory]) {
    println!();
    println!("resident memory of one epoch, each method in a fresh process");
    let unknown = || "?".to_string();
    for (method, memory) in Method::ALL.iter().zip(memory) {
        let growth = match (memory.before, memory.peak) {
            (Some(before), Some(peak)) => format!("+{} KiB", peak.saturating_sub(before) / 1024),
            _ => unknown(),
        };
        println!(
            "  {:<9} before {}  peak {}  ({growth})",
            method.name(),
            memory.before.map_or_else(unknown, mebibytes),
            memory.peak.map_or_else(unknown, mebibytes),
        );
    }
    if memory.iter().any(|memory| !memory.reset) {
        println!("  (the peak could not be reset: it is the peak since the process started)");
    }
}

/// Prints each method's mean loss over the epoch, whether every round gave the same, and the
/// trained model's loss and accuracy on the training set.
fn print_losses(losses: &[Losses; 3], rounds: usize) {
    println!();
    println!(
        "training loss (epoch: the mean over its batches, each before its update; \
         after: the trained model's on the training set)"
    );
    let backprop = losses[0].after.map_or(f64::NAN, |after| after.loss);
    for (method, losses) in Method::ALL.iter().zip(losses) {
        let epoch = losses.epochs.first().copied().unwrap_or(f64::NAN);
        let spread = losses
            .epochs
            .iter()
            .map(|loss| (loss - epoch).abs())
            .fold(0.0, f64::max);
        let rounds = if spread == 0.0 {
            "the same in every round".to_string()
        } else {
            format!("varying by up to {spread:.1e} across {rounds} rounds")
        };
        let after = losses.after.map_or(f64::NAN, |after| after.loss);
        let accuracy = losses.after.map_or(f64::NAN, |after| after.accuracy);
        let difference = if *method == Method::Backprop {
            String::new()
        } else {
            format!(", {:+.1e} from backprop", after - backprop)
        };
        println!(
            "  {:<9} epoch {epoch:.6} ({rounds}); after it {after:.6}{difference}, \
             {:.2}% correct",
            method.name(),
            100.0 * accuracy
        );
    }
}

/// `1 batch`, `469 batches`.
fn counted(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
