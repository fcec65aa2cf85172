//! Constant folding: integer expressions over literals, constants and loop variables.
//!
//! Loop bounds, indices, dimensions and the settings of calls (`stride`, `k`, `axis`) are
//! folded here. Arithmetic is checked: an overflow or an inexact division is an error for the
//! user, never a panic.

use crate::diag::{Diagnostic, Span};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Number};

use super::Lowering;
use super::scope::{Binding, Site};

impl Lowering<'_> {
    /// The value of an integer constant expression; `what` names it in errors ("loop bound").
    ///
    /// Both sides of an operator are folded before either error stops the fold, so that every
    /// mistake in the expression is reported.
    pub(super) fn eval_int(&mut self, expr: &Expr, site: &Site, what: &str) -> Option<i64> {
        match &expr.kind {
            ExprKind::Number(Number::Int(value)) => Some(*value),
            ExprKind::Number(Number::Float(value)) => {
                let message = format!("{what} must be an integer, found `{value}`");
                self.report(Diagnostic::error(expr.span, message));
                None
            }
            ExprKind::Name(name) => match self.lookup(name, site)? {
                Binding::Const(value) | Binding::LoopVar(value) => Some(value),
                binding => {
                    let message = format!("{what} must be a constant");
                    let diagnostic = Diagnostic::error(name.span, message)
                        .with_primary_label(binding.describe(&name.name));
                    self.report(diagnostic);
                    None
                }
            },
            ExprKind::Neg(operand) => {
                let value = self.eval_int(operand, site, what)?;
                self.checked(value.checked_neg(), expr.span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let lhs = self.eval_int(lhs, site, what);
                let rhs = self.eval_int(rhs, site, what);
                self.fold(*op, lhs?, rhs?, expr.span)
            }
            ExprKind::Index { .. } | ExprKind::Call { .. } | ExprKind::List(_) => {
                let diagnostic = Diagnostic::error(expr.span, format!("{what} must be a constant"))
                    .with_primary_label("this is not a constant expression");
                self.report(diagnostic);
                None
            }
        }
    }

    fn fold(&mut self, op: BinOp, lhs: i64, rhs: i64, span: Span) -> Option<i64> {
        match op {
            BinOp::Add => self.checked(lhs.checked_add(rhs), span),
            BinOp::Sub => self.checked(lhs.checked_sub(rhs), span),
            BinOp::Mul => self.checked(lhs.checked_mul(rhs), span),
            BinOp::Div if rhs == 0 => {
                let message = "division by zero in a constant expression";
                self.report(Diagnostic::error(span, message));
                None
            }
            BinOp::Div if lhs.checked_rem(rhs).is_some_and(|rest| rest != 0) => {
                let message = format!("constant division is not exact: {lhs} / {rhs}");
                let diagnostic = Diagnostic::error(span, message)
                    .with_help("sizes and indices must divide without a remainder");
                self.report(diagnostic);
                None
            }
            BinOp::Div => self.checked(lhs.checked_div(rhs), span),
            BinOp::MatMul => {
                let message = "`@` is not allowed in a constant expression";
                self.report(Diagnostic::error(span, message));
                None
            }
        }
    }

    fn checked(&mut self, value: Option<i64>, span: Span) -> Option<i64> {
        if value.is_none() {
            let message = "integer overflow in a constant expression";
            self.report(Diagnostic::error(span, message));
        }
        value
    }

    /// The value of a numeric constant: a literal, a constant, or arithmetic on them.
    pub(super) fn eval_number(&mut self, expr: &Expr, site: &Site, what: &str) -> Option<f64> {
        let value = match &expr.kind {
            ExprKind::Number(number) => number.as_f64(),
            ExprKind::Name(_) => self.eval_int(expr, site, what)? as f64,
            ExprKind::Neg(operand) => -self.eval_number(operand, site, what)?,
            ExprKind::Binary { op, lhs, rhs } if *op != BinOp::MatMul => {
                let lhs = self.eval_number(lhs, site, what);
                let rhs = self.eval_number(rhs, site, what);
                let (lhs, rhs) = (lhs?, rhs?);
                match op {
                    BinOp::Add => lhs + rhs,
                    BinOp::Sub => lhs - rhs,
                    BinOp::Mul => lhs * rhs,
                    _ => lhs / rhs,
                }
            }
            _ => {
                let diagnostic =
                    Diagnostic::error(expr.span, format!("{what} must be a numeric constant"))
                        .with_primary_label("this is not a constant expression");
                self.report(diagnostic);
                return None;
            }
        };
        if !value.is_finite() {
            let message = format!("{what} must be a finite number");
            self.report(Diagnostic::error(expr.span, message));
            return None;
        }
        Some(value)
    }
}
