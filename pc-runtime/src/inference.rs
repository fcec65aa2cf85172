//! Pieces of predictive-coding inference shared by every generated model: tapes, the value
//! node update, and checking the tensors a batch hands in.

use ndarray::IxDyn;
use rand::Rng;
use rand_distr::{Distribution, Normal};

use crate::{Batch, ModelError, Scalar, Tensor};

/// A vertex's prediction with the intermediate results its vector-Jacobian product reads.
#[derive(Clone, Debug)]
pub struct Tape<S> {
    /// The prediction `mu` of the vertex.
    pub prediction: Tensor<S>,
    /// Intermediate results of the prediction, in the order the generated code expects.
    pub saved: Vec<Tensor<S>>,
}

impl<S: Scalar> Default for Tape<S> {
    fn default() -> Self {
        Tape {
            prediction: empty(),
            saved: Vec::new(),
        }
    }
}

/// A placeholder tensor for a value not computed yet.
pub fn empty<S: Scalar>() -> Tensor<S> {
    Tensor::zeros(IxDyn(&[0]))
}

/// One inference step of a value node: `x -= gamma * ((x - mu) - pulled)`, where `x - mu` is
/// the vertex's own error and `pulled` the sum of its children's errors pulled back through
/// their Jacobians (`None` when no child sent any).
pub fn relax<S: Scalar>(x: &mut Tensor<S>, mu: &Tensor<S>, pulled: Option<Tensor<S>>, gamma: S) {
    match pulled {
        Some(pulled) => ndarray::Zip::from(x)
            .and(mu)
            .and(&pulled)
            .for_each(|x, &mu, &pulled| *x -= gamma * ((*x - mu) - pulled)),
        None => ndarray::Zip::from(x)
            .and(mu)
            .for_each(|x, &mu| *x -= gamma * (*x - mu)),
    }
}

/// The error of a value node: value minus prediction.
pub fn error<S: Scalar>(x: &Tensor<S>, mu: &Tensor<S>) -> Tensor<S> {
    x - mu
}

/// Adds Gaussian noise of standard deviation `std` to a value node, moving it away from the
/// forward pass (which breaks Z-IL's first condition; used to show that it is needed).
pub fn add_noise<S: Scalar>(x: &mut Tensor<S>, std: f64, rng: &mut impl Rng) {
    let Ok(normal) = Normal::new(0.0, std) else {
        return;
    };
    x.mapv_inplace(|value| value + S::from_f64_lossy(normal.sample(rng)));
}

/// Half the squared Euclidean norm of a tensor, in `f64`.
pub fn half_squared_norm<S: Scalar>(t: &Tensor<S>) -> f64 {
    0.5 * crate::kernels::sum_squares(t)
}

/// One axis of a declared shape, for checking the tensors a batch hands in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclaredDim {
    /// A size fixed in the model.
    Fixed(usize),
    /// The run-time dimension with this index in the model's list of dimensions.
    Runtime(usize),
}

/// Looks a tensor up in a batch and checks its shape, binding run-time dimensions in `dims`
/// (one slot per run-time dimension of the model, `None` until first seen).
pub fn bind<'b, S: Scalar>(
    model: &'static str,
    batch: &'b Batch<S>,
    name: &'static str,
    declared: &[DeclaredDim],
    dim_names: &[&'static str],
    dims: &mut [Option<usize>],
) -> Result<&'b Tensor<S>, ModelError> {
    let tensor = batch.get(name).ok_or_else(|| ModelError::MissingTensor {
        model: model.to_string(),
        name: name.to_string(),
    })?;
    check_shape(model, name, tensor.shape(), declared, dim_names, dims)?;
    Ok(tensor)
}

/// Checks one shape against its declaration; see [`bind`].
pub fn check_shape(
    model: &'static str,
    name: &str,
    found: &[usize],
    declared: &[DeclaredDim],
    dim_names: &[&'static str],
    dims: &mut [Option<usize>],
) -> Result<(), ModelError> {
    let mismatch = |dims: &[Option<usize>]| ModelError::Shape {
        model: model.to_string(),
        name: name.to_string(),
        expected: describe(declared, dim_names, dims),
        found: found.to_vec(),
    };
    if found.len() != declared.len() {
        return Err(mismatch(dims));
    }
    for (&size, dim) in found.iter().zip(declared) {
        match *dim {
            DeclaredDim::Fixed(expected) if expected != size => return Err(mismatch(dims)),
            DeclaredDim::Fixed(_) => {}
            DeclaredDim::Runtime(index) => match dims[index] {
                Some(bound) if bound != size => return Err(mismatch(dims)),
                Some(_) => {}
                None => dims[index] = Some(size),
            },
        }
    }
    Ok(())
}

/// A declared shape as text, with the run-time dimensions bound so far: `[B = 32, 64]`.
fn describe(
    declared: &[DeclaredDim],
    dim_names: &[&'static str],
    dims: &[Option<usize>],
) -> String {
    let parts: Vec<String> = declared
        .iter()
        .map(|dim| match *dim {
            DeclaredDim::Fixed(size) => size.to_string(),
            DeclaredDim::Runtime(index) => match dims[index] {
                Some(size) => format!("{} = {size}", dim_names[index]),
                None => dim_names[index].to_string(),
            },
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The Euclidean norm of a tensor, in `f64`.
pub fn norm<S: Scalar>(t: &Tensor<S>) -> f64 {
    crate::kernels::sum_squares(t).sqrt()
}
