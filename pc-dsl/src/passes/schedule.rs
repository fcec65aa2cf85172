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
//!
//! Full mode does the same work at every step but for the reads, so its schedule holds that
//! work once: a schedule's size grows with the graph, not with the graph times its depth.

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
    /// Its level: the step at which its parameter contributions are read.
    pub level: usize,
    /// The parents its error is pulled back to, for their updates at this step.
    pub pull_to: Vec<VertexId>,
}

impl ErrorTask {
    /// Whether its parameter contributions are read at step `t`: the step of its level.
    pub fn reads_at(&self, t: usize) -> bool {
        self.level == t
    }
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
    /// The number of steps: the highest level plus one.
    pub depth: usize,
    /// The wavefront mode's steps, one by one; full mode's one step, which every step repeats
    /// with the reads of its own level.
    work: Vec<Step>,
}

impl ZilSchedule {
    /// The work of step `t`, for `t < depth`.
    pub fn step(&self, t: usize) -> Step {
        match self.mode {
            Mode::Wavefront => self.work[t].clone(),
            Mode::Full => Step {
                t,
                ..self.work[0].clone()
            },
        }
    }

    /// Every step in order.
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        (0..self.depth).map(|t| self.step(t))
    }
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
    let work = match mode {
        Mode::Full if depth > 0 => vec![full_step(graph)],
        Mode::Full => Vec::new(),
        Mode::Wavefront => wavefront_steps(graph, depth),
    };
    ZilSchedule { mode, depth, work }
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

/// Full mode's work, the same at every step: every vertex's error from the current state,
/// every value node moves. It is written for step 0; [`ZilSchedule::step`] sets the step.
fn full_step(graph: &Graph) -> Step {
    let errors = graph
        .vertex_ids()
        .filter(|id| !graph.vertex(*id).is_data())
        .map(|id| ErrorTask {
            vertex: id,
            repredict: true,
            level: level(graph, id),
            pull_to: pc_parents(graph, id),
        })
        .collect();
    let updates = graph
        .vertex_ids()
        .filter(|id| graph.vertex(*id).is_pc_vertex())
        .collect();
    Step {
        t: 0,
        errors,
        updates,
    }
}

/// Wavefront mode: a vertex's error is computed at its own level (to read its parameters) and
/// at the step before each parent's level (for that parent's single update). On a levelled
/// graph those coincide, so every vertex does one vector-Jacobian product.
///
/// One sweep over the vertices files each one's work under the steps it takes part in, so the
/// schedule costs the size of the graph, not the graph times its depth.
fn wavefront_steps(graph: &Graph, depth: usize) -> Vec<Step> {
    let moves_at = |id: VertexId| level(graph, id).checked_sub(1);
    let mut steps: Vec<Step> = (0..depth)
        .map(|t| Step {
            t,
            errors: Vec::new(),
            updates: Vec::new(),
        })
        .collect();
    for id in graph.vertex_ids() {
        if graph.vertex(id).is_data() {
            continue;
        }
        let own = level(graph, id);
        let parents = pc_parents(graph, id);
        let mut at: Vec<usize> = parents
            .iter()
            .filter_map(|&parent| moves_at(parent))
            .collect();
        at.push(own);
        at.sort_unstable();
        at.dedup();
        for t in at.into_iter().filter(|&t| t < depth) {
            let pull_to = parents
                .iter()
                .copied()
                .filter(|&parent| moves_at(parent) == Some(t))
                .collect();
            let repredict = parents
                .iter()
                .any(|&parent| moves_at(parent).is_some_and(|step| step < t));
            steps[t].errors.push(ErrorTask {
                vertex: id,
                repredict,
                level: own,
                pull_to,
            });
        }
        if let Some(t) = moves_at(id).filter(|_| graph.vertex(id).is_pc_vertex()) {
            steps[t].updates.push(id);
        }
    }
    steps
}

/// The schedule as a table for people: per step, the errors computed, the parameters read and
/// the value nodes updated; identity vertices are marked with `*`. Full mode's shared work is
/// listed once, then the reads of each step.
pub fn print_schedule(graph: &Graph, schedule: &ZilSchedule) -> String {
    let name = |id: VertexId| {
        let vertex = graph.vertex(id);
        match vertex.kind {
            VertexKind::Identity { .. } => format!("{}*", vertex.name),
            _ => vertex.name.clone(),
        }
    };
    let errors = |step: &Step| -> Vec<String> {
        step.errors
            .iter()
            .map(|task| {
                let mark = if task.repredict { "~" } else { "" };
                format!("{mark}{}", name(task.vertex))
            })
            .collect()
    };
    let updates =
        |step: &Step| -> Vec<String> { step.updates.iter().map(|id| name(*id)).collect() };

    let mut out = String::new();
    let mode = match schedule.mode {
        Mode::Wavefront => "wavefront",
        Mode::Full => "full",
    };
    let _ = writeln!(
        out,
        "z-il {mode} schedule of `{}`: {} steps",
        graph.name, schedule.depth
    );
    match (schedule.mode, schedule.work.first()) {
        (Mode::Full, Some(step)) => {
            let _ = writeln!(out, "every step");
            let _ = writeln!(out, "  errors:  {}", list(&errors(step)));
            let _ = writeln!(out, "  update:  {}", list(&updates(step)));
            let mut by_level = vec![Vec::new(); schedule.depth];
            for task in &step.errors {
                by_level[task.level].push(task);
            }
            for (t, tasks) in by_level.into_iter().enumerate() {
                let _ = writeln!(out, "step {t}");
                let _ = writeln!(out, "  read:    {}", list(&reads(graph, tasks)));
            }
        }
        _ => {
            for step in &schedule.work {
                let read = step.errors.iter().filter(|task| task.reads_at(step.t));
                let _ = writeln!(out, "step {}", step.t);
                let _ = writeln!(out, "  errors:  {}", list(&errors(step)));
                let _ = writeln!(out, "  read:    {}", list(&reads(graph, read)));
                let _ = writeln!(out, "  update:  {}", list(&updates(step)));
            }
        }
    }
    out.push_str("(* identity vertex, ~ prediction recomputed from moved parents)\n");
    out
}

/// The parameters the given tasks' vertices read, each once, in order.
fn reads<'t>(graph: &Graph, tasks: impl IntoIterator<Item = &'t ErrorTask>) -> Vec<String> {
    let mut reads: Vec<String> = Vec::new();
    for task in tasks {
        for param in graph.vertex(task.vertex).params() {
            let param = &graph.param(param).name;
            if !reads.contains(param) {
                reads.push(param.clone());
            }
        }
    }
    reads
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}
