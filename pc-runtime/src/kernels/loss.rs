//! The losses, averaged over the batch (the first axis), and their gradients.
//!
//! Both losses accept any rank of at least 1: the first axis is the batch, and for
//! cross-entropy the last axis holds the classes.

use ndarray::Zip;

use super::activation::{assert_same_shape, last_axis, softmax};
use crate::{Scalar, Tensor};

/// Mean squared error: `mean_b 1/2 |y_b - pred_b|^2`.
pub fn mse<S: Scalar>(pred: &Tensor<S>, y: &Tensor<S>) -> S {
    assert_same_shape(pred, y, "mse");
    let total = Zip::from(pred).and(y).fold(S::zero(), |total, &p, &y| {
        let d = y - p;
        total + d * d
    });
    total * half::<S>() / batch_size(pred, "mse")
}

/// Gradient of [`mse`] with respect to `pred`: `(pred - y) / B`.
pub fn mse_grad<S: Scalar>(pred: &Tensor<S>, y: &Tensor<S>) -> Tensor<S> {
    assert_same_shape(pred, y, "mse_grad");
    let scale = batch_size(pred, "mse_grad").recip();
    Zip::from(pred).and(y).map_collect(|&p, &y| (p - y) * scale)
}

/// Softmax cross-entropy: `mean_b -sum_k y_bk log softmax(logits_b)_k`.
pub fn cross_entropy<S: Scalar>(logits: &Tensor<S>, y: &Tensor<S>) -> S {
    assert_same_shape(logits, y, "cross_entropy");
    let axis = last_axis(logits, "cross_entropy");
    let total =
        Zip::from(logits.lanes(axis))
            .and(y.lanes(axis))
            .fold(S::zero(), |total, logits, y| {
                // -log softmax(l)_k = logsumexp(l) - l_k, with the maximum factored out of the
                // exponentials so none overflows.
                let max = logits.fold(S::neg_infinity(), |m, &v| m.max(v));
                let sum: S = logits.iter().map(|&v| (v - max).exp()).sum();
                let log_sum_exp = max + sum.ln();
                let row = Zip::from(&logits)
                    .and(&y)
                    .fold(S::zero(), |row, &l, &y| row + y * (log_sum_exp - l));
                total + row
            });
    total / batch_size(logits, "cross_entropy")
}

/// Gradient of [`cross_entropy`] with respect to the logits: `(softmax(logits) - y) / B`.
pub fn cross_entropy_grad<S: Scalar>(logits: &Tensor<S>, y: &Tensor<S>) -> Tensor<S> {
    assert_same_shape(logits, y, "cross_entropy_grad");
    let scale = batch_size(logits, "cross_entropy_grad").recip();
    let mut grad = softmax(logits);
    Zip::from(&mut grad)
        .and(y)
        .for_each(|p, &y| *p = (*p - y) * scale);
    grad
}

/// The batch size `B` as a scalar: the length of the first axis, at least 1 so that an empty
/// batch gives a zero loss rather than NaN.
fn batch_size<S: Scalar>(t: &Tensor<S>, kernel: &str) -> S {
    let Some(&batch) = t.shape().first() else {
        panic!("{kernel} needs rank at least 1, found a scalar");
    };
    S::from_usize(batch.max(1)).expect("a batch size fits the scalar")
}

/// One half.
fn half<S: Scalar>() -> S {
    S::from_f64_lossy(0.5)
}
