//! Shape inference and checking for every operation.
//!
//! Shapes are symbolic in the run-time dimensions: two run-time axes are equal only when they
//! are the same `dim`. A node whose operands failed gets no shape and no error of its own, so
//! one mistake is reported once, at the operation where it shows.

mod rules;

use crate::diag::Diagnostic;
use crate::ir::{Dim, Expr, Graph, LossFn, NodeKind, Shape, Vertex, VertexId, VertexKind};

use rules::{Operand, Rule};

/// Gives every vertex and expression node a shape; reports every mismatch.
pub fn infer_shapes(graph: &mut Graph) -> Vec<Diagnostic> {
    let mut diagnostics = check_params(graph);
    for index in 0..graph.vertices.len() {
        let Some(mut expr) = graph.vertices[index].expr.take() else {
            continue;
        };
        let mut shape = infer_expr(graph, &mut expr, &mut diagnostics);
        if let Some(prediction) = shape.take() {
            shape = check_loss(graph, VertexId(index), &expr, prediction, &mut diagnostics);
        }
        let vertex = &mut graph.vertices[index];
        vertex.expr = Some(expr);
        if !vertex.is_data() {
            vertex.shape = shape;
        }
    }
    log::debug!(
        "shapes: `{}` checked, {} problems",
        graph.name,
        diagnostics.len()
    );
    diagnostics
}

/// Parameters are allocated before any data is seen, so their sizes must all be fixed.
fn check_params(graph: &Graph) -> Vec<Diagnostic> {
    let runtime = |shape: &Shape| shape.0.iter().any(|dim| matches!(dim, Dim::Runtime(_)));
    graph
        .params
        .iter()
        .filter(|param| runtime(&param.shape))
        .map(|param| {
            let message = format!(
                "parameter `{}` cannot have a run-time dimension: {}",
                param.name,
                graph.shape_text(&param.shape)
            );
            Diagnostic::error(param.span, message)
        })
        .collect()
}

/// Shapes every node of `expr` in order; the root's shape is the expression's.
fn infer_expr(graph: &Graph, expr: &mut Expr, diagnostics: &mut Vec<Diagnostic>) -> Option<Shape> {
    for index in 0..expr.nodes.len() {
        let node = &expr.nodes[index];
        let shape = match &node.kind {
            NodeKind::Vertex(id) => graph.vertex(*id).shape.clone(),
            NodeKind::Param(id) => Some(graph.param(*id).shape.clone()),
            NodeKind::Scalar(_) => Some(Shape::default()),
            NodeKind::Op { op, args } => {
                let operands: Option<Vec<Operand>> = args
                    .iter()
                    .map(|arg| {
                        let arg = expr.node(*arg);
                        arg.shape.clone().map(|shape| Operand {
                            shape,
                            span: arg.span,
                        })
                    })
                    .collect();
                let rule = operands.map(|operands| Rule {
                    graph,
                    span: node.span,
                    operands,
                });
                rule.and_then(|rule| rule.apply(op).map_err(|error| diagnostics.push(error)).ok())
            }
        };
        expr.nodes[index].shape = shape;
    }
    expr.nodes.last().and_then(|node| node.shape.clone())
}

/// A loss compares its prediction with the target (or one entry of it), shape for shape.
fn check_loss(
    graph: &Graph,
    id: VertexId,
    expr: &Expr,
    prediction: Shape,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Shape> {
    let vertex = graph.vertex(id);
    let VertexKind::Loss {
        func,
        target,
        target_index,
    } = vertex.kind
    else {
        return Some(prediction);
    };
    let argument = expr.node(expr.root());
    let checked = target_entry(graph, vertex, target, target_index).and_then(|compared| {
        if func == LossFn::CrossEntropy && prediction.rank() == 0 {
            let message = "`cross_entropy` needs at least 1 axis, for the classes";
            return Err(Diagnostic::error(argument.span, message));
        }
        if prediction != compared.0 {
            return Err(loss_mismatch(graph, vertex, expr, &prediction, compared));
        }
        Ok(prediction)
    });
    checked.map_err(|error| diagnostics.push(error)).ok()
}

/// The shape a loss compares with, and the target's text: `y`, or `ys[2]` for an entry.
fn target_entry(
    graph: &Graph,
    loss: &Vertex,
    target: VertexId,
    index: Option<usize>,
) -> Result<(Shape, String), Diagnostic> {
    let target = graph.vertex(target);
    let Some(shape) = &target.shape else {
        let message = format!("target `{}` has no shape", target.name);
        return Err(Diagnostic::error(target.span, message));
    };
    let Some(index) = index else {
        return Ok((shape.clone(), target.name.clone()));
    };
    match index_shape(shape, index) {
        Some(entry) => Ok((entry, format!("{}[{index}]", target.name))),
        None => {
            let shape = graph.shape_text(shape);
            let message = format!(
                "index {index} is out of range for `{}` of shape {shape}",
                target.name
            );
            Err(Diagnostic::error(loss.span, message))
        }
    }
}

/// The error for a loss whose prediction and target differ in shape.
fn loss_mismatch(
    graph: &Graph,
    loss: &Vertex,
    expr: &Expr,
    prediction: &Shape,
    (compared, target_text): (Shape, String),
) -> Diagnostic {
    let argument = expr.node(expr.root());
    let prediction_text = match &argument.kind {
        NodeKind::Vertex(parent) => graph.vertex(*parent).name.clone(),
        _ => "the prediction".to_string(),
    };
    let (prediction, compared) = (graph.shape_text(prediction), graph.shape_text(&compared));
    let message = format!(
        "shape mismatch in `{}`: `{prediction_text}` is {prediction} but `{target_text}` is {compared}",
        loss.name
    );
    let target_span = match loss.kind {
        VertexKind::Loss { target, .. } => graph.vertex(target).span,
        _ => loss.span,
    };
    Diagnostic::error(loss.span, message)
        .with_label(argument.span, prediction)
        .with_label(target_span, format!("`{target_text}` is {compared}"))
}

/// The shape of one entry of the first axis, if `index` is inside it.
fn index_shape(shape: &Shape, index: usize) -> Option<Shape> {
    match shape.0.first()? {
        Dim::Fixed(size) if index >= *size => None,
        _ => Some(Shape(shape.0[1..].to_vec())),
    }
}
