//! The IR graph: vertices with their predictions as expressions over parents and parameters.
//!
//! A [`Graph`] is what lowering produces from one model and what every later pass reads and
//! refines. Vertices are stored in topological order (every parent before its children), and
//! every iteration over them is in that order, so everything printed or generated from a graph
//! is deterministic.

mod dot;
mod print;

pub use dot::to_dot;
pub use print::print_graph;

use std::fmt;

use crate::diag::Span;

/// Index of a vertex in [`Graph::vertices`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VertexId(pub usize);

/// Index of a parameter in [`Graph::params`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub usize);

/// Index of a run-time dimension in [`Graph::dims`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DimId(pub usize);

/// Index of a node in an [`Expr`]'s arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// One model as a computational graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The model's name.
    pub name: String,
    /// The model's doc comment, one entry per line.
    pub doc: Vec<String>,
    /// The model's span in the source.
    pub span: Span,
    /// Dimensions known only at run time (`dim B`).
    pub dims: Vec<RuntimeDim>,
    /// Compile-time constants with their folded values, for printing.
    pub consts: Vec<(String, i64)>,
    /// Learned tensors, in declaration order.
    pub params: Vec<Param>,
    /// All vertices in topological order.
    pub vertices: Vec<Vertex>,
}

/// A dimension whose size is given by the data at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeDim {
    /// Its name, such as `B`.
    pub name: String,
    /// Where it is declared.
    pub span: Span,
}

/// A learned tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name in the model and in generated code.
    pub name: String,
    /// Its doc comment.
    pub doc: Vec<String>,
    /// Where it is declared.
    pub span: Span,
    /// Its shape; parameters have no run-time dimensions.
    pub shape: Shape,
    /// How it is initialised.
    pub init: Init,
    /// The vertices whose predictions read it, in order.
    pub users: Vec<VertexId>,
}

/// How a parameter is initialised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// All zeros.
    Zeros,
    /// All ones.
    Ones,
    /// Glorot uniform: bound `sqrt(6 / (fan_in + fan_out))`.
    Xavier,
    /// He normal: standard deviation `sqrt(2 / fan_in)`.
    He,
    /// Normal with mean zero.
    Normal {
        /// Standard deviation.
        std: f64,
    },
    /// Uniform on `[lo, hi)`.
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
}

/// What a vertex is.
#[derive(Clone, Debug, PartialEq)]
pub enum VertexKind {
    /// Data clamped at the bottom of the graph.
    Input,
    /// Data a loss compares against.
    Target,
    /// A predictive-coding vertex declared with `node`: a value node and an error node.
    Node,
    /// A vertex inserted by levelling; its prediction is its single parent's value.
    Identity {
        /// The vertex whose long edges the chain carries.
        source: VertexId,
    },
    /// A sink whose error is the negative gradient of a loss; its prediction is its argument.
    Loss {
        /// The loss function.
        func: LossFn,
        /// The target vertex the loss compares with.
        target: VertexId,
        /// The entry of the target's first axis compared with, for `loss mse(h[t], ys[t])`.
        target_index: Option<usize>,
    },
}

/// The losses of the language; both are means over the batch (the first axis).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossFn {
    /// `mean_b 1/2 |y_b - out_b|^2`.
    Mse,
    /// `mean_b -sum_k y_bk log softmax(out_b)_k`.
    CrossEntropy,
}

impl LossFn {
    /// The name as written in a model.
    pub fn name(self) -> &'static str {
        match self {
            LossFn::Mse => "mse",
            LossFn::CrossEntropy => "cross_entropy",
        }
    }
}

/// A vertex of the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Vertex {
    /// Its name: `h`, `h[3]` for an indexed vertex, `h.id1` for an identity vertex.
    pub name: String,
    /// What it is.
    pub kind: VertexKind,
    /// Its doc comment.
    pub doc: Vec<String>,
    /// Where it is declared.
    pub span: Span,
    /// Its shape: declared for data, inferred by the shapes pass for the rest.
    pub shape: Option<Shape>,
    /// Its prediction from its parents; `None` for inputs and targets.
    pub expr: Option<Expr>,
    /// Its level (longest path to a loss), set by the level pass.
    pub level: Option<usize>,
}

impl Vertex {
    /// Whether the vertex holds a value node and an error node.
    pub fn is_pc_vertex(&self) -> bool {
        matches!(self.kind, VertexKind::Node | VertexKind::Identity { .. })
    }

    /// Whether the vertex is data (input or target).
    pub fn is_data(&self) -> bool {
        matches!(self.kind, VertexKind::Input | VertexKind::Target)
    }

    /// The vertices its prediction reads, in first-use order, each once.
    pub fn parents(&self) -> Vec<VertexId> {
        let mut parents = Vec::new();
        if let Some(expr) = &self.expr {
            for node in &expr.nodes {
                if let NodeKind::Vertex(id) = node.kind
                    && !parents.contains(&id)
                {
                    parents.push(id);
                }
            }
        }
        parents
    }

    /// The parameters its prediction reads, in first-use order, each once.
    pub fn params(&self) -> Vec<ParamId> {
        let mut params = Vec::new();
        if let Some(expr) = &self.expr {
            for node in &expr.nodes {
                if let NodeKind::Param(id) = node.kind
                    && !params.contains(&id)
                {
                    params.push(id);
                }
            }
        }
        params
    }
}

impl Graph {
    /// The vertex with this id.
    pub fn vertex(&self, id: VertexId) -> &Vertex {
        &self.vertices[id.0]
    }

    /// The parameter with this id.
    pub fn param(&self, id: ParamId) -> &Param {
        &self.params[id.0]
    }

    /// Vertex ids in topological order.
    pub fn vertex_ids(&self) -> impl DoubleEndedIterator<Item = VertexId> + '_ {
        (0..self.vertices.len()).map(VertexId)
    }

    /// The id of the vertex with this name.
    pub fn find_vertex(&self, name: &str) -> Option<VertexId> {
        self.vertices
            .iter()
            .position(|vertex| vertex.name == name)
            .map(VertexId)
    }

    /// For every vertex, the vertices whose predictions read it, in topological order.
    pub fn children(&self) -> Vec<Vec<VertexId>> {
        let mut children = vec![Vec::new(); self.vertices.len()];
        for id in self.vertex_ids() {
            for parent in self.vertex(id).parents() {
                children[parent.0].push(id);
            }
        }
        children
    }

    /// Recomputes every parameter's list of users from the vertices' expressions.
    pub fn update_param_users(&mut self) {
        for param in &mut self.params {
            param.users.clear();
        }
        for (index, vertex) in self.vertices.iter().enumerate() {
            for param in vertex.params() {
                self.params[param.0].users.push(VertexId(index));
            }
        }
    }

    /// The name of a run-time dimension.
    pub fn dim_name(&self, id: DimId) -> &str {
        &self.dims[id.0].name
    }

    /// A shape as text, with run-time dimensions by name: `[B, 64]`.
    pub fn shape_text(&self, shape: &Shape) -> String {
        let dims: Vec<String> = shape
            .0
            .iter()
            .map(|dim| match dim {
                Dim::Fixed(size) => size.to_string(),
                Dim::Runtime(id) => self.dim_name(*id).to_string(),
            })
            .collect();
        format!("[{}]", dims.join(", "))
    }
}

/// One axis of a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    /// A size known at compile time.
    Fixed(usize),
    /// A size given at run time by the data.
    Runtime(DimId),
}

/// The shape of a tensor, outermost axis first. A scalar has no axes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shape(pub Vec<Dim>);

impl Shape {
    /// The number of axes.
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// The fixed sizes, if no axis is a run-time dimension.
    pub fn fixed(&self) -> Option<Vec<usize>> {
        self.0
            .iter()
            .map(|dim| match dim {
                Dim::Fixed(size) => Some(*size),
                Dim::Runtime(_) => None,
            })
            .collect()
    }
}

/// A vertex's prediction: a small DAG of operations over parents and parameters.
///
/// Nodes are stored in evaluation order (every argument before its user), and the last node
/// is the root. A `let` used twice in a vertex is one node used twice.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// The nodes, arguments first.
    pub nodes: Vec<ExprNode>,
}

impl Expr {
    /// The node whose value is the expression's value.
    pub fn root(&self) -> NodeId {
        NodeId(self.nodes.len() - 1)
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> &ExprNode {
        &self.nodes[id.0]
    }

    /// An expression that is just the value of one vertex.
    pub fn vertex(id: VertexId, span: Span) -> Expr {
        Expr {
            nodes: vec![ExprNode {
                kind: NodeKind::Vertex(id),
                span,
                shape: None,
            }],
        }
    }
}

/// One node of an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprNode {
    /// What the node computes.
    pub kind: NodeKind,
    /// The source text it came from.
    pub span: Span,
    /// Its shape, set by the shapes pass.
    pub shape: Option<Shape>,
}

/// What a node of an expression computes.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// The value of a vertex (the value node of a PC vertex, or data).
    Vertex(VertexId),
    /// A parameter.
    Param(ParamId),
    /// A scalar constant, broadcast against its partner.
    Scalar(f64),
    /// An operation on earlier nodes.
    Op {
        /// The operation.
        op: Op,
        /// Its operands, in order.
        args: Vec<NodeId>,
    },
}

/// The operations of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// `a + b`, broadcasting trailing axes.
    Add,
    /// `a - b`, broadcasting trailing axes.
    Sub,
    /// `a * b`, elementwise, broadcasting trailing axes.
    Mul,
    /// `a / b`, elementwise, broadcasting trailing axes.
    Div,
    /// `-a`.
    Neg,
    /// `a @ b`: matrix product over the last two axes, leading axes broadcast.
    MatMul,
    /// `tanh(a)`.
    Tanh,
    /// `sigmoid(a)`.
    Sigmoid,
    /// `relu(a)`.
    Relu,
    /// `leaky_relu(a, slope)`.
    LeakyRelu {
        /// Gradient for negative inputs.
        slope: f64,
    },
    /// `exp(a)`.
    Exp,
    /// `log(a)`.
    Log,
    /// `softplus(a)`: `log(1 + exp(a))`.
    Softplus,
    /// `identity(a)`.
    Identity,
    /// `softmax(a)` over the last axis.
    Softmax,
    /// `conv2d(x, w, stride, padding)`: `x: [B, C, H, W]`, `w: [K, C, kh, kw]`.
    Conv2d {
        /// Step between windows.
        stride: usize,
        /// Zeros added on every side.
        padding: usize,
    },
    /// `max_pool2d(x, k)`: non-overlapping `k` by `k` windows.
    MaxPool2d {
        /// Window size and stride.
        size: usize,
    },
    /// `avg_pool2d(x, k)`: non-overlapping `k` by `k` windows.
    AvgPool2d {
        /// Window size and stride.
        size: usize,
    },
    /// `flatten(x)`: every axis after the first into one.
    Flatten,
    /// `reshape(x, [dims])`.
    Reshape {
        /// The new shape.
        shape: Shape,
    },
    /// `concat(a, b, axis)`.
    Concat {
        /// The axis joined along.
        axis: usize,
    },
    /// `transpose(x)`: swaps the last two axes.
    Transpose,
    /// `xs[i]`: one entry of the first axis.
    Index {
        /// The entry.
        index: usize,
    },
}

impl Op {
    /// The operation's name as written in a model (operators by their function name).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
            Op::Div => "div",
            Op::Neg => "neg",
            Op::MatMul => "matmul",
            Op::Tanh => "tanh",
            Op::Sigmoid => "sigmoid",
            Op::Relu => "relu",
            Op::LeakyRelu { .. } => "leaky_relu",
            Op::Exp => "exp",
            Op::Log => "log",
            Op::Softplus => "softplus",
            Op::Identity => "identity",
            Op::Softmax => "softmax",
            Op::Conv2d { .. } => "conv2d",
            Op::MaxPool2d { .. } => "max_pool2d",
            Op::AvgPool2d { .. } => "avg_pool2d",
            Op::Flatten => "flatten",
            Op::Reshape { .. } => "reshape",
            Op::Concat { .. } => "concat",
            Op::Transpose => "transpose",
            Op::Index { .. } => "index",
        }
    }
}

impl fmt::Display for VertexId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}
