//! The element types generated code is generic over.

use std::fmt::{Debug, Display};

use ndarray::ScalarOperand;
use num_traits::{Float, FromPrimitive};

/// An element type of tensors: implemented for `f32` and `f64`.
pub trait Scalar:
    Float
    + FromPrimitive
    + ScalarOperand
    + ndarray::LinalgScalar
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + std::iter::Sum
    + Debug
    + Display
    + Default
    + Send
    + Sync
    + 'static
{
    /// Converts from `f64`, rounding to the nearest value.
    fn from_f64_lossy(value: f64) -> Self;
    /// Converts to `f64` exactly.
    fn to_f64_lossless(self) -> f64;
}

impl Scalar for f32 {
    fn from_f64_lossy(value: f64) -> Self {
        value as f32
    }

    fn to_f64_lossless(self) -> f64 {
        f64::from(self)
    }
}

impl Scalar for f64 {
    fn from_f64_lossy(value: f64) -> Self {
        value
    }

    fn to_f64_lossless(self) -> f64 {
        self
    }
}
