//! A reference interpreter of compiled models: runs the compiler's vertex programs and
//! schedules directly through the runtime kernels, with no code generated.
//!
//! Generated code is tested on the fixtures; this interpreter lets property tests check the
//! passes themselves (levelling, gradients, schedules) on thousands of random graphs that
//! could not each be compiled by rustc.

use pc_dsl::CompiledModel;
use pc_dsl::ir::{Dim, Graph, LossFn, VertexId, VertexKind};
use pc_dsl::passes::gradients::{Prim, Value, VertexProgram};
use pc_dsl::passes::schedule::ZilSchedule;
use pc_runtime::kernels as k;
use pc_runtime::{Tensor, inference};

/// Parameters and data of one run, in `f64`.
pub struct Interpreter<'a> {
    model: &'a CompiledModel,
    /// Parameters by id.
    pub params: Vec<Tensor<f64>>,
    /// Values of every vertex by id (data included).
    values: Vec<Tensor<f64>>,
}

/// One vertex's prediction and the temporaries its product reads.
struct Tape {
    temps: Vec<Option<Tensor<f64>>>,
    prediction: Tensor<f64>,
}

impl<'a> Interpreter<'a> {
    /// A run with the given parameters and data (by vertex id; values of other vertices are
    /// computed by the forward pass).
    pub fn new(
        model: &'a CompiledModel,
        params: Vec<Tensor<f64>>,
        data: Vec<(VertexId, Tensor<f64>)>,
    ) -> Self {
        let mut values = vec![inference::empty(); model.graph.vertices.len()];
        for (id, tensor) in data {
            values[id.0] = tensor;
        }
        Interpreter {
            model,
            params,
            values,
        }
    }

    fn graph(&self) -> &Graph {
        &self.model.graph
    }

    fn program(&self, id: VertexId) -> Option<&'a VertexProgram> {
        self.model.programs.iter().find(|p| p.vertex == id)
    }

    fn read<'t>(
        &'t self,
        value: Value,
        temps: &'t [Option<Tensor<f64>>],
        seed: Option<&'t Tensor<f64>>,
        scratch: &'t mut Vec<Tensor<f64>>,
    ) -> &'t Tensor<f64> {
        let _ = scratch;
        match value {
            Value::Temp(t) => temps[t.0]
                .as_ref()
                .expect("temporaries are defined before use"),
            Value::Vertex(id) => &self.values[id.0],
            Value::Param(id) => &self.params[id.0],
            Value::Seed => seed.expect("the seed is given to the backward part"),
            Value::Scalar(_) => unreachable!("scalars are materialised by `operand`"),
        }
    }

    /// Evaluates instructions into `temps`.
    fn run(
        &self,
        instrs: &[pc_dsl::passes::gradients::Instr],
        temps: &mut Vec<Option<Tensor<f64>>>,
        seed: Option<&Tensor<f64>>,
    ) {
        for instr in instrs {
            let args: Vec<Tensor<f64>> = instr
                .args
                .iter()
                .map(|value| match value {
                    Value::Scalar(number) => k::scalar::<f64>(*number),
                    other => {
                        let mut scratch = Vec::new();
                        self.read(*other, temps, seed, &mut scratch).clone()
                    }
                })
                .collect();
            let result = self.eval(&instr.prim, &args);
            if temps.len() <= instr.temp.0 {
                temps.resize(instr.temp.0 + 1, None);
            }
            temps[instr.temp.0] = Some(result);
        }
    }

    fn eval(&self, prim: &Prim, a: &[Tensor<f64>]) -> Tensor<f64> {
        use pc_dsl::ir::Op;
        match prim {
            Prim::Forward(op) => match op {
                Op::Add => k::add(&a[0], &a[1]),
                Op::Sub => k::sub(&a[0], &a[1]),
                Op::Mul => k::mul(&a[0], &a[1]),
                Op::Div => k::div(&a[0], &a[1]),
                Op::Neg => k::neg(&a[0]),
                Op::MatMul => k::matmul(&a[0], &a[1]),
                Op::Tanh => k::tanh(&a[0]),
                Op::Sigmoid => k::sigmoid(&a[0]),
                Op::Relu => k::relu(&a[0]),
                Op::LeakyRelu { slope } => k::leaky_relu(&a[0], *slope),
                Op::Exp => k::exp(&a[0]),
                Op::Log => k::log(&a[0]),
                Op::Softplus => k::softplus(&a[0]),
                Op::Identity => k::identity(&a[0]),
                Op::Softmax => k::softmax(&a[0]),
                Op::Conv2d { stride, padding } => k::conv2d(&a[0], &a[1], *stride, *padding),
                Op::MaxPool2d { size } => k::max_pool2d(&a[0], *size),
                Op::AvgPool2d { size } => k::avg_pool2d(&a[0], *size),
                Op::Flatten => k::flatten(&a[0]),
                Op::Reshape { shape } => {
                    let dims: Vec<usize> = shape
                        .0
                        .iter()
                        .map(|d| match d {
                            Dim::Fixed(n) => *n,
                            Dim::Runtime(_) => self.batch_size(),
                        })
                        .collect();
                    k::reshape(&a[0], &dims)
                }
                Op::Concat { axis } => {
                    let parts: Vec<&Tensor<f64>> = a.iter().collect();
                    k::concat(&parts, *axis)
                }
                Op::Transpose => k::transpose(&a[0]),
                Op::Index { index } => k::index(&a[0], *index),
            },
            Prim::SumTo => k::sum_to(&a[0], a[1].shape()),
            Prim::Neg => k::neg(&a[0]),
            Prim::Accumulate => k::add(&a[0], &a[1]),
            Prim::MulVjp => k::mul_vjp(&a[0], &a[1], a[2].shape()),
            Prim::DivVjpLhs => k::div_vjp_lhs(&a[0], &a[1], a[2].shape()),
            Prim::DivVjpRhs => k::div_vjp_rhs(&a[0], &a[1], &a[2], a[3].shape()),
            Prim::MatMulVjpLhs => k::matmul_vjp_lhs(&a[0], &a[1], a[2].shape()),
            Prim::MatMulVjpRhs => k::matmul_vjp_rhs(&a[0], &a[1], a[2].shape()),
            Prim::TanhVjp => k::tanh_vjp(&a[0], &a[1]),
            Prim::SigmoidVjp => k::sigmoid_vjp(&a[0], &a[1]),
            Prim::ExpVjp => k::exp_vjp(&a[0], &a[1]),
            Prim::SoftmaxVjp => k::softmax_vjp(&a[0], &a[1]),
            Prim::ReluVjp => k::relu_vjp(&a[0], &a[1]),
            Prim::LeakyReluVjp { slope } => k::leaky_relu_vjp(&a[0], *slope, &a[1]),
            Prim::LogVjp => k::log_vjp(&a[0], &a[1]),
            Prim::SoftplusVjp => k::softplus_vjp(&a[0], &a[1]),
            Prim::Conv2dVjpInput { stride, padding } => {
                k::conv2d_vjp_input(&a[0], &a[1], a[2].shape(), *stride, *padding)
            }
            Prim::Conv2dVjpWeight { stride, padding } => {
                k::conv2d_vjp_weight(&a[0], &a[1], a[2].shape(), *stride, *padding)
            }
            Prim::MaxPool2dVjp { size } => k::max_pool2d_vjp(&a[0], &a[1], *size),
            Prim::AvgPool2dVjp { size } => k::avg_pool2d_vjp(&a[0], *size),
            Prim::ReshapeVjp => k::reshape_vjp(&a[0], a[1].shape()),
            Prim::ConcatVjp { axis, part } => {
                let sizes: Vec<usize> = a[1..].iter().map(|t| t.shape()[*axis]).collect();
                k::concat_vjp(&a[0], *axis, *part, &sizes)
            }
            Prim::TransposeVjp => k::transpose_vjp(&a[0]),
            Prim::IndexVjp { index } => k::index_vjp(&a[0], a[1].shape(), *index),
        }
    }

    /// The batch size: the first axis of the first input.
    fn batch_size(&self) -> usize {
        self.graph()
            .vertex_ids()
            .find(|id| self.graph().vertex(*id).is_data())
            .map_or(1, |id| {
                self.values[id.0].shape().first().copied().unwrap_or(1)
            })
    }

    fn predict(&self, id: VertexId) -> Tape {
        let program = self.program(id).expect("non-data vertices have programs");
        let mut temps = Vec::new();
        self.run(&program.forward, &mut temps, None);
        let prediction = match program.prediction {
            Value::Scalar(number) => k::scalar(number),
            other => self.read(other, &temps, None, &mut Vec::new()).clone(),
        };
        Tape { temps, prediction }
    }

    /// Adds `J^T seed` into `pulled` and, when given, the parameter products into `reads`.
    fn pullback(
        &self,
        id: VertexId,
        tape: &Tape,
        seed: &Tensor<f64>,
        pulled: &mut [Option<Tensor<f64>>],
        reads: Option<&mut Vec<Option<Tensor<f64>>>>,
    ) {
        let program = self.program(id).expect("non-data vertices have programs");
        let mut temps = tape.temps.clone();
        self.run(&program.backward, &mut temps, Some(seed));
        for (parent, value) in &program.parent_cotangents {
            let value = self
                .read(*value, &temps, Some(seed), &mut Vec::new())
                .clone();
            k::accumulate(&mut pulled[parent.0], value);
        }
        if let Some(reads) = reads {
            for (param, value) in &program.param_cotangents {
                let value = self
                    .read(*value, &temps, Some(seed), &mut Vec::new())
                    .clone();
                k::accumulate(&mut reads[param.0], value);
            }
        }
    }

    /// The loss vertex's `dL/dmu` and loss value at the current state.
    fn loss(&self, id: VertexId, tape: &Tape) -> (Tensor<f64>, f64) {
        let VertexKind::Loss {
            func,
            target,
            target_index,
        } = self.graph().vertex(id).kind
        else {
            unreachable!("only called on loss vertices");
        };
        let target = match target_index {
            Some(index) => k::index(&self.values[target.0], index),
            None => self.values[target.0].clone(),
        };
        match func {
            LossFn::Mse => (
                k::mse_grad(&tape.prediction, &target),
                k::mse(&tape.prediction, &target),
            ),
            LossFn::CrossEntropy => (
                k::cross_entropy_grad(&tape.prediction, &target),
                k::cross_entropy(&tape.prediction, &target),
            ),
        }
    }

    /// Sets every value node to its prediction; returns every tape.
    fn forward(&mut self) -> Vec<Option<Tape>> {
        let mut tapes: Vec<Option<Tape>> = Vec::new();
        for id in self.graph().vertex_ids().collect::<Vec<_>>() {
            if self.graph().vertex(id).is_data() {
                tapes.push(None);
                continue;
            }
            let tape = self.predict(id);
            if self.graph().vertex(id).is_pc_vertex() {
                self.values[id.0] = tape.prediction.clone();
            }
            tapes.push(Some(tape));
        }
        tapes
    }

    /// The total loss at the forward pass.
    pub fn total_loss(&mut self) -> f64 {
        let tapes = self.forward();
        self.loss_vertices()
            .map(|id| self.loss(id, tapes[id.0].as_ref().expect("tape")).1)
            .sum()
    }

    fn loss_vertices(&self) -> impl Iterator<Item = VertexId> + '_ {
        self.graph()
            .vertex_ids()
            .filter(|id| matches!(self.graph().vertex(*id).kind, VertexKind::Loss { .. }))
    }

    /// Backprop's gradients, by parameter id.
    pub fn backprop(&mut self) -> Vec<Tensor<f64>> {
        let tapes = self.forward();
        let mut deltas: Vec<Option<Tensor<f64>>> = vec![None; self.values.len()];
        let mut grads = vec![None; self.params.len()];
        for &id in &self.model.backprop {
            let tape = tapes[id.0].as_ref().expect("non-data vertices have tapes");
            let delta = if matches!(self.graph().vertex(id).kind, VertexKind::Loss { .. }) {
                Some(self.loss(id, tape).0)
            } else {
                deltas[id.0].take()
            };
            if let Some(delta) = delta {
                self.pullback(id, tape, &delta, &mut deltas, Some(&mut grads));
            }
        }
        self.finish(grads, 1.0)
    }

    fn finish(&self, sums: Vec<Option<Tensor<f64>>>, sign: f64) -> Vec<Tensor<f64>> {
        sums.into_iter()
            .zip(&self.params)
            .map(|(sum, param)| sum.map_or_else(|| Tensor::zeros(param.raw_dim()), |s| s * sign))
            .collect()
    }

    /// Z-IL by the given schedule with inference rate `gamma`: minus the contributions read.
    pub fn zil(&mut self, schedule: &ZilSchedule, gamma: f64) -> Vec<Tensor<f64>> {
        let full = schedule.mode == pc_dsl::passes::schedule::Mode::Full;
        let mut tapes = self.forward();
        let mut reads = vec![None; self.params.len()];
        for step in schedule.steps() {
            if full && step.t > 0 {
                for id in self.graph().vertex_ids().collect::<Vec<_>>() {
                    if !self.graph().vertex(id).is_data() {
                        tapes[id.0] = Some(self.predict(id));
                    }
                }
            }
            let mut pulled: Vec<Option<Tensor<f64>>> = vec![None; self.values.len()];
            for task in &step.errors {
                let id = task.vertex;
                if task.repredict && !full {
                    tapes[id.0] = Some(self.predict(id));
                }
                let tape = tapes[id.0].as_ref().expect("non-data vertices have tapes");
                let error = if matches!(self.graph().vertex(id).kind, VertexKind::Loss { .. }) {
                    -self.loss(id, tape).0
                } else {
                    &self.values[id.0] - &tape.prediction
                };
                let mut own = vec![None; self.values.len()];
                self.pullback(
                    id,
                    tape,
                    &error,
                    &mut own,
                    task.reads_at(step.t).then_some(&mut reads),
                );
                for parent in &task.pull_to {
                    if let Some(sum) = own[parent.0].take() {
                        k::accumulate(&mut pulled[parent.0], sum);
                    }
                }
            }
            for &id in &step.updates {
                // The textbook update, value minus prediction formed directly: an
                // independent check of the generated code's value nodes.
                let prediction = &tapes[id.0].as_ref().expect("tape").prediction;
                let error = &self.values[id.0] - prediction;
                let step = match pulled[id.0].take() {
                    Some(pulled) => error - pulled,
                    None => error,
                };
                self.values[id.0].scaled_add(-gamma, &step);
            }
        }
        self.finish(reads, -1.0)
    }
}
