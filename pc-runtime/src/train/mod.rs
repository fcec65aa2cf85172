//! The training loop: epochs of shuffled mini-batches, a guarded optimiser step, and
//! evaluation on a held-out set after every epoch.
//!
//! ```no_run
//! # fn run(model: &mut dyn pc_runtime::Model<f32>) -> Result<(), Box<dyn std::error::Error>> {
//! use pc_runtime::{Method, data, optim::Adam, train::Trainer};
//!
//! let (train, test) = data::digits::load::<f32>()?.split(0.2, 7);
//! let history = Trainer::new()
//!     .epochs(10)
//!     .batch_size(32)
//!     .method(Method::Zil)
//!     .fit(model, &mut Adam::new(1e-3), &train, Some(&test))?;
//! println!("{:?}", history.last());
//! # Ok(())
//! # }
//! ```

mod history;
mod progress;
mod step;

use std::time::Instant;

use crate::data::Dataset;
use crate::{Batch, Method, Model, Named, Optimiser, Scalar};

pub use history::{EpochStats, History, NonFinite, TrainError};
use progress::Progress;
use step::guarded_step;

/// Trains any [`Model`] on a [`Dataset`]; built with chained setters, then [`Trainer::fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct Trainer {
    epochs: usize,
    batch_size: usize,
    method: Method,
    seed: u64,
    progress: bool,
    /// The input and target names; `None` takes the model's first input and first target.
    names: Option<(String, String)>,
}

impl Default for Trainer {
    fn default() -> Self {
        Trainer {
            epochs: 10,
            batch_size: 32,
            method: Method::default(),
            seed: 0,
            progress: false,
            names: None,
        }
    }
}

/// The held-out loss and accuracy of a model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// The mean loss over all samples.
    pub loss: f64,
    /// The fraction of samples whose largest output is at their label.
    pub accuracy: f64,
}

impl Trainer {
    /// Ten epochs of batches of 32 by [`Method::default`], seed 0, no progress output.
    pub fn new() -> Self {
        Trainer::default()
    }

    /// Sets the number of passes over the training set.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Sets the number of samples per mini-batch.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets how gradients are computed.
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Sets the seed of the batch order: the same seed gives the same training run.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets whether progress is shown on stderr: a bar per epoch on a terminal, one line per
    /// epoch elsewhere.
    pub fn progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// Sets the model's names for the batch's input and target, for a model with several;
    /// by default its first input and first target are used.
    pub fn names(mut self, input: impl Into<String>, target: impl Into<String>) -> Self {
        self.names = Some((input.into(), target.into()));
        self
    }

    /// Trains `model` with `optimiser` on `train` for the set number of epochs, evaluating on
    /// `test` after each. Stops at the first step whose loss, gradients or new parameters are
    /// not finite, keeping the parameters from before that step.
    ///
    /// The model's loss is taken to be a mean over the batch, as `mse` and `cross_entropy`
    /// are, so epoch means weight each batch by its size.
    pub fn fit<S, M, O>(
        &self,
        model: &mut M,
        optimiser: &mut O,
        train: &Dataset<S>,
        test: Option<&Dataset<S>>,
    ) -> Result<History, TrainError>
    where
        S: Scalar,
        M: Model<S> + ?Sized,
        O: Optimiser<S> + ?Sized,
    {
        let (input, target) = self.resolve_names(&*model)?;
        if train.is_empty() {
            return Err(TrainError::Config("the training set is empty".to_string()));
        }

        let mut history = History::default();
        let mut progress = Progress::new(self.progress);
        for epoch in 1..=self.epochs {
            let started = Instant::now();
            // Each epoch draws its own order; the seeds of nearby epochs are decorrelated by
            // the generator's seeding, which expands the number before use.
            let seed = self.seed.wrapping_add(epoch as u64);
            let batches = train.batches(self.batch_size, seed, &input, &target);
            progress.begin_epoch(epoch, self.epochs, batches.len());

            let mut loss_sum = 0.0;
            let mut seen = 0;
            for (index, batch) in batches.enumerate() {
                let step = index + 1;
                let size = batch_len(&batch, &target);
                let loss = guarded_step(&mut *model, &mut *optimiser, &batch, self.method)
                    .map_err(|failure| {
                        progress.abandon();
                        failure.at(epoch, step)
                    })?;
                loss_sum += loss * size as f64;
                seen += size;
                progress.step(loss_sum / seen as f64);
            }

            let evaluation = test
                .map(|test| self.evaluate_named(&*model, test, &input, &target, epoch))
                .transpose()
                .inspect_err(|_| progress.abandon())?;
            let stats = EpochStats {
                epoch,
                train_loss: loss_sum / seen as f64,
                test_loss: evaluation.map(|evaluation| evaluation.loss),
                test_accuracy: evaluation.map(|evaluation| evaluation.accuracy),
                seconds: started.elapsed().as_secs_f64(),
            };
            progress.end_epoch(&stats, self.epochs);
            history.epochs.push(stats);
        }
        progress.finish(&history);
        Ok(history)
    }

    /// The mean loss and the accuracy of `model` on `data`, in batches of the set size.
    pub fn evaluate<S, M>(&self, model: &M, data: &Dataset<S>) -> Result<Evaluation, TrainError>
    where
        S: Scalar,
        M: Model<S> + ?Sized,
    {
        let (input, target) = self.resolve_names(model)?;
        self.evaluate_named(model, data, &input, &target, 0)
    }

    /// [`Trainer::evaluate`] with the names resolved; `epoch` only labels errors.
    fn evaluate_named<S, M>(
        &self,
        model: &M,
        data: &Dataset<S>,
        input: &str,
        target: &str,
        epoch: usize,
    ) -> Result<Evaluation, TrainError>
    where
        S: Scalar,
        M: Model<S> + ?Sized,
    {
        if data.is_empty() {
            return Err(TrainError::Config("the held-out set is empty".to_string()));
        }
        let failed = |error| TrainError::Evaluation { epoch, error };
        let mut loss_sum = 0.0;
        let mut correct = 0;

        let indices: Vec<usize> = (0..data.len()).collect();
        for chunk in indices.chunks(self.batch_size) {
            // Prediction sees only the inputs; the target is added for the loss afterwards,
            // which avoids copying the inputs twice.
            let mut batch = Batch::new().with(input, data.select_inputs(chunk));
            let outputs = model.predict(&batch).map_err(failed)?;
            let labels: Vec<usize> = chunk.iter().map(|&index| data.labels()[index]).collect();
            correct += count_correct(&outputs, &labels)?;

            batch.push(target, data.select_targets(chunk));
            let loss = model.loss(&batch).map_err(failed)?;
            loss_sum += loss.to_f64_lossless() * chunk.len() as f64;
        }

        Ok(Evaluation {
            loss: loss_sum / data.len() as f64,
            accuracy: correct as f64 / data.len() as f64,
        })
    }

    /// The input and target names to batch with, checked against the settings.
    fn resolve_names<S, M>(&self, model: &M) -> Result<(String, String), TrainError>
    where
        S: Scalar,
        M: Model<S> + ?Sized,
    {
        if self.batch_size == 0 {
            return Err(TrainError::Config(
                "the batch size must be at least 1".to_string(),
            ));
        }
        if let Some(names) = &self.names {
            return Ok(names.clone());
        }
        let missing = |what: &str| {
            TrainError::Config(format!(
                "model `{}` declares no {what}; the trainer needs one",
                model.name()
            ))
        };
        let input = model
            .input_names()
            .first()
            .ok_or_else(|| missing("input"))?;
        let target = model
            .target_names()
            .first()
            .ok_or_else(|| missing("target"))?;
        Ok((input.to_string(), target.to_string()))
    }
}

/// The number of samples in a batch: the first axis of its target.
fn batch_len<S: Scalar>(batch: &Batch<S>, target: &str) -> usize {
    batch
        .get(target)
        .and_then(|targets| targets.shape().first().copied())
        .unwrap_or(0)
}

/// How many rows of the model's first output have their largest entry at the sample's label.
/// A model's outputs are the vertices its losses compare with targets; a classifier has one.
fn count_correct<S: Scalar>(outputs: &Named<S>, labels: &[usize]) -> Result<usize, TrainError> {
    let Some((name, output)) = outputs.iter().next() else {
        return Err(TrainError::Prediction(
            "the model predicts no output to compare with the labels".to_string(),
        ));
    };
    if output.ndim() != 2 || output.shape()[0] != labels.len() {
        return Err(TrainError::Prediction(format!(
            "output `{name}` has shape {:?}; accuracy needs [{}, classes]",
            output.shape(),
            labels.len()
        )));
    }

    let correct = output
        .outer_iter()
        .zip(labels)
        .filter(|(row, label)| {
            // The first largest entry wins ties; NaN never compares greater, so a row of NaN
            // predicts class 0 rather than panicking.
            let mut best = 0;
            for (class, &value) in row.iter().enumerate() {
                if value > row[best] {
                    best = class;
                }
            }
            best == **label
        })
        .count();
    Ok(correct)
}
