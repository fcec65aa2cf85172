//! Expressions lowered into a vertex's node arena, with `let` bindings inlined.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Span};
use crate::ir::{self, Dim, ExprNode, NodeId, NodeKind, Op, ParamId, VertexId};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident};

use super::Lowering;
use super::scope::{Binding, FamilyId, LetId, Site};

/// `let` bindings nested deeper than this are refused, which bounds the recursion of lowering.
const LET_DEPTH_LIMIT: usize = 200;

/// A vertex or parameter read by an expression: one node however often it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Leaf {
    Vertex(VertexId),
    Param(ParamId),
}

/// The nodes of one vertex's prediction as they are built.
///
/// Leaves and `let` bindings are lowered once per vertex and shared by every use, which makes
/// the expression a DAG rather than a tree.
#[derive(Debug, Default)]
pub(super) struct Arena {
    nodes: Vec<ExprNode>,
    leaves: BTreeMap<Leaf, NodeId>,
    lets: BTreeMap<LetId, NodeId>,
    /// How many `let` bodies are being lowered, one inside the other.
    let_depth: usize,
}

impl Arena {
    fn push(&mut self, kind: NodeKind, span: Span) -> NodeId {
        self.nodes.push(ExprNode {
            kind,
            span,
            shape: None,
        });
        NodeId(self.nodes.len() - 1)
    }

    /// A node applying `op` to `args`.
    pub fn op(&mut self, op: Op, args: Vec<NodeId>, span: Span) -> NodeId {
        self.push(NodeKind::Op { op, args }, span)
    }

    fn leaf(&mut self, leaf: Leaf, span: Span) -> NodeId {
        if let Some(&id) = self.leaves.get(&leaf) {
            return id;
        }
        let kind = match leaf {
            Leaf::Vertex(id) => NodeKind::Vertex(id),
            Leaf::Param(id) => NodeKind::Param(id),
        };
        let id = self.push(kind, span);
        self.leaves.insert(leaf, id);
        id
    }

    /// The finished expression, whose root is the node lowered last.
    pub fn finish(self, root: NodeId) -> ir::Expr {
        debug_assert_eq!(
            root.0 + 1,
            self.nodes.len(),
            "the outermost expression is lowered last, and every node lowered is used"
        );
        ir::Expr { nodes: self.nodes }
    }
}

impl Lowering<'_> {
    /// Lowers a value expression into `arena`; `None` once its errors are reported.
    ///
    /// Every operand is lowered even when another fails, so all errors are reported.
    pub(super) fn lower_value(
        &mut self,
        arena: &mut Arena,
        expr: &Expr,
        site: &Site,
    ) -> Option<NodeId> {
        match &expr.kind {
            ExprKind::Number(number) => {
                Some(arena.push(NodeKind::Scalar(number.as_f64()), expr.span))
            }
            ExprKind::Name(name) => {
                let binding = self.lookup(name, site)?;
                self.lower_binding(arena, binding, name)
            }
            ExprKind::Index { base, index } => {
                self.lower_index(arena, base, index, expr.span, site)
            }
            ExprKind::Neg(operand) => {
                let operand = self.lower_value(arena, operand, site)?;
                Some(arena.op(Op::Neg, vec![operand], expr.span))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let lhs = self.lower_value(arena, lhs, site);
                let rhs = self.lower_value(arena, rhs, site);
                Some(arena.op(binary_op(*op), vec![lhs?, rhs?], expr.span))
            }
            ExprKind::Call { func, args } => self.lower_call(arena, func, args, expr.span, site),
            ExprKind::List(_) => {
                let message = "a list of dimensions can only be the shape of `reshape`";
                self.report(Diagnostic::error(expr.span, message));
                None
            }
        }
    }

    /// The node for a name used as a value.
    fn lower_binding(
        &mut self,
        arena: &mut Arena,
        binding: Binding,
        name: &Ident,
    ) -> Option<NodeId> {
        match binding {
            Binding::Input(id) | Binding::Target(id) | Binding::Node(id) => {
                Some(arena.leaf(Leaf::Vertex(id), name.span))
            }
            Binding::Param(id) => Some(arena.leaf(Leaf::Param(id), name.span)),
            Binding::Const(value) | Binding::LoopVar(value) => {
                Some(arena.push(NodeKind::Scalar(value as f64), name.span))
            }
            Binding::Let(id) => self.inline_let(arena, id, name.span),
            Binding::Dim(_) => {
                let message = format!("`{}` is a run-time dimension, not a value", name.name);
                self.report(Diagnostic::error(name.span, message));
                None
            }
            Binding::NodeFamily(_) | Binding::LetFamily(_) => {
                let diagnostic =
                    Diagnostic::error(name.span, format!("`{}` needs an index", name.name))
                        .with_primary_label(binding.describe(&name.name))
                        .with_help(format!("name one entry, as in `{}[0]`", name.name));
                self.report(diagnostic);
                None
            }
            Binding::Failed => None,
        }
    }

    /// The value of a `let`, lowered where it was defined, once per arena.
    fn inline_let(&mut self, arena: &mut Arena, id: LetId, span: Span) -> Option<NodeId> {
        if let Some(&node) = arena.lets.get(&id) {
            return Some(node);
        }
        if arena.let_depth >= LET_DEPTH_LIMIT {
            // One report is enough: every `let` built on this chain would hit the limit too.
            if !self.let_depth_reported {
                self.let_depth_reported = true;
                let message = format!("`let` bindings nest more than {LET_DEPTH_LIMIT} deep here");
                let diagnostic = Diagnostic::error(span, message)
                    .with_help("make some of them `node`s, which also gives them an error each");
                self.report(diagnostic);
            }
            return None;
        }

        let definition = &self.lets[id.0];
        let (value, site) = (definition.value, definition.site.clone());
        arena.let_depth += 1;
        let node = self.lower_value(arena, value, &site);
        arena.let_depth -= 1;
        let node = node?;
        arena.lets.insert(id, node);
        Some(node)
    }

    /// `base[index]`: an entry of a family, or the first axis of a tensor.
    fn lower_index(
        &mut self,
        arena: &mut Arena,
        base: &Expr,
        index: &Expr,
        span: Span,
        site: &Site,
    ) -> Option<NodeId> {
        let index_value = self.eval_int(index, site, "index");
        let ExprKind::Name(name) = &base.kind else {
            let base = self.lower_value(arena, base, site);
            let index = self.tensor_index(index_value?, None, index.span)?;
            return Some(arena.op(Op::Index { index }, vec![base?], span));
        };

        let binding = self.lookup(name, site)?;
        let index_value = index_value?;
        match binding {
            Binding::NodeFamily(family) => {
                let id = self.family_entry(family, name, index_value, span, site)?;
                Some(arena.leaf(Leaf::Vertex(VertexId(id)), span))
            }
            Binding::LetFamily(family) => {
                let id = self.family_entry(family, name, index_value, span, site)?;
                self.inline_let(arena, LetId(id), span)
            }
            _ => {
                let base = self.lower_binding(arena, binding, name);
                let first_axis = self.declared_first_axis(binding).map(|dim| (name, dim));
                let index = self.tensor_index(index_value, first_axis, index.span)?;
                Some(arena.op(Op::Index { index }, vec![base?], span))
            }
        }
    }

    /// The id of entry `index` of a family, if it is defined before `site`.
    pub(super) fn family_entry(
        &mut self,
        family: FamilyId,
        name: &Ident,
        index: i64,
        span: Span,
        site: &Site,
    ) -> Option<usize> {
        let family = &self.families[family.0];
        match family.entries.get(&index) {
            Some(entry) if entry.visible_from <= site.position => Some(entry.id),
            Some(entry) => {
                let definition = entry.span;
                self.report_early_use(&format!("{}[{index}]", name.name), span, definition);
                None
            }
            None if !family.complete || self.reported_error_at(span) => None,
            None => {
                let label = format!(
                    "`{}` is defined for {}",
                    name.name,
                    family.describe_indices()
                );
                let message = format!("index {index} is out of range for `{}`", name.name);
                self.report(Diagnostic::error(span, message).with_primary_label(label));
                None
            }
        }
    }

    /// The first axis of a declared tensor (input, target or parameter), for range checks.
    pub(super) fn declared_first_axis(&self, binding: Binding) -> Option<Dim> {
        let shape = match binding {
            Binding::Input(id) | Binding::Target(id) => {
                self.graph.vertices.get(id.0)?.shape.as_ref()?
            }
            Binding::Param(id) => &self.graph.params.get(id.0)?.shape,
            _ => return None,
        };
        shape.0.first().copied()
    }

    /// An index into the first axis of a tensor: not negative, and inside a fixed first axis.
    pub(super) fn tensor_index(
        &mut self,
        index: i64,
        first_axis: Option<(&Ident, Dim)>,
        span: Span,
    ) -> Option<usize> {
        let Ok(value) = usize::try_from(index) else {
            let diagnostic = Diagnostic::error(span, format!("index {index} is out of range"))
                .with_primary_label("indices start at 0");
            self.report(diagnostic);
            return None;
        };
        if let Some((name, Dim::Fixed(size))) = first_axis
            && value >= size
        {
            let message = format!("index {index} is out of range for `{}`", name.name);
            let label = format!("the first axis of `{}` has size {size}", name.name);
            self.report(Diagnostic::error(span, message).with_primary_label(label));
            return None;
        }
        Some(value)
    }
}

fn binary_op(op: BinOp) -> Op {
    match op {
        BinOp::Add => Op::Add,
        BinOp::Sub => Op::Sub,
        BinOp::Mul => Op::Mul,
        BinOp::Div => Op::Div,
        BinOp::MatMul => Op::MatMul,
    }
}
