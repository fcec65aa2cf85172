//! Optimisers: plain gradient descent, momentum and Adam, each an [`Optimiser`].
//!
//! Hyperparameters are `f64` whatever the scalar type, like the rest of the runtime's
//! settings; they are converted once per update. Per-parameter state is kept by parameter
//! name in a `BTreeMap`, so one optimiser serves every parameter of a model.

use std::collections::BTreeMap;

use ndarray::Zip;

use crate::{Optimiser, Scalar, Tensor};

/// Stochastic gradient descent: `param -= learning_rate * gradient`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    /// The step size.
    pub learning_rate: f64,
}

impl Sgd {
    /// Gradient descent with this step size.
    pub fn new(learning_rate: f64) -> Self {
        Sgd { learning_rate }
    }
}

impl<S: Scalar> Optimiser<S> for Sgd {
    fn update(&mut self, _name: &str, param: &mut Tensor<S>, gradient: &Tensor<S>) {
        param.scaled_add(-S::from_f64_lossy(self.learning_rate), gradient);
    }
}

/// Gradient descent with heavy-ball momentum: `v = momentum * v + gradient`, then
/// `param -= learning_rate * v`, with `v` starting at zero for every parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Momentum<S> {
    /// The step size.
    pub learning_rate: f64,
    /// How much of the previous velocity is kept, usually 0.9.
    pub momentum: f64,
    velocities: BTreeMap<String, Tensor<S>>,
}

impl<S: Scalar> Momentum<S> {
    /// Momentum with this step size and momentum coefficient.
    pub fn new(learning_rate: f64, momentum: f64) -> Self {
        Momentum {
            learning_rate,
            momentum,
            velocities: BTreeMap::new(),
        }
    }

    /// Forgets every velocity, as if no step had been taken.
    pub fn reset(&mut self) {
        self.velocities.clear();
    }
}

impl<S: Scalar> Optimiser<S> for Momentum<S> {
    fn update(&mut self, name: &str, param: &mut Tensor<S>, gradient: &Tensor<S>) {
        let momentum = S::from_f64_lossy(self.momentum);
        let velocity = state_for(&mut self.velocities, name, gradient);
        Zip::from(&mut *velocity)
            .and(gradient)
            .for_each(|v, &g| *v = momentum * *v + g);
        param.scaled_add(-S::from_f64_lossy(self.learning_rate), velocity);
    }
}

/// Adam (Kingma and Ba, 2015): per-element step sizes from running means of the gradient and
/// of its square, with bias correction for their zero start.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<S> {
    /// The step size; the first step moves each element by about this much.
    pub learning_rate: f64,
    /// Decay of the running mean of gradients, usually 0.9.
    pub beta1: f64,
    /// Decay of the running mean of squared gradients, usually 0.999.
    pub beta2: f64,
    /// Added to the denominator so that flat directions do not divide by zero.
    pub epsilon: f64,
    /// Training steps begun so far; bias correction depends on it.
    step: u64,
    /// The running mean of every parameter's gradient, by name.
    means: BTreeMap<String, Tensor<S>>,
    /// The running mean of every parameter's squared gradient, by name.
    squares: BTreeMap<String, Tensor<S>>,
}

impl<S: Scalar> Adam<S> {
    /// Adam with this step size and the usual `beta1 = 0.9`, `beta2 = 0.999`,
    /// `epsilon = 1e-8`.
    pub fn new(learning_rate: f64) -> Self {
        Adam {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            step: 0,
            means: BTreeMap::new(),
            squares: BTreeMap::new(),
        }
    }

    /// Sets both decay rates, builder style.
    pub fn with_betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Sets `epsilon`, builder style.
    pub fn with_epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// The number of training steps begun so far.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// Forgets the running means and the step count, as if no step had been taken.
    pub fn reset(&mut self) {
        self.step = 0;
        self.means.clear();
        self.squares.clear();
    }
}

impl<S: Scalar> Optimiser<S> for Adam<S> {
    fn begin_step(&mut self) {
        self.step += 1;
    }

    fn update(&mut self, name: &str, param: &mut Tensor<S>, gradient: &Tensor<S>) {
        // A caller that never calls `begin_step` still gets a corrected first step rather than
        // a division by `1 - beta^0 = 0`.
        let step = self.step.max(1);
        let exponent = i32::try_from(step).unwrap_or(i32::MAX);
        let correction1 = 1.0 - self.beta1.powi(exponent);
        let correction2 = 1.0 - self.beta2.powi(exponent);

        let beta1 = S::from_f64_lossy(self.beta1);
        let beta2 = S::from_f64_lossy(self.beta2);
        let one = S::one();
        let rate = S::from_f64_lossy(self.learning_rate / correction1);
        let root_correction2 = S::from_f64_lossy(correction2.sqrt());
        let epsilon = S::from_f64_lossy(self.epsilon);

        let mean = state_for(&mut self.means, name, gradient);
        let square = state_for(&mut self.squares, name, gradient);

        // `lr * m_hat / (sqrt(v_hat) + eps)` with both corrections folded into scalars.
        Zip::from(param)
            .and(mean)
            .and(square)
            .and(gradient)
            .for_each(|p, m, v, &g| {
                *m = beta1 * *m + (one - beta1) * g;
                *v = beta2 * *v + (one - beta2) * g * g;
                *p -= rate * *m / (v.sqrt() / root_correction2 + epsilon);
            });
    }
}

/// The state tensor of parameter `name`, created as zeros on first use. A tensor whose shape no
/// longer matches the gradient (the optimiser was moved to another model) starts again at zero.
fn state_for<'a, S: Scalar>(
    states: &'a mut BTreeMap<String, Tensor<S>>,
    name: &str,
    gradient: &Tensor<S>,
) -> &'a mut Tensor<S> {
    let stale = states
        .get(name)
        .is_none_or(|state| state.shape() != gradient.shape());
    if stale {
        states.insert(name.to_string(), Tensor::zeros(gradient.raw_dim()));
    }
    states
        .get_mut(name)
        .expect("the state of `name` was inserted above")
}
