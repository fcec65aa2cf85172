//! Rust tokens to the `.pcg` AST, keeping every token's span.
//!
//! The AST's spans are byte offsets for `.pcg` text. Here they are positions in a table of
//! token spans instead, assigned in source order, so that the compiler's span arithmetic
//! (covering two spans, comparing positions) keeps its meaning and every diagnostic maps back
//! to the tokens it is about.

use pc_dsl::Span;
use pc_dsl::syntax::ast::{
    Arg, BinOp, Expr, ExprKind, File, Ident, Init, Model, Number, ShapeExpr, Stmt, StmtKind,
};
use proc_macro2::Span as TokenSpan;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Token, braced, bracketed, parenthesized};

/// Spans of the tokens the AST refers to, by position.
#[derive(Default)]
pub struct SpanTable {
    spans: Vec<TokenSpan>,
}

impl SpanTable {
    /// Records a token span; the AST span covers just that token.
    fn record(&mut self, span: TokenSpan) -> Span {
        self.spans.push(span);
        Span::new(self.spans.len() - 1, self.spans.len())
    }

    /// The first and last token spans of an AST span.
    pub fn ends(&self, span: Span) -> (TokenSpan, TokenSpan) {
        let first = self.spans.get(span.start).copied();
        let last = self.spans.get(span.end.saturating_sub(1)).copied();
        let fallback = TokenSpan::call_site();
        (
            first.unwrap_or(fallback),
            last.or(first).unwrap_or(fallback),
        )
    }
}

/// Parses the macro's input into models, recording spans into `table`.
pub fn parse_file(tokens: proc_macro2::TokenStream, table: &mut SpanTable) -> syn::Result<File> {
    let parser = |input: ParseStream<'_>| {
        let mut models = Vec::new();
        while !input.is_empty() {
            models.push(model(input, table)?);
        }
        Ok(File { models })
    };
    parser.parse2(tokens)
}

/// The lines of `///` comments, which reach a macro as `#[doc = "..."]` attributes.
fn docs(input: ParseStream<'_>) -> syn::Result<Vec<String>> {
    let mut lines = Vec::new();
    for attribute in input.call(Attribute::parse_outer)? {
        let syn::Meta::NameValue(meta) = &attribute.meta else {
            return Err(syn::Error::new_spanned(
                &attribute,
                "only doc comments are allowed here",
            ));
        };
        if !meta.path.is_ident("doc") {
            return Err(syn::Error::new_spanned(
                &attribute,
                "only doc comments are allowed here",
            ));
        }
        if let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &meta.value
        {
            let text = text.value();
            lines.push(text.strip_prefix(' ').unwrap_or(&text).to_string());
        }
    }
    Ok(lines)
}

fn ident(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Ident> {
    let ident: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
    Ok(Ident {
        name: ident.to_string(),
        span: table.record(ident.span()),
    })
}

/// Expects the contextual keyword `word` and returns its span.
fn keyword(input: ParseStream<'_>, word: &str, table: &mut SpanTable) -> syn::Result<Span> {
    let found: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
    if found != word {
        return Err(syn::Error::new(found.span(), format!("expected `{word}`")));
    }
    Ok(table.record(found.span()))
}

fn model(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Model> {
    let doc = docs(input)?;
    let start = keyword(input, "model", table)?;
    let name = ident(input, table)?;
    let content;
    let brace = braced!(content in input);
    let mut body = Vec::new();
    while !content.is_empty() {
        body.push(statement(&content, table)?);
    }
    let end = table.record(brace.span.close());
    Ok(Model {
        doc,
        name,
        body,
        span: start.to(end),
    })
}

fn semicolon(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Span> {
    let semi: Token![;] = input.parse()?;
    Ok(table.record(semi.span))
}

fn statement(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Stmt> {
    let doc = docs(input)?;
    let lookahead: syn::Ident = input.fork().call(syn::ext::IdentExt::parse_any)?;
    let word = lookahead.to_string();
    let start = table.record(lookahead.span());
    let _: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
    let (kind, end) = match word.as_str() {
        "dim" => {
            let name = ident(input, table)?;
            (StmtKind::Dim { name }, semicolon(input, table)?)
        }
        "const" => {
            let name = ident(input, table)?;
            input.parse::<Token![=]>()?;
            let value = expr(input, table)?;
            (StmtKind::Const { name, value }, semicolon(input, table)?)
        }
        "input" | "target" => {
            let name = ident(input, table)?;
            input.parse::<Token![:]>()?;
            let shape = shape(input, table)?;
            let kind = if word == "input" {
                StmtKind::Input { name, shape }
            } else {
                StmtKind::Target { name, shape }
            };
            (kind, semicolon(input, table)?)
        }
        "param" => {
            let name = ident(input, table)?;
            input.parse::<Token![:]>()?;
            let shape = shape(input, table)?;
            input.parse::<Token![=]>()?;
            let init = initialiser(input, table)?;
            (
                StmtKind::Param { name, shape, init },
                semicolon(input, table)?,
            )
        }
        "node" | "let" => {
            let name = ident(input, table)?;
            let index = if input.peek(syn::token::Bracket) {
                let inner;
                bracketed!(inner in input);
                Some(expr(&inner, table)?)
            } else {
                None
            };
            input.parse::<Token![=]>()?;
            let value = expr(input, table)?;
            let kind = if word == "node" {
                StmtKind::Node { name, index, value }
            } else {
                StmtKind::Let { name, index, value }
            };
            (kind, semicolon(input, table)?)
        }
        "loss" => {
            let func = ident(input, table)?;
            let inner;
            parenthesized!(inner in input);
            let args = arguments(&inner, table)?;
            (StmtKind::Loss { func, args }, semicolon(input, table)?)
        }
        "for" => {
            let var = ident(input, table)?;
            input.parse::<Token![in]>()?;
            let start = range_bound(input, table)?;
            input.parse::<Token![..]>()?;
            let end = range_bound(input, table)?;
            let content;
            let brace = braced!(content in input);
            let mut body = Vec::new();
            while !content.is_empty() {
                body.push(statement(&content, table)?);
            }
            let close = table.record(brace.span.close());
            (
                StmtKind::For {
                    var,
                    start,
                    end,
                    body,
                },
                close,
            )
        }
        _ => {
            return Err(syn::Error::new(
                lookahead.span(),
                format!(
                    "unknown statement `{word}`: statements start with `dim`, `const`, `input`, \
                     `target`, `param`, `node`, `let`, `loss` or `for`"
                ),
            ));
        }
    };
    Ok(Stmt {
        doc,
        kind,
        span: start.to(end),
    })
}

/// A loop bound: an expression up to `..` or `{`, which Rust's expression rules would
/// otherwise swallow.
fn range_bound(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Expr> {
    binary(input, table, 0)
}

fn shape(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<ShapeExpr> {
    let inner;
    let bracket = bracketed!(inner in input);
    let open = table.record(bracket.span.open());
    let dims = expressions(&inner, table)?;
    let close = table.record(bracket.span.close());
    Ok(ShapeExpr {
        dims,
        span: open.to(close),
    })
}

fn initialiser(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Init> {
    let name = ident(input, table)?;
    let mut span = name.span;
    let mut args = Vec::new();
    if input.peek(syn::token::Paren) {
        let inner;
        let paren = parenthesized!(inner in input);
        args = expressions(&inner, table)?;
        span = span.to(table.record(paren.span.close()));
    }
    Ok(Init { name, args, span })
}

fn arguments(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Vec<Arg>> {
    let mut args = Vec::new();
    while !input.is_empty() {
        let named = input.peek(syn::Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]);
        let name = if named {
            let name = ident(input, table)?;
            input.parse::<Token![=]>()?;
            Some(name)
        } else {
            None
        };
        let value = expr(input, table)?;
        args.push(Arg { name, value });
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(args)
}

fn expr(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Expr> {
    binary(input, table, 0)
}

/// Comma-separated expressions filling a delimited group, with an optional trailing comma.
fn expressions(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Vec<Expr>> {
    let mut items = Vec::new();
    while !input.is_empty() {
        items.push(expr(input, table)?);
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(items)
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

/// Precedence climbing: `@ * /` above `+ -`, all left-associative.
fn binary(input: ParseStream<'_>, table: &mut SpanTable, min: u8) -> syn::Result<Expr> {
    let mut lhs = unary(input, table)?;
    while let Some(op) = peek_operator(input) {
        if op.precedence() < min {
            break;
        }
        let token: proc_macro2::TokenTree = input.parse()?;
        let _ = table.record(token.span());
        let rhs = binary(input, table, op.precedence() + 1)?;
        let span = lhs.span.to(rhs.span);
        lhs = Expr {
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        };
    }
    Ok(lhs)
}

fn unary(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Expr> {
    if input.peek(Token![-]) {
        let minus: Token![-] = input.parse()?;
        let start = table.record(minus.span);
        let operand = unary(input, table)?;
        let span = start.to(operand.span);
        return Ok(Expr {
            kind: ExprKind::Neg(Box::new(operand)),
            span,
        });
    }
    postfix(input, table)
}

fn postfix(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Expr> {
    let mut base = primary(input, table)?;
    while input.peek(syn::token::Bracket) {
        let inner;
        let bracket = bracketed!(inner in input);
        let index = expr(&inner, table)?;
        let close = table.record(bracket.span.close());
        let span = base.span.to(close);
        base = Expr {
            kind: ExprKind::Index {
                base: Box::new(base),
                index: Box::new(index),
            },
            span,
        };
    }
    Ok(base)
}

fn primary(input: ParseStream<'_>, table: &mut SpanTable) -> syn::Result<Expr> {
    if input.peek(syn::LitInt) {
        let literal: syn::LitInt = input.parse()?;
        let value = literal.base10_parse::<i64>()?;
        let span = table.record(literal.span());
        return Ok(Expr {
            kind: ExprKind::Number(Number::Int(value)),
            span,
        });
    }
    if input.peek(syn::LitFloat) {
        let literal: syn::LitFloat = input.parse()?;
        let value = literal.base10_parse::<f64>()?;
        let span = table.record(literal.span());
        return Ok(Expr {
            kind: ExprKind::Number(Number::Float(value)),
            span,
        });
    }
    if input.peek(syn::token::Paren) {
        let inner;
        parenthesized!(inner in input);
        return expr(&inner, table);
    }
    if input.peek(syn::token::Bracket) {
        let inner;
        let bracket = bracketed!(inner in input);
        let open = table.record(bracket.span.open());
        let items = expressions(&inner, table)?;
        let close = table.record(bracket.span.close());
        return Ok(Expr {
            kind: ExprKind::List(items),
            span: open.to(close),
        });
    }
    let name = ident(input, table)?;
    if input.peek(syn::token::Paren) {
        let inner;
        let paren = parenthesized!(inner in input);
        let args = arguments(&inner, table)?;
        let close = table.record(paren.span.close());
        let span = name.span.to(close);
        return Ok(Expr {
            kind: ExprKind::Call { func: name, args },
            span,
        });
    }
    let span = name.span;
    Ok(Expr {
        kind: ExprKind::Name(name),
        span,
    })
}
