//! Pieces of predictive-coding inference shared by every generated model: tapes, value
//! nodes and their update, and checking the tensors a batch hands in.

use std::cell::OnceCell;

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

/// A value node during inference, held as where inference started plus how far it has
/// moved since.
///
/// The value `x` is what children's predictions read. The error `x - mu` is formed as
/// `moved + (start - mu)` rather than from `x` itself: the two are equal in exact arithmetic,
/// but an error is small next to the value it is recovered from, and subtracting two close
/// values of `x`'s size would keep only the digits of `x`'s rounding. While a vertex's parents
/// are where they started, its prediction is bit for bit its start, so its error is exactly
/// its displacement, the sum its children sent it: Z-IL's errors then carry every digit of
/// backprop's deltas, in `f32` as in `f64`.
#[derive(Clone, Debug)]
pub struct ValueNode<S> {
    /// `x(0)`: the forward value, or where the value node was moved to before inference.
    start: Tensor<S>,
    /// `x - x(0)`, once the value node has moved.
    moved: Option<Tensor<S>>,
    /// `x` itself once moved, formed when first read: in the wavefront mode nothing reads a
    /// value after it moves, so it is never formed.
    value: OnceCell<Tensor<S>>,
}

impl<S: Scalar> Default for ValueNode<S> {
    fn default() -> Self {
        ValueNode::new(empty())
    }
}

impl<S: Scalar> ValueNode<S> {
    /// A value node starting at `start`, not moved.
    pub fn new(start: Tensor<S>) -> Self {
        ValueNode {
            start,
            moved: None,
            value: OnceCell::new(),
        }
    }

    /// The current value `x`.
    pub fn value(&self) -> &Tensor<S> {
        match &self.moved {
            Some(moved) => self.value.get_or_init(|| &self.start + moved),
            None => &self.start,
        }
    }

    /// The error of the vertex, value minus prediction `mu`.
    pub fn error(&self, mu: &Tensor<S>) -> Tensor<S> {
        let zip = ndarray::Zip::from(&self.start).and(mu);
        match &self.moved {
            Some(moved) => zip
                .and(moved)
                .map_collect(|&start, &mu, &moved| moved + (start - mu)),
            None => zip.map_collect(|&start, &mu| start - mu),
        }
    }

    /// One inference step: `x -= gamma * ((x - mu) - pulled)`, where `x - mu` is the vertex's
    /// own error and `pulled` the sum of its children's errors pulled back through their
    /// Jacobians (`None` when no child sent any).
    pub fn relax(&mut self, mu: &Tensor<S>, pulled: Option<Tensor<S>>, gamma: S) {
        let step = |moved: S, start: S, mu: S, pulled: S| {
            let error = moved + (start - mu);
            moved - gamma * (error - pulled)
        };
        let zip = ndarray::Zip::from(&self.start).and(mu);
        self.moved = Some(match (self.moved.take(), pulled) {
            (Some(mut moved), Some(pulled)) => {
                zip.and(&mut moved)
                    .and(&pulled)
                    .for_each(|&start, &mu, moved, &pulled| {
                        *moved = step(*moved, start, mu, pulled)
                    });
                moved
            }
            (Some(mut moved), None) => {
                zip.and(&mut moved)
                    .for_each(|&start, &mu, moved| *moved = step(*moved, start, mu, S::zero()));
                moved
            }
            (None, Some(pulled)) => zip
                .and(&pulled)
                .map_collect(|&start, &mu, &pulled| step(S::zero(), start, mu, pulled)),
            (None, None) => zip.map_collect(|&start, &mu| step(S::zero(), start, mu, S::zero())),
        });
        self.value = OnceCell::new();
    }

    /// Moves the start by Gaussian noise of standard deviation `std`, away from the forward
    /// pass (which breaks Z-IL's first condition; used to show that it is needed).
    pub fn add_noise(&mut self, std: f64, rng: &mut impl Rng) {
        let Ok(normal) = Normal::new(0.0, std) else {
            return;
        };
        self.start
            .mapv_inplace(|value| value + S::from_f64_lossy(normal.sample(rng)));
        self.moved = None;
        self.value = OnceCell::new();
    }
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
