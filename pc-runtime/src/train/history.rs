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

/// What a training step found NaN or infinite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NonFinite {
    /// The loss, with the first vertex of the forward pass whose value is not finite, if any
    /// is (if none is, the loss itself overflowed, as the log of a zero probability does).
    Loss {
        /// The vertex's name.
        vertex: Option<String>,
    },
    /// The gradient of the named parameter.
    Gradient(String),
    /// The named parameter, after the optimiser's update.
    Update(String),
}

impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NonFinite::Loss {
                vertex: Some(vertex),
            } => write!(
                f,
                "the loss is not finite: vertex `{vertex}` is the first whose value is not"
            ),
            NonFinite::Loss { vertex: None } => f.write_str("the loss is not finite"),
            NonFinite::Gradient(param) => {
                write!(f, "the gradient of parameter `{param}` is not finite")
            }
            NonFinite::Update(param) => {
                write!(f, "parameter `{param}` is not finite after its update")
            }
        }
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
        /// What is not finite.
        value: NonFinite,
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
            TrainError::NonFinite { value, epoch, step } => write!(
                f,
                "epoch {epoch}, step {step}: {value}; the parameters from before that step are \
                 kept"
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
