//! The names of a model: what each is bound to, where, and from which item on it may be used.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::diag::{Diagnostic, Span};
use crate::ir::{DimId, ParamId, VertexId};
use crate::syntax::ast::{self, Ident, StmtKind};

use super::Lowering;
use super::suggest::closest;

/// The loop iterations a statement sits in, outermost first; empty at the top of a model.
pub(super) type Scope = Vec<u32>;

/// Where a name is used: the position of the unrolled item and its loop iterations.
#[derive(Clone, Debug)]
pub(super) struct Site {
    /// Index of the item in `Lowering::items`; for the first sweep, the next item's index.
    pub position: usize,
    /// The loop iterations of the item.
    pub scope: Scope,
}

/// Index of a `let` binding in `Lowering::lets`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct LetId(pub usize);

/// Index of an indexed family in `Lowering::families`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct FamilyId(pub usize);

/// What a name stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Binding {
    /// `dim B`.
    Dim(DimId),
    /// `const N = ...`, folded.
    Const(i64),
    /// A `for` variable, in one iteration.
    LoopVar(i64),
    /// `input x`.
    Input(VertexId),
    /// `target y`.
    Target(VertexId),
    /// `node h`.
    Node(VertexId),
    /// `param w`.
    Param(ParamId),
    /// `let z`.
    Let(LetId),
    /// `node h[t]`: a family of vertices.
    NodeFamily(FamilyId),
    /// `let z[t]`: a family of bindings.
    LetFamily(FamilyId),
    /// A definition whose own statement has an error; its uses are not reported again.
    Failed,
}

impl Binding {
    /// What `name` is, for a label: "`x` is an input".
    pub fn describe(self, name: &str) -> String {
        let what = match self {
            Binding::Dim(_) => "a run-time dimension",
            Binding::Const(_) => "a constant",
            Binding::LoopVar(_) => "a loop variable",
            Binding::Input(_) => "an input",
            Binding::Target(_) => "a target",
            Binding::Node(_) => "a node",
            Binding::Param(_) => "a parameter",
            Binding::Let(_) => "a `let` binding",
            Binding::NodeFamily(_) => "an indexed node",
            Binding::LetFamily(_) => "an indexed `let` binding",
            Binding::Failed => "not defined correctly",
        };
        format!("`{name}` is {what}")
    }
}

/// The entries of an indexed family `h[0]`, `h[1]`, ...
#[derive(Debug, Default)]
pub(super) struct Family {
    /// For each index, the vertex or `let` id, where it is defined, and from which item on.
    pub entries: BTreeMap<i64, Entry>,
    /// False when a definition's index could not be computed: a missing entry may be that one.
    pub complete: bool,
}

/// One entry of a family.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    /// The `VertexId` or `LetId` number.
    pub id: usize,
    /// The name and index where it is defined.
    pub span: Span,
    /// The first item that may use it.
    pub visible_from: usize,
}

impl Family {
    /// The indices, as ranges: `0..6` or `0..3, 5`.
    pub fn describe_indices(&self) -> String {
        // Runs of consecutive indices, first and last inclusive, so that no index overflows.
        let mut runs: Vec<(i64, i64)> = Vec::new();
        for &index in self.entries.keys() {
            match runs.last_mut() {
                Some((_, last)) if last.checked_add(1) == Some(index) => *last = index,
                _ => runs.push((index, index)),
            }
        }
        let runs: Vec<String> = runs
            .iter()
            .map(|&(first, last)| match first == last {
                true => first.to_string(),
                false => format!("{first}..{}", i128::from(last) + 1),
            })
            .collect();
        runs.join(", ")
    }
}

/// One definition of a name.
#[derive(Clone, Debug)]
pub(super) struct Definition {
    /// What the name stands for.
    pub binding: Binding,
    /// Where the name is defined.
    pub span: Span,
    /// The first item that may use it.
    pub visible_from: usize,
    /// The loop iterations it is defined in: it is visible only inside them.
    pub scope: Scope,
}

/// Every definition of every name. A name has several only for `let`s and loop variables
/// defined in different iterations of a loop.
///
/// Each name's definitions are keyed by scope. A scope's nested scopes extend it, so they sort
/// right after it: the definitions inside a scope are one range of the map.
#[derive(Debug, Default)]
pub(super) struct Table {
    names: BTreeMap<String, BTreeMap<Scope, Definition>>,
}

impl Table {
    /// The definition of `name` seen from `scope`: one made in `scope` or around it.
    pub fn visible(&self, name: &str, scope: &[u32]) -> Option<&Definition> {
        let definitions = self.names.get(name)?;
        (0..=scope.len())
            .rev()
            .find_map(|depth| definitions.get(&scope[..depth]))
    }

    /// A definition of `name` that a new one in `scope` would clash with: one visible from
    /// `scope`, or one inside it.
    pub fn clashing(&self, name: &str, scope: &[u32]) -> Option<&Definition> {
        let inside = || {
            let definitions = self.names.get(name)?;
            let from = (Bound::Included(scope), Bound::Unbounded);
            let (key, definition) = definitions.range::<[u32], _>(from).next()?;
            key.starts_with(scope).then_some(definition)
        };
        self.visible(name, scope).or_else(inside)
    }

    /// Any definition of `name`, in whatever scope.
    pub fn any(&self, name: &str) -> Option<&Definition> {
        self.names.get(name)?.values().next()
    }

    fn insert(&mut self, name: &str, definition: Definition) {
        let definitions = self.names.entry(name.to_string()).or_default();
        definitions.insert(definition.scope.clone(), definition);
    }
}

/// Where a name is first declared, found before lowering.
#[derive(Clone, Copy, Debug)]
pub(super) struct Declaration {
    /// The name in its declaration.
    pub span: Span,
    /// The whole declaring statement: uses inside it come before the definition.
    pub statement: Span,
    /// Whether the declaration is a `node` or `let`, which makes an early use a cycle.
    pub is_vertex: bool,
}

/// The first declaration of every name in a model body, loops included.
pub(super) fn collect_declarations(body: &[ast::Stmt]) -> BTreeMap<&str, Declaration> {
    let mut declared = BTreeMap::new();
    collect_into(body, &mut declared);
    declared
}

fn collect_into<'a>(body: &'a [ast::Stmt], declared: &mut BTreeMap<&'a str, Declaration>) {
    for stmt in body {
        let (name, is_vertex) = match &stmt.kind {
            StmtKind::Dim { name }
            | StmtKind::Const { name, .. }
            | StmtKind::Input { name, .. }
            | StmtKind::Target { name, .. }
            | StmtKind::Param { name, .. } => (name, false),
            StmtKind::Node { name, .. } | StmtKind::Let { name, .. } => (name, true),
            StmtKind::For { var, body, .. } => {
                collect_into(body, declared);
                (var, false)
            }
            StmtKind::Loss { .. } => continue,
        };
        declared.entry(&name.name).or_insert(Declaration {
            span: name.span,
            statement: stmt.span,
            is_vertex,
        });
    }
}

impl Lowering<'_> {
    /// Binds a plain name, unless it clashes with a definition visible where it stands.
    pub(super) fn define(&mut self, name: &Ident, binding: Binding, site: &Site) {
        let Some(first) = self.table.clashing(&name.name, &site.scope) else {
            let definition = Definition {
                binding,
                span: name.span,
                visible_from: site.position,
                scope: site.scope.clone(),
            };
            self.table.insert(&name.name, definition);
            return;
        };

        let diagnostic = if first.span == name.span {
            Diagnostic::error(
                name.span,
                format!(
                    "`{}` is defined again in every iteration of its loop",
                    name.name
                ),
            )
            .with_help(format!(
                "index it by the loop variable, as in `node {}[t] = ...`",
                name.name
            ))
        } else if matches!(
            first.binding,
            Binding::NodeFamily(_) | Binding::LetFamily(_)
        ) {
            Diagnostic::error(
                name.span,
                format!("`{}` is defined both with and without an index", name.name),
            )
            .with_label(first.span, "defined with an index here")
        } else {
            Diagnostic::error(name.span, format!("`{}` is defined twice", name.name))
                .with_label(first.span, "first defined here")
        };
        self.report(diagnostic);
    }

    /// Adds entry `index` (if it could be computed) to the family `name` of nodes or `let`s.
    pub(super) fn define_entry(
        &mut self,
        name: &Ident,
        index: Option<i64>,
        entry: Entry,
        of_nodes: bool,
    ) {
        let family = match self.table.clashing(&name.name, &[]).cloned() {
            None => self.new_family(name, of_nodes),
            Some(first) => match (first.binding, of_nodes) {
                (Binding::NodeFamily(family), true) | (Binding::LetFamily(family), false) => family,
                (Binding::NodeFamily(_) | Binding::LetFamily(_), _) => {
                    let message = format!("`{}` is defined twice", name.name);
                    let diagnostic = Diagnostic::error(name.span, message)
                        .with_label(first.span, "first defined here");
                    return self.report(diagnostic);
                }
                _ => {
                    let message =
                        format!("`{}` is defined both with and without an index", name.name);
                    let diagnostic = Diagnostic::error(name.span, message)
                        .with_label(first.span, "defined without an index here");
                    return self.report(diagnostic);
                }
            },
        };

        let family = &mut self.families[family.0];
        let Some(index) = index else {
            family.complete = false;
            return;
        };
        if let Some(first) = family.entries.get(&index) {
            let diagnostic = Diagnostic::error(
                entry.span,
                format!("`{}[{index}]` is defined twice", name.name),
            )
            .with_label(first.span, "first defined here");
            return self.report(diagnostic);
        }
        family.entries.insert(index, entry);
    }

    fn new_family(&mut self, name: &Ident, of_nodes: bool) -> FamilyId {
        let id = FamilyId(self.families.len());
        self.families.push(Family {
            entries: BTreeMap::new(),
            complete: true,
        });
        let binding = match of_nodes {
            true => Binding::NodeFamily(id),
            false => Binding::LetFamily(id),
        };
        let definition = Definition {
            binding,
            span: name.span,
            visible_from: 0,
            scope: Scope::new(),
        };
        self.table.insert(&name.name, definition);
        id
    }

    /// What `name` stands for at `site`, or `None` after reporting why it cannot be used.
    pub(super) fn lookup(&mut self, name: &Ident, site: &Site) -> Option<Binding> {
        if let Some(definition) = self.table.visible(&name.name, &site.scope) {
            if definition.visible_from > site.position {
                let span = definition.span;
                self.report_early_use(&name.name, name.span, span);
                return None;
            }
            return match definition.binding {
                Binding::Failed => None,
                binding => Some(binding),
            };
        }
        if let Some(definition) = self.table.any(&name.name) {
            let diagnostic =
                Diagnostic::error(name.span, format!("`{}` is not defined here", name.name))
                    .with_label(
                        definition.span,
                        "defined inside a loop, and only visible there",
                    );
            self.report(diagnostic);
            return None;
        }
        self.report_undefined(name);
        None
    }

    /// Reports a name with no definition so far: defined later, or nowhere.
    fn report_undefined(&mut self, name: &Ident) {
        let Some(declaration) = self.declared.get(name.name.as_str()).copied() else {
            let mut diagnostic =
                Diagnostic::error(name.span, format!("unknown name `{}`", name.name));
            if let Some(close) = closest(&name.name, self.declared.keys().copied()) {
                diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
            }
            return self.report(diagnostic);
        };
        if declaration.statement.end > name.span.start {
            return self.report_early_use(&name.name, name.span, declaration.span);
        }
        // Every definition that is reached is registered, even a failed one: this one sits
        // in a loop that runs no iterations.
        let diagnostic = Diagnostic::error(name.span, format!("`{}` is never defined", name.name))
            .with_label(
                declaration.span,
                "this definition is in a loop with no iterations",
            );
        self.report(diagnostic);
    }

    /// Reports `name` (possibly with an index) used at `span`, before its definition at
    /// `definition`.
    pub(super) fn report_early_use(&mut self, name: &str, span: Span, definition: Span) {
        let base = name.split('[').next().unwrap_or(name);
        let is_vertex = self
            .declared
            .get(base)
            .is_some_and(|declaration| declaration.is_vertex);
        let help = match is_vertex {
            true => "the graph must be acyclic: a vertex can only use what is defined above it"
                .to_string(),
            false => format!("move the definition of `{base}` above its first use"),
        };
        let diagnostic = Diagnostic::error(span, format!("`{name}` is used before its definition"))
            .with_label(definition, "defined here")
            .with_help(help);
        self.report(diagnostic);
    }
}
