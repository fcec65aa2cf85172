//! Levels (longest path to a loss) and the identity vertices Z-IL needs to be exact.
//!
//! Z-IL reads a vertex's parameters at inference step `level(v)`, and its invariant (the error
//! of `v` equals backprop's `-delta_v` at that step) holds only when the graph is levelled
//! enough for the chosen execution mode:
//!
//! - full mode, where every value node relaxes at every step, needs every edge between
//!   non-input vertices to join consecutive levels;
//! - wavefront mode, where each value node moves once, needs only that the non-input parents
//!   of every vertex share one level.
//!
//! Both are reached by inserting chains of identity vertices on long edges, which leaves the
//! function the graph computes unchanged. One chain per source vertex serves all its long edges.

use crate::ir::{Expr, Graph, NodeKind, Vertex, VertexId, VertexKind};

/// How far a graph is levelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Levelling {
    /// Every edge between non-input vertices joins consecutive levels: exact in both modes.
    #[default]
    Full,
    /// The non-input parents of every vertex share one level: exact in wavefront mode only.
    Wavefront,
    /// No identity vertices: Z-IL is not exact on graphs with long edges.
    Off,
}

/// Computes every vertex's level and inserts the identity vertices `levelling` asks for.
///
/// Requires a graph in which every non-data vertex reaches a loss (the reach pass).
pub fn level(graph: &mut Graph, levelling: Levelling) {
    assign_levels(graph);
    if levelling == Levelling::Off {
        return;
    }

    let mut chain_depth = vec![None; graph.vertices.len()];
    let mut rewires = Vec::new();
    for child in graph.vertex_ids() {
        for (parent, target_level) in parents_to_lower(graph, child, levelling) {
            let depth = level_of(graph, parent) - target_level;
            let deepest: &mut Option<usize> = &mut chain_depth[parent.0];
            *deepest = Some(deepest.map_or(depth, |d: usize| d.max(depth)));
            rewires.push((child, parent, depth));
        }
    }
    insert_chains(graph, &chain_depth, &rewires);
    assign_levels(graph);
}

/// The level of a vertex that has one.
fn level_of(graph: &Graph, id: VertexId) -> usize {
    graph
        .vertex(id)
        .level
        .expect("every non-data vertex reaches a loss after the reach pass")
}

/// Sets `level` on every non-data vertex: 0 for losses, else one more than its highest child.
fn assign_levels(graph: &mut Graph) {
    let children = graph.children();
    for index in (0..graph.vertices.len()).rev() {
        let vertex = &graph.vertices[index];
        let level = match vertex.kind {
            VertexKind::Input | VertexKind::Target => None,
            VertexKind::Loss { .. } => Some(0),
            VertexKind::Node | VertexKind::Identity { .. } => children[index]
                .iter()
                .filter_map(|child| graph.vertices[child.0].level)
                .max()
                .map(|highest| highest + 1),
        };
        graph.vertices[index].level = level;
    }
}

/// The non-data parents of `child` that must reach it through an identity chain, each with
/// the level the last element of that chain must have.
fn parents_to_lower(
    graph: &Graph,
    child: VertexId,
    levelling: Levelling,
) -> Vec<(VertexId, usize)> {
    let vertex = graph.vertex(child);
    let Some(child_level) = vertex.level else {
        return Vec::new();
    };
    let parents: Vec<VertexId> = vertex
        .parents()
        .into_iter()
        .filter(|parent| !graph.vertex(*parent).is_data())
        .collect();
    // A chain element's level is one more than its child's, so a parent can only be brought
    // down to `child_level + 1`. In wavefront mode that is done only at joins whose parents sit
    // at different levels; a single parent, or parents that already agree, may be higher.
    let agree = parents
        .windows(2)
        .all(|pair| level_of(graph, pair[0]) == level_of(graph, pair[1]));
    let target_level = child_level + 1;
    match levelling {
        Levelling::Full => {}
        Levelling::Wavefront if !agree => {}
        Levelling::Wavefront | Levelling::Off => return Vec::new(),
    }
    parents
        .into_iter()
        .filter(|parent| level_of(graph, *parent) > target_level)
        .map(|parent| (parent, target_level))
        .collect()
}

/// Inserts each source's chain right after it, then points every rewired child at the chain
/// element of the right depth. Vertex ids are renumbered; topological order is kept because a
/// chain depends only on its source.
fn insert_chains(
    graph: &mut Graph,
    chain_depth: &[Option<usize>],
    rewires: &[(VertexId, VertexId, usize)],
) {
    let old = std::mem::take(&mut graph.vertices);
    let mut new_id = vec![VertexId(0); old.len()];
    let mut chain_ids: Vec<Vec<VertexId>> = vec![Vec::new(); old.len()];
    let mut vertices = Vec::with_capacity(old.len());

    for (index, vertex) in old.into_iter().enumerate() {
        new_id[index] = VertexId(vertices.len());
        let (name, shape, span) = (vertex.name.clone(), vertex.shape.clone(), vertex.span);
        vertices.push(vertex);
        let mut previous = new_id[index];
        for step in 1..=chain_depth[index].unwrap_or(0) {
            let id = VertexId(vertices.len());
            vertices.push(Vertex {
                name: format!("{name}.id{step}"),
                kind: VertexKind::Identity {
                    source: new_id[index],
                },
                doc: Vec::new(),
                span,
                shape: shape.clone(),
                expr: Some(identity_expr(previous, &shape, span)),
                level: None,
            });
            chain_ids[index].push(id);
            previous = id;
        }
    }

    for vertex in &mut vertices {
        remap_vertex(vertex, &new_id);
    }
    for &(child, parent, depth) in rewires {
        let element = chain_ids[parent.0][depth - 1];
        let from = new_id[parent.0];
        if let Some(expr) = &mut vertices[new_id[child.0].0].expr {
            for node in &mut expr.nodes {
                if node.kind == NodeKind::Vertex(from) {
                    node.kind = NodeKind::Vertex(element);
                }
            }
        }
    }
    graph.vertices = vertices;
    graph.update_param_users();
}

/// The prediction of an identity vertex: its predecessor's value, with that value's shape.
fn identity_expr(previous: VertexId, shape: &Option<crate::ir::Shape>, span: crate::Span) -> Expr {
    let mut expr = Expr::vertex(previous, span);
    expr.nodes[0].shape = shape.clone();
    expr
}

/// Renames every vertex reference after renumbering.
fn remap_vertex(vertex: &mut Vertex, new_id: &[VertexId]) {
    // Identity vertices were created with new ids already.
    if matches!(vertex.kind, VertexKind::Identity { .. }) {
        return;
    }
    if let VertexKind::Loss { target, .. } = &mut vertex.kind {
        *target = new_id[target.0];
    }
    if let Some(expr) = &mut vertex.expr {
        for node in &mut expr.nodes {
            if let NodeKind::Vertex(id) = &mut node.kind {
                *id = new_id[id.0];
            }
        }
    }
}

/// Whether the graph meets what `levelling` promises; used by tests and debug checks.
pub fn is_levelled(graph: &Graph, levelling: Levelling) -> bool {
    graph.vertex_ids().all(|child| {
        let Some(child_level) = graph.vertex(child).level else {
            return true;
        };
        let levels: Vec<usize> = graph
            .vertex(child)
            .parents()
            .into_iter()
            .filter_map(|parent| graph.vertex(parent).level)
            .collect();
        match levelling {
            Levelling::Full => levels.iter().all(|level| *level == child_level + 1),
            Levelling::Wavefront => levels.windows(2).all(|pair| pair[0] == pair[1]),
            Levelling::Off => true,
        }
    })
}
