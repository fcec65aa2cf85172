//! One training step that changes nothing when anything in it is NaN or infinite.
//!
//! [`Model::train_step`] applies the optimiser as it goes, so a NaN found afterwards would have
//! already overwritten the parameters. This step checks the loss and every gradient before any
//! update, then updates copies of the parameters and writes them back only when all are
//! finite. The copies cost one pass over the parameters per step, small beside the forward
//! and backward passes, which read every parameter once per sample of the batch.

use crate::{Batch, Method, Model, ModelError, Optimiser, Scalar, Tensor};

use super::{NonFinite, TrainError};

/// Why a guarded step did not happen; the trainer adds the epoch and step.
pub(super) enum StepFailure {
    /// The model refused the batch.
    Model(ModelError),
    /// The loss, a gradient or an updated parameter is not finite.
    NonFinite(NonFinite),
}

impl StepFailure {
    /// The trainer's error for this failure at `epoch`, `step`.
    pub(super) fn at(self, epoch: usize, step: usize) -> TrainError {
        match self {
            StepFailure::Model(error) => TrainError::Step { epoch, step, error },
            StepFailure::NonFinite(value) => TrainError::NonFinite { value, epoch, step },
        }
    }
}

/// Computes the loss and gradients on `batch` by `method` and applies `optimiser`, unless the
/// loss, a gradient or an updated parameter is not finite, in which case the model is left as
/// it was. Returns the loss before the update.
pub(super) fn guarded_step<S, M, O>(
    model: &mut M,
    optimiser: &mut O,
    batch: &Batch<S>,
    method: Method,
) -> Result<f64, StepFailure>
where
    S: Scalar,
    M: Model<S> + ?Sized,
    O: Optimiser<S> + ?Sized,
{
    let (loss, gradients) = model
        .loss_and_gradients(batch, method)
        .map_err(StepFailure::Model)?;
    if !loss.is_finite() {
        // The forward values are in topological order: the first that is not finite is
        // where the NaN or infinity arose.
        let vertex = model.values(batch).ok().and_then(|values| {
            values
                .iter()
                .find(|(_, value)| !all_finite(value))
                .map(|(name, _)| name.to_string())
        });
        return Err(StepFailure::NonFinite(NonFinite::Loss { vertex }));
    }
    if let Some((name, _)) = gradients.iter().find(|(_, gradient)| !all_finite(gradient)) {
        return Err(StepFailure::NonFinite(NonFinite::Gradient(
            name.to_string(),
        )));
    }

    optimiser.begin_step();
    let mut updated: Vec<(&str, Tensor<S>)> = Vec::with_capacity(gradients.len());
    for (name, gradient) in gradients.iter() {
        let mut param = model
            .param(name)
            .ok_or_else(|| {
                StepFailure::Model(ModelError::UnknownParam {
                    model: model.name().to_string(),
                    name: name.to_string(),
                })
            })?
            .clone();
        optimiser.update(name, &mut param, gradient);
        if !all_finite(&param) {
            return Err(StepFailure::NonFinite(NonFinite::Update(name.to_string())));
        }
        updated.push((name, param));
    }

    for (name, param) in updated {
        // The name was found by `param` above, so `param_mut` finds it too.
        if let Some(slot) = model.param_mut(name) {
            *slot = param;
        }
    }
    Ok(loss.to_f64_lossless())
}

/// Whether every element is neither NaN nor infinite.
fn all_finite<S: Scalar>(tensor: &Tensor<S>) -> bool {
    tensor.iter().all(|value| value.is_finite())
}
