//! Hand-written models for the training tests, and a temporary directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{Array2, Axis, Ix1, Ix2};
use pc_runtime::{
    Batch, EnergyStep, EnergyTrace, Gradients, Method, Model, ModelError, Named, Scalar, Tensor,
    ZilOptions,
};

/// Softmax regression `out = x @ w + b` with a cross-entropy loss, gradients written out by
/// hand: `d loss / d out = (softmax(out) - y) / B`.
pub struct Softmax<S> {
    /// `[inputs, classes]`.
    pub w: Tensor<S>,
    /// `[classes]`.
    pub b: Tensor<S>,
}

impl<S: Scalar> Softmax<S> {
    /// All parameters zero: the loss is convex, so no random start is needed.
    pub fn new(inputs: usize, classes: usize) -> Self {
        Softmax {
            w: Tensor::zeros(vec![inputs, classes]),
            b: Tensor::zeros(vec![classes]),
        }
    }

    fn matrix(&self, batch: &Batch<S>, name: &str) -> Result<Array2<S>, ModelError> {
        let tensor = batch.get(name).ok_or_else(|| ModelError::MissingTensor {
            model: "Softmax".to_string(),
            name: name.to_string(),
        })?;
        tensor
            .view()
            .into_dimensionality::<Ix2>()
            .map(|view| view.to_owned())
            .map_err(|_| ModelError::Shape {
                model: "Softmax".to_string(),
                name: name.to_string(),
                expected: "[B, n]".to_string(),
                found: tensor.shape().to_vec(),
            })
    }

    fn logits(&self, batch: &Batch<S>) -> Result<Array2<S>, ModelError> {
        let x = self.matrix(batch, "x")?;
        let w = self
            .w
            .view()
            .into_dimensionality::<Ix2>()
            .expect("w is a matrix");
        let b = self
            .b
            .view()
            .into_dimensionality::<Ix1>()
            .expect("b is a vector");
        Ok(x.dot(&w) + b)
    }

    /// Row-wise softmax of the logits, and the mean cross-entropy against `y`.
    fn probabilities_and_loss(&self, batch: &Batch<S>) -> Result<(Array2<S>, S), ModelError> {
        let mut p = self.logits(batch)?;
        let y = self.matrix(batch, "y")?;
        let mut loss = S::zero();
        for (mut row, targets) in p.outer_iter_mut().zip(y.outer_iter()) {
            let max = row.fold(S::neg_infinity(), |a, &b| a.max(b));
            row.mapv_inplace(|z| (z - max).exp());
            let sum = row.sum();
            row.mapv_inplace(|e| e / sum);
            loss -= row
                .iter()
                .zip(targets)
                .map(|(&p, &t)| t * p.ln())
                .sum::<S>();
        }
        let size = S::from_usize(y.nrows()).expect("batch sizes fit");
        Ok((p, loss / size))
    }
}

impl<S: Scalar> Model<S> for Softmax<S> {
    fn name(&self) -> &'static str {
        "Softmax"
    }

    fn param_names(&self) -> &'static [&'static str] {
        &["w", "b"]
    }

    fn input_names(&self) -> &'static [&'static str] {
        &["x"]
    }

    fn target_names(&self) -> &'static [&'static str] {
        &["y"]
    }

    fn param(&self, name: &str) -> Option<&Tensor<S>> {
        match name {
            "w" => Some(&self.w),
            "b" => Some(&self.b),
            _ => None,
        }
    }

    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<S>> {
        match name {
            "w" => Some(&mut self.w),
            "b" => Some(&mut self.b),
            _ => None,
        }
    }

    fn set_param(&mut self, name: &str, value: Tensor<S>) -> Result<(), ModelError> {
        set_checked("Softmax", self.param_mut(name), name, value)
    }

    fn loss(&self, batch: &Batch<S>) -> Result<S, ModelError> {
        Ok(self.probabilities_and_loss(batch)?.1)
    }

    fn predict(&self, inputs: &Batch<S>) -> Result<Named<S>, ModelError> {
        Ok(Named::new().with("out", self.logits(inputs)?.into_dyn()))
    }

    fn values(&self, inputs: &Batch<S>) -> Result<Named<S>, ModelError> {
        self.predict(inputs)
    }

    fn depth(&self) -> usize {
        2
    }

    // One vertex under one loss: every method reads the output error at once, which is
    // backprop's delta.
    fn loss_and_gradients_with(
        &self,
        batch: &Batch<S>,
        _method: Method,
        _options: &ZilOptions,
    ) -> Result<(S, Gradients<S>), ModelError> {
        let (p, loss) = self.probabilities_and_loss(batch)?;
        let x = self.matrix(batch, "x")?;
        let y = self.matrix(batch, "y")?;
        let size = S::from_usize(y.nrows()).expect("batch sizes fit");
        let delta = (p - y) / size;
        let gradients = Named::new()
            .with("w", x.t().dot(&delta).into_dyn())
            .with("b", delta.sum_axis(Axis(0)).into_dyn());
        Ok((loss, gradients))
    }

    fn energy_trace(
        &self,
        batch: &Batch<S>,
        options: &ZilOptions,
    ) -> Result<(Gradients<S>, EnergyTrace), ModelError> {
        let (loss, gradients) = self.loss_and_gradients_with(batch, Method::ZilFull, options)?;
        let trace = EnergyTrace {
            vertices: Vec::new(),
            steps: vec![EnergyStep {
                energy: loss.to_f64_lossless(),
                error_norms: Vec::new(),
            }],
        };
        Ok((gradients, trace))
    }
}

/// A model of named `f64` parameters whose loss and gradients are any function of them,
/// ignoring the batch: for driving the trainer into NaN and infinity on purpose.
pub struct Toy {
    pub names: &'static [&'static str],
    pub params: Named<f64>,
    pub objective: fn(&Named<f64>) -> (f64, Named<f64>),
}

impl Model<f64> for Toy {
    fn name(&self) -> &'static str {
        "Toy"
    }

    fn param_names(&self) -> &'static [&'static str] {
        self.names
    }

    fn input_names(&self) -> &'static [&'static str] {
        &["x"]
    }

    fn target_names(&self) -> &'static [&'static str] {
        &["y"]
    }

    fn param(&self, name: &str) -> Option<&Tensor<f64>> {
        self.params.get(name)
    }

    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<f64>> {
        self.params.get_mut(name)
    }

    fn set_param(&mut self, name: &str, value: Tensor<f64>) -> Result<(), ModelError> {
        set_checked("Toy", self.params.get_mut(name), name, value)
    }

    fn loss(&self, _batch: &Batch<f64>) -> Result<f64, ModelError> {
        Ok((self.objective)(&self.params).0)
    }

    fn predict(&self, inputs: &Batch<f64>) -> Result<Named<f64>, ModelError> {
        let size = inputs.get("x").map_or(0, |x| x.shape()[0]);
        Ok(Named::new().with("out", Tensor::zeros(vec![size, 2])))
    }

    fn values(&self, inputs: &Batch<f64>) -> Result<Named<f64>, ModelError> {
        self.predict(inputs)
    }

    fn depth(&self) -> usize {
        1
    }

    fn loss_and_gradients_with(
        &self,
        _batch: &Batch<f64>,
        _method: Method,
        _options: &ZilOptions,
    ) -> Result<(f64, Gradients<f64>), ModelError> {
        Ok((self.objective)(&self.params))
    }

    fn energy_trace(
        &self,
        _batch: &Batch<f64>,
        _options: &ZilOptions,
    ) -> Result<(Gradients<f64>, EnergyTrace), ModelError> {
        let (loss, gradients) = (self.objective)(&self.params);
        let step = EnergyStep {
            energy: loss,
            error_norms: Vec::new(),
        };
        Ok((
            gradients,
            EnergyTrace {
                vertices: Vec::new(),
                steps: vec![step],
            },
        ))
    }
}

/// Replaces `slot` with `value` if the shapes agree, as generated code does.
fn set_checked<S: Scalar>(
    model: &str,
    slot: Option<&mut Tensor<S>>,
    name: &str,
    value: Tensor<S>,
) -> Result<(), ModelError> {
    let slot = slot.ok_or_else(|| ModelError::UnknownParam {
        model: model.to_string(),
        name: name.to_string(),
    })?;
    if slot.shape() != value.shape() {
        return Err(ModelError::Shape {
            model: model.to_string(),
            name: name.to_string(),
            expected: format!("{:?}", slot.shape()),
            found: value.shape().to_vec(),
        });
    }
    *slot = value;
    Ok(())
}

/// A fresh, empty directory under the system's temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "pc-runtime-{label}-{}-{unique}",
            std::process::id()
        ));
        // A directory left by a crashed run with the same process id is stale.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("the temporary directory can be created");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
