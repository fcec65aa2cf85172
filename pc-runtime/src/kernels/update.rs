//! In-place updates and whole-tensor summaries that generated code uses between kernels.

use ndarray::Zip;

use super::elementwise::add;
use crate::{Scalar, Tensor};

/// `x -= gamma * a` in place; `a` may broadcast to `x`'s shape.
pub fn sub_assign_scaled<S: Scalar>(x: &mut Tensor<S>, a: &Tensor<S>, gamma: S) {
    if x.shape() == a.shape() {
        Zip::from(x).and(a).for_each(|x, &a| *x -= gamma * a);
    } else {
        x.scaled_add(-gamma, a);
    }
}

/// Adds `t` into `acc`, or stores it when `acc` is empty: the sum of gradient contributions.
pub fn accumulate<S: Scalar>(acc: &mut Option<Tensor<S>>, t: Tensor<S>) {
    match acc {
        None => *acc = Some(t),
        Some(sum) if sum.shape() == t.shape() => *sum += &t,
        // Contributions of different shapes broadcast against each other; the sum takes the
        // common shape, as `add` would.
        Some(sum) => *sum = add(sum, &t),
    }
}

/// The sum of squared elements, accumulated in `f64`.
pub fn sum_squares<S: Scalar>(t: &Tensor<S>) -> f64 {
    t.iter()
        .map(|&v| {
            let v = v.to_f64_lossless();
            v * v
        })
        .sum()
}

/// Whether every element is finite (neither NaN nor infinite).
pub fn all_finite<S: Scalar>(t: &Tensor<S>) -> bool {
    t.iter().all(|v| v.is_finite())
}
