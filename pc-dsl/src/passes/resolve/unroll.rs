//! The first sweep: loops unrolled into items, constants folded, every definition registered.

use crate::diag::{Diagnostic, Span};
use crate::ir::{DimId, RuntimeDim, VertexId};
use crate::syntax::ast::{Expr, Ident, Stmt, StmtKind};

use super::scope::{Binding, Entry, LetId, Scope, Site};
use super::{Item, LetDef, Lowering};

/// At most this many loop iterations and statements are unrolled in one model: an RNN of
/// about 10,000 steps. Generated code has functions for every vertex, some 4 KB of Rust each,
/// so a larger model would be a source file of tens of megabytes that no one could compile.
pub(super) const UNROLL_LIMIT: usize = 20_000;

impl<'a> Lowering<'a> {
    /// Declares the statements of a body in order, unrolling the loops among them.
    pub(super) fn declare_all(&mut self, body: &'a [Stmt], scope: &Scope) {
        for stmt in body {
            if !self.count_unrolled(stmt.span) {
                return;
            }
            self.declare(stmt, scope);
        }
    }

    fn declare(&mut self, stmt: &'a Stmt, scope: &Scope) {
        let site = Site {
            position: self.items.len(),
            scope: scope.clone(),
        };
        if !scope.is_empty() && self.refuse_in_loop(stmt, &site) {
            return;
        }

        match &stmt.kind {
            StmtKind::Dim { name } => self.declare_dim(name, &site),
            StmtKind::Const { name, value } => self.declare_const(name, value, &site),
            StmtKind::Param { name, shape, init } => {
                let binding = self.declare_param(stmt, name, shape, init, &site);
                self.define(name, binding, &site);
            }
            StmtKind::Input { name, .. } => {
                let vertex = self.push_vertex_item(stmt, scope, name.name.clone(), name.span);
                self.define(name, Binding::Input(vertex), &after(&site));
            }
            StmtKind::Target { name, .. } => {
                let vertex = self.push_vertex_item(stmt, scope, name.name.clone(), name.span);
                self.define(name, Binding::Target(vertex), &after(&site));
            }
            StmtKind::Node { name, index, .. } => self.declare_node(stmt, name, index, &site),
            StmtKind::Let { name, index, value } => {
                self.declare_let(stmt, name, index.as_ref(), value, &site)
            }
            StmtKind::Loss { .. } => {
                self.push_vertex_item(stmt, scope, String::new(), stmt.span);
            }
            StmtKind::For {
                var,
                start,
                end,
                body,
            } => self.unroll_loop(var, start, end, body, &site),
        }
    }

    fn declare_dim(&mut self, name: &Ident, site: &Site) {
        let id = DimId(self.graph.dims.len());
        self.graph.dims.push(RuntimeDim {
            name: name.name.clone(),
            span: name.span,
        });
        self.define(name, Binding::Dim(id), site);
    }

    /// Folds a constant; a failed one is still defined, so that its uses stay silent.
    fn declare_const(&mut self, name: &Ident, value: &Expr, site: &Site) {
        let what = format!("`{}`", name.name);
        let binding = match self.eval_int(value, site, &what) {
            Some(value) => {
                self.graph.consts.push((name.name.clone(), value));
                Binding::Const(value)
            }
            None => Binding::Failed,
        };
        self.define(name, binding, site);
    }

    /// Declarations of the model's interface are not repeated per iteration.
    fn refuse_in_loop(&mut self, stmt: &Stmt, site: &Site) -> bool {
        let (name, what) = match &stmt.kind {
            StmtKind::Dim { name } => (name, "a `dim`"),
            StmtKind::Const { name, .. } => (name, "a `const`"),
            StmtKind::Input { name, .. } => (name, "an `input`"),
            StmtKind::Target { name, .. } => (name, "a `target`"),
            StmtKind::Param { name, .. } => (name, "a `param`"),
            _ => return false,
        };
        let diagnostic = Diagnostic::error(stmt.span, format!("{what} cannot be inside a loop"))
            .with_help("declare it before the loop");
        self.report(diagnostic);
        self.define(name, Binding::Failed, site);
        true
    }

    fn declare_node(&mut self, stmt: &'a Stmt, name: &Ident, index: &Option<Expr>, site: &Site) {
        let index_value = index.as_ref().map(|index| self.eval_index(index, site));
        let (vertex_name, name_span) = entry_name(name, index.as_ref(), index_value);
        let vertex = self.push_vertex_item(stmt, &site.scope, vertex_name, name_span);
        match index_value {
            None => self.define(name, Binding::Node(vertex), &vertex_site(site)),
            Some(value) => {
                let entry = Entry {
                    id: vertex.0,
                    span: name_span,
                    visible_from: site.position + 1,
                };
                self.define_entry(name, value, entry, true);
            }
        }
    }

    fn declare_let(
        &mut self,
        stmt: &'a Stmt,
        name: &Ident,
        index: Option<&Expr>,
        value: &'a Expr,
        site: &Site,
    ) {
        let index_value = index.map(|index| self.eval_index(index, site));
        let (_, name_span) = entry_name(name, index, index_value);
        let id = LetId(self.lets.len());
        self.lets.push(LetDef {
            value,
            site: site.clone(),
        });
        self.items.push(Item {
            stmt,
            scope: site.scope.clone(),
            vertex: None,
            name_span,
        });
        match index_value {
            None => self.define(name, Binding::Let(id), &after(site)),
            Some(value) => {
                let entry = Entry {
                    id: id.0,
                    span: name_span,
                    visible_from: site.position + 1,
                };
                self.define_entry(name, value, entry, false);
            }
        }
    }

    /// The index of a definition `h[t]`: a constant that is not negative.
    fn eval_index(&mut self, index: &Expr, site: &Site) -> Option<i64> {
        let value = self.eval_int(index, site, "index")?;
        if value < 0 {
            let diagnostic =
                Diagnostic::error(index.span, format!("index {value} is out of range"))
                    .with_primary_label("indices start at 0");
            self.report(diagnostic);
            return None;
        }
        Some(value)
    }

    fn push_vertex_item(
        &mut self,
        stmt: &'a Stmt,
        scope: &Scope,
        name: String,
        name_span: Span,
    ) -> VertexId {
        let vertex = VertexId(self.next_vertex);
        self.next_vertex += 1;
        self.items.push(Item {
            stmt,
            scope: scope.clone(),
            vertex: Some((vertex, name)),
            name_span,
        });
        vertex
    }

    fn unroll_loop(
        &mut self,
        var: &Ident,
        start: &Expr,
        end: &Expr,
        body: &'a [Stmt],
        site: &Site,
    ) {
        let start = self.eval_int(start, site, "loop bound");
        let end = self.eval_int(end, site, "loop bound");
        let (Some(start), Some(end)) = (start, end) else {
            return;
        };

        for value in start..end {
            if !self.count_unrolled(var.span) {
                return;
            }
            let mut scope = site.scope.clone();
            scope.push(self.next_scope);
            self.next_scope += 1;
            let inner = Site {
                position: self.items.len(),
                scope,
            };
            self.define(var, Binding::LoopVar(value), &inner);
            self.declare_all(body, &inner.scope);
        }
    }

    /// Counts one more unrolled statement or iteration; false once the limit is passed.
    fn count_unrolled(&mut self, span: Span) -> bool {
        self.unrolled += 1;
        if self.unrolled == UNROLL_LIMIT + 1 {
            let message = format!("the model unrolls to more than {UNROLL_LIMIT} statements");
            let diagnostic = Diagnostic::error(span, message).with_help(format!(
                "loops are unrolled at compile time, and every iteration and statement counts; \
                     at most {UNROLL_LIMIT} are allowed"
            ));
            self.report(diagnostic);
        }
        self.unrolled <= UNROLL_LIMIT
    }
}

/// The site just after an item: where the name it defines becomes usable.
fn after(site: &Site) -> Site {
    Site {
        position: site.position + 1,
        scope: site.scope.clone(),
    }
}

/// Where a vertex's name is defined: after its item, and outside every loop, since a vertex
/// belongs to the whole graph (unlike a `let` in a loop, which is local to its iteration).
fn vertex_site(site: &Site) -> Site {
    Site {
        position: site.position + 1,
        scope: Scope::new(),
    }
}

/// The name of a definition with its index (`h[3]`, or `h[?]` when the index failed), and the
/// span of the name and index together.
fn entry_name(name: &Ident, index: Option<&Expr>, value: Option<Option<i64>>) -> (String, Span) {
    match (index, value) {
        (Some(index), Some(value)) => {
            let text = value.map_or("?".to_string(), |value| value.to_string());
            let span = name.span.to(index.span);
            (format!("{}[{text}]", name.name), span)
        }
        _ => (name.name.clone(), name.span),
    }
}
