//! What training reports: the statistics of every epoch, and why training stopped early.

use std::fmt;

use crate::ModelError;

/// The statistics of one epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochStats {
    /// The epoch, from 1.
    pub epoch: usize,
    /// The mean loss over the epoch's training batches, each loss taken before its update.
    pub train_loss: f64,
    /// The mean loss on the held-out set after the epoch, if one was given.
    pub test_loss: Option<f64>,
    /// The fraction of the held-out set classified correctly after the epoch, if one was given.
    pub test_accuracy: Option<f64>,
    /// Wall-clock seconds for the epoch, evaluation included.
    pub seconds: f64,
}

/// The statistics of every epoch of one call to [`Trainer::fit`](super::Trainer::fit).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// One entry per epoch, in order.
    pub epochs: Vec<EpochStats>,
}

impl History {
    /// The last epoch's statistics.
    pub fn last(&self) -> Option<&EpochStats> {
        self.epochs.last()
    }

    /// The training loss of every epoch.
    pub fn train_losses(&self) -> Vec<f64> {
        self.epochs.iter().map(|epoch| epoch.train_loss).collect()
    }

    /// The held-out loss of every epoch that has one.
    pub fn test_losses(&self) -> Vec<f64> {
        self.epochs
            .iter()
            .filter_map(|epoch| epoch.test_loss)
            .collect()
    }

    /// The held-out accuracy of every epoch that has one.
    pub fn test_accuracies(&self) -> Vec<f64> {
        self.epochs
            .iter()
            .filter_map(|epoch| epoch.test_accuracy)
            .collect()
    }

    /// The seconds spent in all epochs.
    pub fn total_seconds(&self) -> f64 {
        self.epochs.iter().map(|epoch| epoch.seconds).sum()
    }
}

/// Why training stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// The trainer's settings or the data cannot be trained on.
    Config(String),
    /// A training step produced a loss, gradient or parameter that is NaN or infinite. The
    /// model keeps the parameters it had before that step.
    NonFinite {
        /// `loss`, or the name of the parameter whose gradient or new value is not finite.
        name: String,
        /// The epoch, from 1.
        epoch: usize,
        /// The step within the epoch, from 1.
        step: usize,
    },
    /// The model refused a training step.
    Step {
        /// The epoch, from 1.
        epoch: usize,
        /// The step within the epoch, from 1.
        step: usize,
        /// The model's reason.
        error: ModelError,
    },
    /// The model failed while being evaluated on the held-out set.
    Evaluation {
        /// The epoch after which it was evaluated, from 1; 0 outside [`Trainer::fit`](super::Trainer::fit).
        epoch: usize,
        /// The model's reason.
        error: ModelError,
    },
    /// The model's prediction cannot be compared with the labels.
    Prediction(String),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Config(message) | TrainError::Prediction(message) => f.write_str(message),
            TrainError::NonFinite { name, epoch, step } if name == "loss" => write!(
                f,
                "the loss is not finite at epoch {epoch}, step {step}; \
                 the parameters from before that step are kept"
            ),
            TrainError::NonFinite { name, epoch, step } => write!(
                f,
                "parameter `{name}` or its gradient is not finite at epoch {epoch}, step {step}; \
                 the parameters from before that step are kept"
            ),
            TrainError::Step { epoch, step, error } => {
                write!(f, "epoch {epoch}, step {step}: {error}")
            }
            TrainError::Evaluation { epoch, error } => {
                write!(f, "evaluation after epoch {epoch}: {error}")
            }
        }
    }
}

impl std::error::Error for TrainError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TrainError::Step { error, .. } | TrainError::Evaluation { error, .. } => Some(error),
            _ => None,
        }
    }
}
