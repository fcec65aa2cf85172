//! Lowering from the AST to IR graphs: names bound, loops unrolled, constants folded, `let`
//! bindings inlined into the vertices that use them.
//!
//! A model is lowered in two sweeps. The first (`unroll`) walks the statements in order,
//! unrolls every `for` loop into a flat list of items, folds constants and registers every
//! definition with the first item that may use it. The second (`items`) lowers each item:
//! data vertices get their declared shapes, nodes their predictions, losses their vertices.
//! Because every definition is known before any expression is lowered, a name used too early
//! is reported as such (which is also how a cycle shows) rather than as an unknown name.

mod calls;
mod consts;
mod decls;
mod expr;
mod items;
mod loss;
mod scope;
mod suggest;
mod unroll;

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Span};
use crate::ir::{Graph, VertexId};
use crate::syntax::ast;

use scope::{Declaration, Family, Scope, Site, Table};

/// Lowers every model of a file; reports all resolution errors together.
///
/// Graphs are returned even for models with errors, so that tools can show what lowered;
/// they are only fit for the later passes when no error was reported.
pub fn lower(file: &ast::File) -> (Vec<Graph>, Vec<Diagnostic>) {
    let mut graphs = Vec::new();
    let mut diagnostics = Vec::new();
    let mut models: BTreeMap<&str, Span> = BTreeMap::new();
    for model in &file.models {
        if let Some(first) = models.get(model.name.name.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    model.name.span,
                    format!("model `{}` is defined twice", model.name.name),
                )
                .with_label(*first, "first defined here"),
            );
        }
        models.entry(&model.name.name).or_insert(model.name.span);

        let (graph, model_diagnostics) = lower_model(model);
        log::debug!(
            "resolve: `{}` has {} vertices, {} parameters",
            graph.name,
            graph.vertices.len(),
            graph.params.len()
        );
        graphs.push(graph);
        diagnostics.extend(model_diagnostics);
    }
    (graphs, diagnostics)
}

/// Lowers one model through both sweeps.
fn lower_model(model: &ast::Model) -> (Graph, Vec<Diagnostic>) {
    let mut lowering = Lowering::new(model);
    lowering.declare_all(&model.body, &Scope::new());
    lowering.lower_items();
    lowering.require_loss(model);
    lowering.finish()
}

/// One statement after unrolling, with the loop iterations it belongs to.
struct Item<'a> {
    /// The statement as written.
    stmt: &'a ast::Stmt,
    /// The loop iterations it sits in; its position is its index in `Lowering::items`.
    scope: Scope,
    /// The vertex it defines, if any, with that vertex's name (`h[3]` for an indexed node).
    vertex: Option<(VertexId, String)>,
    /// Where the defined name stands: the name, and the index if there is one.
    name_span: Span,
}

/// A `let` binding: its value is lowered afresh into every vertex that uses it.
struct LetDef<'a> {
    /// The bound expression.
    value: &'a ast::Expr,
    /// Where the binding stands, which is where the names of its value are resolved.
    site: Site,
}

/// The state of lowering one model.
struct Lowering<'a> {
    /// The graph being built.
    graph: Graph,
    /// Every problem found so far, each place and severity once.
    diagnostics: Vec<Diagnostic>,
    /// The places and severities of `diagnostics`. A statement inside a loop is lowered once
    /// per iteration, so the same mistake would be reported once per iteration.
    reported: BTreeSet<(Span, crate::Severity)>,
    /// What every name is bound to, filled by the first sweep.
    table: Table,
    /// Indexed families of nodes and `let`s, referred to from `table`.
    families: Vec<Family>,
    /// Every name declared anywhere in the model, found before lowering.
    declared: BTreeMap<&'a str, Declaration>,
    /// The unrolled statements, in order.
    items: Vec<Item<'a>>,
    /// The `let` bindings, indexed by `LetId`.
    lets: Vec<LetDef<'a>>,
    /// The next loop iteration's scope id.
    next_scope: u32,
    /// The number of vertices the first sweep has assigned ids to.
    next_vertex: usize,
    /// Loop iterations and items unrolled so far, bounded so no model can exhaust memory.
    unrolled: usize,
    /// Whether `let`s nesting too deep were reported, which is done once per model.
    let_depth_reported: bool,
}

impl<'a> Lowering<'a> {
    fn new(model: &'a ast::Model) -> Self {
        let graph = Graph {
            name: model.name.name.clone(),
            doc: model.doc.clone(),
            span: model.span,
            dims: Vec::new(),
            consts: Vec::new(),
            params: Vec::new(),
            vertices: Vec::new(),
        };
        Lowering {
            graph,
            diagnostics: Vec::new(),
            reported: BTreeSet::new(),
            table: Table::default(),
            families: Vec::new(),
            declared: scope::collect_declarations(&model.body),
            items: Vec::new(),
            lets: Vec::new(),
            next_scope: 0,
            next_vertex: 0,
            unrolled: 0,
            let_depth_reported: false,
        }
    }

    /// Records a diagnostic, unless one of the same severity was already reported there.
    fn report(&mut self, diagnostic: Diagnostic) {
        if self.reported.insert((diagnostic.span, diagnostic.severity)) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Whether an error was already reported at `span`; lets costly messages be skipped.
    fn reported_error_at(&self, span: Span) -> bool {
        self.reported.contains(&(span, crate::Severity::Error))
    }

    /// A model must have a loss: without one, nothing could be trained. A model cut short by
    /// the unrolling limit is not judged: its losses may lie past the cut.
    fn require_loss(&mut self, model: &ast::Model) {
        if self.unrolled > unroll::UNROLL_LIMIT {
            return;
        }
        let has_loss = self
            .items
            .iter()
            .any(|item| matches!(item.stmt.kind, ast::StmtKind::Loss { .. }));
        if !has_loss {
            self.report(
                Diagnostic::error(
                    model.name.span,
                    format!("model `{}` has no loss", model.name.name),
                )
                .with_help("add a loss on an output vertex, such as `loss mse(out, y);`"),
            );
        }
    }

    /// The graph with its parameter users, and the diagnostics in source order.
    fn finish(mut self) -> (Graph, Vec<Diagnostic>) {
        self.graph.update_param_users();
        self.diagnostics
            .sort_by_key(|diagnostic| diagnostic.span.start);
        (self.graph, self.diagnostics)
    }
}
