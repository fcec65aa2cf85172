//! Command-line arguments of the examples: the training flags they share, and each example's
//! own flags and defaults.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, ValueEnum};
use pc_runtime::optim::{Adam, Momentum, Sgd};
use pc_runtime::{Method, Optimiser};

/// How gradients are computed, as the `--method` flag spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Z-IL, wavefront mode.
    Zil,
    /// Reverse-mode differentiation.
    Backprop,
    /// Z-IL, full mode: every value node relaxes at every inference step.
    ZilFull,
}

impl From<MethodArg> for Method {
    fn from(method: MethodArg) -> Method {
        match method {
            MethodArg::Zil => Method::Zil,
            MethodArg::Backprop => Method::Backprop,
            MethodArg::ZilFull => Method::ZilFull,
        }
    }
}

/// The optimiser, as the `--optimiser` flag spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OptimiserArg {
    /// Adam with the usual betas.
    Adam,
    /// Plain stochastic gradient descent.
    Sgd,
    /// Gradient descent with heavy-ball momentum 0.9.
    Momentum,
}

impl OptimiserArg {
    /// A fresh optimiser of this kind with `learning_rate`, or its usual rate when `None`.
    pub fn build(self, learning_rate: Option<f64>) -> Box<dyn Optimiser<f32>> {
        match self {
            OptimiserArg::Adam => Box::new(Adam::new(learning_rate.unwrap_or(1e-3))),
            OptimiserArg::Sgd => Box::new(Sgd::new(learning_rate.unwrap_or(0.1))),
            OptimiserArg::Momentum => Box::new(Momentum::new(learning_rate.unwrap_or(0.02), 0.9)),
        }
    }
}

/// The training flags every example shares. Each example sets its own defaults with
/// [`Example::DEFAULTS`], so that `--help` shows the values the example really uses.
#[derive(Clone, Debug, PartialEq, Args)]
pub struct TrainArgs {
    /// Passes over the training set.
    #[arg(long, default_value = "10", value_parser = at_least_one)]
    pub epochs: usize,
    /// Samples per mini-batch.
    #[arg(long, default_value = "32", value_parser = at_least_one)]
    pub batch_size: usize,
    /// How gradients are computed.
    #[arg(long, value_enum, default_value_t = MethodArg::Zil)]
    pub method: MethodArg,
    /// How parameters follow their gradients.
    #[arg(long, value_enum, default_value_t = OptimiserArg::Adam)]
    pub optimiser: OptimiserArg,
    /// The optimiser's step size [default: 0.001 for adam, 0.1 for sgd, 0.02 for momentum]
    #[arg(long, value_parser = positive_rate)]
    pub learning_rate: Option<f64>,
    /// Seed of the initial parameters and of the batch order.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Train twice from the same seed, with backprop and with `--method` (Z-IL when that is
    /// backprop), and compare the per-epoch losses.
    #[arg(long)]
    pub compare: bool,
    /// Folder for the plots; created if missing.
    #[arg(long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,
}

impl TrainArgs {
    /// The methods to train with: `--method`, or backprop and then Z-IL with `--compare`.
    pub fn methods(&self) -> Vec<Method> {
        let method = Method::from(self.method);
        match (self.compare, method) {
            (false, _) => vec![method],
            (true, Method::Backprop) => vec![Method::Backprop, Method::Zil],
            (true, _) => vec![Method::Backprop, method],
        }
    }
}

/// Where MNIST is read from, and how much of it.
#[derive(Clone, Debug, PartialEq, Args)]
pub struct DataArgs {
    /// Folder of the four MNIST IDX files, gzipped or not [default: $PC_MNIST_DIR, else
    /// ../shared/data/mnist beside the workspace]
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Train on only the first N training images, for a quick run.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub limit: Option<usize>,
}

impl DataArgs {
    /// The MNIST folder: `--data`, else `PC_MNIST_DIR`, else the shared data folder beside the
    /// workspace if it exists.
    pub fn dir(&self) -> Result<PathBuf, String> {
        if let Some(dir) = self
            .data
            .clone()
            .or_else(pc_runtime::data::mnist::dir_from_env)
        {
            return Ok(dir);
        }
        let shared = shared_mnist_dir();
        if shared.is_dir() {
            return Ok(shared.canonicalize().unwrap_or(shared));
        }
        Err(format!(
            "no MNIST folder: pass `--data DIR` or set {}; `{}` does not exist",
            pc_runtime::data::mnist::DIR_VARIABLE,
            shared.display()
        ))
    }
}

/// `../shared/data/mnist` relative to the workspace root, where the project keeps MNIST.
pub fn shared_mnist_dir() -> PathBuf {
    // The examples crate sits one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/mnist")
}

/// The MNIST model `--model` picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Architecture {
    /// 784-128-128-128-10, tanh.
    Mlp,
    /// Two 3x3 convolutions with ReLU and 2x2 max pooling, and a dense read-out.
    Cnn,
}

/// The arguments of `digits`.
#[derive(Clone, Debug, PartialEq, Parser)]
#[command(
    name = "digits",
    about = "Train a .pcg MLP with Z-IL on the embedded 8x8 digits"
)]
pub struct DigitsArgs {
    /// Training flags.
    #[command(flatten)]
    pub train: TrainArgs,
}

/// The model `macros --model` picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MacroModel {
    /// Softmax regression, written inline with `pc_model!`.
    Linear,
    /// A residual MLP with an identity vertex, read by `pc_model!(file = ...)`.
    Residual,
}

/// The arguments of `macros`.
#[derive(Clone, Debug, PartialEq, Parser)]
#[command(
    name = "macros",
    about = "Train a model brought in by pc_model!, inline or from a file, on the 8x8 digits"
)]
pub struct MacrosArgs {
    /// Which model to train.
    #[arg(long, value_enum, default_value_t = MacroModel::Residual)]
    pub model: MacroModel,
    /// Training flags.
    #[command(flatten)]
    pub train: TrainArgs,
}

/// The arguments of `mnist`.
#[derive(Clone, Debug, PartialEq, Parser)]
#[command(name = "mnist", about = "Train an MLP or a CNN on MNIST")]
pub struct MnistArgs {
    /// Which model to train.
    #[arg(long, value_enum, default_value_t = Architecture::Mlp)]
    pub model: Architecture,
    /// Data flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Training flags.
    #[command(flatten)]
    pub train: TrainArgs,
}

/// The arguments of `rnn`.
#[derive(Clone, Debug, PartialEq, Parser)]
#[command(name = "rnn", about = "Train an RNN reading MNIST images row by row")]
pub struct RnnArgs {
    /// Data flags.
    #[command(flatten)]
    pub data: DataArgs,
    /// Training flags.
    #[command(flatten)]
    pub train: TrainArgs,
}

/// An example's arguments, parsed with the example's own defaults for the shared flags.
pub trait Example: Parser {
    /// Default values by argument id (the field name), overriding [`TrainArgs`]'s.
    const DEFAULTS: &'static [(&'static str, &'static str)];

    /// Parses `args` (the program name first); help and usage errors come back as the error.
    fn try_parse_with_defaults<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = Self::command();
        for &(id, value) in Self::DEFAULTS {
            command = command.mut_arg(id, |arg| arg.default_value(value));
        }
        let matches = command.try_get_matches_from_mut(args)?;
        Self::from_arg_matches(&matches).map_err(|error| error.format(&mut command))
    }

    /// Parses the process's arguments; prints help or a usage error and exits on failure.
    fn parse_with_defaults() -> Self {
        Self::try_parse_with_defaults(std::env::args_os()).unwrap_or_else(|error| error.exit())
    }
}

impl Example for DigitsArgs {
    const DEFAULTS: &'static [(&'static str, &'static str)] = &[
        ("epochs", "30"),
        ("batch_size", "16"),
        ("optimiser", "momentum"),
        ("out", "out/digits"),
    ];
}

impl Example for MacrosArgs {
    const DEFAULTS: &'static [(&'static str, &'static str)] = &[
        ("epochs", "20"),
        ("batch_size", "16"),
        ("optimiser", "momentum"),
        ("out", "out/macros"),
    ];
}

impl Example for MnistArgs {
    const DEFAULTS: &'static [(&'static str, &'static str)] = &[
        ("epochs", "5"),
        ("batch_size", "128"),
        ("optimiser", "momentum"),
        ("out", "out/mnist"),
    ];
}

impl Example for RnnArgs {
    const DEFAULTS: &'static [(&'static str, &'static str)] =
        &[("epochs", "3"), ("batch_size", "32"), ("out", "out/rnn")];
}

/// Creates the output folder if needed and checks that files can be written in it, so that a
/// bad `--out` fails before training rather than after.
pub fn prepare_out_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create output folder `{}`: {error}", dir.display()))?;
    let probe = dir.join(".pc-examples-write-check");
    std::fs::write(&probe, b"")
        .map_err(|error| format!("cannot write in output folder `{}`: {error}", dir.display()))?;
    // The probe proved the folder writable; failing to remove it changes nothing for the user.
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Parses a whole number of at least one.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(value) => Ok(value),
        Err(error) => Err(error.to_string()),
    }
}

/// Parses a finite positive learning rate.
fn positive_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        Ok(_) => Err("must be a positive number".to_string()),
        Err(error) => Err(error.to_string()),
    }
}
