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
        let level = vertex.level.map_or(String::new(), |l| format!(", level {l}"));
        let _ = writeln!(out, "{} ({}{level})", vertex.name, kind_name(&vertex.kind));
        let _ = writeln!(out, "  mu  = {}", text.value(program.prediction, false));
        match vertex.kind {
            VertexKind::Loss { func, .. } => {
                let _ = writeln!(out, "  e   = -d{}/dmu", func.name());
            }
            _ => {
                let _ = writeln!(out, "  e   = x - mu");
                let terms = child_terms(graph, programs, program.vertex);
                let sum = if terms.is_empty() {
                    String::new()
                } else {
                    format!(" - ({})", terms.join(" + "))
                };
                let _ = writeln!(out, "  dF/dx = e{sum}");
            }
        }
        let _ = writeln!(out);
    }
    for (index, param) in graph.params.iter().enumerate() {
        let mut terms = Vec::new();
        for program in programs {
            for (id, value) in &program.param_cotangents {
                if id.0 == index {
                    terms.push(Text { graph, program }.value(*value, false));
                }
            }
        }
        let _ = writeln!(out, "param {}: dL/d{} = -({})", param.name, param.name, terms.join(" + "));
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
                .map(move |(_, value)| Text { graph, program }.value(*value, false))
        })
        .collect()
}

/// Renders the values of one program.
struct Text<'a> {
    graph: &'a Graph,
    program: &'a VertexProgram,
}

impl Text<'_> {
    fn instr(&self, temp: TempId) -> Option<&super::Instr> {
        self.program
            .forward
            .iter()
            .chain(&self.program.backward)
            .find(|instr| instr.temp == temp)
    }

    /// A value as text; `nested` asks for parentheses around infix forms.
    fn value(&self, value: Value, nested: bool) -> String {
        match value {
            Value::Vertex(id) => self.graph.vertex(id).name.clone(),
            Value::Param(id) => self.graph.param(id).name.clone(),
            Value::Scalar(number) => format!("{number}"),
            Value::Seed => format!("e_{}", self.graph.vertex(self.program.vertex).name),
            Value::Temp(temp) => {
                let (text, infix) = self.temp(temp);
                if infix && nested {
                    format!("({text})")
                } else {
                    text
                }
            }
        }
    }

    /// A temporary as text, and whether it is an infix form.
    fn temp(&self, temp: TempId) -> (String, bool) {
        let Some(instr) = self.instr(temp) else {
            return (format!("t{}", temp.0), false);
        };
        let a = |i: usize| self.value(instr.args[i], true);
        let call = |name: &str, args: &[usize]| {
            let args: Vec<String> = args.iter().map(|i| self.value(instr.args[*i], false)).collect();
            (format!("{name}({})", args.join(", ")), false)
        };
        let infix = |text: String| (text, true);
        match &instr.prim {
            Prim::Forward(op) => match op {
                Op::Add => infix(format!("{} + {}", a(0), a(1))),
                Op::Sub => infix(format!("{} - {}", a(0), a(1))),
                Op::Mul => infix(format!("{} * {}", a(0), a(1))),
                Op::Div => infix(format!("{} / {}", a(0), a(1))),
                Op::MatMul => infix(format!("{} @ {}", a(0), a(1))),
                Op::Neg => infix(format!("-{}", a(0))),
                Op::LeakyRelu { slope } => (format!("leaky_relu({}, {slope})", self.value(instr.args[0], false)), false),
                Op::Conv2d { stride, padding } => (
                    format!(
                        "conv2d({}, {}, stride = {stride}, padding = {padding})",
                        self.value(instr.args[0], false),
                        self.value(instr.args[1], false)
                    ),
                    false,
                ),
                Op::MaxPool2d { size } | Op::AvgPool2d { size } => {
                    (format!("{}({}, {size})", op.name(), self.value(instr.args[0], false)), false)
                }
                Op::Concat { axis } => {
                    let parts: Vec<String> = (0..instr.args.len()).map(|i| self.value(instr.args[i], false)).collect();
                    (format!("concat({}, axis = {axis})", parts.join(", ")), false)
                }
                Op::Index { index } => (format!("{}[{index}]", a(0)), false),
                Op::Reshape { shape } => (
                    format!("reshape({}, {})", self.value(instr.args[0], false), self.graph.shape_text(shape)),
                    false,
                ),
                _ => call(op.name(), &[0]),
            },
            Prim::SumTo => call("sum_to_shape_of", &[0, 1]),
            Prim::Neg => infix(format!("-{}", a(0))),
            Prim::Accumulate => infix(format!("{} + {}", a(0), a(1))),
            Prim::MulVjp => infix(format!("{} * {}", a(0), a(1))),
            Prim::DivVjpLhs => infix(format!("{} / {}", a(0), a(1))),
            Prim::DivVjpRhs => infix(format!("-{} * {} / {}^2", a(0), a(1), a(2))),
            Prim::MatMulVjpLhs => infix(format!("{} @ transpose({})", a(0), self.value(instr.args[1], false))),
            Prim::MatMulVjpRhs => infix(format!("transpose({}) @ {}", self.value(instr.args[0], false), a(1))),
            Prim::TanhVjp => infix(format!("{} * (1 - {}^2)", a(1), a(0))),
            Prim::SigmoidVjp => infix(format!("{} * {} * (1 - {})", a(1), a(0), a(0))),
            Prim::ExpVjp => infix(format!("{} * {}", a(1), a(0))),
            Prim::SoftmaxVjp => call("softmax_vjp", &[0, 1]),
            Prim::ReluVjp => infix(format!("{} * step({})", a(1), self.value(instr.args[0], false))),
            Prim::LeakyReluVjp { slope } => infix(format!(
                "{} * leaky_step({}, {slope})",
                a(1),
                self.value(instr.args[0], false)
            )),
            Prim::LogVjp => infix(format!("{} / {}", a(1), a(0))),
            Prim::SoftplusVjp => infix(format!("{} * sigmoid({})", a(1), self.value(instr.args[0], false))),
            Prim::Conv2dVjpInput { .. } => call("conv2d_vjp_input", &[0, 1]),
            Prim::Conv2dVjpWeight { .. } => call("conv2d_vjp_weight", &[0, 1]),
            Prim::MaxPool2dVjp { .. } => call("max_pool2d_vjp", &[0, 1]),
            Prim::AvgPool2dVjp { .. } => call("avg_pool2d_vjp", &[0]),
            Prim::ReshapeVjp => call("reshape_to_shape_of", &[0, 1]),
            Prim::ConcatVjp { axis, part } => (
                format!("slice_{part}({}, axis = {axis})", self.value(instr.args[0], false)),
                false,
            ),
            Prim::TransposeVjp => call("transpose", &[0]),
            Prim::IndexVjp { index } => (
                format!("scatter_{index}({}, shape of {})", self.value(instr.args[0], false), self.value(instr.args[1], false)),
                false,
            ),
        }
    }
}
