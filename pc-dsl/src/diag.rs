//! Diagnostics: every problem the compiler finds in a model, with where it is and what to do.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic as cr;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;

/// A byte range in the source text of a model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The span as a range, for slicing the source.
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The model is still compiled.
    Warning,
    /// The model cannot be compiled.
    Error,
}

/// A secondary location that explains the primary one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One problem found in a model.
///
/// Messages are short and lowercase, without a trailing period, and quote the model's own
/// names in backticks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The offending text.
    pub span: Span,
    /// Text printed under the caret of the primary span.
    pub primary_label: Option<String>,
    /// Other places that explain the problem.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            primary_label: None,
            labels: Vec::new(),
            help: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// Adds text under the primary caret.
    pub fn with_primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary_label = Some(message.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic stops compilation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Line and column (both from 1) of the primary span in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        line_col(source, self.span.start)
    }

    /// Renders with the source line and a caret, as a terminal shows it, without colour.
    pub fn render(&self, file_name: &str, source: &str) -> String {
        render_all(std::slice::from_ref(self), file_name, source)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

/// Line and column (both from 1, the column in characters) of byte `offset` in `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset);
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Renders diagnostics in order, each with `file:line:col`, the source line and a caret.
pub fn render_all(diagnostics: &[Diagnostic], file_name: &str, source: &str) -> String {
    let file = SimpleFile::new(file_name, source);
    let config = term::Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let rendered = to_codespan(diagnostic, source);
        if term::emit_to_string(&mut out, &config, &file, &rendered).is_err() {
            // Rendering only fails on a span outside the file; fall back to the plain form.
            let (line, column) = diagnostic.line_col(source);
            out.push_str(&format!(
                "{diagnostic}\n  --> {file_name}:{line}:{column}\n"
            ));
        }
    }
    out
}

fn to_codespan(diagnostic: &Diagnostic, source: &str) -> cr::Diagnostic<()> {
    let clamp = |span: Span| {
        let start = floor_char_boundary(source, span.start);
        let end = floor_char_boundary(source, span.end.max(span.start));
        start..end.max(start)
    };
    let severity = match diagnostic.severity {
        Severity::Error => cr::Severity::Error,
        Severity::Warning => cr::Severity::Warning,
    };
    let mut primary = cr::Label::primary((), clamp(diagnostic.span));
    if let Some(message) = &diagnostic.primary_label {
        primary = primary.with_message(message);
    }
    let mut labels = vec![primary];
    labels.extend(
        diagnostic
            .labels
            .iter()
            .map(|label| cr::Label::secondary((), clamp(label.span)).with_message(&label.message)),
    );
    let notes = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {help}"))
        .collect();
    cr::Diagnostic::new(severity)
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// The diagnostics of one phase, with a quick test for errors.
pub trait DiagnosticsExt {
    /// Whether any diagnostic is an error.
    fn has_errors(&self) -> bool;
}

impl DiagnosticsExt for [Diagnostic] {
    fn has_errors(&self) -> bool {
        self.iter().any(Diagnostic::is_error)
    }
}
