//! The `.pcg` language as Rust tokens: the front end of `pc_model!`, building the same AST.
//!
//! The AST's spans are byte offsets for `.pcg` text. Here they are positions in a table of
//! token spans instead ([`TokenSpans`]), assigned in source order, so that the compiler's span
//! arithmetic (covering two spans, comparing positions) keeps its meaning and every diagnostic
//! maps back to the tokens it is about.
//!
//! Like the `.pcg` parser, this one reads one statement at a time and reports every broken
//! statement: the tokens are first cut into models and statements, then syn parses each.

mod expr;
mod split;
mod stmt;

use proc_macro2::{Delimiter, Group, Span as TokenSpan, TokenStream, TokenTree};
use quote::quote_spanned;
use syn::parenthesized;
use syn::parse::{ParseStream, Parser as _};

use super::ast::File;
use super::depth::DepthLimit;
use super::scan::{KEYWORDS, MAX_NESTING};
use crate::diag::{Diagnostic, Span};
use split::Piece;

/// Rust tokens parsed into the AST.
#[derive(Debug)]
pub struct Parsed {
    /// The models, in source order. With syntax errors, the models whose header parsed, with
    /// the statements that parsed: enough to name what the user's other code refers to.
    pub file: File,
    /// The syntax errors, in source order; the file is complete only when there are none.
    pub errors: Vec<Diagnostic>,
    /// The tokens behind the spans of the file and of the errors.
    pub spans: TokenSpans,
}

/// Parses the `.pcg` language written as Rust tokens. Never panics, whatever the tokens.
///
/// `//` comments are not tokens; `///` doc comments are, as `#[doc = "..."]` attributes.
pub fn parse(tokens: TokenStream) -> Parsed {
    let mut parser = Parser::default();
    let models = match too_deep(&tokens) {
        Some(span) => {
            let help = format!("at most {MAX_NESTING} levels of `(`, `[` and `{{` are accepted");
            let span = parser.spans.record(span);
            let error = Diagnostic::error(span, "brackets are nested too deeply");
            parser.diagnostics.push(error.with_help(help));
            Vec::new()
        }
        None => parser.file(tokens),
    };
    Parsed {
        file: File { models },
        errors: parser.diagnostics,
        spans: parser.spans,
    }
}

/// The token span behind every position of an AST built from tokens.
#[derive(Clone, Debug, Default)]
pub struct TokenSpans {
    spans: Vec<TokenSpan>,
}

impl TokenSpans {
    /// Records the span of one token; the AST span returned covers just that token.
    fn record(&mut self, span: TokenSpan) -> Span {
        self.spans.push(span);
        Span::new(self.spans.len() - 1, self.spans.len())
    }

    /// The spans of the first and the last token that an AST span covers.
    pub fn ends(&self, span: Span) -> (TokenSpan, TokenSpan) {
        let first = self.spans.get(span.start).copied();
        let last = self.spans.get(span.end.saturating_sub(1)).copied();
        let fallback = TokenSpan::call_site();
        (
            first.unwrap_or(fallback),
            last.or(first).unwrap_or(fallback),
        )
    }

    /// Where a secondary label stands, as its message says it: a `compile_error!` has one
    /// span only. The token's text, when the label covers one, and its line, when the
    /// compiler tells it.
    fn place(&self, span: Span) -> String {
        let (first, _) = self.ends(span);
        let line = first.start().line;
        let text = match span.end.saturating_sub(span.start) {
            1 => first.source_text(),
            _ => None,
        };
        match (text, line) {
            (Some(text), 0) => format!("`{text}`: "),
            (Some(text), line) => format!("`{text}`, line {line}: "),
            (None, 0) => String::new(),
            (None, line) => format!("line {line}: "),
        }
    }

    /// A diagnostic as a syn error over its tokens, with its labels and help in the message.
    pub fn error(&self, diagnostic: &Diagnostic) -> syn::Error {
        let mut message = diagnostic.message.clone();
        if let Some(label) = &diagnostic.primary_label {
            message.push_str(&format!(": {label}"));
        }
        for label in &diagnostic.labels {
            message.push_str(&format!(
                "\nnote: {}{}",
                self.place(label.span),
                label.message
            ));
        }
        if let Some(help) = &diagnostic.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        // An error over a stream from the first token to the last covers the whole range.
        let (first, last) = self.ends(diagnostic.span);
        let ends = quote_spanned!(first=> start)
            .into_iter()
            .chain(quote_spanned!(last=> end));
        syn::Error::new_spanned(ends.collect::<TokenStream>(), message)
    }
}

/// The parser's state: the span table and the errors so far.
#[derive(Default)]
struct Parser {
    spans: TokenSpans,
    diagnostics: Vec<Diagnostic>,
    /// The depth bound of the piece being parsed.
    depth: DepthLimit,
    /// The diagnostic behind the syn error that stopped the piece, when it says more than a
    /// syn error can (a label, a help line).
    rejected: Option<Diagnostic>,
}

impl Parser {
    /// Runs `parse` on the tokens of one piece, which it must consume; a syn error becomes a
    /// diagnostic and `None`.
    ///
    /// The tokens are parsed inside a group whose span is their last token's, so that an
    /// error at the end of the piece points there rather than at the whole macro.
    fn run<T>(
        &mut self,
        piece: Piece,
        parse: impl FnOnce(&mut Self, ParseStream<'_>) -> syn::Result<T>,
    ) -> Option<T> {
        let Piece {
            tokens, cut_before, ..
        } = piece;
        let end = match tokens.last() {
            Some(TokenTree::Group(group)) => group.span_close(),
            Some(token) => token.span(),
            None => TokenSpan::call_site(),
        };
        let mut group = Group::new(Delimiter::Parenthesis, tokens.into_iter().collect());
        group.set_span(end);
        self.depth = DepthLimit::default();
        self.rejected = None;
        let parser = |input: ParseStream<'_>| {
            let content;
            parenthesized!(content in input);
            let value = parse(self, &content)?;
            if !content.is_empty() {
                return Err(content.error("unexpected token"));
            }
            Ok(value)
        };
        let result = parser.parse2(TokenTree::Group(group).into());
        let rejected = self.rejected.take();
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                match rejected {
                    Some(diagnostic) => self.diagnostics.push(diagnostic),
                    None => self.syntax_error(error, cut_before.as_ref()),
                }
                None
            }
        }
    }

    /// Stops the piece with `diagnostic`: returns the error to propagate, and keeps the
    /// diagnostic to report in its place.
    fn reject(&mut self, diagnostic: Diagnostic) -> syn::Error {
        let (span, _) = self.spans.ends(diagnostic.span);
        let error = syn::Error::new(span, &diagnostic.message);
        self.rejected = Some(diagnostic);
        error
    }

    /// Reports syn's errors. One at the end of a piece that lacks its end is about the token
    /// that starts the next piece, as the `.pcg` parser reports it.
    fn syntax_error(&mut self, error: syn::Error, next: Option<&TokenTree>) {
        for error in error {
            let message = error.to_string();
            let at_end = message.strip_prefix("unexpected end of input, ");
            let diagnostic = match (at_end, next) {
                (Some(expected), Some(next)) => {
                    let found = match next {
                        TokenTree::Ident(word) if KEYWORDS.contains(&word.to_string().as_str()) => {
                            format!("keyword `{word}`")
                        }
                        TokenTree::Punct(punct) if punct.as_char() == '#' => {
                            "a doc comment".to_string()
                        }
                        other => format!("`{other}`"),
                    };
                    let span = self.spans.record(next.span());
                    let error = Diagnostic::error(span, format!("{expected}, found {found}"));
                    match (expected == "expected a name", found.starts_with("keyword")) {
                        (true, true) => {
                            error.with_help("keywords are reserved and cannot be used as names")
                        }
                        _ => error,
                    }
                }
                _ => Diagnostic::error(self.spans.record(error.span()), message),
            };
            self.diagnostics.push(diagnostic);
        }
    }

    /// Records the span of one token.
    fn record(&mut self, span: TokenSpan) -> Span {
        self.spans.record(span)
    }
}

/// The first group nested deeper than [`MAX_NESTING`], found without recursion: syn and the
/// parser descend once per level.
fn too_deep(tokens: &TokenStream) -> Option<TokenSpan> {
    let mut stack = vec![tokens.clone().into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(TokenTree::Group(group)) => {
                if stack.len() > MAX_NESTING {
                    return Some(group.span_open());
                }
                stack.push(group.stream().into_iter());
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    None
}
