//! Activation functions and their VJPs, each VJP taking whichever of input or output is cheaper.

use ndarray::{Axis, Zip};

use crate::{Scalar, Tensor};

/// Elementwise hyperbolic tangent.
pub fn tanh<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    a.mapv(S::tanh)
}

/// VJP of [`tanh`] from its output `y`: `g (1 - y^2)`.
pub fn tanh_vjp<S: Scalar>(y: &Tensor<S>, g: &Tensor<S>) -> Tensor<S> {
    zip_map(y, g, |y, g| g * (S::one() - y * y))
}

/// Elementwise logistic function `1 / (1 + e^-x)`.
pub fn sigmoid<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    a.mapv(logistic)
}

/// VJP of [`sigmoid`] from its output `y`: `g y (1 - y)`.
pub fn sigmoid_vjp<S: Scalar>(y: &Tensor<S>, g: &Tensor<S>) -> Tensor<S> {
    zip_map(y, g, |y, g| g * y * (S::one() - y))
}

/// Elementwise `max(x, 0)`.
pub fn relu<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    a.mapv(|x| if x > S::zero() { x } else { S::zero() })
}

/// VJP of [`relu`] from its input `x`: `g` where `x > 0`, else 0.
pub fn relu_vjp<S: Scalar>(x: &Tensor<S>, g: &Tensor<S>) -> Tensor<S> {
    zip_map(x, g, |x, g| if x > S::zero() { g } else { S::zero() })
}

/// Elementwise `x` for `x > 0`, else `slope * x`.
pub fn leaky_relu<S: Scalar>(a: &Tensor<S>, slope: f64) -> Tensor<S> {
    let slope = S::from_f64_lossy(slope);
    a.mapv(|x| if x > S::zero() { x } else { slope * x })
}

/// VJP of [`leaky_relu`] from its input `x`: `g` where `x > 0`, else `slope * g`.
pub fn leaky_relu_vjp<S: Scalar>(x: &Tensor<S>, slope: f64, g: &Tensor<S>) -> Tensor<S> {
    let slope = S::from_f64_lossy(slope);
    zip_map(x, g, |x, g| if x > S::zero() { g } else { slope * g })
}

/// Elementwise `e^x`.
pub fn exp<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    a.mapv(S::exp)
}

/// VJP of [`exp`] from its output `y`: `g y`.
pub fn exp_vjp<S: Scalar>(y: &Tensor<S>, g: &Tensor<S>) -> Tensor<S> {
    zip_map(y, g, |y, g| g * y)
}

/// Elementwise natural logarithm.
pub fn log<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    a.mapv(S::ln)
}

/// VJP of [`log`] from its input `x`: `g / x`.
pub fn log_vjp<S: Scalar>(x: &Tensor<S>, g: &Tensor<S>) -> Tensor<S> {
    zip_map(x, g, |x, g| g / x)
}

/// Elementwise `ln(1 + e^x)`, without overflow for large `x`.
pub fn softplus<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    // ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), whose exponential never exceeds 1.
    a.mapv(|x| x.max(S::zero()) + (-x.abs()).exp().ln_1p())
}

/// VJP of [`softplus`] from its input `x`: `g sigmoid(x)`.
pub fn softplus_vjp<S: Scalar>(x: &Tensor<S>, g: &Tensor<S>) -> Tensor<S> {
    zip_map(x, g, |x, g| g * logistic(x))
}

/// The identity: a copy of `a`.
pub fn identity<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    a.clone()
}

/// Softmax over the last axis, shifted by each row's maximum so no exponential overflows.
pub fn softmax<S: Scalar>(a: &Tensor<S>) -> Tensor<S> {
    let axis = last_axis(a, "softmax");
    let mut out = a.clone();
    for mut row in out.lanes_mut(axis) {
        let max = row.fold(S::neg_infinity(), |m, &v| m.max(v));
        let mut total = S::zero();
        row.mapv_inplace(|v| {
            let e = (v - max).exp();
            total += e;
            e
        });
        let scale = total.recip();
        row.mapv_inplace(|e| e * scale);
    }
    out
}

/// VJP of [`softmax`] from its output `y`: `y (g - sum_k g_k y_k)` along the last axis.
pub fn softmax_vjp<S: Scalar>(y: &Tensor<S>, g: &Tensor<S>) -> Tensor<S> {
    assert_same_shape(y, g, "softmax_vjp");
    let axis = last_axis(y, "softmax_vjp");
    let mut out = Tensor::zeros(y.raw_dim());
    Zip::from(out.lanes_mut(axis))
        .and(y.lanes(axis))
        .and(g.lanes(axis))
        .for_each(|mut out, y, g| {
            let dot = y.dot(&g);
            Zip::from(&mut out)
                .and(&y)
                .and(&g)
                .for_each(|o, &y, &g| *o = y * (g - dot));
        });
    out
}

/// The logistic function, in a form whose exponential never overflows.
pub(crate) fn logistic<S: Scalar>(x: S) -> S {
    if x >= S::zero() {
        (S::one() + (-x).exp()).recip()
    } else {
        let e = x.exp();
        e / (S::one() + e)
    }
}

/// The last axis of `a`, which must have rank at least 1.
pub(crate) fn last_axis<S: Scalar>(a: &Tensor<S>, kernel: &str) -> Axis {
    assert!(
        a.ndim() >= 1,
        "{kernel} needs rank at least 1, found a scalar"
    );
    Axis(a.ndim() - 1)
}

/// `f` over matching elements of two tensors of the same shape.
fn zip_map<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>, f: impl Fn(S, S) -> S) -> Tensor<S> {
    assert_same_shape(a, b, "activation vjp");
    Zip::from(a).and(b).map_collect(|&x, &y| f(x, y))
}

/// Panics unless `a` and `b` have the same shape.
pub(crate) fn assert_same_shape<S: Scalar>(a: &Tensor<S>, b: &Tensor<S>, kernel: &str) {
    assert_eq!(
        a.shape(),
        b.shape(),
        "{kernel}: operands must have the same shape"
    );
}
