//! The IR as a Graphviz DOT graph.

use crate::ir::Graph;

/// The graph in DOT: vertices with their shapes, parameters and losses.
pub fn to_dot(graph: &Graph) -> String {
    format!("digraph {} {{\n}}\n", graph.name)
}
