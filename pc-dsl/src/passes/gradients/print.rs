//! The derived gradients as readable math, for `pcg grads` and snapshots.
//!
//! For every value node `x_v` it prints the local energy gradient
//! `dF/dx_v = eps_v - sum_c J_cv^T e_c`, with each child's term written out from the child's
//! vector-Jacobian product, and for every parameter the contributions Z-IL reads from the
//! errors of the vertices that use it.

use std::fmt::Write;

use super::{Prim, TempId, Value, VertexProgram};
use crate::ir::{Graph, Op, VertexId, VertexKind};

/// The local energy gradient of every value node and the update of every parameter.
pub fn print_gradients(graph: &Graph, programs: &[VertexProgram]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "gradients of `{}`", graph.name);
    let _ = writeln!(out);
    for program in programs {
        let vertex = graph.vertex(program.vertex);
        let text = Text { graph, program };
        let level = vertex
            .level
            .map_or(String::new(), |l| format!(", level {l}"));
        let name = &vertex.name;
        let _ = writeln!(out, "{name} ({}{level})", kind_name(&vertex.kind));
        let _ = writeln!(out, "  mu({name}) = {}", text.value(program.prediction));
        match vertex.kind {
            VertexKind::Loss { func, .. } => {
                let _ = writeln!(out, "  e({name}) = -d{}/dmu", func.name());
            }
            _ => {
                let _ = writeln!(out, "  e({name}) = x({name}) - mu({name})");
                let terms = child_terms(graph, programs, program.vertex);
                let sum = match terms.len() {
                    0 => String::new(),
                    1 => format!(" - {}", terms[0]),
                    _ => format!(" - ({})", terms.join(" + ")),
                };
                let _ = writeln!(out, "  dF/dx({name}) = e({name}){sum}");
            }
        }
        let _ = writeln!(out);
    }
    for (index, param) in graph.params.iter().enumerate() {
        let mut terms = Vec::new();
        for program in programs {
            for (id, value) in &program.param_cotangents {
                if id.0 == index {
                    terms.push(Text { graph, program }.value(*value));
                }
            }
        }
        let _ = writeln!(out, "dL/d{} = -({})", param.name, terms.join(" + "));
    }
    out
}

fn kind_name(kind: &VertexKind) -> &'static str {
    match kind {
        VertexKind::Input => "input",
        VertexKind::Target => "target",
        VertexKind::Node => "node",
        VertexKind::Identity { .. } => "identity",
        VertexKind::Loss { .. } => "loss",
    }
}

/// `J_cv^T e_c` for every child `c` of `v`, as text.
fn child_terms(graph: &Graph, programs: &[VertexProgram], vertex: VertexId) -> Vec<String> {
    programs
        .iter()
        .flat_map(|program| {
            program
                .parent_cotangents
                .iter()
                .filter(move |(parent, _)| *parent == vertex)
                .map(move |(_, value)| Text { graph, program }.operand(*value, PRODUCT))
        })
        .collect()
}

/// Renders the values of one program.
struct Text<'a> {
    graph: &'a Graph,
    program: &'a VertexProgram,
}

/// Binding strength of rendered text: atoms and calls bind tightest.
const ATOM: u8 = 3;
const PRODUCT: u8 = 2;
const SUM: u8 = 1;

impl Text<'_> {
    fn instr(&self, temp: TempId) -> Option<&super::Instr> {
        self.program
            .forward
            .iter()
            .chain(&self.program.backward)
            .find(|instr| instr.temp == temp)
    }

    /// A value as text, as it would stand alone.
    fn value(&self, value: Value) -> String {
        self.render(value).0
    }

    /// A value as text, in parentheses if it binds more loosely than `strength`.
    fn operand(&self, value: Value, strength: u8) -> String {
        let (text, own) = self.render(value);
        if own < strength {
            format!("({text})")
        } else {
            text
        }
    }

    /// A value as text with its binding strength.
    fn render(&self, value: Value) -> (String, u8) {
        match value {
            Value::Vertex(id) => (self.graph.vertex(id).name.clone(), ATOM),
            Value::Param(id) => (self.graph.param(id).name.clone(), ATOM),
            Value::Scalar(number) => (format!("{number}"), ATOM),
            Value::Seed => (
                format!("e({})", self.graph.vertex(self.program.vertex).name),
                ATOM,
            ),
            Value::Temp(temp) => match self.instr(temp) {
                Some(instr) => self.instruction(instr),
                None => (format!("t{}", temp.0), ATOM),
            },
        }
    }

    /// `a op b` for a left-associative operator of the given strength.
    fn infix(&self, a: Value, op: &str, b: Value, strength: u8) -> (String, u8) {
        let text = format!(
            "{} {op} {}",
            self.operand(a, strength),
            self.operand(b, strength + 1)
        );
        (text, strength)
    }

    /// `name(a, b, ...)` of the instruction's arguments at `positions`.
    fn call(&self, name: &str, instr: &super::Instr, positions: &[usize]) -> (String, u8) {
        let args: Vec<String> = positions
            .iter()
            .map(|i| self.value(instr.args[*i]))
            .collect();
        (format!("{name}({})", args.join(", ")), ATOM)
    }

    fn instruction(&self, instr: &super::Instr) -> (String, u8) {
        let arg = |i: usize| instr.args[i];
        let text = |i: usize| self.value(instr.args[i]);
        let factor = |i: usize| self.operand(instr.args[i], PRODUCT + 1);
        match &instr.prim {
            Prim::Forward(op) => self.forward(op, instr),
            Prim::SumTo => (format!("sum_to({}, shape of {})", text(0), text(1)), ATOM),
            Prim::Neg => (format!("-{}", self.operand(arg(0), ATOM)), PRODUCT),
            Prim::Accumulate => self.infix(arg(0), "+", arg(1), SUM),
            Prim::MulVjp => self.infix(arg(0), "*", arg(1), PRODUCT),
            Prim::DivVjpLhs => self.infix(arg(0), "/", arg(1), PRODUCT),
            Prim::DivVjpRhs => (
                format!("-{} * {} / {}^2", factor(0), factor(1), factor(2)),
                PRODUCT,
            ),
            Prim::MatMulVjpLhs => (
                format!("{} @ transpose({})", self.operand(arg(0), PRODUCT), text(1)),
                PRODUCT,
            ),
            Prim::MatMulVjpRhs => (format!("transpose({}) @ {}", text(0), factor(1)), PRODUCT),
            Prim::TanhVjp => (format!("{} * (1 - {}^2)", factor(1), factor(0)), PRODUCT),
            Prim::SigmoidVjp => (
                format!("{} * {} * (1 - {})", factor(1), factor(0), factor(0)),
                PRODUCT,
            ),
            Prim::ExpVjp => self.infix(arg(1), "*", arg(0), PRODUCT),
            Prim::SoftmaxVjp => self.call("softmax_vjp", instr, &[0, 1]),
            Prim::ReluVjp => (format!("{} * step({})", factor(1), text(0)), PRODUCT),
            Prim::LeakyReluVjp { slope } => (
                format!("{} * leaky_step({}, {slope})", factor(1), text(0)),
                PRODUCT,
            ),
            Prim::LogVjp => self.infix(arg(1), "/", arg(0), PRODUCT),
            Prim::SoftplusVjp => (format!("{} * sigmoid({})", factor(1), text(0)), PRODUCT),
            Prim::Conv2dVjpInput { .. } => self.call("conv2d_vjp_input", instr, &[0, 1]),
            Prim::Conv2dVjpWeight { .. } => self.call("conv2d_vjp_weight", instr, &[0, 1]),
            Prim::MaxPool2dVjp { .. } => self.call("max_pool2d_vjp", instr, &[0, 1]),
            Prim::AvgPool2dVjp { .. } => self.call("avg_pool2d_vjp", instr, &[0]),
            Prim::ReshapeVjp => (format!("reshape({}, shape of {})", text(0), text(1)), ATOM),
            Prim::ConcatVjp { axis, part } => {
                (format!("part_{part}({}, axis = {axis})", text(0)), ATOM)
            }
            Prim::TransposeVjp => self.call("transpose", instr, &[0]),
            Prim::IndexVjp { index } => (
                format!("scatter({}, at {index} of {})", text(0), text(1)),
                ATOM,
            ),
        }
    }

    /// An operation of the language, written as in a model.
    fn forward(&self, op: &Op, instr: &super::Instr) -> (String, u8) {
        let arg = |i: usize| instr.args[i];
        let text = |i: usize| self.value(instr.args[i]);
        match op {
            Op::Add => self.infix(arg(0), "+", arg(1), SUM),
            Op::Sub => self.infix(arg(0), "-", arg(1), SUM),
            Op::Mul => self.infix(arg(0), "*", arg(1), PRODUCT),
            Op::Div => self.infix(arg(0), "/", arg(1), PRODUCT),
            Op::MatMul => self.infix(arg(0), "@", arg(1), PRODUCT),
            Op::Neg => (format!("-{}", self.operand(arg(0), ATOM)), PRODUCT),
            Op::LeakyRelu { slope } => (format!("leaky_relu({}, {slope})", text(0)), ATOM),
            Op::Conv2d { stride, padding } => (
                format!(
                    "conv2d({}, {}, stride = {stride}, padding = {padding})",
                    text(0),
                    text(1)
                ),
                ATOM,
            ),
            Op::MaxPool2d { size } | Op::AvgPool2d { size } => {
                (format!("{}({}, {size})", op.name(), text(0)), ATOM)
            }
            Op::Concat { axis } => {
                let parts: Vec<String> = (0..instr.args.len()).map(text).collect();
                (format!("concat({}, axis = {axis})", parts.join(", ")), ATOM)
            }
            Op::Index { index } => (format!("{}[{index}]", self.operand(arg(0), ATOM)), ATOM),
            Op::Reshape { shape } => (
                format!("reshape({}, {})", text(0), self.graph.shape_text(shape)),
                ATOM,
            ),
            _ => self.call(op.name(), instr, &[0]),
        }
    }
}
