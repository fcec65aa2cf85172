//! Parses `.pcg` text into the AST: pest reads each statement, this module the blocks around them.
//!
//! Parsing one statement at a time lets the parser report every broken statement: after an
//! error it resumes at the next statement (see [`scan::resume_after_error`]).

use pest::Parser as _;
use pest::iterators::Pair;

use super::ast;
use super::builder::Builder;
use super::errors;
use super::scan::{self, Docs, Resume};
use crate::diag::{Diagnostic, Span};

/// The pest grammar of statements and expressions.
#[derive(pest_derive::Parser)]
#[grammar = "syntax/grammar.pest"]
struct Grammar;

/// The help line for a file without models, or with text outside them.
const MODEL_HELP: &str = "a file holds one or more models, each written `model Name { ... }`";

/// Parses a whole `.pcg` text into its models, or reports every syntax error found.
///
/// Never panics: deep nesting, huge numbers and arbitrary bytes are diagnostics.
pub fn parse(source: &str) -> Result<ast::File, Vec<Diagnostic>> {
    let (file, diagnostics) = parse_partial(source);
    if diagnostics.is_empty() {
        Ok(file)
    } else {
        Err(diagnostics)
    }
}

/// Parses a whole `.pcg` text, keeping what parsed next to the syntax errors: the models
/// whose header parsed, with the statements that parsed.
pub fn parse_partial(source: &str) -> (ast::File, Vec<Diagnostic>) {
    if let Some(error) = scan::check_nesting(source) {
        return (ast::File { models: Vec::new() }, vec![error]);
    }
    // Some editors start a file with a byte order mark; it is not part of the text.
    let pos = source
        .strip_prefix('\u{feff}')
        .map_or(0, |_| '\u{feff}'.len_utf8());
    let mut parser = Parser {
        source,
        pos,
        diagnostics: Vec::new(),
    };
    let models = parser.file();
    (ast::File { models }, parser.diagnostics)
}

/// The cursor over the text and the errors found so far.
struct Parser<'s> {
    source: &'s str,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
}

/// The block a statement stands in, for its errors.
struct Block {
    /// How an error names it: "model `Mlp`", "the `for` loop".
    name: String,
    /// Its opening brace.
    open: Span,
    in_loop: bool,
}

impl Block {
    fn model(name: &ast::Ident, open: Span) -> Self {
        let name = format!("model `{}`", name.name);
        Block {
            name,
            open,
            in_loop: false,
        }
    }

    fn for_loop(open: Span) -> Self {
        let name = "the `for` loop".to_string();
        Block {
            name,
            open,
            in_loop: true,
        }
    }
}

/// A block header: a broken one still has its body read, for the errors in it.
#[derive(Clone, Copy)]
enum Header {
    Model,
    Loop,
}

impl Header {
    fn block(self, open: Span) -> Block {
        match self {
            Header::Model => Block {
                name: "the model".to_string(),
                open,
                in_loop: false,
            },
            Header::Loop => Block::for_loop(open),
        }
    }
}

/// A block that lacked its `}`: the error is reported, and every enclosing block ends there.
struct Unclosed;

impl<'s> Parser<'s> {
    fn file(&mut self) -> Vec<ast::Model> {
        let mut models = Vec::new();
        loop {
            let docs = self.trivia();
            if self.pos == self.source.len() {
                self.dangling(docs, "a model");
                if models.is_empty() && self.diagnostics.is_empty() {
                    self.no_model();
                }
                return models;
            }
            if let Some(model) = self.model(docs) {
                models.push(model);
            }
        }
    }

    fn model(&mut self, docs: Docs) -> Option<ast::Model> {
        let start = self.pos;
        let head = match self.run(Rule::model_head) {
            Ok(head) => head,
            Err(error) => {
                self.broken_model(start, error);
                return None;
            }
        };
        let name = Builder::new(start, &mut self.diagnostics).model_name(head);
        let block = Block::model(&name, Span::new(self.pos - 1, self.pos));
        let mut body = Vec::new();
        // An unclosed model is reported; the file is an error either way.
        let _ = self.block(&block, &mut body);
        Some(ast::Model {
            doc: docs.lines,
            name,
            body,
            span: Span::new(start, self.pos),
        })
    }

    fn no_model(&mut self) {
        let end = Span::new(self.pos, self.pos);
        let error = Diagnostic::error(end, "expected `model`, found end of file");
        self.diagnostics.push(error.with_help(MODEL_HELP));
    }

    /// Reports a broken model header and skips to the next model, checking the body on the
    /// way when the header reached its `{`.
    fn broken_model(&mut self, start: usize, error: Diagnostic) {
        let at = error.span.start;
        if at == start {
            self.diagnostics.push(error.with_help(MODEL_HELP));
            self.pos = scan::next_model(self.source, start);
            return;
        }
        self.diagnostics.push(error);
        let _ = self.resume(start, at, Some(Header::Model));
    }

    /// Reads the statements of `block` into `body`, up to its closing `}`.
    fn block(&mut self, block: &Block, body: &mut Vec<ast::Stmt>) -> Result<(), Unclosed> {
        loop {
            let docs = self.trivia();
            let rest = &self.source[self.pos..];
            if rest.starts_with('}') {
                self.dangling(docs, "a statement");
                self.pos += 1;
                return Ok(());
            }
            if rest.is_empty() || scan::is_keyword_at(self.source, self.pos, "model") {
                self.dangling(docs, "a statement");
                self.unclosed(block);
                return Err(Unclosed);
            }
            body.extend(self.statement(docs, block)?);
        }
    }

    fn unclosed(&mut self, block: &Block) {
        let found = scan::tokens(self.source, self.pos).next();
        let span = found.map_or(Span::new(self.pos, self.pos), |token| token.span);
        let message = format!("expected `}}` to close {}", block.name);
        let error = Diagnostic::error(span, message).with_label(block.open, "opened here");
        self.diagnostics.push(error);
    }

    /// One statement, or `None` for a broken one, which is reported.
    fn statement(&mut self, docs: Docs, block: &Block) -> Result<Option<ast::Stmt>, Unclosed> {
        let start = self.pos;
        let pair = match self.run(Rule::stmt) {
            Ok(pair) => pair,
            Err(error) => {
                let at = error.span.start;
                self.diagnostics.push(error);
                let is_loop = scan::is_keyword_at(self.source, start, "for");
                self.resume(start, at, is_loop.then_some(Header::Loop))?;
                return Ok(None);
            }
        };
        let mut stmt = Builder::new(start, &mut self.diagnostics).stmt(pair, docs.lines);
        if block.in_loop {
            self.check_repeatable(&stmt);
        }
        if let ast::StmtKind::For { body, .. } = &mut stmt.kind {
            let inner = Block::for_loop(Span::new(self.pos - 1, self.pos));
            let closed = self.block(&inner, body);
            stmt.span.end = self.pos;
            closed?;
        }
        Ok(Some(stmt))
    }

    /// Moves past a broken statement that starts at `start` and failed at `at`. When it is
    /// a `header`, the body it opens is still read for its own errors.
    fn resume(&mut self, start: usize, at: usize, header: Option<Header>) -> Result<(), Unclosed> {
        match scan::resume_after_error(self.source, start, at, header.is_some()) {
            Resume::At(pos) if pos > start => self.pos = pos,
            // Only a `}` can stop the scan where the statement starts, and `block` takes
            // those before a statement is read; stepping over it keeps the parser moving.
            Resume::At(_) => {
                let next = scan::tokens(self.source, start).next();
                self.pos = next.map_or(self.source.len(), |token| token.span.end);
            }
            Resume::Block(open) => {
                self.pos = open + 1;
                // The scan stops at a `{` only when asked to, for a header.
                let header = header.unwrap_or(Header::Loop);
                let block = header.block(Span::new(open, open + 1));
                self.block(&block, &mut Vec::new())?;
            }
        }
        Ok(())
    }

    /// Declarations are made once per model, so a loop may not repeat them.
    ///
    /// Lowering refuses them too, in the same words, for trees built by other front ends.
    fn check_repeatable(&mut self, stmt: &ast::Stmt) {
        let what = match stmt.kind {
            ast::StmtKind::Dim { .. } => "a `dim`",
            ast::StmtKind::Const { .. } => "a `const`",
            ast::StmtKind::Input { .. } => "an `input`",
            ast::StmtKind::Target { .. } => "a `target`",
            ast::StmtKind::Param { .. } => "a `param`",
            _ => return,
        };
        let (span, message) = (stmt.span, format!("{what} cannot be inside a loop"));
        let help = "declare it before the loop";
        self.diagnostics
            .push(Diagnostic::error(span, message).with_help(help));
    }

    /// Skips whitespace and comments, returning the doc comments passed.
    fn trivia(&mut self) -> Docs {
        let (pos, docs) = scan::skip_trivia(self.source, self.pos);
        self.pos = pos;
        docs
    }

    /// Reports doc comments that stand before no statement or model.
    fn dangling(&mut self, docs: Docs, what: &str) {
        if let Some(span) = docs.span {
            let message = format!("doc comment is not followed by {what}");
            let help = "use `//` for a comment that documents nothing";
            self.diagnostics
                .push(Diagnostic::error(span, message).with_help(help));
        }
    }

    /// Runs pest for `rule` on the statement at the cursor and moves the cursor past it.
    fn run(&mut self, rule: Rule) -> Result<Pair<'s, Rule>, Diagnostic> {
        let end = scan::statement_end(self.source, self.pos);
        let text = &self.source[self.pos..end];
        match Grammar::parse(rule, text) {
            Ok(mut pairs) => {
                let pair = pairs
                    .next()
                    .expect("pest returns the pair of the rule it matched");
                self.pos += pair.as_span().end();
                Ok(pair)
            }
            Err(error) => Err(errors::describe(&error, self.source, self.pos)),
        }
    }
}
