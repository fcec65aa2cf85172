//! Models and statements, each from its own piece of tokens.

use proc_macro2::{Span as TokenSpan, TokenStream};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Attribute, Token};

use super::Parser;
use super::split::{Level, Piece, split};
use crate::diag::{Diagnostic, Span};
use crate::syntax::ast::{Ident, Model, Stmt, StmtKind};
use crate::syntax::errors::{STATEMENT_HELP, suggestion};
use crate::syntax::scan::{KEYWORDS, STATEMENT_KEYWORDS};

/// The help line for input that is not a model.
const MODEL_HELP: &str = "`pc_model!` holds one or more models, each written `model Name { ... }`";

/// The `///` lines before a model or statement, and where the first one stands.
struct Docs {
    lines: Vec<String>,
    span: Option<TokenSpan>,
}

impl Parser {
    /// Every model of the macro's input.
    pub(super) fn file(&mut self, tokens: TokenStream) -> Vec<Model> {
        let models: Vec<Model> = split(tokens, Level::File)
            .into_iter()
            .filter_map(|piece| self.model(piece))
            .collect();
        if models.is_empty() && self.diagnostics.is_empty() {
            let span = self.record(TokenSpan::call_site());
            let error = Diagnostic::error(span, "expected `model`, found the end of the input");
            self.diagnostics.push(error.with_help(MODEL_HELP));
        }
        models
    }

    /// `model Name { ... }`; a broken header still has its body checked.
    fn model(&mut self, piece: Piece) -> Option<Model> {
        let block = piece.block.clone();
        let has_body = block.is_some();
        let head = self.run(piece, |parser, input| {
            let docs = parser.docs(input, "a model")?;
            let start = parser.model_keyword(input)?;
            let name = parser.ident(input)?;
            if !has_body {
                return Err(input.error("expected `{`"));
            }
            Ok((docs.lines, start, name))
        });
        let block = block?;
        let body = self.body(block.stream());
        let close = self.record(block.span_close());
        let (doc, start, name) = head?;
        Some(Model {
            doc,
            name,
            body,
            span: start.to(close),
        })
    }

    /// The statements of a model or loop body.
    fn body(&mut self, tokens: TokenStream) -> Vec<Stmt> {
        split(tokens, Level::Body)
            .into_iter()
            .filter_map(|piece| self.statement(piece))
            .collect()
    }

    /// One statement; a loop with a broken header still has its body checked.
    fn statement(&mut self, piece: Piece) -> Option<Stmt> {
        let block = piece.block.clone();
        let has_body = block.is_some();
        let head = self.run(piece, |parser, input| parser.head(input, has_body));
        let Some(block) = block else {
            return head;
        };
        let body = self.body(block.stream());
        let close = self.record(block.span_close());
        let mut stmt = head?;
        if let StmtKind::For { body: slot, .. } = &mut stmt.kind {
            *slot = body;
        }
        stmt.span = stmt.span.to(close);
        Some(stmt)
    }

    /// A statement up to its `;`, or a loop up to its body, which the caller reads.
    fn head(&mut self, input: ParseStream<'_>, has_body: bool) -> syn::Result<Stmt> {
        let doc = self.docs(input, "a statement")?.lines;
        let word = self.statement_keyword(input)?;
        let start = self.keyword(input, &word)?;
        let (kind, end) = match word.as_str() {
            "dim" => {
                let name = self.ident(input)?;
                (StmtKind::Dim { name }, self.semicolon(input)?)
            }
            "const" => {
                let name = self.ident(input)?;
                input.parse::<Token![=]>()?;
                let value = self.expr(input)?;
                (StmtKind::Const { name, value }, self.semicolon(input)?)
            }
            "input" | "target" => {
                let name = self.ident(input)?;
                input.parse::<Token![:]>()?;
                let shape = self.shape(input)?;
                let kind = match word.as_str() {
                    "input" => StmtKind::Input { name, shape },
                    _ => StmtKind::Target { name, shape },
                };
                (kind, self.semicolon(input)?)
            }
            "param" => {
                let name = self.ident(input)?;
                input.parse::<Token![:]>()?;
                let shape = self.shape(input)?;
                input.parse::<Token![=]>()?;
                let init = self.initialiser(input)?;
                (
                    StmtKind::Param { name, shape, init },
                    self.semicolon(input)?,
                )
            }
            "node" | "let" => {
                let name = self.ident(input)?;
                let index = self.subscript(input)?;
                input.parse::<Token![=]>()?;
                let value = self.expr(input)?;
                let kind = match word.as_str() {
                    "node" => StmtKind::Node { name, index, value },
                    _ => StmtKind::Let { name, index, value },
                };
                (kind, self.semicolon(input)?)
            }
            "loss" => {
                let func = self.ident(input)?;
                let args = self.call_arguments(input)?.args;
                (StmtKind::Loss { func, args }, self.semicolon(input)?)
            }
            _ => return self.for_head(input, doc, start, has_body),
        };
        Ok(Stmt {
            doc,
            kind,
            span: start.to(end),
        })
    }

    /// `for t in a..b`, before the body; the span grows to the body's `}` later.
    fn for_head(
        &mut self,
        input: ParseStream<'_>,
        doc: Vec<String>,
        start: Span,
        has_body: bool,
    ) -> syn::Result<Stmt> {
        let var = self.ident(input)?;
        input.parse::<Token![in]>()?;
        let first = self.expr(input)?;
        input.parse::<Token![..]>()?;
        let end = self.expr(input)?;
        if !has_body || !input.is_empty() {
            return Err(input.error("expected `{`"));
        }
        let kind = StmtKind::For {
            var,
            start: first,
            end,
            body: Vec::new(),
        };
        Ok(Stmt {
            doc,
            kind,
            span: start,
        })
    }

    /// The keyword that starts the statement, not consumed.
    fn statement_keyword(&mut self, input: ParseStream<'_>) -> syn::Result<String> {
        if !input.peek(syn::Ident::peek_any) {
            let error = Diagnostic::error(self.record(input.span()), "expected a statement");
            return Err(self.reject(error.with_help(STATEMENT_HELP)));
        }
        let found = input.fork().call(syn::Ident::parse_any)?;
        let word = found.to_string();
        if STATEMENT_KEYWORDS.contains(&word.as_str()) && word != "model" {
            return Ok(word);
        }
        let span = self.record(found.span());
        let error = if word == "model" {
            Diagnostic::error(span, "a model cannot be inside a model")
                .with_help("close the model with `}` before the next one starts")
        } else {
            let error = Diagnostic::error(span, format!("unknown statement `{word}`"));
            match suggestion(&word) {
                Some(keyword) => error.with_primary_label(format!("did you mean `{keyword}`?")),
                None => error,
            }
            .with_help(STATEMENT_HELP)
        };
        Err(self.reject(error))
    }

    /// The `///` lines before a model or statement, which arrive as `#[doc = "..."]`.
    fn docs(&mut self, input: ParseStream<'_>, before: &str) -> syn::Result<Docs> {
        if input.peek(Token![#]) && input.peek2(Token![!]) {
            return Err(input.error(
                "an inner doc comment `//!` cannot document a model or statement: use `///`",
            ));
        }
        let mut docs = Docs {
            lines: Vec::new(),
            span: None,
        };
        for attribute in input.call(Attribute::parse_outer)? {
            docs.span = docs.span.or(Some(attribute.pound_token.span));
            match doc_text(&attribute) {
                Some(text) => docs.lines.push(text),
                None => {
                    let message = "only doc comments are allowed here";
                    return Err(syn::Error::new_spanned(&attribute, message));
                }
            }
        }
        if let (Some(span), true) = (docs.span, input.is_empty()) {
            let message = format!("doc comment is not followed by {before}");
            let error = Diagnostic::error(self.record(span), message)
                .with_help("use `//` for a comment that documents nothing");
            return Err(self.reject(error));
        }
        Ok(docs)
    }

    /// A name: not a keyword, and written as the `.pcg` language writes names.
    pub(super) fn ident(&mut self, input: ParseStream<'_>) -> syn::Result<Ident> {
        if !input.peek(syn::Ident::peek_any) {
            return Err(input.error("expected a name"));
        }
        let ident = input.call(syn::Ident::parse_any)?;
        let name = ident.to_string();
        let span = self.record(ident.span());
        if KEYWORDS.contains(&name.as_str()) {
            let error = Diagnostic::error(span, format!("expected a name, found keyword `{name}`"))
                .with_help("keywords are reserved and cannot be used as names");
            return Err(self.reject(error));
        }
        if !is_name(&name) {
            let error = Diagnostic::error(span, format!("`{name}` cannot be a name")).with_help(
                "names are ASCII letters, digits and `_`, starting with a letter or `_`",
            );
            return Err(self.reject(error));
        }
        Ok(Ident { name, span })
    }

    /// The `model` that starts a model.
    fn model_keyword(&mut self, input: ParseStream<'_>) -> syn::Result<Span> {
        let fork = input.fork();
        if fork
            .call(syn::Ident::parse_any)
            .is_ok_and(|word| word == "model")
        {
            return self.keyword(input, "model");
        }
        let error = Diagnostic::error(self.record(input.span()), "expected `model`");
        Err(self.reject(error.with_help(MODEL_HELP)))
    }

    /// The keyword `word`, which the caller has seen.
    fn keyword(&mut self, input: ParseStream<'_>, word: &str) -> syn::Result<Span> {
        let found = input.call(syn::Ident::parse_any)?;
        if found != word {
            return Err(syn::Error::new(found.span(), format!("expected `{word}`")));
        }
        Ok(self.record(found.span()))
    }

    /// The `;` that ends a statement, or an error after its last token.
    fn semicolon(&mut self, input: ParseStream<'_>) -> syn::Result<Span> {
        if input.is_empty() {
            let error = Diagnostic::error(
                self.record(input.span()),
                "expected `;` after the statement",
            );
            return Err(self.reject(error));
        }
        let semi: Token![;] = input.parse()?;
        Ok(self.record(semi.span))
    }
}

/// The text of a `#[doc = "..."]` attribute, without one leading space.
fn doc_text(attribute: &Attribute) -> Option<String> {
    let syn::Meta::NameValue(meta) = &attribute.meta else {
        return None;
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    }) = &meta.value
    else {
        return None;
    };
    if !meta.path.is_ident("doc") {
        return None;
    }
    let text = text.value();
    Some(text.strip_prefix(' ').unwrap_or(&text).to_string())
}

/// Whether `word` is a name in the `.pcg` grammar: an ASCII letter or `_`, then letters,
/// digits and `_`. Rust also allows other letters and raw identifiers.
fn is_name(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
