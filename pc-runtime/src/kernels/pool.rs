//! Max and average pooling over non-overlapping `k x k` windows of the last two axes, and
//! their VJPs.
//!
//! Every kernel works on the contiguous buffer of a standard-layout tensor, as a stack of
//! planes of `height x width` (for NCHW, one plane per batch entry and channel). Windows of
//! one output row share a band of `k` input rows, so the loops walk each band row by row, `k`
//! cells per window.

use ndarray::IxDyn;

use crate::{Scalar, Tensor};

/// Max over each `k x k` window: `[.., H, W] -> [.., H / k, W / k]`.
pub fn max_pool2d<S: Scalar>(x: &Tensor<S>, k: usize) -> Tensor<S> {
    let tiling = Tiling::new(x.shape(), k, "max_pool2d");
    if x.is_empty() {
        return tiling.pooled(Vec::new());
    }
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout is contiguous");

    let mut out = vec![S::neg_infinity(); tiling.windows()];
    for (rows, out_row) in tiling.bands(x).zip(out.chunks_exact_mut(tiling.cols)) {
        for row in rows.chunks_exact(tiling.width) {
            for (best, cells) in out_row.iter_mut().zip(row.chunks_exact(k)) {
                *best = cells.iter().fold(*best, |m, &v| m.max(v));
            }
        }
    }
    tiling.pooled(out)
}

/// VJP of [`max_pool2d`]: each window's gradient goes to its first maximum in row-major order.
pub fn max_pool2d_vjp<S: Scalar>(x: &Tensor<S>, g: &Tensor<S>, k: usize) -> Tensor<S> {
    let tiling = Tiling::new(x.shape(), k, "max_pool2d_vjp");
    tiling.check_gradient(g);
    if x.is_empty() {
        return Tensor::zeros(x.raw_dim());
    }
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout is contiguous");
    let g = g.as_standard_layout();
    let g = g.as_slice().expect("standard layout is contiguous");

    let mut dx = vec![S::zero(); x.len()];
    let band = k * tiling.width;
    for (band_index, g_row) in g.chunks_exact(tiling.cols).enumerate() {
        for (c, &g) in g_row.iter().enumerate() {
            let corner = band_index * band + c * k;
            // Replacing only on a strictly larger value keeps the first maximum; selecting
            // rather than branching avoids mispredictions on random data.
            let (mut winner, mut max) = (corner, x[corner]);
            for row in (0..k).map(|i| corner + i * tiling.width) {
                for (offset, &v) in (row..row + k).zip(&x[row..row + k]) {
                    let larger = v > max;
                    winner = if larger { offset } else { winner };
                    max = if larger { v } else { max };
                }
            }
            dx[winner] = g;
        }
    }
    Tensor::from_shape_vec(IxDyn(&tiling.shape), dx).expect("the buffer has the input's size")
}

/// Mean over each `k x k` window: `[.., H, W] -> [.., H / k, W / k]`.
pub fn avg_pool2d<S: Scalar>(x: &Tensor<S>, k: usize) -> Tensor<S> {
    let tiling = Tiling::new(x.shape(), k, "avg_pool2d");
    if x.is_empty() {
        return tiling.pooled(Vec::new());
    }
    let x = x.as_standard_layout();
    let x = x.as_slice().expect("standard layout is contiguous");
    let scale = window_scale::<S>(k);

    let mut out = vec![S::zero(); tiling.windows()];
    for (rows, out_row) in tiling.bands(x).zip(out.chunks_exact_mut(tiling.cols)) {
        for row in rows.chunks_exact(tiling.width) {
            for (total, cells) in out_row.iter_mut().zip(row.chunks_exact(k)) {
                *total += cells.iter().copied().sum::<S>();
            }
        }
        out_row.iter_mut().for_each(|total| *total *= scale);
    }
    tiling.pooled(out)
}

/// VJP of [`avg_pool2d`]: each window's gradient spread evenly over its `k * k` inputs.
pub fn avg_pool2d_vjp<S: Scalar>(g: &Tensor<S>, k: usize) -> Tensor<S> {
    let rank = g.ndim();
    assert!(
        rank >= 2,
        "avg_pool2d_vjp needs rank at least 2, found {:?}",
        g.shape()
    );
    let mut shape = g.shape().to_vec();
    shape[rank - 2] *= k;
    shape[rank - 1] *= k;
    let tiling = Tiling::new(&shape, k, "avg_pool2d_vjp");
    if g.is_empty() {
        return Tensor::zeros(IxDyn(&shape));
    }
    let g = g.as_standard_layout();
    let g = g.as_slice().expect("standard layout is contiguous");
    let scale = window_scale::<S>(k);

    let mut dx = vec![S::zero(); shape.iter().product()];
    for (rows, g_row) in dx
        .chunks_exact_mut(k * tiling.width)
        .zip(g.chunks_exact(tiling.cols))
    {
        for row in rows.chunks_exact_mut(tiling.width) {
            for (cells, &g) in row.chunks_exact_mut(k).zip(g_row) {
                cells.fill(g * scale);
            }
        }
    }
    Tensor::from_shape_vec(IxDyn(&shape), dx).expect("the buffer has the input's size")
}

/// `1 / (k * k)`: the weight of one cell in its window's mean.
fn window_scale<S: Scalar>(k: usize) -> S {
    S::from_usize(k * k)
        .expect("a window size fits the scalar")
        .recip()
}

/// How an input of some shape splits into `k x k` windows.
struct Tiling {
    shape: Vec<usize>,
    k: usize,
    width: usize,
    /// Output rows over all planes: one band of `k` input rows each.
    bands: usize,
    /// Windows per output row.
    cols: usize,
}

impl Tiling {
    fn new(shape: &[usize], k: usize, kernel: &str) -> Self {
        let [leading @ .., height, width] = shape else {
            panic!("{kernel} needs rank at least 2, found {shape:?}");
        };
        assert!(k > 0, "{kernel}: the window size must be positive");
        assert!(
            height % k == 0 && width % k == 0,
            "{kernel}: {height}x{width} does not divide into {k}x{k} windows"
        );
        Tiling {
            shape: shape.to_vec(),
            k,
            width: *width,
            bands: leading.iter().product::<usize>() * (height / k),
            cols: width / k,
        }
    }

    /// The number of windows, which is the output's length.
    fn windows(&self) -> usize {
        self.bands * self.cols
    }

    /// The input's bands of `k` rows, one per output row, in order.
    fn bands<'a, S>(&self, x: &'a [S]) -> std::slice::ChunksExact<'a, S> {
        x.chunks_exact(self.k * self.width)
    }

    /// The output shape: one entry per window.
    fn pooled_shape(&self) -> Vec<usize> {
        let mut shape = self.shape.clone();
        let rank = shape.len();
        shape[rank - 2] /= self.k;
        shape[rank - 1] /= self.k;
        shape
    }

    /// The pooled values as a tensor of the output shape.
    fn pooled<S: Scalar>(&self, values: Vec<S>) -> Tensor<S> {
        Tensor::from_shape_vec(IxDyn(&self.pooled_shape()), values).expect("one value per window")
    }

    /// Panics unless `g` has the output shape.
    fn check_gradient<S: Scalar>(&self, g: &Tensor<S>) {
        let expected = self.pooled_shape();
        assert_eq!(
            g.shape(),
            expected,
            "pooling: the output gradient has the wrong shape"
        );
    }
}
