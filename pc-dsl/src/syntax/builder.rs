//! Builds AST nodes from the pairs pest produced for one statement.

use pest::iterators::{Pair, Pairs};

use super::ast::{Arg, BinOp, Expr, ExprKind, Ident, Init, Number, ShapeExpr, Stmt, StmtKind};
use super::depth::{DepthLimit, Tree};
use super::parser::Rule;
use crate::diag::{Diagnostic, Span};

/// Builds the nodes of one statement, collecting the errors pest cannot see.
pub(super) struct Builder<'d> {
    /// Where the text given to pest starts in the file: pest's offsets count from there.
    offset: usize,
    diagnostics: &'d mut Vec<Diagnostic>,
    depth: DepthLimit,
}

impl<'d> Builder<'d> {
    /// A builder for pairs parsed from the text that starts at `offset`.
    pub(super) fn new(offset: usize, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Builder {
            offset,
            diagnostics,
            depth: DepthLimit::default(),
        }
    }

    fn span(&self, pair: &Pair<Rule>) -> Span {
        let span = pair.as_span();
        Span::new(self.offset + span.start(), self.offset + span.end())
    }

    /// The statement of a `stmt` pair; a `for` loop comes with an empty body for the caller.
    pub(super) fn stmt(&mut self, pair: Pair<Rule>, doc: Vec<String>) -> Stmt {
        let span = self.span(&pair);
        let stmt = first(pair.into_inner());
        let rule = stmt.as_rule();
        let mut parts = children(stmt);
        let kind = match rule {
            Rule::stmt_dim => StmtKind::Dim {
                name: self.ident(next(&mut parts)),
            },
            Rule::stmt_const => StmtKind::Const {
                name: self.ident(next(&mut parts)),
                value: self.expr(next(&mut parts)),
            },
            Rule::stmt_input => StmtKind::Input {
                name: self.ident(next(&mut parts)),
                shape: self.shape(next(&mut parts)),
            },
            Rule::stmt_target => StmtKind::Target {
                name: self.ident(next(&mut parts)),
                shape: self.shape(next(&mut parts)),
            },
            Rule::stmt_param => StmtKind::Param {
                name: self.ident(next(&mut parts)),
                shape: self.shape(next(&mut parts)),
                init: self.init(next(&mut parts)),
            },
            Rule::stmt_node => {
                let (name, index, value) = self.binding(parts);
                StmtKind::Node { name, index, value }
            }
            Rule::stmt_let => {
                let (name, index, value) = self.binding(parts);
                StmtKind::Let { name, index, value }
            }
            Rule::stmt_loss => {
                let (func, args, _) = self.call_parts(next(&mut parts));
                StmtKind::Loss { func, args }
            }
            Rule::for_head => StmtKind::For {
                var: self.ident(next(&mut parts)),
                start: self.expr(next(&mut parts)),
                end: self.expr(next(&mut parts)),
                body: Vec::new(),
            },
            rule => unreachable!("the grammar's `stmt` has no alternative {rule:?}"),
        };
        Stmt { doc, kind, span }
    }

    /// The name of a `model_head` pair.
    pub(super) fn model_name(&self, pair: Pair<Rule>) -> Ident {
        self.ident(next(&mut children(pair)))
    }

    /// `name[index] = value` of a `node` or `let`.
    fn binding<'i>(
        &mut self,
        parts: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> (Ident, Option<Expr>, Expr) {
        let mut parts = parts.peekable();
        let name = self.ident(next(&mut parts));
        let index = parts
            .next_if(|pair| pair.as_rule() == Rule::subscript)
            .map(|pair| self.expr(next(&mut children(pair))));
        let value = self.expr(next(&mut parts));
        (name, index, value)
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn shape(&mut self, pair: Pair<Rule>) -> ShapeExpr {
        let span = self.span(&pair);
        let dims = children(pair).map(|dim| self.expr(dim)).collect();
        ShapeExpr { dims, span }
    }

    fn init(&mut self, pair: Pair<Rule>) -> Init {
        let span = self.span(&pair);
        let mut parts = children(pair);
        let name = self.ident(next(&mut parts));
        let args = parts.map(|arg| self.expr(arg)).collect();
        Init { name, args, span }
    }

    fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        self.tree(pair).expr
    }

    /// The tree of an `expr` pair: operands and operators, folded so that `@ * /` bind
    /// tighter than `+ -` and every operator is left-associative.
    fn tree(&mut self, pair: Pair<Rule>) -> Tree {
        let mut operands = Vec::new();
        let mut operators = Vec::new();
        for part in pair.into_inner() {
            match binary_op(part.as_rule()) {
                Some(op) => operators.push(op),
                None => operands.push(self.operand(part)),
            }
        }

        // The products first: each maximal run of them becomes one left-leaning term.
        let mut operands = operands.into_iter();
        let mut terms = vec![next(&mut operands)];
        let mut sums = Vec::new();
        for (op, rhs) in operators.into_iter().zip(operands) {
            if op.precedence() == BinOp::Mul.precedence() {
                let lhs = terms
                    .pop()
                    .expect("a run of products starts with an operand");
                terms.push(self.binary(op, lhs, rhs));
            } else {
                sums.push(op);
                terms.push(rhs);
            }
        }

        let mut terms = terms.into_iter();
        let first = next(&mut terms);
        sums.into_iter()
            .zip(terms)
            .fold(first, |lhs, (op, rhs)| self.binary(op, lhs, rhs))
    }

    fn binary(&mut self, op: BinOp, lhs: Tree, rhs: Tree) -> Tree {
        let span = lhs.expr.span.to(rhs.expr.span);
        let depth = lhs.depth.max(rhs.depth);
        let kind = ExprKind::Binary {
            op,
            lhs: Box::new(lhs.expr),
            rhs: Box::new(rhs.expr),
        };
        self.node(kind, span, depth)
    }

    /// The operand of a `unary` pair. Minus applies to the operand with its calls and
    /// indexing: `-x[t]` is `-(x[t])`.
    ///
    /// One function for the whole operand keeps the stack shallow per level of nesting.
    fn operand(&mut self, pair: Pair<Rule>) -> Tree {
        let mut signs = Vec::new();
        let mut postfix = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::neg => signs.push(self.span(&part)),
                _ => postfix = Some(part),
            }
        }
        let mut parts = postfix
            .expect("a `unary` ends with its operand")
            .into_inner();
        let primary = first(next(&mut parts).into_inner());
        let base = match primary.as_rule() {
            Rule::call => self.call(primary),
            Rule::paren => self.paren(primary),
            Rule::list => self.list(primary),
            _ => self.leaf(primary),
        };
        let indexed = parts.fold(base, |base, subscript| self.index(base, subscript));
        signs.into_iter().rev().fold(indexed, |operand, sign| {
            let span = sign.to(operand.expr.span);
            let kind = ExprKind::Neg(Box::new(operand.expr));
            self.node(kind, span, operand.depth)
        })
    }

    fn index(&mut self, base: Tree, subscript: Pair<Rule>) -> Tree {
        let span = base.expr.span.to(self.span(&subscript));
        let index = self.tree(next(&mut children(subscript)));
        let depth = base.depth.max(index.depth);
        let kind = ExprKind::Index {
            base: Box::new(base.expr),
            index: Box::new(index.expr),
        };
        self.node(kind, span, depth)
    }

    fn call(&mut self, pair: Pair<Rule>) -> Tree {
        let span = self.span(&pair);
        let (func, args, depth) = self.call_parts(pair);
        self.node(ExprKind::Call { func, args }, span, depth)
    }

    /// The function, the arguments and the depth of the deepest argument of a `call` pair.
    fn call_parts(&mut self, pair: Pair<Rule>) -> (Ident, Vec<Arg>, usize) {
        let mut parts = children(pair);
        let func = self.ident(next(&mut parts));
        let mut args = Vec::new();
        let mut depth = 0;
        let mut first_named: Option<Span> = None;
        for arg in parts {
            let (arg, arg_depth) = self.arg(arg);
            depth = depth.max(arg_depth);
            match (&arg.name, first_named) {
                (Some(name), None) => first_named = Some(name.span),
                (None, Some(named)) => self.positional_after_named(&arg, named),
                _ => {}
            }
            args.push(arg);
        }
        (func, args, depth)
    }

    fn arg(&mut self, pair: Pair<Rule>) -> (Arg, usize) {
        let inner = first(pair.into_inner());
        let (name, value) = if inner.as_rule() == Rule::named_arg {
            let mut parts = children(inner);
            (Some(self.ident(next(&mut parts))), next(&mut parts))
        } else {
            (None, inner)
        };
        let value = self.tree(value);
        let depth = value.depth;
        let value = value.expr;
        (Arg { name, value }, depth)
    }

    fn positional_after_named(&mut self, arg: &Arg, named: Span) {
        let error = Diagnostic::error(arg.value.span, "positional argument after a named argument")
            .with_label(named, "named arguments start here")
            .with_help("put the positional arguments first");
        self.diagnostics.push(error);
    }

    /// `(expr)`: the expression itself, its span widened to the parentheses so that a caret
    /// under an operand covers what the user wrote.
    fn paren(&mut self, pair: Pair<Rule>) -> Tree {
        let span = self.span(&pair);
        let mut tree = self.tree(next(&mut children(pair)));
        tree.expr.span = span;
        tree
    }

    fn list(&mut self, pair: Pair<Rule>) -> Tree {
        let span = self.span(&pair);
        let items: Vec<Tree> = children(pair).map(|item| self.tree(item)).collect();
        let depth = items.iter().map(|item| item.depth).max().unwrap_or(0);
        let items = items.into_iter().map(|item| item.expr).collect();
        self.node(ExprKind::List(items), span, depth)
    }

    fn leaf(&mut self, pair: Pair<Rule>) -> Tree {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => ExprKind::Number(self.number(pair.as_str(), span)),
            _ => ExprKind::Name(self.ident(pair)),
        };
        Tree::leaf(Expr { kind, span })
    }

    /// A literal is a float when written with a point or an exponent.
    fn number(&mut self, text: &str, span: Span) -> Number {
        if text.contains(['.', 'e', 'E']) {
            let value: f64 = text.parse().unwrap_or(f64::INFINITY);
            if !value.is_finite() {
                let error = Diagnostic::error(span, "number is too large")
                    .with_help("floats must be below 1.7976931348623157e308");
                self.diagnostics.push(error);
            }
            return Number::Float(value);
        }
        text.parse().map(Number::Int).unwrap_or_else(|_| {
            let error = Diagnostic::error(span, "integer is too large")
                .with_help(format!("integers must be at most {}", i64::MAX));
            self.diagnostics.push(error);
            Number::Int(0)
        })
    }

    /// A node over children of depth `depth`, within the depth limit.
    fn node(&mut self, kind: ExprKind, span: Span, depth: usize) -> Tree {
        self.depth.node(kind, span, depth, self.diagnostics)
    }
}

fn binary_op(rule: Rule) -> Option<BinOp> {
    match rule {
        Rule::add => Some(BinOp::Add),
        Rule::sub => Some(BinOp::Sub),
        Rule::mul => Some(BinOp::Mul),
        Rule::div => Some(BinOp::Div),
        Rule::matmul => Some(BinOp::MatMul),
        _ => None,
    }
}

/// The children of `pair` that carry meaning: keywords and punctuation are left out.
fn children(pair: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pair.into_inner().filter(|part| !is_token(part.as_rule()))
}

fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_model
            | Rule::kw_dim
            | Rule::kw_const
            | Rule::kw_input
            | Rule::kw_target
            | Rule::kw_param
            | Rule::kw_node
            | Rule::kw_let
            | Rule::kw_loss
            | Rule::kw_for
            | Rule::kw_in
            | Rule::semi
            | Rule::colon
            | Rule::comma
            | Rule::assign
            | Rule::lparen
            | Rule::rparen
            | Rule::lbracket
            | Rule::rbracket
            | Rule::lbrace
            | Rule::dotdot
    )
}

fn first(mut pairs: Pairs<Rule>) -> Pair<Rule> {
    next(&mut pairs)
}

/// The next part, which the grammar guarantees is there.
fn next<T>(parts: &mut impl Iterator<Item = T>) -> T {
    parts
        .next()
        .expect("the grammar guarantees the parts the builder reads")
}
