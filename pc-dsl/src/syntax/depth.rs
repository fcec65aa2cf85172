//! The bound on expression depth that both front ends enforce while they build trees.

use super::ast::{Expr, ExprKind, Number};
use crate::diag::{Diagnostic, Span};

/// The deepest expression tree the parsers build.
///
/// Later phases walk trees recursively, and even dropping a tree recurses once per level, so
/// long operator chains such as `a + a + ... + a` must be cut off while they are built.
const MAX_DEPTH: usize = 256;

/// An expression with the depth of its tree.
pub(super) struct Tree {
    pub expr: Expr,
    pub depth: usize,
}

impl Tree {
    /// A leaf: an expression with no children.
    pub fn leaf(expr: Expr) -> Tree {
        Tree { expr, depth: 1 }
    }
}

/// Builds nodes within [`MAX_DEPTH`], reporting the first node of a statement that is not.
#[derive(Default)]
pub(super) struct DepthLimit {
    /// Whether the statement already has an error for a too deep expression.
    reported: bool,
}

impl DepthLimit {
    /// A node over children of depth `depth`, or a stand-in leaf with an error in
    /// `diagnostics` when the tree would be too deep.
    pub fn node(
        &mut self,
        kind: ExprKind,
        span: Span,
        depth: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Tree {
        if depth < MAX_DEPTH {
            let expr = Expr { kind, span };
            return Tree {
                expr,
                depth: depth + 1,
            };
        }
        if !self.reported {
            self.reported = true;
            let error = Diagnostic::error(span, "expression is nested too deeply").with_help(
                format!("expressions may be at most {MAX_DEPTH} levels deep"),
            );
            diagnostics.push(error);
        }
        Tree::leaf(Expr {
            kind: ExprKind::Number(Number::Int(0)),
            span,
        })
    }
}
