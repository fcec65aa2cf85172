//! Shape operations: flatten, reshape, concatenation, transposition and indexing, with VJPs.
//!
//! Reshapes read elements in row-major order whatever the input's memory layout, and every
//! result is in standard layout, so later kernels can rely on contiguous buffers.

use ndarray::{Axis, IxDyn, Slice};

use crate::{Scalar, Tensor};

/// Flattens all axes after the first: `[B, ...] -> [B, prod(...)]`.
pub fn flatten<S: Scalar>(x: &Tensor<S>) -> Tensor<S> {
    let Some((&batch, rest)) = x.shape().split_first() else {
        panic!("flatten needs rank at least 1, found a scalar");
    };
    reshape(x, &[batch, rest.iter().product()])
}

/// `x` with the same elements in row-major order and the given shape.
pub fn reshape<S: Scalar>(x: &Tensor<S>, shape: &[usize]) -> Tensor<S> {
    let count: usize = shape.iter().product();
    assert_eq!(
        x.len(),
        count,
        "reshape: {:?} and {shape:?} hold different numbers of elements",
        x.shape()
    );
    let reshaped = x
        .to_shape(IxDyn(shape))
        .expect("equal element counts always reshape in row-major order");
    standard(reshaped.into_owned())
}

/// VJP of [`reshape`] and [`flatten`]: the gradient reshaped back to `x_shape`.
pub fn reshape_vjp<S: Scalar>(g: &Tensor<S>, x_shape: &[usize]) -> Tensor<S> {
    reshape(g, x_shape)
}

/// Joins tensors along `axis`; all other axes must agree.
pub fn concat<S: Scalar>(parts: &[&Tensor<S>], axis: usize) -> Tensor<S> {
    let views: Vec<_> = parts.iter().map(|part| part.view()).collect();
    let shapes: Vec<_> = parts.iter().map(|part| part.shape()).collect();
    let joined = ndarray::concatenate(Axis(axis), &views)
        .unwrap_or_else(|_| panic!("concat: shapes {shapes:?} do not join along axis {axis}"));
    standard(joined)
}

/// VJP of [`concat()`] for part `index`: its slice of `g`, given every part's size along `axis`.
pub fn concat_vjp<S: Scalar>(
    g: &Tensor<S>,
    axis: usize,
    index: usize,
    sizes: &[usize],
) -> Tensor<S> {
    let start: usize = sizes[..index].iter().sum();
    let end = start + sizes[index];
    assert_eq!(
        g.shape()[axis],
        sizes.iter().sum::<usize>(),
        "concat_vjp: the gradient's axis {axis} does not match the part sizes {sizes:?}"
    );
    g.slice_axis(Axis(axis), Slice::from(start..end))
        .as_standard_layout()
        .into_owned()
}

/// Swaps the last two axes, returning a standard-layout tensor.
pub fn transpose<S: Scalar>(x: &Tensor<S>) -> Tensor<S> {
    let rank = x.ndim();
    assert!(
        rank >= 2,
        "transpose needs rank at least 2, found {:?}",
        x.shape()
    );
    let mut view = x.view();
    view.swap_axes(rank - 2, rank - 1);
    view.as_standard_layout().into_owned()
}

/// VJP of [`transpose`]: the gradient transposed back.
pub fn transpose_vjp<S: Scalar>(g: &Tensor<S>) -> Tensor<S> {
    transpose(g)
}

/// Entry `i` of the first axis: `[N, ...] -> [...]`.
pub fn index<S: Scalar>(x: &Tensor<S>, i: usize) -> Tensor<S> {
    check_index(x.shape(), i);
    x.index_axis(Axis(0), i).as_standard_layout().into_owned()
}

/// VJP of [`index`]: zeros of `x_shape` with `g` at entry `i` of the first axis.
pub fn index_vjp<S: Scalar>(g: &Tensor<S>, x_shape: &[usize], i: usize) -> Tensor<S> {
    check_index(x_shape, i);
    let mut dx = Tensor::zeros(IxDyn(x_shape));
    dx.index_axis_mut(Axis(0), i).assign(g);
    dx
}

/// Panics unless `i` is an entry of the first axis of `shape`.
fn check_index(shape: &[usize], i: usize) {
    match shape.first() {
        Some(&n) if i < n => {}
        _ => panic!("index {i} is out of range for shape {shape:?}"),
    }
}

/// `t` in standard layout, moved through when it already is.
fn standard<S: Scalar>(t: Tensor<S>) -> Tensor<S> {
    if t.is_standard_layout() {
        t
    } else {
        t.as_standard_layout().into_owned()
    }
}
