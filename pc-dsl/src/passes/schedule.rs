//! Schedules: the order in which backprop and the two Z-IL modes do their work.
//!
//! A Z-IL step `t` has three parts, in this order (ZIL.md section 3):
//!
//! 1. errors: for each listed vertex, its prediction (recomputed from the current values when
//!    a parent has moved since the forward pass) and its error, value minus prediction, or
//!    `-dL/dmu` for a loss vertex; each error is pulled back to the listed parents;
//! 2. reads: the parameter contributions of the vertices at level `t`;
//! 3. updates: the listed value nodes move by `-gamma * dF/dx`.
//!
//! Contributions to a parameter are accumulated and applied after the last step, so a
//! parameter used at several levels is exact.

use std::fmt::Write;

use crate::ir::{Graph, VertexId, VertexKind};

/// The two execution modes of Z-IL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Each value node moves once, at the step before its level.
    Wavefront,
    /// Every value node relaxes at every step.
    Full,
}

/// One error computed at a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorTask {
    /// The vertex.
    pub vertex: VertexId,
    /// Whether its prediction must be recomputed: a parent moved since the forward pass.
    pub repredict: bool,
    /// Whether its parameter contributions are read at this step (`t = level`).
    pub read_params: bool,
    /// The parents its error is pulled back to, for their updates at this step.
    pub pull_to: Vec<VertexId>,
}

/// One inference step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The step number, from 0.
    pub t: usize,
    /// Errors computed from the state at the start of the step.
    pub errors: Vec<ErrorTask>,
    /// Value nodes that move at the end of the step.
    pub updates: Vec<VertexId>,
}

/// A Z-IL schedule for one mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZilSchedule {
    /// The mode.
    pub mode: Mode,
    /// The steps, `0 .. depth`, where depth is the highest level plus one.
    pub steps: Vec<Step>,
}

/// Backprop's reverse sweep: every non-data vertex, children before parents.
pub fn backprop_order(graph: &Graph) -> Vec<VertexId> {
    graph
        .vertex_ids()
        .rev()
        .filter(|id| !graph.vertex(*id).is_data())
        .collect()
}

/// The Z-IL schedule of a levelled graph in the given mode.
pub fn zil_schedule(graph: &Graph, mode: Mode) -> ZilSchedule {
    let depth = depth(graph);
    let steps = (0..depth)
        .map(|t| match mode {
            Mode::Full => full_step(graph, t),
            Mode::Wavefront => wavefront_step(graph, t),
        })
        .collect();
    ZilSchedule { mode, steps }
}

/// The number of inference steps: the highest level plus one.
pub fn depth(graph: &Graph) -> usize {
    graph
        .vertices
        .iter()
        .filter_map(|vertex| vertex.level)
        .max()
        .map_or(0, |highest| highest + 1)
}

/// The non-data parents of a vertex.
fn pc_parents(graph: &Graph, id: VertexId) -> Vec<VertexId> {
    graph
        .vertex(id)
        .parents()
        .into_iter()
        .filter(|parent| !graph.vertex(*parent).is_data())
        .collect()
}

fn level(graph: &Graph, id: VertexId) -> usize {
    graph.vertex(id).level.unwrap_or(0)
}

/// Full mode: every vertex's error from the current state, every value node moves.
fn full_step(graph: &Graph, t: usize) -> Step {
    let errors = graph
        .vertex_ids()
        .filter(|id| !graph.vertex(*id).is_data())
        .map(|id| ErrorTask {
            vertex: id,
            repredict: true,
            read_params: level(graph, id) == t,
            pull_to: pc_parents(graph, id),
        })
        .collect();
    let updates = graph
        .vertex_ids()
        .filter(|id| graph.vertex(*id).is_pc_vertex())
        .collect();
    Step { t, errors, updates }
}

/// Wavefront mode: a vertex's error is computed at its own level (to read its parameters) and
/// at the step before each parent's level (for that parent's single update). On a levelled
/// graph those coincide, so every vertex does one vector-Jacobian product.
fn wavefront_step(graph: &Graph, t: usize) -> Step {
    let moves_at = |id: VertexId| level(graph, id).checked_sub(1);
    let mut errors = Vec::new();
    for id in graph.vertex_ids() {
        if graph.vertex(id).is_data() {
            continue;
        }
        let parents = pc_parents(graph, id);
        let pull_to: Vec<VertexId> = parents
            .iter()
            .copied()
            .filter(|parent| moves_at(*parent) == Some(t))
            .collect();
        let read_params = level(graph, id) == t;
        if !read_params && pull_to.is_empty() {
            continue;
        }
        let repredict = parents
            .iter()
            .any(|parent| moves_at(*parent).is_some_and(|step| step < t));
        errors.push(ErrorTask {
            vertex: id,
            repredict,
            read_params,
            pull_to,
        });
    }
    let updates = graph
        .vertex_ids()
        .filter(|id| graph.vertex(*id).is_pc_vertex() && moves_at(*id) == Some(t))
        .collect();
    Step { t, errors, updates }
}

/// The schedule as a table for people: per step, the errors computed, the parameters read and
/// the value nodes updated; identity vertices are marked with `*`.
pub fn print_schedule(graph: &Graph, schedule: &ZilSchedule) -> String {
    let name = |id: VertexId| {
        let vertex = graph.vertex(id);
        match vertex.kind {
            VertexKind::Identity { .. } => format!("{}*", vertex.name),
            _ => vertex.name.clone(),
        }
    };
    let mode = match schedule.mode {
        Mode::Wavefront => "wavefront",
        Mode::Full => "full",
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "z-il {mode} schedule of `{}`: {} steps",
        graph.name,
        schedule.steps.len()
    );
    for step in &schedule.steps {
        let errors: Vec<String> = step
            .errors
            .iter()
            .map(|task| {
                let mark = if task.repredict { "~" } else { "" };
                format!("{mark}{}", name(task.vertex))
            })
            .collect();
        let mut reads: Vec<String> = Vec::new();
        for task in step.errors.iter().filter(|task| task.read_params) {
            for param in graph.vertex(task.vertex).params() {
                let param = &graph.param(param).name;
                if !reads.contains(param) {
                    reads.push(param.clone());
                }
            }
        }
        let updates: Vec<String> = step.updates.iter().map(|id| name(*id)).collect();
        let _ = writeln!(out, "step {}", step.t);
        let _ = writeln!(out, "  errors:  {}", list(&errors));
        let _ = writeln!(out, "  read:    {}", list(&reads));
        let _ = writeln!(out, "  update:  {}", list(&updates));
    }
    out.push_str("(* identity vertex, ~ prediction recomputed from moved parents)\n");
    out
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}
