//! The IR as a Graphviz DOT graph.
//!
//! Vertices are `v0`, `v1`, ... and parameters `p0`, `p1`, ... in graph order, so the output
//! is deterministic and no model name needs quoting as an identifier; names appear in quoted
//! labels. Edges run from parent to child; a parameter has dashed edges to the vertices that
//! read it, and a target a dotted edge to the losses that compare with it.

use crate::ir::{Graph, Vertex, VertexKind};

/// The graph in DOT: vertices with their shapes, parameters and losses.
pub fn to_dot(graph: &Graph) -> String {
    let mut lines = vec![
        format!("digraph {} {{", quote(&graph.name)),
        "  node [fontname=\"Helvetica\", fontsize=11];".to_string(),
    ];
    for (index, vertex) in graph.vertices.iter().enumerate() {
        let label = quote(&vertex_label(graph, vertex));
        lines.push(format!(
            "  v{index} [label={label}, {}];",
            vertex_style(vertex)
        ));
    }
    for (index, param) in graph.params.iter().enumerate() {
        let label = quote(&format!(
            "{}\n{}",
            param.name,
            graph.shape_text(&param.shape)
        ));
        lines.push(format!("  p{index} [label={label}, shape=box];"));
    }

    for (index, vertex) in graph.vertices.iter().enumerate() {
        for parent in vertex.parents() {
            lines.push(format!("  v{} -> v{index};", parent.0));
        }
        if let VertexKind::Loss { target, .. } = vertex.kind {
            lines.push(format!("  v{} -> v{index} [style=dotted];", target.0));
        }
    }
    for (index, param) in graph.params.iter().enumerate() {
        for user in &param.users {
            lines.push(format!("  p{index} -> v{} [style=dashed];", user.0));
        }
    }

    lines.push("}".to_string());
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// Name, shape when known, and level when set, one per line.
fn vertex_label(graph: &Graph, vertex: &Vertex) -> String {
    let mut label = vertex.name.clone();
    if let Some(shape) = &vertex.shape {
        label.push('\n');
        label.push_str(&graph.shape_text(shape));
    }
    if let Some(level) = vertex.level {
        label.push_str(&format!("\nlevel {level}"));
    }
    label
}

/// Data, PC vertices, identity vertices and losses each look different.
fn vertex_style(vertex: &Vertex) -> &'static str {
    match vertex.kind {
        VertexKind::Input => "shape=invhouse",
        VertexKind::Target => "shape=house",
        VertexKind::Node => "shape=ellipse",
        VertexKind::Identity { .. } => "shape=ellipse, style=dashed",
        VertexKind::Loss { .. } => "shape=doubleoctagon",
    }
}

/// A DOT string literal: quotes and backslashes escaped, line breaks as `\n`.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}
