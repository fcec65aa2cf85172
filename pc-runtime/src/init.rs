//! Parameter initialisers, reproducible from a seed.
//!
//! Random values are drawn in `f64` and rounded to the scalar, so a model initialised in `f32`
//! is the `f64` model rounded, given the same seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, StandardUniform};

use crate::{Scalar, Tensor};

/// How a parameter's initial values are chosen: the initialisers of the language.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InitKind {
    /// Every entry 0.
    Zeros,
    /// Every entry 1.
    Ones,
    /// Glorot uniform: `U(-r, r)` with `r = sqrt(6 / (fan_in + fan_out))`.
    Xavier,
    /// He normal: `N(0, 2 / fan_in)`.
    He,
    /// Normal with mean 0 and this standard deviation.
    Normal {
        /// The standard deviation.
        std: f64,
    },
    /// Uniform on `[lo, hi)`.
    Uniform {
        /// The lower bound, included.
        lo: f64,
        /// The upper bound, excluded.
        hi: f64,
    },
}

/// A tensor of `shape` initialised by `kind`, drawing from `rng`.
pub fn init<S: Scalar>(
    kind: InitKind,
    shape: &[usize],
    rng: &mut (impl Rng + ?Sized),
) -> Tensor<S> {
    let (fan_in, fan_out) = fans(shape);
    match kind {
        InitKind::Zeros => Tensor::zeros(shape),
        InitKind::Ones => Tensor::ones(shape),
        InitKind::Xavier => {
            let bound = (6.0 / (fan_in + fan_out).max(1) as f64).sqrt();
            uniform(shape, -bound, bound, rng)
        }
        InitKind::He => normal(shape, (2.0 / fan_in.max(1) as f64).sqrt(), rng),
        InitKind::Normal { std } => normal(shape, std, rng),
        InitKind::Uniform { lo, hi } => uniform(shape, lo, hi, rng),
    }
}

/// The random generator that generated models are initialised from, seeded for reproducibility.
pub fn seeded_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// The fan-in and fan-out of a parameter shape.
///
/// `[n]`: both `n`. `[in, out]` (a matrix applied as `x @ w`): `in` and `out`. Rank 3 and up,
/// laid out as convolution weights `[K, C, kh, kw]`: `C * kh * kw` and `K * kh * kw`. A scalar
/// has fan 1 both ways.
pub fn fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (*n, *n),
        [fan_in, fan_out] => (*fan_in, *fan_out),
        [out, inp, window @ ..] => {
            let field: usize = window.iter().product();
            (inp * field, out * field)
        }
    }
}

/// Entries drawn from `N(0, std^2)`.
fn normal<S: Scalar>(shape: &[usize], std: f64, rng: &mut (impl Rng + ?Sized)) -> Tensor<S> {
    Tensor::from_shape_simple_fn(shape, || {
        let z: f64 = StandardNormal.sample(rng);
        S::from_f64_lossy(std * z)
    })
}

/// Entries drawn from `U(lo, hi)`.
fn uniform<S: Scalar>(
    shape: &[usize],
    lo: f64,
    hi: f64,
    rng: &mut (impl Rng + ?Sized),
) -> Tensor<S> {
    Tensor::from_shape_simple_fn(shape, || {
        let u: f64 = StandardUniform.sample(rng);
        S::from_f64_lossy(lo + (hi - lo) * u)
    })
}
