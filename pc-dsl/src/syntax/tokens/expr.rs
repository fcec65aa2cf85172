//! Expressions, shapes, initialisers and call arguments, with the `.pcg` grammar's rules:
//! `@ * /` bind tighter than `+ -`, all left-associative, and unary minus binds looser than
//! calls and indexing.

use proc_macro2::extra::DelimSpan;
use proc_macro2::{Literal, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseBuffer, ParseStream};
use syn::{Token, bracketed, parenthesized, token};

use super::Parser;
use crate::diag::{Diagnostic, Span};
use crate::syntax::ast::{Arg, BinOp, Expr, ExprKind, Init, Number, ShapeExpr};
use crate::syntax::depth::Tree;

/// The arguments of a call, with the span of its `)` and the depth of the deepest.
pub(super) struct Arguments {
    pub args: Vec<Arg>,
    pub close: Span,
    depth: usize,
}

impl Parser {
    /// An expression, up to the first token that cannot continue it.
    pub(super) fn expr(&mut self, input: ParseStream<'_>) -> syn::Result<Expr> {
        Ok(self.tree(input, 0)?.expr)
    }

    /// `[B, 10]`: the shape of a declared tensor.
    pub(super) fn shape(&mut self, input: ParseStream<'_>) -> syn::Result<ShapeExpr> {
        if !input.peek(token::Bracket) {
            return Err(input.error("expected a shape, like `[B, 10]`"));
        }
        let (delimiters, content) = brackets(input)?;
        let open = self.record(delimiters.open());
        let dims = self.expressions(&content, "`]`")?;
        let close = self.record(delimiters.close());
        let dims = dims.into_iter().map(|dim| dim.expr).collect();
        Ok(ShapeExpr {
            dims,
            span: open.to(close),
        })
    }

    /// `xavier`, `normal(0.1)`, `uniform(-1, 1)`.
    pub(super) fn initialiser(&mut self, input: ParseStream<'_>) -> syn::Result<Init> {
        let name = self.ident(input)?;
        let mut span = name.span;
        let mut args = Vec::new();
        if input.peek(token::Paren) {
            let (delimiters, content) = parens(input)?;
            args = self.expressions(&content, "`)`")?;
            span = span.to(self.record(delimiters.close()));
        }
        let args = args.into_iter().map(|arg| arg.expr).collect();
        Ok(Init { name, args, span })
    }

    /// The `[t]` of an indexed `node h[t]` or `let z[t]`, if there is one.
    pub(super) fn subscript(&mut self, input: ParseStream<'_>) -> syn::Result<Option<Expr>> {
        if !input.peek(token::Bracket) {
            return Ok(None);
        }
        let (_, content) = brackets(input)?;
        let index = self.expr(&content)?;
        finish(&content, "`]` or an operator")?;
        Ok(Some(index))
    }

    /// `(a, b, name = c)`: positional arguments first, then named ones.
    pub(super) fn call_arguments(&mut self, input: ParseStream<'_>) -> syn::Result<Arguments> {
        if !input.peek(token::Paren) {
            return Err(input.error("expected `(`"));
        }
        let (delimiters, content) = parens(input)?;
        let mut args = Vec::new();
        let mut depth = 0;
        let mut first_named: Option<Span> = None;
        while !content.is_empty() {
            let named = content.peek(syn::Ident::peek_any)
                && content.peek2(Token![=])
                && !content.peek2(Token![==]);
            let name = if named {
                let name = self.ident(&content)?;
                content.parse::<Token![=]>()?;
                Some(name)
            } else {
                None
            };
            let value = self.tree(&content, 0)?;
            depth = depth.max(value.depth);
            let arg = Arg {
                name,
                value: value.expr,
            };
            match (&arg.name, first_named) {
                (Some(name), None) => first_named = Some(name.span),
                (None, Some(named)) => self.positional_after_named(&arg, named),
                _ => {}
            }
            args.push(arg);
            separator(&content, "`)`")?;
        }
        let close = self.record(delimiters.close());
        Ok(Arguments { args, close, depth })
    }

    fn positional_after_named(&mut self, arg: &Arg, named: Span) {
        let error = Diagnostic::error(arg.value.span, "positional argument after a named argument")
            .with_label(named, "named arguments start here")
            .with_help("put the positional arguments first");
        self.diagnostics.push(error);
    }

    /// Comma-separated expressions filling a group that ends with `close`; a trailing comma
    /// is allowed.
    fn expressions(&mut self, input: ParseStream<'_>, close: &str) -> syn::Result<Vec<Tree>> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(self.tree(input, 0)?);
            separator(input, close)?;
        }
        Ok(items)
    }

    /// Precedence climbing over operators that bind at least as tightly as `min`.
    ///
    /// The right operand only takes tighter operators, so the recursion is two levels deep at
    /// most and a long chain becomes a left-leaning tree in a loop.
    fn tree(&mut self, input: ParseStream<'_>, min: u8) -> syn::Result<Tree> {
        let mut lhs = self.operand(input)?;
        while let Some(op) = peek_operator(input) {
            if op.precedence() < min {
                break;
            }
            let token: TokenTree = input.parse()?;
            self.record(token.span());
            let rhs = self.tree(input, op.precedence() + 1)?;
            let span = lhs.expr.span.to(rhs.expr.span);
            let depth = lhs.depth.max(rhs.depth);
            let kind = ExprKind::Binary {
                op,
                lhs: Box::new(lhs.expr),
                rhs: Box::new(rhs.expr),
            };
            lhs = self.node(kind, span, depth);
        }
        Ok(lhs)
    }

    /// An operand: minus signs, then a primary with its indexing. `-x[t]` is `-(x[t])`.
    fn operand(&mut self, input: ParseStream<'_>) -> syn::Result<Tree> {
        let mut signs = Vec::new();
        while input.peek(Token![-]) {
            let minus: Token![-] = input.parse()?;
            signs.push(self.record(minus.span));
        }
        let mut tree = self.primary(input)?;
        while input.peek(token::Bracket) {
            let (delimiters, content) = brackets(input)?;
            let index = self.tree(&content, 0)?;
            finish(&content, "`]` or an operator")?;
            let span = tree.expr.span.to(self.record(delimiters.close()));
            let depth = tree.depth.max(index.depth);
            let kind = ExprKind::Index {
                base: Box::new(tree.expr),
                index: Box::new(index.expr),
            };
            tree = self.node(kind, span, depth);
        }
        for sign in signs.into_iter().rev() {
            let span = sign.to(tree.expr.span);
            tree = self.node(ExprKind::Neg(Box::new(tree.expr)), span, tree.depth);
        }
        Ok(tree)
    }

    fn primary(&mut self, input: ParseStream<'_>) -> syn::Result<Tree> {
        if input.peek(syn::LitInt) || input.peek(syn::LitFloat) {
            let literal: Literal = input.parse()?;
            return self.number(&literal);
        }
        if input.peek(token::Paren) {
            // The span widens to the parentheses, so that a caret under an operand covers
            // what the user wrote.
            let (delimiters, content) = parens(input)?;
            let open = self.record(delimiters.open());
            let mut tree = self.tree(&content, 0)?;
            finish(&content, "`)` or an operator")?;
            tree.expr.span = open.to(self.record(delimiters.close()));
            return Ok(tree);
        }
        if input.peek(token::Bracket) {
            let (delimiters, content) = brackets(input)?;
            let open = self.record(delimiters.open());
            let items = self.expressions(&content, "`]`")?;
            let span = open.to(self.record(delimiters.close()));
            let depth = items.iter().map(|item| item.depth).max().unwrap_or(0);
            let items = items.into_iter().map(|item| item.expr).collect();
            return Ok(self.node(ExprKind::List(items), span, depth));
        }
        if !input.peek(syn::Ident::peek_any) {
            return Err(input.error("expected an expression"));
        }
        let name = self.ident(input)?;
        if !input.peek(token::Paren) {
            let span = name.span;
            let expr = Expr {
                kind: ExprKind::Name(name),
                span,
            };
            return Ok(Tree::leaf(expr));
        }
        let Arguments { args, close, depth } = self.call_arguments(input)?;
        let span = name.span.to(close);
        Ok(self.node(ExprKind::Call { func: name, args }, span, depth))
    }

    /// A numeric literal, written as the `.pcg` grammar writes numbers.
    fn number(&mut self, literal: &Literal) -> syn::Result<Tree> {
        let text = literal.to_string();
        let span = self.record(literal.span());
        if !is_number(&text) {
            let error = Diagnostic::error(span, format!("`{text}` is not a number here"))
                .with_help("numbers are decimal digits with an optional fraction and exponent, like `3`, `0.5` or `1e-3`, without `_` or a suffix");
            return Err(self.reject(error));
        }
        let number = if text.contains(['.', 'e', 'E']) {
            let value: f64 = text.parse().unwrap_or(f64::INFINITY);
            if !value.is_finite() {
                let error = Diagnostic::error(span, "number is too large")
                    .with_help("floats must be below 1.7976931348623157e308");
                self.diagnostics.push(error);
            }
            Number::Float(value)
        } else {
            text.parse().map(Number::Int).unwrap_or_else(|_| {
                let error = Diagnostic::error(span, "integer is too large")
                    .with_help(format!("integers must be at most {}", i64::MAX));
                self.diagnostics.push(error);
                Number::Int(0)
            })
        };
        let expr = Expr {
            kind: ExprKind::Number(number),
            span,
        };
        Ok(Tree::leaf(expr))
    }

    /// A node over children of depth `depth`, within the `.pcg` parser's depth limit.
    fn node(&mut self, kind: ExprKind, span: Span, depth: usize) -> Tree {
        self.depth.node(kind, span, depth, &mut self.diagnostics)
    }
}

/// The next binary operator, if any, without consuming it.
fn peek_operator(input: ParseStream<'_>) -> Option<BinOp> {
    if input.peek(Token![@]) {
        Some(BinOp::MatMul)
    } else if input.peek(Token![*]) && !input.peek(Token![*=]) {
        Some(BinOp::Mul)
    } else if input.peek(Token![/]) && !input.peek(Token![/=]) {
        Some(BinOp::Div)
    } else if input.peek(Token![+]) && !input.peek(Token![+=]) {
        Some(BinOp::Add)
    } else if input.peek(Token![-]) && !input.peek(Token![-=]) && !input.peek(Token![->]) {
        Some(BinOp::Sub)
    } else {
        None
    }
}

/// Whether `text` is a number of the `.pcg` grammar: digits, optionally `.` and digits,
/// optionally `e`, a sign and digits.
fn is_number(text: &str) -> bool {
    fn digits(text: &str) -> &str {
        text.trim_start_matches(|c: char| c.is_ascii_digit())
    }
    let rest = digits(text);
    if rest.len() == text.len() {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(fraction) if digits(fraction).len() < fraction.len() => digits(fraction),
        Some(_) => return false,
        None => rest,
    };
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            !exponent.is_empty() && digits(exponent).is_empty()
        }
        None => rest.is_empty(),
    }
}

/// After an item of a group: a `,` to consume, or the end of the group.
fn separator(input: ParseStream<'_>, close: &str) -> syn::Result<()> {
    if input.is_empty() {
        return Ok(());
    }
    if !input.peek(Token![,]) {
        return Err(input.error(format!("expected `,`, {close} or an operator")));
    }
    input.parse::<Token![,]>()?;
    Ok(())
}

/// An error unless the group is fully read.
fn finish(input: ParseStream<'_>, expected: &str) -> syn::Result<()> {
    match input.is_empty() {
        true => Ok(()),
        false => Err(input.error(format!("expected {expected}"))),
    }
}

fn parens<'a>(input: &ParseBuffer<'a>) -> syn::Result<(DelimSpan, ParseBuffer<'a>)> {
    let content;
    let parens = parenthesized!(content in input);
    Ok((parens.span, content))
}

fn brackets<'a>(input: &ParseBuffer<'a>) -> syn::Result<(DelimSpan, ParseBuffer<'a>)> {
    let content;
    let brackets = bracketed!(content in input);
    Ok((brackets.span, content))
}

#[cfg(test)]
mod tests {
    use super::is_number;

    #[test]
    fn numbers_are_written_as_in_pcg_files() {
        for good in ["0", "12", "0.5", "1e-3", "2.5E+10", "007"] {
            assert!(is_number(good), "{good}");
        }
        for bad in [
            "1_000", "0x10", "1f32", "1.", "1.0f64", "1e", "1e+", ".5", "1u8",
        ] {
            assert!(!is_number(bad), "{bad}");
        }
    }
}
