//! The dynamic face of every generated model, used by generic tools such as the trainer.

use std::fmt;

use crate::{Scalar, Tensor};

/// How parameter gradients are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Method {
    /// Reverse-mode differentiation: the reference.
    Backprop,
    /// Z-IL, wavefront mode: each value node updated once, at the step before its level.
    #[default]
    Zil,
    /// Z-IL, full mode: every value node relaxes at every inference step.
    ZilFull,
}

impl Method {
    /// Every method, in a fixed order.
    pub const ALL: [Method; 3] = [Method::Backprop, Method::Zil, Method::ZilFull];

    /// The method's name, as a command-line flag would spell it.
    pub fn name(self) -> &'static str {
        match self {
            Method::Backprop => "backprop",
            Method::Zil => "zil",
            Method::ZilFull => "zil-full",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Settings of the Z-IL inference phase. The defaults are Z-IL's conditions, under which the
/// result equals backprop's; every other setting breaks one condition on purpose, to study the
/// dynamics or to show that a condition is needed.
#[derive(Clone, Debug, PartialEq)]
pub struct ZilOptions {
    /// Inference rate `gamma`; Z-IL needs 1.
    pub gamma: f64,
    /// Standard deviation of Gaussian noise added to every value node before inference, and the
    /// seed; Z-IL needs the values to start at the forward pass (`None`).
    pub initial_noise: Option<(f64, u64)>,
    /// How contributions to a parameter read at several levels are applied.
    pub shared_updates: SharedUpdates,
    /// When each vertex's parameter contributions are read.
    pub param_reads: ParamReads,
}

impl Default for ZilOptions {
    fn default() -> Self {
        ZilOptions {
            gamma: 1.0,
            initial_noise: None,
            shared_updates: SharedUpdates::Deferred,
            param_reads: ParamReads::AtLevel,
        }
    }
}

impl ZilOptions {
    /// Checks that the settings are numbers inference can run with and that `method` can
    /// honour them; `model` names the model in the error.
    pub fn check(&self, model: &str, method: Method) -> Result<(), ModelError> {
        let invalid = |reason: String| {
            Err(ModelError::InvalidOptions {
                model: model.to_string(),
                reason,
            })
        };
        if !self.gamma.is_finite() {
            return invalid(format!(
                "the inference rate must be finite, found {}",
                self.gamma
            ));
        }
        if let Some((std, _)) = self.initial_noise
            && !(std.is_finite() && std >= 0.0)
        {
            return invalid(format!(
                "the initial noise's standard deviation must be finite and at least 0, found {std}"
            ));
        }
        if let SharedUpdates::Immediate { learning_rate } = self.shared_updates
            && !learning_rate.is_finite()
        {
            return invalid(format!(
                "the learning rate of immediate updates must be finite, found {learning_rate}"
            ));
        }
        if method == Method::Zil && self.param_reads != ParamReads::AtLevel {
            return invalid(
                "reading parameters at another step than each vertex's level needs full mode \
                 (`zil-full`): the wavefront mode computes each error only at its own step"
                    .to_string(),
            );
        }
        Ok(())
    }
}

/// When a parameter's contributions are applied during inference.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum SharedUpdates {
    /// Accumulated and applied after the last read: exact.
    #[default]
    Deferred,
    /// Applied to the parameter as soon as each is read, with this learning rate, so that later
    /// reads see the changed parameter: not exact for parameters used at several levels.
    Immediate {
        /// The learning rate of the immediate updates.
        learning_rate: f64,
    },
}

/// At which inference step a vertex's parameter contributions are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParamReads {
    /// At the step equal to the vertex's level, when its error is backprop's delta: exact.
    #[default]
    AtLevel,
    /// Every vertex at this one step (full mode only): step 0 reads errors that are still zero
    /// below the output, the last step reads errors that have moved on; neither is exact.
    AtStep(usize),
}

impl ParamReads {
    /// Whether a vertex at `level` reads its parameter contributions at step `t`.
    pub fn reads_at(self, level: usize, t: usize) -> bool {
        match self {
            ParamReads::AtLevel => t == level,
            ParamReads::AtStep(step) => t == step,
        }
    }
}

/// What full-mode inference records at every step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnergyTrace {
    /// The names of the vertices, in the order of [`EnergyStep::error_norms`].
    pub vertices: Vec<String>,
    /// One entry per inference step, the state before the step's update.
    pub steps: Vec<EnergyStep>,
}

/// The energy of one inference step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnergyStep {
    /// The total energy `F`: half the squared errors of internal vertices plus the losses.
    pub energy: f64,
    /// The Euclidean norm of every vertex's error.
    pub error_norms: Vec<f64>,
}

/// Named tensors in a fixed order: gradients, parameters or a batch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Named<S> {
    entries: Vec<(String, Tensor<S>)>,
}

impl<S: Scalar> Named<S> {
    /// An empty collection.
    pub fn new() -> Self {
        Named {
            entries: Vec::new(),
        }
    }

    /// Adds an entry at the end.
    pub fn push(&mut self, name: impl Into<String>, tensor: Tensor<S>) {
        self.entries.push((name.into(), tensor));
    }

    /// Adds an entry, builder style.
    pub fn with(mut self, name: impl Into<String>, tensor: Tensor<S>) -> Self {
        self.push(name, tensor);
        self
    }

    /// The tensor with this name.
    pub fn get(&self, name: &str) -> Option<&Tensor<S>> {
        self.entries
            .iter()
            .find(|(entry, _)| entry == name)
            .map(|(_, tensor)| tensor)
    }

    /// The tensor with this name, mutably.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Tensor<S>> {
        self.entries
            .iter_mut()
            .find(|(entry, _)| entry == name)
            .map(|(_, tensor)| tensor)
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor<S>)> {
        self.entries
            .iter()
            .map(|(name, tensor)| (name.as_str(), tensor))
    }

    /// The names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| name.as_str())
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The largest absolute difference from `other` over all entries, relative to the largest
    /// absolute value in `other`: the measure used to compare gradients with backprop's.
    pub fn relative_difference(&self, other: &Named<S>) -> f64 {
        let mut difference = 0.0_f64;
        let mut scale = 0.0_f64;
        for ((_, mine), (_, theirs)) in self.entries.iter().zip(&other.entries) {
            for (a, b) in mine.iter().zip(theirs.iter()) {
                let (a, b) = (a.to_f64_lossless(), b.to_f64_lossless());
                difference = difference.max((a - b).abs());
                scale = scale.max(b.abs());
            }
        }
        if scale == 0.0 {
            difference
        } else {
            difference / scale
        }
    }
}

/// A mini-batch: inputs and targets by name.
pub type Batch<S> = Named<S>;

/// Parameter gradients of the loss, by parameter name in declaration order.
pub type Gradients<S> = Named<S>;

/// Why a call into a model failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// A batch lacks a tensor the model needs.
    MissingTensor {
        /// The model's name.
        model: String,
        /// The name of the missing input or target.
        name: String,
    },
    /// A tensor handed to the model has the wrong shape.
    Shape {
        /// The model's name.
        model: String,
        /// The name of the input, target or parameter.
        name: String,
        /// The declared shape, with run-time dimensions by name.
        expected: String,
        /// The shape received.
        found: Vec<usize>,
    },
    /// A parameter name the model does not have.
    UnknownParam {
        /// The model's name.
        model: String,
        /// The name asked for.
        name: String,
    },
    /// Inference settings that are not numbers or that the method cannot honour.
    InvalidOptions {
        /// The model's name.
        model: String,
        /// What is wrong with them.
        reason: String,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::MissingTensor { model, name } => {
                write!(f, "model `{model}`: the batch has no tensor `{name}`")
            }
            ModelError::Shape {
                model,
                name,
                expected,
                found,
            } => write!(
                f,
                "model `{model}`: `{name}` must have shape {expected}, found {found:?}"
            ),
            ModelError::UnknownParam { model, name } => {
                write!(f, "model `{model}` has no parameter `{name}`")
            }
            ModelError::InvalidOptions { model, reason } => {
                write!(f, "model `{model}`: invalid Z-IL options: {reason}")
            }
        }
    }
}

impl std::error::Error for ModelError {}

/// Updates parameters from their gradients.
pub trait Optimiser<S: Scalar> {
    /// Called once before the parameters of one training step are updated.
    fn begin_step(&mut self) {}

    /// Moves one parameter against its gradient.
    fn update(&mut self, name: &str, param: &mut Tensor<S>, gradient: &Tensor<S>);
}

/// What every generated model offers, for tools that work with any model.
///
/// A generated model also has its parameters as public fields and inherent constants (`NAME`,
/// `PARAMS`, `DEPTH`, ...); this trait is its dynamic face, object safe, so that a trainer, a
/// checkpoint or a study of the dynamics can be written once for every model. Parameters,
/// inputs and targets go by the names the model declares, in declaration order; a batch holds
/// the inputs and targets by name, and a tensor of the wrong shape is a [`ModelError`] naming
/// it, never a panic.
///
/// ```
/// use pc_runtime::{Batch, Method, Model, ModelError, Tensor, ZilOptions};
///
/// pc_macros::pc_model! {
///     model Tiny {
///         dim B;
///         input x: [B, 4];
///         target y: [B, 2];
///         param w1: [4, 3] = xavier;
///         param w2: [3, 2] = xavier;
///         node h = tanh(x @ w1);
///         node out = h @ w2;
///         loss mse(out, y);
///     }
/// }
///
/// /// How far each Z-IL mode's gradients are from backprop's, for any model.
/// fn distances(model: &dyn Model<f64>, batch: &Batch<f64>) -> Result<[f64; 2], ModelError> {
///     let backprop = model.gradients(batch, Method::Backprop)?;
///     let zil = model.gradients(batch, Method::Zil)?;
///     let full = model.gradients(batch, Method::ZilFull)?;
///     Ok([zil.relative_difference(&backprop), full.relative_difference(&backprop)])
/// }
///
/// let model = Tiny::<f64>::new(7);
/// let batch = Batch::new()
///     .with("x", Tensor::from_elem(vec![5, 4], 0.5))
///     .with("y", Tensor::zeros(vec![5, 2]));
/// assert_eq!(model.param_names(), ["w1", "w2"]);
/// assert_eq!(distances(&model, &batch)?, [0.0, 0.0]);
///
/// // Full mode records the energy and every error's norm before each step's update.
/// let (_, trace) = model.energy_trace(&batch, &ZilOptions::default())?;
/// assert_eq!(trace.steps.len(), model.depth());
/// assert_eq!(trace.vertices, ["h", "out", "mse(out, y)"]);
///
/// let wrong = Batch::new()
///     .with("x", Tensor::zeros(vec![5, 3]))
///     .with("y", Tensor::zeros(vec![5, 2]));
/// assert_eq!(
///     model.loss(&wrong).unwrap_err().to_string(),
///     "model `Tiny`: `x` must have shape [B = 5, 4], found [5, 3]"
/// );
/// # Ok::<(), ModelError>(())
/// ```
pub trait Model<S: Scalar> {
    /// The model's name as declared.
    fn name(&self) -> &'static str;

    /// The parameter names in declaration order.
    fn param_names(&self) -> &'static [&'static str];

    /// The input names in declaration order.
    fn input_names(&self) -> &'static [&'static str];

    /// The target names in declaration order.
    fn target_names(&self) -> &'static [&'static str];

    /// A parameter by name.
    fn param(&self, name: &str) -> Option<&Tensor<S>>;

    /// A parameter by name, mutably.
    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<S>>;

    /// Replaces a parameter, checking its shape.
    fn set_param(&mut self, name: &str, value: Tensor<S>) -> Result<(), ModelError>;

    /// The total loss on a batch.
    fn loss(&self, batch: &Batch<S>) -> Result<S, ModelError>;

    /// The values of the vertices that losses are attached to, by vertex name.
    fn predict(&self, inputs: &Batch<S>) -> Result<Named<S>, ModelError>;

    /// The forward value of every value node, identity vertices included, by vertex name in
    /// the levelled graph's order.
    fn values(&self, inputs: &Batch<S>) -> Result<Named<S>, ModelError>;

    /// The number of Z-IL inference steps: the highest level plus one.
    fn depth(&self) -> usize;

    /// The loss on a batch and its gradients with respect to every parameter, by `method`,
    /// from one forward pass, with Z-IL's inference settings (backprop ignores them).
    fn loss_and_gradients_with(
        &self,
        batch: &Batch<S>,
        method: Method,
        options: &ZilOptions,
    ) -> Result<(S, Gradients<S>), ModelError>;

    /// The loss on a batch and its gradients with respect to every parameter, by `method`,
    /// under Z-IL's conditions.
    fn loss_and_gradients(
        &self,
        batch: &Batch<S>,
        method: Method,
    ) -> Result<(S, Gradients<S>), ModelError> {
        self.loss_and_gradients_with(batch, method, &ZilOptions::default())
    }

    /// Z-IL in full mode, recording the total energy and every vertex's error norm before
    /// each step's update: the neural dynamics, step by step, with the gradients read.
    fn energy_trace(
        &self,
        batch: &Batch<S>,
        options: &ZilOptions,
    ) -> Result<(Gradients<S>, EnergyTrace), ModelError>;

    /// Gradients of the loss with respect to every parameter, by `method`.
    fn gradients(&self, batch: &Batch<S>, method: Method) -> Result<Gradients<S>, ModelError> {
        self.loss_and_gradients(batch, method)
            .map(|(_, gradients)| gradients)
    }

    /// Every parameter by name, in declaration order.
    fn params(&self) -> Named<S> {
        let mut named = Named::new();
        for name in self.param_names() {
            if let Some(tensor) = self.param(name) {
                named.push(*name, tensor.clone());
            }
        }
        named
    }

    /// One training step: gradients by `method`, then the optimiser's update. Returns the loss
    /// before the update.
    fn train_step(
        &mut self,
        batch: &Batch<S>,
        method: Method,
        optimiser: &mut dyn Optimiser<S>,
    ) -> Result<S, ModelError> {
        let (loss, gradients) = self.loss_and_gradients(batch, method)?;
        let model = self.name();
        optimiser.begin_step();
        for (name, gradient) in gradients.iter() {
            let param = self
                .param_mut(name)
                .ok_or_else(|| ModelError::UnknownParam {
                    model: model.to_string(),
                    name: name.to_string(),
                })?;
            optimiser.update(name, param, gradient);
        }
        Ok(loss)
    }
}
