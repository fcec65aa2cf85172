//! Matrix products over the last two axes with broadcast batch axes, and their VJPs.
//!
//! Every product funnels into [`product`], which picks the cheapest evaluation: one 2-D
//! product when it can, a loop over the batch otherwise. Gradients that must be summed over
//! broadcast batch axes are accumulated in place by the loop rather than materialised first.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayBase, ArrayView2, ArrayViewD, Axis, Dimension, Ix2, IxDyn, RawData};

use super::elementwise::broadcast_shape;
use crate::{Scalar, Tensor};

/// Matrix product over the last two axes: `[..., m, k] @ [..., k, n]`, leading axes broadcast.
pub fn matmul<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>) -> Tensor<S> {
    let (m, k) = matrix_dims(a.shape(), "matmul");
    let (k2, n) = matrix_dims(b.shape(), "matmul");
    assert_eq!(
        k,
        k2,
        "matmul: inner dimensions differ in {:?} @ {:?}",
        a.shape(),
        b.shape()
    );
    let mut shape = broadcast_shape(batch_of(a.shape()), batch_of(b.shape()));
    shape.extend([m, n]);
    product(a.view(), b.view(), &shape)
}

/// VJP of [`matmul`] for `a`: `g @ b^T`, summed to `a_shape`.
pub fn matmul_vjp_lhs<S: Scalar>(g: &Tensor<S>, b: &Tensor<S>, a_shape: &[usize]) -> Tensor<S> {
    product(g.view(), transposed(b), a_shape)
}

/// VJP of [`matmul`] for `b`: `a^T @ g`, summed to `b_shape`.
pub fn matmul_vjp_rhs<S: Scalar>(a: &Tensor<S>, g: &Tensor<S>, b_shape: &[usize]) -> Tensor<S> {
    // For `[..., m, k] @ [k, n]` every row of every batch entry met the same `b`, so the
    // gradient is one product of the flattened rows: `rows(a)^T @ rows(g)`.
    if b_shape.len() == 2 && a.ndim() > 2 && batch_of(a.shape()) == batch_of(g.shape()) {
        let a = a.as_standard_layout();
        let g = g.as_standard_layout();
        return mat_product(rows(a.view()).t(), rows(g.view())).into_dyn();
    }
    product(transposed(a), g.view(), b_shape)
}

/// `lhs @ rhs` over the last two axes, summed to `out_shape` over broadcast batch axes.
fn product<S: Scalar>(
    lhs: ArrayViewD<'_, S>,
    rhs: ArrayViewD<'_, S>,
    out_shape: &[usize],
) -> Tensor<S> {
    let rank = out_shape.len();

    if lhs.ndim() == 2 && rhs.ndim() == 2 && rank == 2 {
        return mat_product(matrix(lhs), matrix(rhs)).into_dyn();
    }

    // A stack of matrices times one matrix, kept as a stack: the stack's rows form one tall
    // matrix, so a single product replaces a loop of small ones. Copying a strided stack
    // into standard layout first is cheaper than that loop.
    if rhs.ndim() == 2 && lhs.ndim() == rank && batch_of(lhs.shape()) == batch_of(out_shape) {
        let lhs = lhs.as_standard_layout();
        let tall = mat_product(rows(lhs.view()), matrix(rhs));
        return tall
            .into_shape_with_order(IxDyn(out_shape))
            .unwrap_or_else(|_| panic!("matmul: product does not fit shape {out_shape:?}"));
    }

    batched(lhs, rhs, out_shape)
}

/// `a @ b` into a fresh standard-layout matrix, whatever the operands' strides. (`dot` may
/// return column-major results, which would break the reshapes that follow products.)
pub(crate) fn mat_product<S: Scalar>(a: ArrayView2<'_, S>, b: ArrayView2<'_, S>) -> Array2<S> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    general_mat_mul(S::one(), &a, &b, S::zero(), &mut c);
    c
}

/// The general case: one product per entry of the broadcast batch, accumulated into the
/// output entry it is summed to.
fn batched<S: Scalar>(
    lhs: ArrayViewD<'_, S>,
    rhs: ArrayViewD<'_, S>,
    out_shape: &[usize],
) -> Tensor<S> {
    let batch = broadcast_shape(batch_of(lhs.shape()), batch_of(rhs.shape()));
    let out_batch = batch_of(out_shape);
    let reducible = out_batch.len() <= batch.len()
        && out_batch
            .iter()
            .zip(&batch[batch.len() - out_batch.len()..])
            .all(|(&o, &b)| o == b || o == 1);
    assert!(
        reducible,
        "matmul: a batch of shape {batch:?} cannot be summed to shape {out_shape:?}"
    );

    let mut out = Tensor::zeros(IxDyn(out_shape));
    for index in ndarray::indices(IxDyn(&batch)) {
        let index = index.slice();
        let a = matrix(select(lhs.view(), index));
        let b = matrix(select(rhs.view(), index));
        let mut c = matrix(select(out.view_mut(), index));
        // beta = 1 adds into `c`, which sums the batch entries that `out_shape` folds together.
        general_mat_mul(S::one(), &a, &b, S::one(), &mut c);
    }
    out
}

/// The matrix of `view` at a broadcast batch `index`: leading index entries beyond the
/// view's rank are dropped and axes of size 1 are read at 0, as broadcasting repeats them.
fn select<D: RawData>(mut view: ArrayBase<D, IxDyn>, index: &[usize]) -> ArrayBase<D, IxDyn> {
    let own = view.ndim() - 2;
    for &i in &index[index.len() - own..] {
        let i = if view.shape()[0] == 1 { 0 } else { i };
        view = view.index_axis_move(Axis(0), i);
    }
    view
}

/// `view` as a 2-D array; it must have rank 2.
fn matrix<D: RawData>(view: ArrayBase<D, IxDyn>) -> ArrayBase<D, Ix2> {
    let shape = view.shape().to_vec();
    view.into_dimensionality()
        .unwrap_or_else(|_| panic!("matmul: expected a matrix, found shape {shape:?}"))
}

/// A standard-layout view with all leading axes folded into the rows: `[rows, last]`.
fn rows<'a, S: Scalar>(view: ArrayViewD<'a, S>) -> ArrayView2<'a, S> {
    let (leading, last) = view.shape().split_at(view.ndim() - 1);
    let (count, last) = (leading.iter().product::<usize>(), last[0]);
    view.into_shape_with_order((count, last))
        .expect("a standard-layout view folds into rows")
}

/// A view of `t` with its last two axes swapped.
fn transposed<S: Scalar>(t: &Tensor<S>) -> ArrayViewD<'_, S> {
    matrix_dims(t.shape(), "matmul");
    let rank = t.ndim();
    let mut view = t.view();
    view.swap_axes(rank - 2, rank - 1);
    view
}

/// The batch axes of a matrix stack's shape: all but the last two.
fn batch_of(shape: &[usize]) -> &[usize] {
    &shape[..shape.len().saturating_sub(2)]
}

/// The matrix dimensions of a shape of rank at least 2.
fn matrix_dims(shape: &[usize], kernel: &str) -> (usize, usize) {
    match shape {
        [.., m, n] => (*m, *n),
        _ => panic!("{kernel}: operands need rank at least 2, found shape {shape:?}"),
    }
}
