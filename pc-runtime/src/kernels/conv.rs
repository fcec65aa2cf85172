//! 2-D convolution over NCHW tensors by im2col and one matrix product, and its VJPs.
//!
//! The column matrix has one row per kernel tap `(c, i, j)` and one column per output
//! position `(b, oh, ow)`, so that filling it walks input rows contiguously and the product
//! `w[K, C*kh*kw] @ cols` yields every output at once.

use std::ops::Range;

use ndarray::{Array2, ArrayView2, Ix4, IxDyn};

use super::matmul::mat_product;
use crate::{Scalar, Tensor};

/// `x [B, C, H, W]` convolved with `w [K, C, kh, kw]` (cross-correlation, as in deep-learning
/// frameworks): `[B, K, Ho, Wo]` with `Ho = (H + 2 padding - kh) / stride + 1`.
pub fn conv2d<S: Scalar>(x: &Tensor<S>, w: &Tensor<S>, stride: usize, padding: usize) -> Tensor<S> {
    let geo = Geometry::new(x.shape(), w.shape(), stride, padding);
    let cols = im2col(x, &geo);
    let w = w.as_standard_layout();
    let out = mat_product(filters(w.view(), &geo), cols.view());

    // The product is kernel-major, [K, B, Ho, Wo]; the output is batch-major.
    out.into_shape_with_order((geo.kernels, geo.batch, geo.out_h, geo.out_w))
        .expect("a fresh product folds into four axes")
        .permuted_axes([1, 0, 2, 3])
        .as_standard_layout()
        .into_owned()
        .into_dyn()
}

/// VJP of [`conv2d`] for `x`: `w^T @ g` scattered back from columns to image positions.
pub fn conv2d_vjp_input<S: Scalar>(
    g: &Tensor<S>,
    w: &Tensor<S>,
    x_shape: &[usize],
    stride: usize,
    padding: usize,
) -> Tensor<S> {
    let geo = Geometry::new(x_shape, w.shape(), stride, padding);
    let w = w.as_standard_layout();
    let dcols = mat_product(filters(w.view(), &geo).t(), kernel_major(g, &geo).view());
    col2im(dcols.view(), &geo)
}

/// VJP of [`conv2d`] for `w`: `g @ cols^T`, folded to `w_shape`.
pub fn conv2d_vjp_weight<S: Scalar>(
    x: &Tensor<S>,
    g: &Tensor<S>,
    w_shape: &[usize],
    stride: usize,
    padding: usize,
) -> Tensor<S> {
    let geo = Geometry::new(x.shape(), w_shape, stride, padding);
    // FIXME: the forward pass built the same columns; kernels are stateless, so they are
    // rebuilt here, which costs one pass over the input and is small next to the product.
    let cols = im2col(x, &geo);
    let dw = mat_product(kernel_major(g, &geo).view(), cols.t());
    dw.into_shape_with_order(IxDyn(w_shape))
        .expect("a fresh product folds into the weight shape")
}

/// The sizes of one convolution, checked once.
struct Geometry {
    batch: usize,
    channels: usize,
    height: usize,
    width: usize,
    kernels: usize,
    kh: usize,
    kw: usize,
    stride: usize,
    padding: usize,
    out_h: usize,
    out_w: usize,
}

impl Geometry {
    fn new(x: &[usize], w: &[usize], stride: usize, padding: usize) -> Self {
        let (&[batch, channels, height, width], &[kernels, wc, kh, kw]) = (x, w) else {
            panic!("conv2d: needs x [B, C, H, W] and w [K, C, kh, kw], found {x:?} and {w:?}");
        };
        assert_eq!(
            channels, wc,
            "conv2d: x has {channels} channels, w expects {wc}"
        );
        assert!(stride > 0, "conv2d: stride must be positive");
        assert!(
            kh <= height + 2 * padding && kw <= width + 2 * padding,
            "conv2d: kernel {kh}x{kw} exceeds the padded input {height}x{width} (padding {padding})"
        );
        Geometry {
            batch,
            channels,
            height,
            width,
            kernels,
            kh,
            kw,
            stride,
            padding,
            out_h: (height + 2 * padding - kh) / stride + 1,
            out_w: (width + 2 * padding - kw) / stride + 1,
        }
    }

    /// Rows of the column matrix: one per kernel tap.
    fn taps(&self) -> usize {
        self.channels * self.kh * self.kw
    }

    /// Columns of the column matrix: one per output position.
    fn positions(&self) -> usize {
        self.batch * self.out_h * self.out_w
    }

    /// The output positions along one axis whose input coordinate `o * stride + tap - padding`
    /// falls inside `0..input`, so that padding is skipped rather than tested per element.
    fn inside(&self, outputs: usize, input: usize, tap: usize) -> Range<usize> {
        let first = self.padding.saturating_sub(tap).div_ceil(self.stride);
        let end = (input + self.padding)
            .saturating_sub(tap)
            .div_ceil(self.stride)
            .min(outputs);
        first..end.max(first)
    }
}

/// The weights as a `[K, C*kh*kw]` matrix; `w` must be in standard layout.
fn filters<'a, S: Scalar>(w: ndarray::ArrayViewD<'a, S>, geo: &Geometry) -> ArrayView2<'a, S> {
    w.into_shape_with_order((geo.kernels, geo.taps()))
        .expect("standard-layout weights fold into a matrix")
}

/// The output gradient as a `[K, B*Ho*Wo]` matrix, the column order of the products.
fn kernel_major<S: Scalar>(g: &Tensor<S>, geo: &Geometry) -> Array2<S> {
    let expected = [geo.batch, geo.kernels, geo.out_h, geo.out_w];
    assert_eq!(
        g.shape(),
        expected,
        "conv2d: the output gradient has the wrong shape"
    );
    let g = g
        .view()
        .into_dimensionality::<Ix4>()
        .expect("rank checked above");
    g.permuted_axes([1, 0, 2, 3])
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((geo.kernels, geo.positions()))
        .expect("standard layout folds into a matrix")
}

/// The column matrix `[C*kh*kw, B*Ho*Wo]` of `x`; padded positions stay zero.
fn im2col<S: Scalar>(x: &Tensor<S>, geo: &Geometry) -> Array2<S> {
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout is contiguous");
    let (plane_in, plane_out) = (geo.height * geo.width, geo.out_h * geo.out_w);
    let mut cols = Array2::zeros((geo.taps(), geo.positions()));

    for (tap, mut row) in cols.outer_iter_mut().enumerate() {
        let row = row
            .as_slice_mut()
            .expect("rows of a fresh matrix are contiguous");
        let (c, i, j) = (tap / (geo.kh * geo.kw), tap / geo.kw % geo.kh, tap % geo.kw);
        let across = geo.inside(geo.out_w, geo.width, j);
        if across.is_empty() {
            continue;
        }
        // The input column of the first output column inside the image.
        let first = across.start * geo.stride + j - geo.padding;
        for b in 0..geo.batch {
            let image = &x[(b * geo.channels + c) * plane_in..][..plane_in];
            for oh in geo.inside(geo.out_h, geo.height, i) {
                let source = &image[(oh * geo.stride + i - geo.padding) * geo.width..][..geo.width];
                let target = &mut row[b * plane_out + oh * geo.out_w..][..geo.out_w];
                let source = source[first..].iter().step_by(geo.stride);
                for (t, &s) in target[across.clone()].iter_mut().zip(source) {
                    *t = s;
                }
            }
        }
    }
    cols
}

/// The inverse scatter of [`im2col`]: adds every column entry back to its input position.
fn col2im<S: Scalar>(cols: ArrayView2<'_, S>, geo: &Geometry) -> Tensor<S> {
    let (plane_in, plane_out) = (geo.height * geo.width, geo.out_h * geo.out_w);
    let mut x = vec![S::zero(); geo.batch * geo.channels * plane_in];

    for (tap, row) in cols.outer_iter().enumerate() {
        let row = row
            .as_slice()
            .expect("rows of a fresh product are contiguous");
        let (c, i, j) = (tap / (geo.kh * geo.kw), tap / geo.kw % geo.kh, tap % geo.kw);
        let across = geo.inside(geo.out_w, geo.width, j);
        if across.is_empty() {
            continue;
        }
        // The input column of the first output column inside the image.
        let first = across.start * geo.stride + j - geo.padding;
        for b in 0..geo.batch {
            let image = &mut x[(b * geo.channels + c) * plane_in..][..plane_in];
            for oh in geo.inside(geo.out_h, geo.height, i) {
                let target =
                    &mut image[(oh * geo.stride + i - geo.padding) * geo.width..][..geo.width];
                let source = &row[b * plane_out + oh * geo.out_w..][..geo.out_w];
                let target = target[first..].iter_mut().step_by(geo.stride);
                for (t, &s) in target.zip(&source[across.clone()]) {
                    *t += s;
                }
            }
        }
    }
    let shape = [geo.batch, geo.channels, geo.height, geo.width];
    Tensor::from_shape_vec(IxDyn(&shape), x).expect("the buffer has the input's size")
}
