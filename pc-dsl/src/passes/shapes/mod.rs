//! Shape inference and checking for every operation.
//!
//! Shapes are symbolic in the run-time dimensions: two run-time axes are equal only when they
//! are the same `dim`. A node whose operands failed gets no shape and no error of its own, so
//! one mistake is reported once, at the operation where it shows.

mod rules;

use crate::diag::Diagnostic;
use crate::ir::{Dim, Expr, Graph, LossFn, NodeKind, Shape, VertexId, VertexKind};

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
    let target_vertex = graph.vertex(target);
    let target_shape = target_vertex.shape.as_ref()?;
    let (compared, target_text) = match target_index {
        None => (target_shape.clone(), target_vertex.name.clone()),
        Some(index) => {
            let entry = index_shape(target_shape, index).or_else(|| {
                let message = format!(
                    "index {index} is out of range for `{}` of shape {}",
                    target_vertex.name,
                    graph.shape_text(target_shape)
                );
                diagnostics.push(Diagnostic::error(vertex.span, message));
                None
            })?;
            (entry, format!("{}[{index}]", target_vertex.name))
        }
    };

    let argument = expr.node(expr.root());
    if func == LossFn::CrossEntropy && prediction.rank() == 0 {
        let message = "`cross_entropy` needs at least 1 axis, for the classes";
        diagnostics.push(Diagnostic::error(argument.span, message));
        return None;
    }
    if prediction != compared {
        let prediction_text = match &argument.kind {
            NodeKind::Vertex(parent) => graph.vertex(*parent).name.clone(),
            _ => "the prediction".to_string(),
        };
        let message = format!(
            "shape mismatch in `{}`: `{prediction_text}` is {} but `{target_text}` is {}",
            vertex.name,
            graph.shape_text(&prediction),
            graph.shape_text(&compared)
        );
        let diagnostic = Diagnostic::error(vertex.span, message)
            .with_label(argument.span, graph.shape_text(&prediction))
            .with_label(
                target_vertex.span,
                format!("declared as {}", graph.shape_text(target_shape)),
            );
        diagnostics.push(diagnostic);
        return None;
    }
    Some(prediction)
}

/// The shape of one entry of the first axis, if `index` is inside it.
fn index_shape(shape: &Shape, index: usize) -> Option<Shape> {
    match shape.0.first()? {
        Dim::Fixed(size) if index >= *size => None,
        _ => Some(Shape(shape.0[1..].to_vec())),
    }
}
