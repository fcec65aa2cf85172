//! The IR as stable text, for `pcg ir` and snapshots.
//!
//! The form follows the source language: declarations first, then one line per vertex with
//! its shape and its prediction written infix with as few parentheses as the source needs.
//! An expression node used more than once is bound once, as `%1`, on a `where` line under
//! its vertex. Annotations (parameter users, levels) follow a `#`.

use crate::ir::{Expr, Graph, Init, NodeId, NodeKind, Op, Vertex, VertexKind};

/// The graph as text: dimensions, parameters, then every vertex with its shape and prediction.
pub fn print_graph(graph: &Graph) -> String {
    let mut lines = Vec::new();
    lines.extend(graph.dims.iter().map(|dim| format!("dim {}", dim.name)));
    lines.extend(
        graph
            .consts
            .iter()
            .map(|(name, value)| format!("const {name} = {value}")),
    );

    let (data, computed): (Vec<&Vertex>, Vec<&Vertex>) =
        graph.vertices.iter().partition(|vertex| vertex.is_data());
    lines.extend(data.iter().map(|vertex| vertex_line(graph, vertex, "")));
    lines.extend(graph.params.iter().map(|param| {
        let users: Vec<&str> = param
            .users
            .iter()
            .map(|user| graph.vertex(*user).name.as_str())
            .collect();
        let users = match users.is_empty() {
            true => "unused".to_string(),
            false => format!("used by {}", users.join(", ")),
        };
        let shape = graph.shape_text(&param.shape);
        format!(
            "param {}: {shape} = {}  # {users}",
            param.name,
            init_text(param.init)
        )
    }));

    for vertex in computed {
        let printed = vertex.expr.as_ref().map(|expr| ExprText::new(graph, expr));
        let value = printed
            .as_ref()
            .map_or("?", |printed| printed.root.as_str());
        lines.push(vertex_line(graph, vertex, value));
        for (number, shape, text) in printed.iter().flat_map(|printed| &printed.bindings) {
            lines.push(format!("  where %{number}{shape} = {text}"));
        }
    }

    let body: String = lines.iter().map(|line| format!("  {line}\n")).collect();
    format!("model {}\n{body}", graph.name)
}

/// One vertex: `node h: [B, 128] = tanh(x @ w1 + b1)  # level 2`.
fn vertex_line(graph: &Graph, vertex: &Vertex, value: &str) -> String {
    let keyword = match vertex.kind {
        VertexKind::Input => "input",
        VertexKind::Target => "target",
        VertexKind::Node => "node",
        VertexKind::Identity { .. } => "identity",
        VertexKind::Loss { .. } => "loss",
    };
    let mut line = format!("{keyword} {}", vertex.name);
    if let Some(shape) = &vertex.shape {
        line.push_str(&format!(": {}", graph.shape_text(shape)));
    }
    if !vertex.is_data() {
        line.push_str(&format!(" = {value}"));
    }
    if let Some(level) = vertex.level {
        line.push_str(&format!("  # level {level}"));
    }
    line
}

fn init_text(init: Init) -> String {
    match init {
        Init::Zeros => "zeros".to_string(),
        Init::Ones => "ones".to_string(),
        Init::Xavier => "xavier".to_string(),
        Init::He => "he".to_string(),
        Init::Normal { std } => format!("normal({})", number_text(std)),
        Init::Uniform { lo, hi } => format!("uniform({}, {})", number_text(lo), number_text(hi)),
    }
}

/// A number as a person would write it: `2`, `0.5`, `1e-12`.
fn number_text(value: f64) -> String {
    let plain = value.to_string();
    match plain.len() > 12 {
        true => format!("{value:e}"),
        false => plain,
    }
}

/// How tightly a printed expression holds together, from loosest to tightest.
const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const PREFIX: u8 = 3;
const ATOM: u8 = 4;

/// The text of one vertex's prediction, built node by node in evaluation order.
struct ExprText {
    /// The root's text.
    root: String,
    /// Nodes used more than once: their number, shape annotation and text.
    bindings: Vec<(usize, String, String)>,
}

impl ExprText {
    fn new(graph: &Graph, expr: &Expr) -> Self {
        let mut uses = vec![0usize; expr.nodes.len()];
        for node in &expr.nodes {
            if let NodeKind::Op { args, .. } = &node.kind {
                for arg in args {
                    uses[arg.0] += 1;
                }
            }
        }

        // Texts are built bottom-up in evaluation order, without recursion, so any depth of
        // expression prints; a node used once has its text moved into its user's.
        let mut texts: Vec<(String, u8)> = Vec::with_capacity(expr.nodes.len());
        let mut bindings = Vec::new();
        let root = expr.root();
        for (index, node) in expr.nodes.iter().enumerate() {
            let text = node_text(graph, &node.kind, &mut texts, &uses);
            let shared = uses[index] > 1 && matches!(node.kind, NodeKind::Op { .. });
            if shared && NodeId(index) != root {
                let number = bindings.len() + 1;
                let shape = node.shape.as_ref().map_or(String::new(), |shape| {
                    format!(": {}", graph.shape_text(shape))
                });
                bindings.push((number, shape, text.0));
                texts.push((format!("%{number}"), ATOM));
            } else {
                texts.push(text);
            }
        }
        let root = std::mem::take(&mut texts[root.0].0);
        ExprText { root, bindings }
    }
}

/// The text of one node and how tightly it holds, from its operands' texts.
fn node_text(
    graph: &Graph,
    kind: &NodeKind,
    texts: &mut [(String, u8)],
    uses: &[usize],
) -> (String, u8) {
    let (op, args) = match kind {
        NodeKind::Vertex(id) => return (graph.vertex(*id).name.clone(), ATOM),
        NodeKind::Param(id) => return (graph.param(*id).name.clone(), ATOM),
        NodeKind::Scalar(value) if *value < 0.0 => return (number_text(*value), PREFIX),
        NodeKind::Scalar(value) => return (number_text(*value), ATOM),
        NodeKind::Op { op, args } => (op, args),
    };
    let mut operand = |index: usize, tightness: u8| {
        let (text, held) = take_text(texts, uses, args[index]);
        match held < tightness {
            true => format!("({text})"),
            false => text,
        }
    };

    match op {
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::MatMul => {
            let (symbol, level) = match op {
                Op::Add => ("+", SUM),
                Op::Sub => ("-", SUM),
                Op::Mul => ("*", PRODUCT),
                Op::Div => ("/", PRODUCT),
                _ => ("@", PRODUCT),
            };
            // Operators associate to the left: a right operand of equal strength needs
            // parentheses to keep its grouping.
            let lhs = operand(0, level);
            let rhs = operand(1, level + 1);
            (format!("{lhs} {symbol} {rhs}"), level)
        }
        Op::Neg => (format!("-{}", operand(0, ATOM)), PREFIX),
        Op::Index { index } => (format!("{}[{index}]", operand(0, ATOM)), ATOM),
        _ => {
            let mut parts: Vec<String> = (0..args.len()).map(|index| operand(index, SUM)).collect();
            parts.extend(settings(graph, op));
            (format!("{}({})", op.name(), parts.join(", ")), ATOM)
        }
    }
}

/// An operand's text: moved out when used once, copied when it is a shared `%n` or a leaf.
fn take_text(texts: &mut [(String, u8)], uses: &[usize], id: NodeId) -> (String, u8) {
    match uses[id.0] {
        1 => std::mem::take(&mut texts[id.0]),
        _ => texts[id.0].clone(),
    }
}

/// The constant arguments of a call, as written after its tensors.
fn settings(graph: &Graph, op: &Op) -> Vec<String> {
    match op {
        Op::LeakyRelu { slope } => vec![number_text(*slope)],
        Op::Conv2d { stride, padding } => {
            vec![format!("stride = {stride}"), format!("padding = {padding}")]
        }
        Op::MaxPool2d { size } | Op::AvgPool2d { size } => vec![size.to_string()],
        Op::Reshape { shape } => vec![graph.shape_text(shape)],
        Op::Concat { axis } => vec![format!("axis = {axis}")],
        _ => Vec::new(),
    }
}
