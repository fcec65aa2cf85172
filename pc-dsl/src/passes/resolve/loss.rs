//! `loss` statements: a loss vertex on a node, compared with a target or one entry of it.

use crate::diag::{Diagnostic, Span};
use crate::ir::{Expr, LossFn, VertexId, VertexKind};
use crate::syntax::ast::{self, Arg, ExprKind, Ident};

use super::Lowering;
use super::scope::{Binding, Site};
use super::suggest::closest;

/// A lowered loss: the vertex's name, kind and prediction.
pub(super) struct Loss {
    pub name: String,
    pub kind: VertexKind,
    pub expr: Expr,
}

impl Lowering<'_> {
    /// The loss vertex of `loss func(prediction, target)`, or `None` after reporting why not.
    pub(super) fn lower_loss(&mut self, func: &Ident, args: &[Arg], site: &Site) -> Option<Loss> {
        let loss_fn = self.loss_fn(func);
        let mut named = false;
        for name in args.iter().filter_map(|arg| arg.name.as_ref()) {
            let message = "a loss takes no named arguments";
            self.report(Diagnostic::error(name.span, message));
            named = true;
        }
        if args.len() != 2 {
            let message = format!("`{}` takes 2 arguments, found {}", func.name, args.len());
            let diagnostic = Diagnostic::error(func.span, message)
                .with_help("a loss compares a vertex with a target, as in `mse(out, y)`");
            self.report(diagnostic);
            return None;
        }

        let prediction = self.loss_prediction(&args[0].value, site);
        let target = self.loss_target(&args[1].value, site);
        let (loss_fn, (vertex, prediction), (target, target_index, target_text)) =
            (loss_fn?, prediction?, target?);
        if named {
            return None;
        }
        Some(Loss {
            name: format!("{}({prediction}, {target_text})", loss_fn.name()),
            kind: VertexKind::Loss {
                func: loss_fn,
                target,
                target_index,
            },
            expr: Expr::vertex(vertex, args[0].value.span),
        })
    }

    fn loss_fn(&mut self, func: &Ident) -> Option<LossFn> {
        match func.name.as_str() {
            "mse" => Some(LossFn::Mse),
            "cross_entropy" => Some(LossFn::CrossEntropy),
            name => {
                let message = format!("unknown loss function `{name}`");
                let help = match closest(name, ["mse", "cross_entropy"]) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "the losses are `mse` and `cross_entropy`".to_string(),
                };
                self.report(Diagnostic::error(func.span, message).with_help(help));
                None
            }
        }
    }

    /// The vertex a loss is on: a node, or one entry of an indexed node.
    fn loss_prediction(&mut self, expr: &ast::Expr, site: &Site) -> Option<(VertexId, String)> {
        let Some((name, index)) = name_and_index(expr) else {
            return self.report_not_a_vertex(expr.span, "this is an expression, not a vertex");
        };
        let index = index.map(|index| self.eval_int(index, site, "index"));
        match (self.lookup(name, site)?, index) {
            (Binding::Node(id), None) => Some((id, name.name.clone())),
            (Binding::NodeFamily(family), Some(index)) => {
                let index = index?;
                let id = self.family_entry(family, name, index, expr.span, site)?;
                Some((VertexId(id), format!("{}[{index}]", name.name)))
            }
            (Binding::NodeFamily(_), None) => {
                let message = format!("`{}` needs an index", name.name);
                let help = format!("name one entry, as in `{}[0]`", name.name);
                self.report(Diagnostic::error(name.span, message).with_help(help));
                None
            }
            (Binding::Failed, _) => None,
            (Binding::Node(_), Some(_)) => {
                let label = format!("this is an entry of the node `{}`, not a vertex", name.name);
                self.report_not_a_vertex(expr.span, &label)
            }
            (binding, _) => self.report_not_a_vertex(expr.span, &binding.describe(&name.name)),
        }
    }

    fn report_not_a_vertex<T>(&mut self, span: Span, label: &str) -> Option<T> {
        let diagnostic = Diagnostic::error(span, "a loss must be on a vertex")
            .with_primary_label(label)
            .with_help("declare the value as a `node` and put the loss on it");
        self.report(diagnostic);
        None
    }

    /// What a loss compares with: a target, or one entry of its first axis.
    fn loss_target(
        &mut self,
        expr: &ast::Expr,
        site: &Site,
    ) -> Option<(VertexId, Option<usize>, String)> {
        let message = "the second argument of a loss must be a target";
        let Some((name, index)) = name_and_index(expr) else {
            let diagnostic = Diagnostic::error(expr.span, message)
                .with_primary_label("this is an expression, not a target");
            self.report(diagnostic);
            return None;
        };
        let index_value = index.map(|index| self.eval_int(index, site, "index"));

        let target = match self.lookup(name, site)? {
            Binding::Target(id) => id,
            Binding::Failed => return None,
            binding => {
                let diagnostic = Diagnostic::error(expr.span, message)
                    .with_primary_label(binding.describe(&name.name));
                self.report(diagnostic);
                return None;
            }
        };
        let (Some(index), Some(value)) = (index, index_value) else {
            return Some((target, None, name.name.clone()));
        };
        let first_axis = self.declared_first_axis(Binding::Target(target));
        let value = self.tensor_index(value?, first_axis.map(|dim| (name, dim)), index.span)?;
        Some((target, Some(value), format!("{}[{value}]", name.name)))
    }
}

/// `h` or `h[index]`, the forms a loss argument may take.
fn name_and_index(expr: &ast::Expr) -> Option<(&Ident, Option<&ast::Expr>)> {
    match &expr.kind {
        ExprKind::Name(name) => Some((name, None)),
        ExprKind::Index { base, index } => match &base.kind {
            ExprKind::Name(name) => Some((name, Some(index))),
            _ => None,
        },
        _ => None,
    }
}
