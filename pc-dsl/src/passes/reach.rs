//! Reachability: what no loss depends on is reported and left out.
//!
//! A vertex that reaches no loss has no level and takes no part in training, and a parameter
//! only such vertices read would never change, so both are removed with a warning. Inputs and
//! targets are kept even when unused: they are the model's batch interface.

use crate::diag::Diagnostic;
use crate::ir::{Graph, NodeKind, ParamId, VertexId, VertexKind};

/// Removes vertices and parameters that reach no loss, with a warning for each.
pub fn prune_unreachable(graph: &mut Graph) -> Vec<Diagnostic> {
    let reaching = reaching_loss(graph);
    let mut diagnostics = Vec::new();
    for (vertex, reaches) in graph.vertices.iter().zip(&reaching) {
        if !reaches && !vertex.is_data() {
            let message = format!("vertex `{}` reaches no loss", vertex.name);
            let diagnostic = Diagnostic::warning(vertex.span, message)
                .with_help("it is left out; use it in a loss, or delete it");
            diagnostics.push(diagnostic);
        }
    }

    let read = read_by_kept(graph, &reaching);
    for (vertex, (reaches, read)) in graph.vertices.iter().zip(reaching.iter().zip(&read.0)) {
        if vertex.is_data() && !reaches && !read {
            let message = format!("`{}` is declared but no loss depends on it", vertex.name);
            let diagnostic = Diagnostic::warning(vertex.span, message)
                .with_help("it stays part of the model's batch, unused");
            diagnostics.push(diagnostic);
        }
    }
    for (param, used) in graph.params.iter().zip(&read.1) {
        if !used {
            let message = format!("`{}` is declared but no loss depends on it", param.name);
            let diagnostic = Diagnostic::warning(param.span, message)
                .with_help("it is left out of the model's parameters");
            diagnostics.push(diagnostic);
        }
    }

    let keep: Vec<bool> = graph
        .vertices
        .iter()
        .zip(&reaching)
        .map(|(vertex, reaches)| *reaches || vertex.is_data())
        .collect();
    remove(graph, &keep, &read.1);
    log::debug!(
        "reach: `{}` keeps {} vertices, {} parameters",
        graph.name,
        graph.vertices.len(),
        graph.params.len()
    );
    diagnostics
}

/// For every vertex, whether a loss depends on it (losses included).
///
/// Parents come before children, so one sweep from the last vertex back finds them all.
fn reaching_loss(graph: &Graph) -> Vec<bool> {
    let mut reaching: Vec<bool> = graph
        .vertices
        .iter()
        .map(|vertex| matches!(vertex.kind, VertexKind::Loss { .. }))
        .collect();
    for id in (0..graph.vertices.len()).rev().map(VertexId) {
        if !reaching[id.0] {
            continue;
        }
        let vertex = graph.vertex(id);
        for parent in vertex.parents() {
            reaching[parent.0] = true;
        }
        match vertex.kind {
            VertexKind::Loss { target, .. } => reaching[target.0] = true,
            VertexKind::Identity { source } => reaching[source.0] = true,
            _ => {}
        }
    }
    reaching
}

/// Which vertices and which parameters the kept (loss-reaching) vertices read.
fn read_by_kept(graph: &Graph, reaching: &[bool]) -> (Vec<bool>, Vec<bool>) {
    let mut vertices = vec![false; graph.vertices.len()];
    let mut params = vec![false; graph.params.len()];
    for (vertex, _) in graph
        .vertices
        .iter()
        .zip(reaching)
        .filter(|(_, kept)| **kept)
    {
        for parent in vertex.parents() {
            vertices[parent.0] = true;
        }
        for param in vertex.params() {
            params[param.0] = true;
        }
    }
    (vertices, params)
}

/// Removes the vertices and parameters not kept, renumbering every reference to the rest.
fn remove(graph: &mut Graph, keep_vertices: &[bool], keep_params: &[bool]) {
    let vertex_ids = renumber(keep_vertices);
    let param_ids = renumber(keep_params);
    let new_vertex = |id: VertexId| {
        let new = vertex_ids[id.0];
        debug_assert!(new.is_some(), "a kept vertex reads only kept vertices");
        VertexId(new.unwrap_or(id.0))
    };

    let vertices = std::mem::take(&mut graph.vertices);
    for (mut vertex, _) in vertices
        .into_iter()
        .zip(keep_vertices)
        .filter(|(_, keep)| **keep)
    {
        match &mut vertex.kind {
            VertexKind::Loss { target, .. } => *target = new_vertex(*target),
            VertexKind::Identity { source } => *source = new_vertex(*source),
            _ => {}
        }
        for node in vertex.expr.iter_mut().flat_map(|expr| &mut expr.nodes) {
            match &mut node.kind {
                NodeKind::Vertex(id) => *id = new_vertex(*id),
                NodeKind::Param(id) => *id = ParamId(param_ids[id.0].unwrap_or(id.0)),
                _ => {}
            }
        }
        graph.vertices.push(vertex);
    }

    let params = std::mem::take(&mut graph.params);
    graph.params = params
        .into_iter()
        .zip(keep_params)
        .filter(|(_, keep)| **keep)
        .map(|(param, _)| param)
        .collect();
    graph.update_param_users();
}

/// The new index of every kept entry, in order.
fn renumber(keep: &[bool]) -> Vec<Option<usize>> {
    let mut next = 0;
    keep.iter()
        .map(|&kept| {
            kept.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}
