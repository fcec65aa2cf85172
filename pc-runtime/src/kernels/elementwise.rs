//! Elementwise arithmetic with NumPy broadcasting, and the reduction that undoes broadcasting.

use std::iter;

use ndarray::{ArrayViewD, Axis, CowArray, IxDyn, Zip};

use crate::{Scalar, Tensor};

/// A 0-d tensor holding `value`: the scalar operand of broadcasting ops.
pub fn scalar<S: Scalar>(value: f64) -> Tensor<S> {
    Tensor::from_elem(IxDyn(&[]), S::from_f64_lossy(value))
}

/// Elementwise `a + b` with broadcasting.
pub fn add<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>) -> Tensor<S> {
    zip_with(a, b, |x, y| x + y)
}

/// Elementwise `a - b` with broadcasting.
pub fn sub<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>) -> Tensor<S> {
    zip_with(a, b, |x, y| x - y)
}

/// Elementwise `a * b` with broadcasting.
pub fn mul<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>) -> Tensor<S> {
    zip_with(a, b, |x, y| x * y)
}

/// Elementwise `a / b` with broadcasting.
pub fn div<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>) -> Tensor<S> {
    zip_with(a, b, |x, y| x / y)
}

/// Elementwise `-a`.
pub fn neg<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    a.mapv(|x| -x)
}

/// VJP of `a * b` for the operand of shape `shape`, given the other operand.
pub fn mul_vjp<S: Scalar>(g: &Tensor<S>, other: &Tensor<S>, shape: &[usize]) -> Tensor<S> {
    sum_to_owned(mul(g, other), shape)
}

/// VJP of `a / b` for `a` (of shape `shape`): `g / b`, summed to `shape`.
pub fn div_vjp_lhs<S: Scalar>(g: &Tensor<S>, b: &Tensor<S>, shape: &[usize]) -> Tensor<S> {
    sum_to_owned(div(g, b), shape)
}

/// VJP of `a / b` for `b` (of shape `shape`): `-g a / b^2`, summed to `shape`.
pub fn div_vjp_rhs<S: Scalar>(
    g: &Tensor<S>,
    a: &Tensor<S>,
    b: &Tensor<S>,
    shape: &[usize],
) -> Tensor<S> {
    let full = broadcast_shape(&broadcast_shape(g.shape(), a.shape()), b.shape());
    let product = Zip::from(broadcast_view(g, &full))
        .and(broadcast_view(a, &full))
        .and(broadcast_view(b, &full))
        .map_collect(|&g, &a, &b| -g * a / (b * b));
    sum_to_owned(product, shape)
}

/// Sums a broadcast gradient `g` back to an operand's `shape`: over the extra leading axes and
/// over the axes where `shape` has size 1.
pub fn sum_to<S: Scalar>(g: &Tensor<S>, shape: &[usize]) -> Tensor<S> {
    if g.shape() == shape {
        return g.clone();
    }
    reduce_to(g.view(), shape)
}

/// [`sum_to`] on an owned gradient, which is moved through untouched when no axis is summed.
pub(crate) fn sum_to_owned<S: Scalar>(g: Tensor<S>, shape: &[usize]) -> Tensor<S> {
    if g.shape() == shape {
        return g;
    }
    reduce_to(g.view(), shape)
}

/// The shape that operands of shapes `a` and `b` broadcast to. Panics if they do not.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> Vec<usize> {
    let rank = a.len().max(b.len());
    padded(a, rank)
        .zip(padded(b, rank))
        .map(|(x, y)| match (x, y) {
            _ if x == y => x,
            (1, _) => y,
            (_, 1) => x,
            _ => panic!("shapes {a:?} and {b:?} do not broadcast"),
        })
        .collect()
}

/// `shape` with leading 1s up to `rank` axes, as broadcasting aligns trailing axes.
fn padded(shape: &[usize], rank: usize) -> impl Iterator<Item = usize> + '_ {
    iter::repeat_n(1, rank - shape.len()).chain(shape.iter().copied())
}

/// A view of `t` stretched to `shape`, which must be a broadcast of `t`'s shape.
fn broadcast_view<'a, S: Scalar>(t: &'a Tensor<S>, shape: &[usize]) -> ArrayViewD<'a, S> {
    t.broadcast(shape)
        .unwrap_or_else(|| panic!("shape {:?} does not broadcast to {shape:?}", t.shape()))
}

/// Applies `f` to matching elements of `a` and `b`, broadcast to their common shape.
fn zip_with<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>, f: impl Fn(S, S) -> S) -> Tensor<S> {
    // The common cases skip broadcasting views, so that contiguous inputs stay on Zip's
    // vectorisable path.
    if a.shape() == b.shape() {
        return Zip::from(a).and(b).map_collect(|&x, &y| f(x, y));
    }
    if b.ndim() == 0 {
        let y = b[IxDyn(&[])];
        return a.mapv(|x| f(x, y));
    }
    if a.ndim() == 0 {
        let x = a[IxDyn(&[])];
        return b.mapv(|y| f(x, y));
    }
    let shape = broadcast_shape(a.shape(), b.shape());
    Zip::from(broadcast_view(a, &shape))
        .and(broadcast_view(b, &shape))
        .map_collect(|&x, &y| f(x, y))
}

/// Sums `g` down to `shape`: first the extra leading axes, then the stretched ones.
fn reduce_to<S: Scalar>(g: ArrayViewD<'_, S>, shape: &[usize]) -> Tensor<S> {
    let incompatible = || {
        panic!(
            "cannot sum a gradient of shape {:?} to {shape:?}",
            g.shape()
        )
    };
    let Some(extra) = g.ndim().checked_sub(shape.len()) else {
        incompatible()
    };
    let kept = &g.shape()[extra..];
    if kept.iter().zip(shape).any(|(&d, &s)| s != d && s != 1) {
        incompatible();
    }

    let mut out: CowArray<'_, S, IxDyn> = if extra == 0 {
        g.clone().into()
    } else {
        sum_leading(g.clone(), extra).into()
    };
    for (axis, &size) in shape.iter().enumerate() {
        if size == 1 && out.shape()[axis] != 1 {
            out = out.sum_axis(Axis(axis)).insert_axis(Axis(axis)).into();
        }
    }
    out.into_owned()
}

/// Sums the first `count` axes of `g` away.
fn sum_leading<S: Scalar>(g: ArrayViewD<'_, S>, count: usize) -> Tensor<S> {
    // A contiguous gradient folds its leading axes into one, so one pass sums them all.
    let lead: usize = g.shape()[..count].iter().product();
    let folded: Vec<usize> = iter::once(lead)
        .chain(g.shape()[count..].iter().copied())
        .collect();
    match g.view().into_shape_with_order(IxDyn(&folded)) {
        Ok(flat) => flat.sum_axis(Axis(0)),
        Err(_) => {
            let mut out = g.sum_axis(Axis(0));
            for _ in 1..count {
                out = out.sum_axis(Axis(0));
            }
            out
        }
    }
}
