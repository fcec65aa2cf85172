//! The functions of the language: their arguments, and how a call becomes an [`Op`].

use crate::diag::{Diagnostic, Span};
use crate::ir::{NodeId, Op};
use crate::syntax::ast::{Arg, Expr, ExprKind, Ident};

use super::Lowering;
use super::expr::Arena;
use super::scope::Site;
use super::suggest::closest;

/// What an argument of a function takes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ArgKind {
    /// A tensor expression.
    Tensor,
    /// A numeric constant.
    Number,
    /// An integer constant of at least `min`, with a default when it may be left out.
    Count { min: i64, default: Option<i64> },
    /// A list of dimensions.
    Dims,
}

/// One named argument of a function.
#[derive(Clone, Copy, Debug)]
struct ArgSpec {
    name: &'static str,
    kind: ArgKind,
}

impl ArgSpec {
    const fn new(name: &'static str, kind: ArgKind) -> Self {
        ArgSpec { name, kind }
    }

    fn is_required(&self) -> bool {
        !matches!(
            self.kind,
            ArgKind::Count {
                default: Some(_),
                ..
            }
        )
    }
}

/// A function: its name and arguments. A variadic one takes any number of tensors first.
#[derive(Clone, Copy, Debug)]
struct Function {
    name: &'static str,
    args: &'static [ArgSpec],
    variadic: bool,
}

const X: ArgSpec = ArgSpec::new("x", ArgKind::Tensor);
const UNARY: &[ArgSpec] = &[X];

/// Every function a model may call.
const FUNCTIONS: &[Function] = &[
    Function::fixed("tanh", UNARY),
    Function::fixed("sigmoid", UNARY),
    Function::fixed("relu", UNARY),
    Function::fixed("exp", UNARY),
    Function::fixed("log", UNARY),
    Function::fixed("softplus", UNARY),
    Function::fixed("identity", UNARY),
    Function::fixed("softmax", UNARY),
    Function::fixed("flatten", UNARY),
    Function::fixed("transpose", UNARY),
    Function::fixed("leaky_relu", &[X, ArgSpec::new("slope", ArgKind::Number)]),
    Function::fixed(
        "conv2d",
        &[
            X,
            ArgSpec::new("w", ArgKind::Tensor),
            ArgSpec::new("stride", count(1, Some(1))),
            ArgSpec::new("padding", count(0, Some(0))),
        ],
    ),
    Function::fixed("max_pool2d", &[X, ArgSpec::new("k", count(1, None))]),
    Function::fixed("avg_pool2d", &[X, ArgSpec::new("k", count(1, None))]),
    Function::fixed("reshape", &[X, ArgSpec::new("shape", ArgKind::Dims)]),
    Function {
        name: "concat",
        args: &[ArgSpec::new("axis", count(0, Some(1)))],
        variadic: true,
    },
];

const fn count(min: i64, default: Option<i64>) -> ArgKind {
    ArgKind::Count { min, default }
}

impl Function {
    const fn fixed(name: &'static str, args: &'static [ArgSpec]) -> Self {
        Function {
            name,
            args,
            variadic: false,
        }
    }

    fn find(name: &str) -> Option<&'static Function> {
        FUNCTIONS.iter().find(|function| function.name == name)
    }

    /// "1 argument", "2 to 4 arguments": how many arguments a call may have.
    fn arity(&self) -> String {
        let required = self.args.iter().filter(|arg| arg.is_required()).count();
        let total = self.args.len();
        match (required, total) {
            (1, 1) => "1 argument".to_string(),
            (required, total) if required == total => format!("{total} arguments"),
            (required, total) => format!("{required} to {total} arguments"),
        }
    }
}

/// The arguments of a call matched to the function's: one slot per argument, and for a
/// variadic function the tensors before them.
struct Bound<'e> {
    tensors: Vec<&'e Expr>,
    slots: Vec<Option<&'e Expr>>,
}

impl Lowering<'_> {
    /// Lowers `func(args)` into an operation node.
    pub(super) fn lower_call(
        &mut self,
        arena: &mut Arena,
        func: &Ident,
        args: &[Arg],
        span: Span,
        site: &Site,
    ) -> Option<NodeId> {
        let Some(function) = Function::find(&func.name) else {
            self.report_unknown_function(func);
            return None;
        };
        let bound = self.bind_args(function, args, span)?;

        let operands: Vec<Option<NodeId>> = bound
            .tensors
            .iter()
            .map(|tensor| self.lower_value(arena, tensor, site))
            .collect();
        let op = self.call_op(function, &bound, site);
        let operands: Vec<NodeId> = operands.into_iter().collect::<Option<_>>()?;
        Some(arena.op(op?, operands, span))
    }

    fn report_unknown_function(&mut self, func: &Ident) {
        let name = func.name.as_str();
        let mut diagnostic = Diagnostic::error(func.span, format!("unknown function `{name}`"));
        if name == "mse" || name == "cross_entropy" {
            diagnostic = diagnostic.with_help(format!(
                "`{name}` is a loss: use it in a statement such as `loss {name}(out, y);`"
            ));
        } else if let Some(close) = closest(name, FUNCTIONS.iter().map(|function| function.name)) {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        }
        self.report(diagnostic);
    }

    /// Matches positional and named arguments to the function's; reports every mismatch.
    fn bind_args<'e>(
        &mut self,
        function: &Function,
        args: &'e [Arg],
        span: Span,
    ) -> Option<Bound<'e>> {
        let mut bound = Bound {
            tensors: Vec::new(),
            slots: vec![None; function.args.len()],
        };
        let positional: Vec<&Expr> = args
            .iter()
            .filter(|arg| arg.name.is_none())
            .map(|arg| &arg.value)
            .collect();
        let fits = function.variadic || positional.len() <= bound.slots.len();
        match function.variadic {
            true => bound.tensors = positional,
            false => {
                for (slot, value) in bound.slots.iter_mut().zip(positional) {
                    *slot = Some(value);
                }
            }
        }

        let mut named_fit = true;
        for arg in args {
            if let Some(name) = &arg.name {
                named_fit &= self.bind_named(function, name, &arg.value, &mut bound);
            }
        }
        if !named_fit || !self.check_arity(function, &bound, fits, args, span) {
            return None;
        }

        for (spec, slot) in function.args.iter().zip(&bound.slots) {
            if let (ArgKind::Tensor, Some(value)) = (spec.kind, slot) {
                bound.tensors.push(value);
            }
        }
        Some(bound)
    }

    /// Whether the call has as many arguments as the function takes; reports it if not.
    fn check_arity(
        &mut self,
        function: &Function,
        bound: &Bound,
        fits: bool,
        args: &[Arg],
        span: Span,
    ) -> bool {
        let name = function.name;
        if function.variadic && bound.tensors.len() < 2 {
            let found = bound.tensors.len();
            let message = format!("`{name}` takes at least 2 tensors, found {found}");
            self.report(Diagnostic::error(span, message));
            return false;
        }
        let missing = function
            .args
            .iter()
            .zip(&bound.slots)
            .any(|(spec, slot)| spec.is_required() && slot.is_none());
        if !fits || missing {
            let (arity, found) = (function.arity(), args.len());
            let message = format!("`{name}` takes {arity}, found {found}");
            self.report(Diagnostic::error(span, message));
            return false;
        }
        true
    }

    /// Puts `name = value` into its slot; false after reporting an unknown or repeated name.
    fn bind_named<'e>(
        &mut self,
        function: &Function,
        name: &Ident,
        value: &'e Expr,
        bound: &mut Bound<'e>,
    ) -> bool {
        let names = function.args.iter().map(|spec| spec.name);
        let Some(slot) = names.clone().position(|known| known == name.name) else {
            let message = format!("`{}` has no argument `{}`", function.name, name.name);
            let listed: Vec<String> = names.clone().map(|known| format!("`{known}`")).collect();
            let mut diagnostic = Diagnostic::error(name.span, message).with_help(format!(
                "the arguments of `{}` are {}",
                function.name,
                join_and(&listed)
            ));
            if let Some(close) = closest(&name.name, names) {
                diagnostic = diagnostic.with_primary_label(format!("did you mean `{close}`?"));
            }
            self.report(diagnostic);
            return false;
        };
        if bound.slots[slot].is_some() {
            let message = format!("argument `{}` is given twice", name.name);
            self.report(Diagnostic::error(name.span, message));
            return false;
        }
        bound.slots[slot] = Some(value);
        true
    }

    /// The operation of a call, with its constant arguments folded.
    fn call_op(&mut self, function: &Function, bound: &Bound, site: &Site) -> Option<Op> {
        let op = match function.name {
            "tanh" => Op::Tanh,
            "sigmoid" => Op::Sigmoid,
            "relu" => Op::Relu,
            "exp" => Op::Exp,
            "log" => Op::Log,
            "softplus" => Op::Softplus,
            "identity" => Op::Identity,
            "softmax" => Op::Softmax,
            "flatten" => Op::Flatten,
            "transpose" => Op::Transpose,
            "leaky_relu" => {
                let slope = bound.slots[1]?;
                let slope = self.eval_number(slope, site, "the slope of `leaky_relu`")?;
                Op::LeakyRelu { slope }
            }
            "conv2d" => {
                let stride = self.count_arg(function, bound, 2, site);
                let padding = self.count_arg(function, bound, 3, site);
                Op::Conv2d {
                    stride: stride?,
                    padding: padding?,
                }
            }
            "max_pool2d" => Op::MaxPool2d {
                size: self.count_arg(function, bound, 1, site)?,
            },
            "avg_pool2d" => Op::AvgPool2d {
                size: self.count_arg(function, bound, 1, site)?,
            },
            "reshape" => Op::Reshape {
                shape: self.reshape_target(bound.slots[1]?, site)?,
            },
            "concat" => Op::Concat {
                axis: self.count_arg(function, bound, 0, site)?,
            },
            _ => unreachable!("every function of FUNCTIONS has an operation"),
        };
        Some(op)
    }

    /// The constant in slot `slot`, or its default; at least the argument's minimum.
    fn count_arg(
        &mut self,
        function: &Function,
        bound: &Bound,
        slot: usize,
        site: &Site,
    ) -> Option<usize> {
        let spec = function.args[slot];
        let ArgKind::Count { min, default } = spec.kind else {
            unreachable!("count_arg is only called on count arguments")
        };
        let what = format!("`{}`", spec.name);
        let value = match bound.slots[slot] {
            Some(expr) => self.eval_int(expr, site, &what)?,
            None => default?,
        };
        if value < min {
            let message = format!("`{}` must be at least {min}, found {value}", spec.name);
            let span = bound.slots[slot].map_or(Span::default(), |expr| expr.span);
            self.report(Diagnostic::error(span, message));
            return None;
        }
        usize::try_from(value).ok()
    }

    /// The shape argument of `reshape`: a list of constants and run-time dimensions.
    fn reshape_target(&mut self, expr: &Expr, site: &Site) -> Option<crate::ir::Shape> {
        let ExprKind::List(dims) = &expr.kind else {
            let message = "the shape of `reshape` must be a list, as in `[B, 64]`";
            self.report(Diagnostic::error(expr.span, message));
            return None;
        };
        self.lower_shape(dims, site)
    }
}

/// "`a`, `b` and `c`".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
