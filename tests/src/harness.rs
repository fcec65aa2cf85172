//! Running generated models on random data: batches, finite differences, comparisons.

use ndarray::IxDyn;
use pc_runtime::inference::DeclaredDim;
use pc_runtime::init::{InitKind, init, seeded_rng};
use pc_runtime::{Batch, Model, Scalar, Tensor};

/// A random batch for declared shapes, with every run-time dimension set to `size`: inputs
/// standard normal, targets one-hot along their last axis (valid for both losses).
pub fn random_batch<S: Scalar>(
    inputs: &[&str],
    shapes: &[(&str, &[DeclaredDim])],
    size: usize,
    seed: u64,
) -> Batch<S> {
    let mut rng = seeded_rng(seed);
    let mut batch = Batch::new();
    for (name, declared) in shapes {
        let dims: Vec<usize> = declared
            .iter()
            .map(|dim| match dim {
                DeclaredDim::Fixed(n) => *n,
                DeclaredDim::Runtime(_) => size,
            })
            .collect();
        let tensor = if inputs.contains(name) {
            init(InitKind::Normal { std: 1.0 }, &dims, &mut rng)
        } else {
            one_hot(&dims, seed)
        };
        batch.push(*name, tensor);
    }
    batch
}

/// One-hot rows along the last axis, the hot entry chosen by a simple hash of the row.
fn one_hot<S: Scalar>(dims: &[usize], seed: u64) -> Tensor<S> {
    let mut tensor = Tensor::zeros(IxDyn(dims));
    let classes = dims.last().copied().unwrap_or(1).max(1);
    let rows = tensor.len() / classes;
    if let Some(data) = tensor.as_slice_mut() {
        for row in 0..rows {
            let hot = (row as u64 * 7 + seed * 3) as usize % classes;
            data[row * classes + hot] = S::one();
        }
    }
    tensor
}

/// The largest relative error of `gradients` against central finite differences of the loss,
/// over at most `per_param` entries of each parameter (spread evenly), with step `h`.
pub fn finite_difference_error<M: Model<f64> + Clone>(
    model: &M,
    batch: &Batch<f64>,
    gradients: &pc_runtime::Gradients<f64>,
    per_param: usize,
    h: f64,
) -> f64 {
    let mut difference = 0.0_f64;
    let mut scale = 0.0_f64;
    for (name, gradient) in gradients.iter() {
        let count = gradient.len();
        let stride = (count / per_param.max(1)).max(1);
        for index in (0..count).step_by(stride) {
            let shifted = |delta: f64| {
                let mut copy = model.clone();
                let param = copy
                    .param_mut(name)
                    .expect("gradients are named after parameters");
                if let Some(value) = param.iter_mut().nth(index) {
                    *value += delta;
                }
                copy.loss(batch).expect("the batch fits the model")
            };
            let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
            let analytic = gradient.iter().nth(index).copied().unwrap_or(0.0);
            difference = difference.max((numeric - analytic).abs());
            scale = scale.max(analytic.abs());
        }
    }
    if scale == 0.0 {
        difference
    } else {
        difference / scale
    }
}
