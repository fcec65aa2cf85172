//! The abstract syntax tree of the `.pcg` language, with a byte span on every node.
//!
//! Both front ends build this tree: the pest parser from `.pcg` text and the `pc_model!`
//! macro from Rust tokens. Spans are byte offsets into the text the tree came from, or, in a
//! tree built from tokens, positions in its table of token spans
//! ([`TokenSpans`](super::tokens::TokenSpans)).

use crate::diag::Span;

/// A source file or macro invocation: one or more models.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// The models, in source order.
    pub models: Vec<Model>,
}

/// `model Name { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The `///` lines before the model, without the slashes and one leading space.
    pub doc: Vec<String>,
    /// The model's name.
    pub name: Ident,
    /// The statements of the body, in source order.
    pub body: Vec<Stmt>,
    /// From `model` to the closing brace.
    pub span: Span,
}

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The text of the name.
    pub name: String,
    /// Where it stands.
    pub span: Span,
}

/// One statement of a model body or a `for` body.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// The `///` lines before the statement.
    pub doc: Vec<String>,
    /// What the statement says.
    pub kind: StmtKind,
    /// From the keyword to the semicolon (or the closing brace of a loop).
    pub span: Span,
}

/// The statements of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `dim B;`: a dimension known only at run time.
    Dim {
        /// The dimension's name.
        name: Ident,
    },
    /// `const HID = 128;`: a compile-time integer.
    Const {
        /// The constant's name.
        name: Ident,
        /// An integer expression over literals and other constants.
        value: Expr,
    },
    /// `input x: [B, 64];`: data clamped at the bottom of the graph.
    Input {
        /// The input's name.
        name: Ident,
        /// Its shape.
        shape: ShapeExpr,
    },
    /// `target y: [B, 10];`: data a loss compares against.
    Target {
        /// The target's name.
        name: Ident,
        /// Its shape.
        shape: ShapeExpr,
    },
    /// `param w: [64, 10] = xavier;`: a learned tensor.
    Param {
        /// The parameter's name.
        name: Ident,
        /// Its shape.
        shape: ShapeExpr,
        /// How it is initialised.
        init: Init,
    },
    /// `node h = ...;` or `node h[t] = ...;`: a predictive-coding vertex.
    Node {
        /// The vertex's name.
        name: Ident,
        /// The index of an indexed vertex `h[t]`.
        index: Option<Expr>,
        /// Its prediction from its parents.
        value: Expr,
    },
    /// `let z = ...;`: a named expression, fused into the vertices that use it.
    Let {
        /// The binding's name.
        name: Ident,
        /// The index of an indexed binding `z[t]`.
        index: Option<Expr>,
        /// Its value.
        value: Expr,
    },
    /// `loss mse(out, y);`: a loss on a vertex.
    Loss {
        /// The loss function.
        func: Ident,
        /// Its arguments: the vertex, then the target.
        args: Vec<Arg>,
    },
    /// `for t in 1..T { ... }`: a loop unrolled at compile time.
    For {
        /// The loop variable.
        var: Ident,
        /// The first value (inclusive).
        start: Expr,
        /// The bound (exclusive).
        end: Expr,
        /// The statements repeated for every value.
        body: Vec<Stmt>,
    },
}

/// `[B, 64]`: the dimensions of a declared tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeExpr {
    /// One integer expression or run-time dimension name per axis.
    pub dims: Vec<Expr>,
    /// From `[` to `]`.
    pub span: Span,
}

/// An initialiser: `xavier`, `normal(0.1)`, `uniform(-1, 1)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Init {
    /// The initialiser's name.
    pub name: Ident,
    /// Its arguments, if written with parentheses.
    pub args: Vec<Expr>,
    /// The whole initialiser.
    pub span: Span,
}

/// An argument of a call: positional or `name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The name of a named argument.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it stands.
    pub span: Span,
}

/// The expressions of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A numeric literal, as written (`2`, `0.5`, `1e-3`).
    Number(Number),
    /// A name: a vertex, parameter, input, constant, dimension or loop variable.
    Name(Ident),
    /// `base[index]`: an indexed vertex `h[t - 1]`, or the first axis of a tensor `xs[t]`.
    Index {
        /// What is indexed.
        base: Box<Expr>,
        /// The index, a constant expression.
        index: Box<Expr>,
    },
    /// `-operand`.
    Neg(Box<Expr>),
    /// `lhs op rhs`.
    Binary {
        /// The operator.
        op: BinOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// `func(args)`.
    Call {
        /// The function.
        func: Ident,
        /// Positional arguments first, then named ones.
        args: Vec<Arg>,
    },
    /// `[a, b, c]`: a list of dimensions, as taken by `reshape`.
    List(Vec<Expr>),
}

/// A numeric literal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// Written without a point or exponent.
    Int(i64),
    /// Written with a point or exponent.
    Float(f64),
}

impl Number {
    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(value) => value as f64,
            Number::Float(value) => value,
        }
    }
}

/// The binary operators. `@ * /` bind tighter than `+ -`; all are left-associative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`, elementwise.
    Mul,
    /// `/`, elementwise.
    Div,
    /// `@`, matrix product over the last two axes.
    MatMul,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::MatMul => "@",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Add | BinOp::Sub => 1,
            BinOp::Mul | BinOp::Div | BinOp::MatMul => 2,
        }
    }
}
