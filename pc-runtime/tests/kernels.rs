//! The kernels against hand-computed values, naive reference implementations, and central
//! finite differences.
//!
//! Every VJP is checked in `f64` on seeded random data: the analytic gradient of
//! `L(x) = sum(g * f(x))` for a random `g` must match central differences with a relative error
//! (largest absolute difference over the largest absolute gradient entry) of at most
//! [`TOLERANCE`].

use ndarray::{ArrayD, Axis, IxDyn, ShapeBuilder};
use pc_runtime::Tensor;
use pc_runtime::init::{InitKind, fans, init, seeded_rng};
use pc_runtime::kernels::*;
use rand_chacha::ChaCha8Rng;

/// The largest relative error allowed between a VJP and central finite differences.
const TOLERANCE: f64 = 1e-6;

/// The step of the central differences: small enough that the truncation error (order
/// `STEP^2`) is far below [`TOLERANCE`], large enough that rounding (order `1e-16 / STEP`) is.
const STEP: f64 = 1e-6;

// ---------------------------------------------------------------------------------------------
// Helpers

fn tensor(shape: &[usize], values: &[f64]) -> Tensor<f64> {
    ArrayD::from_shape_vec(IxDyn(shape), values.to_vec()).unwrap()
}

fn random(shape: &[usize], rng: &mut ChaCha8Rng) -> Tensor<f64> {
    init(InitKind::Uniform { lo: -1.0, hi: 1.0 }, shape, rng)
}

fn positive(shape: &[usize], rng: &mut ChaCha8Rng) -> Tensor<f64> {
    init(InitKind::Uniform { lo: 0.5, hi: 2.0 }, shape, rng)
}

/// A copy of `t` whose memory layout is not standard (column-major), with the same values.
fn column_major(t: &Tensor<f64>) -> Tensor<f64> {
    let mut f = ArrayD::zeros(IxDyn(t.shape()).f());
    f.assign(t);
    f
}

fn assert_close(got: &Tensor<f64>, expected: &Tensor<f64>, tolerance: f64, what: &str) {
    assert_eq!(got.shape(), expected.shape(), "{what}: shapes differ");
    for (g, e) in got.iter().zip(expected) {
        assert!(
            (g - e).abs() <= tolerance,
            "{what}: got {got}, expected {expected}"
        );
    }
}

/// The relative error of `analytic` against `numeric`, asserting the gradient is not all zero.
fn relative_error(analytic: &Tensor<f64>, numeric: &Tensor<f64>, what: &str) -> f64 {
    assert_eq!(analytic.shape(), numeric.shape(), "{what}: gradient shape");
    let scale = numeric
        .iter()
        .chain(analytic)
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    assert!(
        scale > 0.0,
        "{what}: the gradient is zero, so the check would be vacuous"
    );
    let diff = analytic
        .iter()
        .zip(numeric)
        .fold(0.0_f64, |m, (a, n)| m.max((a - n).abs()));
    diff / scale
}

/// Central differences of a scalar function of `x`.
fn numeric_gradient(x: &Tensor<f64>, loss: impl Fn(&Tensor<f64>) -> f64) -> Tensor<f64> {
    let mut grad = ArrayD::zeros(x.raw_dim());
    let mut probe = x.clone();
    for (index, slot) in grad.indexed_iter_mut() {
        let original = probe[&index];
        probe[&index] = original + STEP;
        let up = loss(&probe);
        probe[&index] = original - STEP;
        let down = loss(&probe);
        probe[&index] = original;
        *slot = (up - down) / (2.0 * STEP);
    }
    grad
}

/// Checks `vjp(g)` against central differences of `sum(g * f(x))` for a random `g`.
fn check_vjp(
    what: &str,
    x: &Tensor<f64>,
    f: impl Fn(&Tensor<f64>) -> Tensor<f64>,
    vjp: impl Fn(&Tensor<f64>) -> Tensor<f64>,
    rng: &mut ChaCha8Rng,
) {
    let g = random(f(x).shape(), rng);
    let analytic = vjp(&g);
    let numeric = numeric_gradient(x, |x| (&g * &f(x)).sum());
    let error = relative_error(&analytic, &numeric, what);
    assert!(error <= TOLERANCE, "{what}: relative error {error:e}");
}

/// Checks a loss gradient against central differences of the loss.
fn check_grad(what: &str, x: &Tensor<f64>, loss: impl Fn(&Tensor<f64>) -> f64, grad: &Tensor<f64>) {
    let numeric = numeric_gradient(x, loss);
    let error = relative_error(grad, &numeric, what);
    assert!(error <= TOLERANCE, "{what}: relative error {error:e}");
}

// ---------------------------------------------------------------------------------------------
// Elementwise operations and broadcasting

/// Operand shape pairs: equal, trailing broadcast, both sides stretched, scalars.
const BROADCAST_CASES: [(&[usize], &[usize]); 7] = [
    (&[2, 3], &[2, 3]),
    (&[4, 3], &[3]),
    (&[2, 1, 3], &[4, 1]),
    (&[2, 3, 4], &[1, 3, 1]),
    (&[3], &[]),
    (&[], &[2, 2]),
    (&[], &[]),
];

#[test]
fn broadcasting_forward_values() {
    let a = tensor(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
    let row = tensor(&[2], &[10.0, 20.0]);
    let col = tensor(&[2, 1], &[10.0, 20.0]);
    assert_eq!(add(&a, &row), tensor(&[2, 2], &[11.0, 22.0, 13.0, 24.0]));
    assert_eq!(sub(&a, &col), tensor(&[2, 2], &[-9.0, -8.0, -17.0, -16.0]));
    assert_eq!(mul(&row, &col).shape(), &[2, 2]);
    assert_eq!(
        mul(&row, &col),
        tensor(&[2, 2], &[100.0, 200.0, 200.0, 400.0])
    );
    assert_eq!(
        div(&a, &scalar(2.0)),
        tensor(&[2, 2], &[0.5, 1.0, 1.5, 2.0])
    );
    assert_eq!(
        div(&scalar(12.0), &a),
        tensor(&[2, 2], &[12.0, 6.0, 4.0, 3.0])
    );
    assert_eq!(neg(&a), tensor(&[2, 2], &[-1.0, -2.0, -3.0, -4.0]));
    assert_eq!(broadcast_shape(&[2, 1, 3], &[4, 1]), vec![2, 4, 3]);
}

#[test]
#[should_panic(expected = "do not broadcast")]
fn incompatible_shapes_panic() {
    add(
        &Tensor::<f64>::zeros(IxDyn(&[2, 3])),
        &Tensor::zeros(IxDyn(&[2])),
    );
}

#[test]
fn sum_to_reduces_broadcast_axes() {
    let g = tensor(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(sum_to(&g, &[3]), tensor(&[3], &[5.0, 7.0, 9.0]));
    assert_eq!(sum_to(&g, &[2, 1]), tensor(&[2, 1], &[6.0, 15.0]));
    assert_eq!(sum_to(&g, &[1, 3]), tensor(&[1, 3], &[5.0, 7.0, 9.0]));
    assert_eq!(sum_to(&g, &[]), tensor(&[], &[21.0]));
    assert_eq!(sum_to(&g, &[2, 3]), g);

    // Leading axes of a non-standard layout cannot be folded; the result is the same.
    let g3 = ArrayD::from_shape_fn(IxDyn(&[2, 3, 4]), |i| (i[0] * 12 + i[1] * 4 + i[2]) as f64);
    let expected = sum_to(&g3, &[3, 1]);
    assert_eq!(sum_to(&column_major(&g3), &[3, 1]), expected);
    assert_eq!(expected, tensor(&[3, 1], &[60.0, 92.0, 124.0]));
}

#[test]
#[should_panic(expected = "cannot sum")]
fn sum_to_rejects_a_shape_that_does_not_broadcast() {
    sum_to(&Tensor::<f64>::zeros(IxDyn(&[2, 3])), &[2]);
}

#[test]
fn elementwise_vjps_match_finite_differences() {
    let mut rng = seeded_rng(1);
    for (sa, sb) in BROADCAST_CASES {
        let a = random(sa, &mut rng);
        let b = positive(sb, &mut rng);
        let what = |op: &str| format!("{op} {sa:?} {sb:?}");

        check_vjp(
            &what("add lhs"),
            &a,
            |a| add(a, &b),
            |g| sum_to(g, sa),
            &mut rng,
        );
        check_vjp(
            &what("add rhs"),
            &b,
            |b| add(&a, b),
            |g| sum_to(g, sb),
            &mut rng,
        );
        check_vjp(
            &what("sub lhs"),
            &a,
            |a| sub(a, &b),
            |g| sum_to(g, sa),
            &mut rng,
        );
        check_vjp(
            &what("sub rhs"),
            &b,
            |b| sub(&a, b),
            |g| sum_to(&neg(g), sb),
            &mut rng,
        );
        check_vjp(
            &what("mul lhs"),
            &a,
            |a| mul(a, &b),
            |g| mul_vjp(g, &b, sa),
            &mut rng,
        );
        check_vjp(
            &what("mul rhs"),
            &b,
            |b| mul(&a, b),
            |g| mul_vjp(g, &a, sb),
            &mut rng,
        );
        check_vjp(
            &what("div lhs"),
            &a,
            |a| div(a, &b),
            |g| div_vjp_lhs(g, &b, sa),
            &mut rng,
        );
        check_vjp(
            &what("div rhs"),
            &b,
            |b| div(&a, b),
            |g| div_vjp_rhs(g, &a, &b, sb),
            &mut rng,
        );
        check_vjp(&what("neg"), &a, neg, neg, &mut rng);
    }
}

// ---------------------------------------------------------------------------------------------
// Activations

#[test]
fn activation_forward_values() {
    let x = tensor(&[4], &[-2.0, -0.5, 0.0, 3.0]);
    assert_eq!(relu(&x), tensor(&[4], &[0.0, 0.0, 0.0, 3.0]));
    assert_eq!(leaky_relu(&x, 0.1), tensor(&[4], &[-0.2, -0.05, 0.0, 3.0]));
    assert_eq!(identity(&x), x);
    assert_close(
        &sigmoid(&tensor(&[1], &[0.0])),
        &tensor(&[1], &[0.5]),
        0.0,
        "sigmoid(0)",
    );
    assert_close(&tanh(&x), &x.mapv(f64::tanh), 0.0, "tanh");
    assert_close(
        &exp(&log(&x.mapv(f64::abs))),
        &x.mapv(f64::abs),
        1e-15,
        "exp(log)",
    );
    assert_close(
        &softplus(&x),
        &x.mapv(|v| (1.0 + v.exp()).ln()),
        1e-15,
        "softplus",
    );

    // No overflow at the extremes.
    let extreme = tensor(&[2], &[-1000.0, 1000.0]);
    assert_eq!(sigmoid(&extreme), tensor(&[2], &[0.0, 1.0]));
    assert_eq!(softplus(&extreme), tensor(&[2], &[0.0, 1000.0]));
}

#[test]
fn softmax_rows_sum_to_one() {
    let mut rng = seeded_rng(2);
    let logits = random(&[2, 3, 5], &mut rng).mapv(|v| 50.0 * v);
    let p = softmax(&logits);
    for row in p.lanes(Axis(2)) {
        assert!(
            (row.sum() - 1.0).abs() < 1e-12,
            "a row sums to {}",
            row.sum()
        );
        assert!(row.iter().all(|&v| v > 0.0));
    }

    let hand = softmax(&tensor(&[1, 2], &[0.0, 2.0_f64.ln()]));
    assert_close(
        &hand,
        &tensor(&[1, 2], &[1.0 / 3.0, 2.0 / 3.0]),
        1e-15,
        "softmax",
    );

    // Shifted by the row maximum, huge logits stay finite.
    let huge = softmax(&tensor(&[1, 2], &[1000.0, 1000.0]));
    assert_eq!(huge, tensor(&[1, 2], &[0.5, 0.5]));
}

#[test]
fn activation_vjps_match_finite_differences() {
    let mut rng = seeded_rng(3);
    for shape in [&[3, 4][..], &[2, 3, 5], &[7]] {
        let x = random(shape, &mut rng);
        let pos = positive(shape, &mut rng);
        let what = |op: &str| format!("{op} {shape:?}");

        check_vjp(
            &what("tanh"),
            &x,
            tanh,
            |g| tanh_vjp(&tanh(&x), g),
            &mut rng,
        );
        check_vjp(
            &what("sigmoid"),
            &x,
            sigmoid,
            |g| sigmoid_vjp(&sigmoid(&x), g),
            &mut rng,
        );
        check_vjp(&what("relu"), &x, relu, |g| relu_vjp(&x, g), &mut rng);
        check_vjp(
            &what("leaky_relu"),
            &x,
            |x| leaky_relu(x, 0.1),
            |g| leaky_relu_vjp(&x, 0.1, g),
            &mut rng,
        );
        check_vjp(&what("exp"), &x, exp, |g| exp_vjp(&exp(&x), g), &mut rng);
        check_vjp(&what("log"), &pos, log, |g| log_vjp(&pos, g), &mut rng);
        check_vjp(
            &what("softplus"),
            &x,
            softplus,
            |g| softplus_vjp(&x, g),
            &mut rng,
        );
        check_vjp(
            &what("softmax"),
            &x,
            softmax,
            |g| softmax_vjp(&softmax(&x), g),
            &mut rng,
        );
        check_vjp(&what("identity"), &x, identity, |g| g.clone(), &mut rng);
    }
}

// ---------------------------------------------------------------------------------------------
// Matrix products

/// The matrix product by its definition, with broadcast batch axes.
fn naive_matmul(a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    let (ra, rb) = (a.ndim(), b.ndim());
    let (m, k, n) = (a.shape()[ra - 2], a.shape()[ra - 1], b.shape()[rb - 1]);
    let mut shape = broadcast_shape(&a.shape()[..ra - 2], &b.shape()[..rb - 2]);
    let batch_rank = shape.len();
    shape.extend([m, n]);
    ArrayD::from_shape_fn(IxDyn(&shape), |index| {
        let at = |t: &Tensor<f64>, row: usize, col: usize| {
            let lead = t.ndim() - 2;
            let mut i: Vec<usize> = (0..lead)
                .map(|axis| {
                    let out_axis = batch_rank - lead + axis;
                    if t.shape()[axis] == 1 {
                        0
                    } else {
                        index[out_axis]
                    }
                })
                .collect();
            i.extend([row, col]);
            t[IxDyn(&i)]
        };
        let (row, col) = (index[batch_rank], index[batch_rank + 1]);
        (0..k).map(|j| at(a, row, j) * at(b, j, col)).sum()
    })
}

/// Shape pairs covering every path: plain, stack times matrix, matrix times stack, equal
/// batches, broadcast batches, and a size-1 batch axis.
const MATMUL_CASES: [(&[usize], &[usize]); 7] = [
    (&[3, 4], &[4, 5]),
    (&[2, 3, 4], &[4, 5]),
    (&[3, 4], &[2, 4, 5]),
    (&[2, 3, 4], &[2, 4, 5]),
    (&[1, 3, 4], &[2, 4, 5]),
    (&[2, 1, 3, 4], &[5, 4, 2]),
    (&[2, 3, 1], &[1, 1]),
];

#[test]
fn matmul_of_two_by_two() {
    let a = tensor(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
    let b = tensor(&[2, 2], &[5.0, 6.0, 7.0, 8.0]);
    assert_eq!(matmul(&a, &b), tensor(&[2, 2], &[19.0, 22.0, 43.0, 50.0]));
}

#[test]
fn matmul_matches_the_definition() {
    let mut rng = seeded_rng(4);
    for (sa, sb) in MATMUL_CASES {
        let a = random(sa, &mut rng);
        let b = random(sb, &mut rng);
        let expected = naive_matmul(&a, &b);
        let what = format!("matmul {sa:?} @ {sb:?}");
        assert_close(&matmul(&a, &b), &expected, 1e-12, &what);
        // Operands in column-major layout take the same paths through copies or strides.
        let strided = matmul(&column_major(&a), &column_major(&b));
        assert_close(&strided, &expected, 1e-12, &what);
    }
}

#[test]
fn matmul_vjps_match_finite_differences() {
    let mut rng = seeded_rng(5);
    for (sa, sb) in MATMUL_CASES {
        let a = random(sa, &mut rng);
        let b = random(sb, &mut rng);
        let what = |side: &str| format!("matmul {side} {sa:?} @ {sb:?}");
        check_vjp(
            &what("lhs"),
            &a,
            |a| matmul(a, &b),
            |g| matmul_vjp_lhs(g, &b, sa),
            &mut rng,
        );
        check_vjp(
            &what("rhs"),
            &b,
            |b| matmul(&a, b),
            |g| matmul_vjp_rhs(&a, g, sb),
            &mut rng,
        );
        // The same gradients from strided operands.
        let (fa, fb) = (column_major(&a), column_major(&b));
        let g = random(naive_matmul(&a, &b).shape(), &mut rng);
        let fg = column_major(&g);
        let lhs = matmul_vjp_lhs(&g, &b, sa);
        let rhs = matmul_vjp_rhs(&a, &g, sb);
        assert_close(
            &matmul_vjp_lhs(&fg, &fb, sa),
            &lhs,
            1e-12,
            &what("strided lhs"),
        );
        assert_close(
            &matmul_vjp_rhs(&fa, &fg, sb),
            &rhs,
            1e-12,
            &what("strided rhs"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Convolution and pooling

/// Convolution by its definition, reading padding as zeros.
fn naive_conv2d(x: &Tensor<f64>, w: &Tensor<f64>, stride: usize, padding: usize) -> Tensor<f64> {
    let (b, c, h, wd) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    let (k, kh, kw) = (w.shape()[0], w.shape()[2], w.shape()[3]);
    let ho = (h + 2 * padding - kh) / stride + 1;
    let wo = (wd + 2 * padding - kw) / stride + 1;
    ArrayD::from_shape_fn(IxDyn(&[b, k, ho, wo]), |o| {
        let mut total = 0.0;
        for ch in 0..c {
            for i in 0..kh {
                for j in 0..kw {
                    let row = (o[2] * stride + i) as isize - padding as isize;
                    let col = (o[3] * stride + j) as isize - padding as isize;
                    if (0..h as isize).contains(&row) && (0..wd as isize).contains(&col) {
                        let pixel = x[[o[0], ch, row as usize, col as usize]];
                        total += pixel * w[[o[1], ch, i, j]];
                    }
                }
            }
        }
        total
    })
}

/// `(x shape, w shape, stride, padding)`: stride 2 with padding 1, a plain case, a
/// rectangular kernel with wide padding, and a kernel as large as the padded input.
const CONV_CASES: [(&[usize], &[usize], usize, usize); 4] = [
    (&[2, 3, 5, 6], &[4, 3, 3, 3], 2, 1),
    (&[1, 2, 4, 4], &[3, 2, 2, 2], 1, 0),
    (&[2, 1, 7, 5], &[2, 1, 3, 2], 2, 2),
    (&[1, 2, 3, 3], &[2, 2, 5, 5], 1, 1),
];

#[test]
fn conv2d_of_one_channel() {
    let x = tensor(
        &[1, 1, 3, 3],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    );
    let w = tensor(&[1, 1, 2, 2], &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(
        conv2d(&x, &w, 1, 0),
        tensor(&[1, 1, 2, 2], &[37.0, 47.0, 67.0, 77.0])
    );

    // Padding 1 with a 1x1 kernel: the scaled image framed by zeros.
    let x = tensor(&[1, 1, 2, 2], &[1.0, 2.0, 3.0, 4.0]);
    let w = tensor(&[1, 1, 1, 1], &[2.0]);
    #[rustfmt::skip]
    let framed = tensor(&[1, 1, 4, 4], &[
        0.0, 0.0, 0.0, 0.0,
        0.0, 2.0, 4.0, 0.0,
        0.0, 6.0, 8.0, 0.0,
        0.0, 0.0, 0.0, 0.0,
    ]);
    assert_eq!(conv2d(&x, &w, 1, 1), framed);

    // Stride 2 picks every other position.
    let x = ArrayD::from_shape_fn(IxDyn(&[1, 1, 4, 4]), |i| (i[2] * 4 + i[3]) as f64);
    let w = tensor(&[1, 1, 1, 1], &[1.0]);
    assert_eq!(
        conv2d(&x, &w, 2, 0),
        tensor(&[1, 1, 2, 2], &[0.0, 2.0, 8.0, 10.0])
    );
}

#[test]
fn conv2d_matches_the_definition() {
    let mut rng = seeded_rng(6);
    for (sx, sw, stride, padding) in CONV_CASES {
        let x = random(sx, &mut rng);
        let w = random(sw, &mut rng);
        let expected = naive_conv2d(&x, &w, stride, padding);
        let what = format!("conv2d {sx:?} {sw:?} stride {stride} padding {padding}");
        assert_close(&conv2d(&x, &w, stride, padding), &expected, 1e-12, &what);
        let strided = conv2d(&column_major(&x), &column_major(&w), stride, padding);
        assert_close(&strided, &expected, 1e-12, &what);
    }
}

#[test]
fn conv2d_vjps_match_finite_differences() {
    let mut rng = seeded_rng(7);
    for (sx, sw, stride, padding) in CONV_CASES {
        let x = random(sx, &mut rng);
        let w = random(sw, &mut rng);
        let what = |side: &str| format!("conv2d {side} {sx:?} {sw:?} s{stride} p{padding}");
        check_vjp(
            &what("input"),
            &x,
            |x| conv2d(x, &w, stride, padding),
            |g| conv2d_vjp_input(g, &w, sx, stride, padding),
            &mut rng,
        );
        check_vjp(
            &what("weight"),
            &w,
            |w| conv2d(&x, w, stride, padding),
            |g| conv2d_vjp_weight(&x, g, sw, stride, padding),
            &mut rng,
        );
    }
}

#[test]
fn pooling_forward_values() {
    #[rustfmt::skip]
    let x = tensor(&[1, 1, 4, 4], &[
        1.0, 2.0, 5.0, 0.0,
        3.0, 4.0, 1.0, 1.0,
        -1.0, -2.0, 7.0, 7.0,
        -3.0, -4.0, 7.0, 6.0,
    ]);
    assert_eq!(
        max_pool2d(&x, 2),
        tensor(&[1, 1, 2, 2], &[4.0, 5.0, -1.0, 7.0])
    );
    assert_eq!(
        avg_pool2d(&x, 2),
        tensor(&[1, 1, 2, 2], &[2.5, 1.75, -2.5, 6.75])
    );
    assert_eq!(max_pool2d(&x, 4), tensor(&[1, 1, 1, 1], &[7.0]));

    // The gradient of a window goes to its first maximum only: the 7 at (2, 2).
    let g = tensor(&[1, 1, 2, 2], &[1.0, 2.0, 3.0, 4.0]);
    #[rustfmt::skip]
    let routed = tensor(&[1, 1, 4, 4], &[
        0.0, 0.0, 2.0, 0.0,
        0.0, 1.0, 0.0, 0.0,
        3.0, 0.0, 4.0, 0.0,
        0.0, 0.0, 0.0, 0.0,
    ]);
    assert_eq!(max_pool2d_vjp(&x, &g, 2), routed);
    let spread = avg_pool2d_vjp(&g, 2);
    assert_eq!(spread.shape(), &[1, 1, 4, 4]);
    assert_eq!(spread[[0, 0, 3, 3]], 1.0);
    assert_eq!(spread[[0, 0, 0, 1]], 0.25);
}

#[test]
#[should_panic(expected = "does not divide")]
fn pooling_rejects_windows_that_do_not_tile() {
    max_pool2d(&Tensor::<f64>::zeros(IxDyn(&[1, 1, 5, 4])), 2);
}

#[test]
fn pooling_vjps_match_finite_differences() {
    let mut rng = seeded_rng(8);
    for (shape, k) in [(&[2, 3, 4, 6][..], 2), (&[1, 2, 6, 3], 3), (&[3, 4, 4], 2)] {
        let x = random(shape, &mut rng);
        let what = |op: &str| format!("{op} {shape:?} k {k}");
        check_vjp(
            &what("max_pool2d"),
            &x,
            |x| max_pool2d(x, k),
            |g| max_pool2d_vjp(&x, g, k),
            &mut rng,
        );
        check_vjp(
            &what("avg_pool2d"),
            &x,
            |x| avg_pool2d(x, k),
            |g| avg_pool2d_vjp(g, k),
            &mut rng,
        );
        assert_eq!(max_pool2d(&column_major(&x), k), max_pool2d(&x, k));
    }
}

// ---------------------------------------------------------------------------------------------
// Shape operations

#[test]
fn shape_forward_values() {
    let x = ArrayD::from_shape_fn(IxDyn(&[2, 2, 3]), |i| (i[0] * 6 + i[1] * 3 + i[2]) as f64);
    let values: Vec<f64> = (0..12).map(f64::from).collect();
    assert_eq!(flatten(&x), tensor(&[2, 6], &values));
    assert_eq!(flatten(&column_major(&x)), tensor(&[2, 6], &values));
    assert_eq!(
        reshape(&column_major(&x), &[3, 4]),
        tensor(&[3, 4], &values)
    );
    assert!(reshape(&column_major(&x), &[3, 4]).is_standard_layout());

    let t = transpose(&x);
    assert_eq!(t.shape(), &[2, 3, 2]);
    assert_eq!(t[[1, 2, 0]], x[[1, 0, 2]]);
    assert!(t.is_standard_layout());

    let a = tensor(&[2, 1], &[1.0, 2.0]);
    let b = tensor(&[2, 2], &[3.0, 4.0, 5.0, 6.0]);
    let joined = concat(&[&a, &b], 1);
    assert_eq!(joined, tensor(&[2, 3], &[1.0, 3.0, 4.0, 2.0, 5.0, 6.0]));
    assert_eq!(concat_vjp(&joined, 1, 0, &[1, 2]), a);
    assert_eq!(concat_vjp(&joined, 1, 1, &[1, 2]), b);
    assert_eq!(concat(&[&b, &b], 0).shape(), &[4, 2]);

    assert_eq!(index(&x, 1), tensor(&[2, 3], &values[6..]));
    let back = index_vjp(&index(&x, 1), &[2, 2, 3], 1);
    assert_eq!(back.index_axis(Axis(0), 1), x.index_axis(Axis(0), 1));
    assert!(back.index_axis(Axis(0), 0).iter().all(|&v| v == 0.0));
}

#[test]
#[should_panic(expected = "out of range")]
fn index_out_of_range_panics() {
    index(&Tensor::<f64>::zeros(IxDyn(&[2, 3])), 2);
}

#[test]
fn shape_vjps_match_finite_differences() {
    let mut rng = seeded_rng(9);
    let x = random(&[2, 3, 4], &mut rng);
    let other = random(&[2, 5, 4], &mut rng);
    let shape = [2, 3, 4];

    check_vjp("flatten", &x, flatten, |g| reshape_vjp(g, &shape), &mut rng);
    check_vjp(
        "reshape",
        &x,
        |x| reshape(x, &[4, 6]),
        |g| reshape_vjp(g, &shape),
        &mut rng,
    );
    check_vjp("transpose", &x, transpose, transpose_vjp, &mut rng);
    check_vjp(
        "concat part 0",
        &x,
        |x| concat(&[x, &other], 1),
        |g| concat_vjp(g, 1, 0, &[3, 5]),
        &mut rng,
    );
    check_vjp(
        "concat part 1",
        &other,
        |o| concat(&[&x, o], 1),
        |g| concat_vjp(g, 1, 1, &[3, 5]),
        &mut rng,
    );
    check_vjp(
        "index",
        &x,
        |x| index(x, 1),
        |g| index_vjp(g, &shape, 1),
        &mut rng,
    );
}

// ---------------------------------------------------------------------------------------------
// Losses

#[test]
fn loss_forward_values() {
    let pred = tensor(&[2, 2], &[1.0, 2.0, 0.0, -1.0]);
    let y = tensor(&[2, 2], &[0.0, 0.0, 0.0, 1.0]);
    // (1 + 4 + 0 + 4) / 2 / B.
    assert_eq!(mse(&pred, &y), 2.25);
    assert_eq!(mse_grad(&pred, &y), tensor(&[2, 2], &[0.5, 1.0, 0.0, -1.0]));

    // Against a one-hot target, cross-entropy is -log softmax at the hot class.
    let logits = tensor(&[1, 3], &[1.0, 2.0, 3.0]);
    let one_hot = tensor(&[1, 3], &[0.0, 0.0, 1.0]);
    let expected = -(3.0_f64.exp() / (1.0_f64.exp() + 2.0_f64.exp() + 3.0_f64.exp())).ln();
    assert!((cross_entropy(&logits, &one_hot) - expected).abs() < 1e-15);
    let log_softmax = softmax(&logits)[[0, 2]].ln();
    assert!((cross_entropy(&logits, &one_hot) + log_softmax).abs() < 1e-15);
    let grad = cross_entropy_grad(&logits, &one_hot);
    assert_close(&grad, &(softmax(&logits) - &one_hot), 1e-15, "ce grad");

    // Huge logits stay finite.
    let huge = tensor(&[2, 2], &[1000.0, -1000.0, -1000.0, 1000.0]);
    let flipped = tensor(&[2, 2], &[0.0, 1.0, 0.0, 1.0]);
    assert_eq!(cross_entropy(&huge, &flipped), 1000.0);
}

#[test]
fn loss_gradients_match_finite_differences() {
    let mut rng = seeded_rng(10);
    for shape in [&[4, 3][..], &[2, 3, 5], &[5]] {
        let x = random(shape, &mut rng);
        let y = random(shape, &mut rng);
        let probabilities = softmax(&random(shape, &mut rng).mapv(|v| 3.0 * v));
        check_grad(
            &format!("mse {shape:?}"),
            &x,
            |x| mse(x, &y),
            &mse_grad(&x, &y),
        );
        check_grad(
            &format!("cross_entropy {shape:?}"),
            &x,
            |x| cross_entropy(x, &probabilities),
            &cross_entropy_grad(&x, &probabilities),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for generated code

#[test]
fn in_place_helpers() {
    let mut x = tensor(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
    sub_assign_scaled(&mut x, &tensor(&[2, 2], &[1.0, 1.0, 2.0, 2.0]), 0.5);
    assert_eq!(x, tensor(&[2, 2], &[0.5, 1.5, 2.0, 3.0]));
    sub_assign_scaled(&mut x, &tensor(&[2], &[1.0, 2.0]), 1.0);
    assert_eq!(x, tensor(&[2, 2], &[-0.5, -0.5, 1.0, 1.0]));

    let mut acc = None;
    accumulate(&mut acc, tensor(&[2], &[1.0, 2.0]));
    assert_eq!(acc, Some(tensor(&[2], &[1.0, 2.0])));
    accumulate(&mut acc, tensor(&[2], &[10.0, 20.0]));
    assert_eq!(acc, Some(tensor(&[2], &[11.0, 22.0])));

    assert_eq!(sum_squares(&tensor(&[3], &[1.0, -2.0, 3.0])), 14.0);
    assert!(all_finite(&x));
    assert!(!all_finite(&tensor(&[2], &[1.0, f64::NAN])));
    assert!(!all_finite(&tensor(&[2], &[f64::NEG_INFINITY, 1.0])));
}

// ---------------------------------------------------------------------------------------------
// Initialisers

#[test]
fn initialisers_follow_their_fans() {
    assert_eq!(fans(&[7]), (7, 7));
    assert_eq!(fans(&[64, 128]), (64, 128));
    assert_eq!(fans(&[8, 3, 5, 5]), (75, 200));

    let mut rng = seeded_rng(11);
    let zeros: Tensor<f64> = init(InitKind::Zeros, &[3, 2], &mut rng);
    assert!(zeros.iter().all(|&v| v == 0.0) && zeros.shape() == [3, 2]);
    let ones: Tensor<f32> = init(InitKind::Ones, &[4], &mut rng);
    assert!(ones.iter().all(|&v| v == 1.0));

    let xavier: Tensor<f64> = init(InitKind::Xavier, &[64, 128], &mut rng);
    let bound = (6.0_f64 / 192.0).sqrt();
    assert!(xavier.iter().all(|v| v.abs() <= bound));
    assert!(xavier.iter().any(|v| v.abs() > 0.9 * bound));

    // Sample standard deviations within a few percent on 40k draws.
    let he: Tensor<f64> = init(InitKind::He, &[16, 1, 50, 50], &mut rng);
    let std = (sum_squares(&he) / he.len() as f64).sqrt();
    assert!(
        (std / (2.0_f64 / 2500.0).sqrt() - 1.0).abs() < 0.03,
        "he std {std}"
    );
    let normal: Tensor<f64> = init(InitKind::Normal { std: 0.1 }, &[200, 200], &mut rng);
    let std = (sum_squares(&normal) / normal.len() as f64).sqrt();
    assert!((std / 0.1 - 1.0).abs() < 0.03, "normal std {std}");

    let uniform: Tensor<f64> = init(InitKind::Uniform { lo: 2.0, hi: 3.0 }, &[1000], &mut rng);
    assert!(uniform.iter().all(|&v| (2.0..3.0).contains(&v)));
}

#[test]
fn initialisers_are_reproducible_from_the_seed() {
    let draw = |seed| init::<f64>(InitKind::Xavier, &[5, 4], &mut seeded_rng(seed));
    assert_eq!(draw(42), draw(42));
    assert_ne!(draw(42), draw(43));

    // f32 parameters are the f64 parameters rounded.
    let wide = draw(42);
    let narrow = init::<f32>(InitKind::Xavier, &[5, 4], &mut seeded_rng(42));
    assert_eq!(narrow, wide.mapv(|v| v as f32));
}

// ---------------------------------------------------------------------------------------------
// Single precision

/// A small network's forward and backward pass, generic over the scalar.
fn pipeline<S: pc_runtime::Scalar>(seed: u64) -> Vec<Tensor<S>> {
    let mut rng = seeded_rng(seed);
    let x: Tensor<S> = init(InitKind::Normal { std: 1.0 }, &[2, 1, 6, 6], &mut rng);
    let w: Tensor<S> = init(InitKind::He, &[3, 1, 3, 3], &mut rng);
    let v: Tensor<S> = init(InitKind::Xavier, &[27, 4], &mut rng);
    let b: Tensor<S> = init(InitKind::Uniform { lo: -0.1, hi: 0.1 }, &[4], &mut rng);
    let y = softmax(&init(InitKind::Normal { std: 1.0 }, &[2, 4], &mut rng));

    let c = conv2d(&x, &w, 1, 1);
    let h = tanh(&max_pool2d(&c, 2));
    let f = flatten(&h);
    let out = add(&matmul(&f, &v), &b);
    let loss = cross_entropy(&out, &y);

    let g_out = cross_entropy_grad(&out, &y);
    let g_v = matmul_vjp_rhs(&f, &g_out, &[27, 4]);
    let g_b = sum_to(&g_out, &[4]);
    let g_h = reshape_vjp(&matmul_vjp_lhs(&g_out, &v, &[2, 27]), h.shape());
    let g_c = max_pool2d_vjp(&c, &tanh_vjp(&h, &g_h), 2);
    let g_w = conv2d_vjp_weight(&x, &g_c, &[3, 1, 3, 3], 1, 1);
    vec![ArrayD::from_elem(IxDyn(&[]), loss), g_v, g_b, g_w]
}

#[test]
fn single_precision_agrees_with_double() {
    let narrow = pipeline::<f32>(12);
    let wide = pipeline::<f64>(12);
    for (n, w) in narrow.iter().zip(&wide) {
        assert_eq!(n.shape(), w.shape());
        let scale = w.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        assert!(scale > 0.0);
        for (a, b) in n.iter().zip(w) {
            assert!((f64::from(*a) - b).abs() <= 1e-5 * scale, "{a} vs {b}");
        }
    }
}
