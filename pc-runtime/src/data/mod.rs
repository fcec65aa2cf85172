//! Labelled data sets for classification: the embedded 8x8 digits, MNIST from IDX files, and
//! the splitting, shuffling and batching that training needs.
//!
//! A [`Dataset`] holds features `[N, ...]`, one-hot targets `[N, classes]` and the raw labels.
//! Its feature shape and [`Layout`] decide what a model sees: `[B, 64]` for an MLP,
//! `[B, 1, 28, 28]` for a CNN after [`Dataset::with_feature_shape`], or `[T, B, 28]` for an
//! RNN reading image rows as time steps after [`Dataset::with_layout`].

mod batches;
pub mod digits;
mod error;
pub mod mnist;

use ndarray::{Axis, IxDyn};

use crate::{Batch, Scalar, Tensor};

pub use batches::Batches;
pub use error::DataError;

/// Where the sample axis goes in the input tensor of a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `[B, ...]`: the batch axis first, for feed-forward and convolutional models.
    #[default]
    BatchMajor,
    /// `[T, B, ...]`: the first feature axis becomes the leading time axis, so that a
    /// recurrent model can index `xs[t]` to get `[B, ...]`.
    TimeMajor,
}

/// A labelled data set: features, one-hot targets and the raw labels, sample by sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<S> {
    /// `[N, ...]`, always in standard layout so that selecting samples is a plain copy.
    features: Tensor<S>,
    /// `[N, classes]`, one-hot.
    targets: Tensor<S>,
    labels: Vec<usize>,
    classes: usize,
    layout: Layout,
}

impl<S: Scalar> Dataset<S> {
    /// A data set from features `[N, ...]` and `N` labels below `classes`.
    pub fn new(features: Tensor<S>, labels: Vec<usize>, classes: usize) -> Result<Self, DataError> {
        let samples = features.shape().first().copied().unwrap_or(0);
        if features.ndim() < 2 || samples != labels.len() {
            return Err(DataError::Shape(format!(
                "features of shape {:?} do not fit {} labels: expected [{}, ...]",
                features.shape(),
                labels.len(),
                labels.len()
            )));
        }
        if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l >= classes) {
            return Err(DataError::Shape(format!(
                "label {label} of sample {index} is not below the number of classes, {classes}"
            )));
        }

        let mut targets = Tensor::zeros(IxDyn(&[labels.len(), classes]));
        for (sample, &label) in labels.iter().enumerate() {
            targets[[sample, label]] = S::one();
        }
        // Loaders build standard-layout arrays; copying only the others keeps a large data
        // set from being held twice while it is wrapped.
        let features = if features.is_standard_layout() {
            features
        } else {
            features.as_standard_layout().into_owned()
        };
        Ok(Dataset {
            features,
            targets,
            labels,
            classes,
            layout: Layout::BatchMajor,
        })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The number of classes, the width of the one-hot targets.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// All features, `[N, ...]`.
    pub fn features(&self) -> &Tensor<S> {
        &self.features
    }

    /// All one-hot targets, `[N, classes]`.
    pub fn targets(&self) -> &Tensor<S> {
        &self.targets
    }

    /// The class of every sample.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The shape of one sample's features.
    pub fn feature_shape(&self) -> &[usize] {
        &self.features.shape()[1..]
    }

    /// Where the sample axis goes in a batch's input tensor.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The same samples with `f` applied to every feature value in place, for normalising
    /// inputs without a second copy of them.
    pub fn map_features(mut self, f: impl FnMut(S) -> S) -> Self {
        self.features.mapv_inplace(f);
        self
    }

    /// The same samples with each one's features reshaped to `shape`, which must hold as many
    /// values: `&[1, 28, 28]` turns MNIST's `[N, 784]` into images for a CNN.
    pub fn with_feature_shape(mut self, shape: &[usize]) -> Result<Self, DataError> {
        let size: usize = self.feature_shape().iter().product();
        if shape.iter().product::<usize>() != size {
            return Err(DataError::Shape(format!(
                "cannot reshape features of shape {:?} to {shape:?}: {size} values per sample",
                self.feature_shape()
            )));
        }
        let mut full = vec![self.len()];
        full.extend_from_slice(shape);
        self.features = self
            .features
            .into_shape_with_order(IxDyn(&full))
            .map_err(|error| DataError::Shape(error.to_string()))?;
        Ok(self)
    }

    /// The same samples, batched with `layout`. [`Layout::TimeMajor`] needs features of at
    /// least two axes, the first being time: `with_feature_shape(&[28, 28])` then
    /// `with_layout(Layout::TimeMajor)` gives an RNN `[28, B, 28]`, one image row per step.
    pub fn with_layout(mut self, layout: Layout) -> Result<Self, DataError> {
        if layout == Layout::TimeMajor && self.feature_shape().len() < 2 {
            return Err(DataError::Shape(format!(
                "a time-major layout needs features of shape [T, ...], found {:?}",
                self.feature_shape()
            )));
        }
        self.layout = layout;
        Ok(self)
    }

    /// The samples at `indices`, in that order, with the same shape and layout.
    pub fn select(&self, indices: &[usize]) -> Self {
        Dataset {
            features: self.features.select(Axis(0), indices),
            targets: self.targets.select(Axis(0), indices),
            labels: indices.iter().map(|&index| self.labels[index]).collect(),
            classes: self.classes,
            layout: self.layout,
        }
    }

    /// The first `count` samples, or all of them if there are fewer.
    pub fn take(&self, count: usize) -> Self {
        let indices: Vec<usize> = (0..count.min(self.len())).collect();
        self.select(&indices)
    }

    /// The samples in an order drawn from `seed`: the same seed gives the same order.
    pub fn shuffled(&self, seed: u64) -> Self {
        self.select(&batches::permutation(self.len(), seed))
    }

    /// Shuffles with `seed`, then splits into a training set and a held-out set holding
    /// `test_fraction` of the samples (rounded, clamped to `[0, 1]`).
    pub fn split(&self, test_fraction: f64, seed: u64) -> (Self, Self) {
        let order = batches::permutation(self.len(), seed);
        let fraction = test_fraction.clamp(0.0, 1.0);
        // The product is at most `len`, so the conversion back cannot overflow.
        let test_len = (self.len() as f64 * fraction).round() as usize;
        let (test, train) = order.split_at(test_len.min(self.len()));
        (self.select(train), self.select(test))
    }

    /// The input tensor of the samples at `indices`, in the data set's layout.
    pub fn select_inputs(&self, indices: &[usize]) -> Tensor<S> {
        let inputs = self.features.select(Axis(0), indices);
        match self.layout {
            Layout::BatchMajor => inputs,
            Layout::TimeMajor => {
                let mut inputs = inputs;
                inputs.swap_axes(0, 1);
                inputs.as_standard_layout().into_owned()
            }
        }
    }

    /// The one-hot targets of the samples at `indices`, `[indices.len(), classes]`.
    pub fn select_targets(&self, indices: &[usize]) -> Tensor<S> {
        self.targets.select(Axis(0), indices)
    }

    /// A batch of the samples at `indices`: their inputs as `input` and their one-hot targets
    /// as `target`, the names the model declares.
    pub fn batch(&self, indices: &[usize], input: &str, target: &str) -> Batch<S> {
        Batch::new()
            .with(input, self.select_inputs(indices))
            .with(target, self.select_targets(indices))
    }

    /// Mini-batches of `batch_size` samples in an order drawn from `seed`, the last one
    /// smaller if `batch_size` does not divide the length.
    ///
    /// # Panics
    ///
    /// If `batch_size` is zero.
    pub fn batches(
        &self,
        batch_size: usize,
        seed: u64,
        input: &str,
        target: &str,
    ) -> Batches<'_, S> {
        let order = batches::permutation(self.len(), seed);
        Batches::new(self, order, batch_size, input, target)
    }

    /// Mini-batches of `batch_size` samples in the data set's order, for evaluation.
    ///
    /// # Panics
    ///
    /// If `batch_size` is zero.
    pub fn batches_in_order(&self, batch_size: usize, input: &str, target: &str) -> Batches<'_, S> {
        Batches::new(self, (0..self.len()).collect(), batch_size, input, target)
    }
}
