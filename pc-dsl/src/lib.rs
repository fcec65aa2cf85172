//! `pc-dsl`: compiles neural-network model definitions into predictive-coding training code.
//!
//! The pipeline, one module per phase:
//!
//! ```text
//! .pcg text ──syntax::parse──> AST ──passes::resolve──> IR graph ──passes──> checked graph
//! ```
//!
//! - [`syntax`]: the grammar, the AST and a printer back to canonical text.
//! - [`ir`]: the graph every pass reads and refines, with a text and a DOT printer.
//! - [`passes`]: resolve, shapes, reach, in order; each states what holds after it.
//! - [`diag`]: the one diagnostic type, rendered with file, line, column and caret.

pub mod diag;
pub mod ir;
pub mod passes;
pub mod syntax;

pub use diag::{Diagnostic, Severity, Span};

/// The result of checking a source text: the graphs that lowered and every diagnostic found.
#[derive(Debug)]
pub struct Checked {
    /// One graph per model that passed every phase.
    pub graphs: Vec<ir::Graph>,
    /// Errors and warnings of every phase, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses, lowers and checks a `.pcg` text. Never panics, whatever the input.
///
/// A phase runs only when the one before it found no errors, so that one mistake is reported
/// once rather than again by every later phase.
pub fn check(source: &str) -> Checked {
    let file = match syntax::parse(source) {
        Ok(file) => file,
        Err(diagnostics) => {
            return Checked {
                graphs: Vec::new(),
                diagnostics,
            };
        }
    };
    check_ast(&file)
}

/// Lowers and checks a parsed file.
pub fn check_ast(file: &syntax::ast::File) -> Checked {
    let (mut graphs, mut diagnostics) = passes::resolve::lower(file);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Checked {
            graphs: Vec::new(),
            diagnostics,
        };
    }
    let mut checked = Vec::new();
    for mut graph in graphs.drain(..) {
        let shape_errors = passes::shapes::infer_shapes(&mut graph);
        let failed = shape_errors.iter().any(Diagnostic::is_error);
        diagnostics.extend(shape_errors);
        if failed {
            continue;
        }
        diagnostics.extend(passes::reach::prune_unreachable(&mut graph));
        checked.push(graph);
    }
    Checked {
        graphs: checked,
        diagnostics,
    }
}
