//! Local energy gradients: each vertex's prediction and its vector-Jacobian product as
//! straight-line programs.
//!
//! For a vertex `v` with prediction `mu_v = g_v(parents; theta)`, the program computes `mu_v`
//! (the forward part) and, given a cotangent `seed` for `mu_v`, the products `J^T seed` for
//! every non-data parent and `(dg_v/dtheta)^T seed` for every parameter (the backward part).
//! With `seed = e_c` these are the terms of `dF/dx_p = eps_p - sum_c J_cp^T e_c` that a child
//! `c` sends to each parent `p`, and the parameter contributions Z-IL reads; with
//! `seed = delta_v` they are backprop's reverse sweep. One program serves every schedule.

mod print;

pub use print::print_gradients;

use crate::ir::{Expr, Graph, NodeId, NodeKind, Op, ParamId, VertexId};

/// Index of a temporary in a [`VertexProgram`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TempId(pub usize);

/// A value an instruction reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A temporary computed earlier in the same program.
    Temp(TempId),
    /// The value node (or data) of a vertex.
    Vertex(VertexId),
    /// A parameter.
    Param(ParamId),
    /// A scalar constant.
    Scalar(f64),
    /// The cotangent of the prediction handed to the backward part.
    Seed,
}

/// The primitive operations of programs: the language's ops and their products.
///
/// Arguments named `like` only lend their run-time shape.
#[derive(Clone, Debug, PartialEq)]
pub enum Prim {
    /// An operation of the language, on its operands.
    Forward(Op),
    /// `[g, like]`: `g` summed over broadcast axes down to the shape of `like`.
    SumTo,
    /// `[a]`: `-a`.
    Neg,
    /// `[a, b]`: `a + b` of equal shapes, to sum the cotangents of a value used twice.
    Accumulate,
    /// `[g, other, like]`: cotangent of one factor of a product.
    MulVjp,
    /// `[g, b, like]`: cotangent of the numerator of `a / b`.
    DivVjpLhs,
    /// `[g, a, b, like]`: cotangent of the denominator of `a / b`.
    DivVjpRhs,
    /// `[g, b, like]`: `g @ b^T`, summed to the shape of the left operand.
    MatMulVjpLhs,
    /// `[a, g, like]`: `a^T @ g`, summed to the shape of the right operand.
    MatMulVjpRhs,
    /// `[y, g]` with `y = tanh(a)`.
    TanhVjp,
    /// `[y, g]` with `y = sigmoid(a)`.
    SigmoidVjp,
    /// `[y, g]` with `y = exp(a)`.
    ExpVjp,
    /// `[y, g]` with `y = softmax(a)`.
    SoftmaxVjp,
    /// `[a, g]`.
    ReluVjp,
    /// `[a, g]`.
    LeakyReluVjp {
        /// The slope for negative inputs.
        slope: f64,
    },
    /// `[a, g]`.
    LogVjp,
    /// `[a, g]`.
    SoftplusVjp,
    /// `[g, w, like_x]`.
    Conv2dVjpInput {
        /// As in the forward op.
        stride: usize,
        /// As in the forward op.
        padding: usize,
    },
    /// `[x, g, like_w]`.
    Conv2dVjpWeight {
        /// As in the forward op.
        stride: usize,
        /// As in the forward op.
        padding: usize,
    },
    /// `[x, g]`.
    MaxPool2dVjp {
        /// Window size.
        size: usize,
    },
    /// `[g]`.
    AvgPool2dVjp {
        /// Window size.
        size: usize,
    },
    /// `[g, like_x]`: `g` back to the operand's shape (flatten and reshape).
    ReshapeVjp,
    /// `[g, parts...]`: the slice of `g` belonging to one part of a concatenation.
    ConcatVjp {
        /// The axis joined along.
        axis: usize,
        /// Which part.
        part: usize,
    },
    /// `[g]`.
    TransposeVjp,
    /// `[g, like_x]`: zeros with `g` at one entry of the first axis.
    IndexVjp {
        /// The entry.
        index: usize,
    },
}

/// One instruction: `temp = prim(args)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Instr {
    /// Where the result goes.
    pub temp: TempId,
    /// What is computed.
    pub prim: Prim,
    /// The operands.
    pub args: Vec<Value>,
}

/// A vertex's prediction and its vector-Jacobian product.
#[derive(Clone, Debug, PartialEq)]
pub struct VertexProgram {
    /// The vertex.
    pub vertex: VertexId,
    /// Computes the prediction.
    pub forward: Vec<Instr>,
    /// The prediction: a temporary of `forward`, or a parent's value for a bare reference.
    pub prediction: Value,
    /// Computes the products from [`Value::Seed`], reading forward temporaries.
    pub backward: Vec<Instr>,
    /// `J^T seed` for every non-data parent, in first-use order.
    pub parent_cotangents: Vec<(VertexId, Value)>,
    /// `(dg/dtheta)^T seed` for every parameter, in first-use order.
    pub param_cotangents: Vec<(ParamId, Value)>,
}

impl VertexProgram {
    /// The forward temporaries the backward part reads: what a tape must keep.
    pub fn saved_temps(&self) -> Vec<TempId> {
        let forward_count = self.forward.len();
        let mut saved = Vec::new();
        for instr in &self.backward {
            for arg in &instr.args {
                if let Value::Temp(temp) = arg
                    && temp.0 < forward_count
                    && !saved.contains(temp)
                {
                    saved.push(*temp);
                }
            }
        }
        saved.sort();
        saved
    }
}

/// Derives the program of every non-data vertex, in vertex order.
pub fn derive_gradients(graph: &Graph) -> Vec<VertexProgram> {
    graph
        .vertex_ids()
        .filter_map(|id| {
            let vertex = graph.vertex(id);
            let expr = vertex.expr.as_ref()?;
            Some(derive_vertex(graph, id, expr))
        })
        .collect()
}

/// Builds one vertex's program.
fn derive_vertex(graph: &Graph, vertex: VertexId, expr: &Expr) -> VertexProgram {
    let mut builder = Builder::default();

    // Forward: one instruction per operation node, leaves read directly.
    let mut node_value = Vec::with_capacity(expr.nodes.len());
    for node in &expr.nodes {
        let value = match &node.kind {
            NodeKind::Vertex(id) => Value::Vertex(*id),
            NodeKind::Param(id) => Value::Param(*id),
            NodeKind::Scalar(value) => Value::Scalar(*value),
            NodeKind::Op { op, args } => {
                let args = args.iter().map(|arg| node_value[arg.0]).collect();
                builder.push(Prim::Forward(op.clone()), args)
            }
        };
        node_value.push(value);
    }
    let forward = std::mem::take(&mut builder.instrs);

    // Backward: reverse mode over the nodes, from the root's seed.
    let needs = needs_gradient(graph, expr);
    let mut cotangent: Vec<Option<Value>> = vec![None; expr.nodes.len()];
    cotangent[expr.root().0] = Some(Value::Seed);
    let mut parents: Vec<(VertexId, Value)> = Vec::new();
    let mut params: Vec<(ParamId, Value)> = Vec::new();
    for index in (0..expr.nodes.len()).rev() {
        let Some(g) = cotangent[index] else { continue };
        if !needs[index] {
            continue;
        }
        match &expr.nodes[index].kind {
            NodeKind::Vertex(id) => add_to(&mut builder, &mut parents, *id, g),
            NodeKind::Param(id) => add_to(&mut builder, &mut params, *id, g),
            NodeKind::Scalar(_) => {}
            NodeKind::Op { op, args } => {
                let rule = VjpRule {
                    expr,
                    node: NodeId(index),
                    args,
                    values: &node_value,
                    g,
                };
                for (arg, contribution) in rule.apply(op, &mut builder, &needs) {
                    let slot = &mut cotangent[arg.0];
                    *slot = Some(match *slot {
                        None => contribution,
                        Some(existing) => {
                            builder.push(Prim::Accumulate, vec![existing, contribution])
                        }
                    });
                }
            }
        }
    }
    parents.sort_by_key(|(id, _)| first_use(expr, NodeKind::Vertex(*id)));
    params.sort_by_key(|(id, _)| first_use(expr, NodeKind::Param(*id)));

    VertexProgram {
        vertex,
        prediction: node_value[expr.root().0],
        backward: builder.instrs,
        forward,
        parent_cotangents: parents,
        param_cotangents: params,
    }
}

/// Adds a cotangent for a leaf, summing when the leaf appears more than once.
fn add_to<K: PartialEq + Copy>(
    builder: &mut Builder,
    sums: &mut Vec<(K, Value)>,
    key: K,
    g: Value,
) {
    match sums.iter_mut().find(|(existing, _)| *existing == key) {
        Some((_, value)) => *value = builder.push(Prim::Accumulate, vec![*value, g]),
        None => sums.push((key, g)),
    }
}

/// The index of the first node with this kind, for a stable output order.
fn first_use(expr: &Expr, kind: NodeKind) -> usize {
    expr.nodes
        .iter()
        .position(|node| node.kind == kind)
        .unwrap_or(usize::MAX)
}

/// Which nodes depend on a non-data vertex or a parameter, and so need a cotangent.
fn needs_gradient(graph: &Graph, expr: &Expr) -> Vec<bool> {
    let mut needs = Vec::with_capacity(expr.nodes.len());
    for node in &expr.nodes {
        let need = match &node.kind {
            NodeKind::Vertex(id) => !graph.vertex(*id).is_data(),
            NodeKind::Param(_) => true,
            NodeKind::Scalar(_) => false,
            NodeKind::Op { args, .. } => args.iter().any(|arg| needs[arg.0]),
        };
        needs.push(need);
    }
    needs
}

/// Appends instructions with fresh temporaries.
#[derive(Default)]
struct Builder {
    instrs: Vec<Instr>,
    next: usize,
}

impl Builder {
    fn push(&mut self, prim: Prim, args: Vec<Value>) -> Value {
        let temp = TempId(self.next);
        self.next += 1;
        self.instrs.push(Instr { temp, prim, args });
        Value::Temp(temp)
    }
}

/// The vector-Jacobian product rule of one node, given its cotangent `g`.
struct VjpRule<'a> {
    expr: &'a Expr,
    node: NodeId,
    args: &'a [NodeId],
    values: &'a [Value],
    g: Value,
}

impl VjpRule<'_> {
    /// The cotangent contribution of every argument that needs one.
    fn apply(&self, op: &Op, b: &mut Builder, needs: &[bool]) -> Vec<(NodeId, Value)> {
        let mut out = Vec::new();
        for (position, &arg) in self.args.iter().enumerate() {
            if needs[arg.0] {
                out.push((arg, self.contribution(op, position, b)));
            }
        }
        out
    }

    fn arg(&self, position: usize) -> Value {
        self.values[self.args[position].0]
    }

    fn output(&self) -> Value {
        self.values[self.node.0]
    }

    /// `g` reduced to an argument's shape, skipped when the shapes are statically equal.
    fn unbroadcast(&self, g: Value, position: usize, b: &mut Builder) -> Value {
        let arg_shape = &self.expr.node(self.args[position]).shape;
        let own_shape = &self.expr.node(self.node).shape;
        if arg_shape.is_some() && arg_shape == own_shape {
            g
        } else {
            b.push(Prim::SumTo, vec![g, self.arg(position)])
        }
    }

    fn contribution(&self, op: &Op, position: usize, b: &mut Builder) -> Value {
        let g = self.g;
        let other = || self.arg(1 - position);
        let like = self.arg(position);
        match op {
            Op::Add => self.unbroadcast(g, position, b),
            Op::Sub if position == 0 => self.unbroadcast(g, 0, b),
            Op::Sub => {
                let negated = b.push(Prim::Neg, vec![g]);
                self.unbroadcast(negated, 1, b)
            }
            Op::Mul => b.push(Prim::MulVjp, vec![g, other(), like]),
            Op::Div if position == 0 => b.push(Prim::DivVjpLhs, vec![g, self.arg(1), like]),
            Op::Div => b.push(Prim::DivVjpRhs, vec![g, self.arg(0), self.arg(1), like]),
            Op::Neg => b.push(Prim::Neg, vec![g]),
            Op::MatMul if position == 0 => b.push(Prim::MatMulVjpLhs, vec![g, self.arg(1), like]),
            Op::MatMul => b.push(Prim::MatMulVjpRhs, vec![self.arg(0), g, like]),
            Op::Tanh => b.push(Prim::TanhVjp, vec![self.output(), g]),
            Op::Sigmoid => b.push(Prim::SigmoidVjp, vec![self.output(), g]),
            Op::Exp => b.push(Prim::ExpVjp, vec![self.output(), g]),
            Op::Softmax => b.push(Prim::SoftmaxVjp, vec![self.output(), g]),
            Op::Relu => b.push(Prim::ReluVjp, vec![like, g]),
            Op::LeakyRelu { slope } => b.push(Prim::LeakyReluVjp { slope: *slope }, vec![like, g]),
            Op::Log => b.push(Prim::LogVjp, vec![like, g]),
            Op::Softplus => b.push(Prim::SoftplusVjp, vec![like, g]),
            Op::Identity => g,
            Op::Conv2d { stride, padding } if position == 0 => b.push(
                Prim::Conv2dVjpInput {
                    stride: *stride,
                    padding: *padding,
                },
                vec![g, self.arg(1), like],
            ),
            Op::Conv2d { stride, padding } => b.push(
                Prim::Conv2dVjpWeight {
                    stride: *stride,
                    padding: *padding,
                },
                vec![self.arg(0), g, like],
            ),
            Op::MaxPool2d { size } => b.push(Prim::MaxPool2dVjp { size: *size }, vec![like, g]),
            Op::AvgPool2d { size } => b.push(Prim::AvgPool2dVjp { size: *size }, vec![g]),
            Op::Flatten | Op::Reshape { .. } => b.push(Prim::ReshapeVjp, vec![g, like]),
            Op::Concat { axis } => {
                let mut args = vec![g];
                args.extend((0..self.args.len()).map(|i| self.arg(i)));
                b.push(
                    Prim::ConcatVjp {
                        axis: *axis,
                        part: position,
                    },
                    args,
                )
            }
            Op::Transpose => b.push(Prim::TransposeVjp, vec![g]),
            Op::Index { index } => b.push(Prim::IndexVjp { index: *index }, vec![g, like]),
        }
    }
}
