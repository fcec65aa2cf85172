//! Declared tensors: the shapes of inputs, targets and parameters, and initialisers.

use crate::diag::Diagnostic;
use crate::ir::{self, Dim, Shape};
use crate::syntax::ast::{Expr, ExprKind, Ident, Init, ShapeExpr, Stmt};

use super::Lowering;
use super::scope::{Binding, Site};
use super::suggest::closest;

/// The initialisers, with the arguments each takes.
const INITIALISERS: [(&str, &str); 6] = [
    ("zeros", ""),
    ("ones", ""),
    ("xavier", ""),
    ("he", ""),
    ("normal", "std"),
    ("uniform", "lo, hi"),
];

impl Lowering<'_> {
    /// Adds a parameter to the graph; a parameter whose declaration fails is not added.
    pub(super) fn declare_param(
        &mut self,
        stmt: &Stmt,
        name: &Ident,
        shape: &ShapeExpr,
        init: &Init,
        site: &Site,
    ) -> Binding {
        let shape = self.lower_param_shape(shape, site);
        let init = self.lower_init(init, site);
        let (Some(shape), Some(init)) = (shape, init) else {
            return Binding::Failed;
        };
        let id = ir::ParamId(self.graph.params.len());
        self.graph.params.push(ir::Param {
            name: name.name.clone(),
            doc: stmt.doc.clone(),
            span: name.span,
            shape,
            init,
            users: Vec::new(),
        });
        Binding::Param(id)
    }

    /// A parameter's shape: sizes known at compile time only, since its tensor is allocated
    /// once, before any data is seen.
    fn lower_param_shape(&mut self, shape: &ShapeExpr, site: &Site) -> Option<Shape> {
        let lowered = self.lower_shape(&shape.dims, site)?;
        let mut fixed = true;
        for (dim, expr) in lowered.0.iter().zip(&shape.dims) {
            if let Dim::Runtime(id) = dim {
                let label = format!("`{}` is known only at run time", self.graph.dim_name(*id));
                let diagnostic =
                    Diagnostic::error(expr.span, "a parameter cannot have a run-time dimension")
                        .with_primary_label(label)
                        .with_help("parameters have fixed shapes; use a `const` here");
                self.report(diagnostic);
                fixed = false;
            }
        }
        fixed.then_some(lowered)
    }

    /// A shape written as a list of dimensions: `[B, 64]` or `[B, HID * 2]`.
    pub(super) fn lower_shape(&mut self, dims: &[Expr], site: &Site) -> Option<Shape> {
        let dims: Vec<Option<Dim>> = dims.iter().map(|dim| self.lower_dim(dim, site)).collect();
        dims.into_iter().collect::<Option<Vec<Dim>>>().map(Shape)
    }

    /// One dimension: a run-time `dim` by name, or a positive constant.
    fn lower_dim(&mut self, expr: &Expr, site: &Site) -> Option<Dim> {
        let size = match &expr.kind {
            ExprKind::Name(name) => match self.lookup(name, site)? {
                Binding::Dim(id) => return Some(Dim::Runtime(id)),
                Binding::Const(value) | Binding::LoopVar(value) => value,
                binding => {
                    let message = "a dimension must be a constant or a run-time `dim`";
                    let diagnostic = Diagnostic::error(name.span, message)
                        .with_primary_label(binding.describe(&name.name));
                    self.report(diagnostic);
                    return None;
                }
            },
            _ => self.eval_int(expr, site, "dimension")?,
        };
        match usize::try_from(size) {
            Ok(size) if size >= 1 => Some(Dim::Fixed(size)),
            _ => {
                let message = format!("dimension must be at least 1, found {size}");
                self.report(Diagnostic::error(expr.span, message));
                None
            }
        }
    }

    /// An initialiser: `xavier`, `normal(0.1)`, `uniform(-1, 1)`.
    fn lower_init(&mut self, init: &Init, site: &Site) -> Option<ir::Init> {
        let name = init.name.name.as_str();
        let Some(&(_, params)) = INITIALISERS.iter().find(|(known, _)| *known == name) else {
            let known = INITIALISERS.iter().map(|(known, _)| *known);
            let help = match closest(name, known) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "the initialisers are `zeros`, `ones`, `xavier`, `he`, `normal(std)` \
                         and `uniform(lo, hi)`"
                    .to_string(),
            };
            let diagnostic =
                Diagnostic::error(init.name.span, format!("unknown initialiser `{name}`"))
                    .with_help(help);
            self.report(diagnostic);
            return None;
        };

        let expected = params.split(", ").filter(|param| !param.is_empty()).count();
        if init.args.len() != expected {
            let diagnostic = Diagnostic::error(init.span, init_arity_message(name, expected, init))
                .with_help(match params {
                    "" => format!("write `{name}`"),
                    _ => format!("write `{name}({params})`"),
                });
            self.report(diagnostic);
            return None;
        }

        let what = format!("an argument of `{name}`");
        let args: Vec<Option<f64>> = init
            .args
            .iter()
            .map(|arg| self.eval_number(arg, site, &what))
            .collect();
        let args: Vec<f64> = args.into_iter().collect::<Option<_>>()?;
        self.init_from_args(name, &args, init)
    }

    fn init_from_args(&mut self, name: &str, args: &[f64], init: &Init) -> Option<ir::Init> {
        let lowered = match (name, args) {
            ("zeros", _) => ir::Init::Zeros,
            ("ones", _) => ir::Init::Ones,
            ("xavier", _) => ir::Init::Xavier,
            ("he", _) => ir::Init::He,
            ("normal", &[std]) if std > 0.0 => ir::Init::Normal { std },
            ("uniform", &[lo, hi]) if lo < hi => ir::Init::Uniform { lo, hi },
            ("normal", _) => {
                let message = "the standard deviation of `normal` must be positive";
                self.report(Diagnostic::error(init.span, message));
                return None;
            }
            _ => {
                let message = "`uniform(lo, hi)` needs `lo` below `hi`";
                self.report(Diagnostic::error(init.span, message));
                return None;
            }
        };
        Some(lowered)
    }
}

fn init_arity_message(name: &str, expected: usize, init: &Init) -> String {
    let found = init.args.len();
    match expected {
        0 => format!("`{name}` takes no arguments, found {found}"),
        1 => format!("`{name}` takes 1 argument, found {found}"),
        _ => format!("`{name}` takes {expected} arguments, found {found}"),
    }
}
