//! `pc-dsl`: compiles neural-network model definitions into predictive-coding training code.
//!
//! The pipeline, one module per phase:
//!
//! ```text
//! .pcg text ─syntax::parse─> AST ─resolve─> IR graph ─shapes, reach─> checked graph   (check)
//!   ─level─> levelled graph ─gradients─> vertex programs ─schedule─> schedules          (compile)
//!   ─codegen─> Rust
//! ```
//!
//! - [`syntax`]: the grammar, the AST and a printer back to canonical text.
//! - [`ir`]: the graph every pass reads and refines, with a text and a DOT printer.
//! - [`passes`]: resolve, shapes, reach, level, gradients, schedule, in order; each states
//!   what holds after it.
//! - [`codegen`]: Rust for each model, calling `pc-runtime`.
//! - [`diag`]: the one diagnostic type, rendered with file, line, column and caret.
//! - [`expand`]: what `pc_model!` expands to, from tokens parsed by [`syntax::tokens`].
//! - [`Config`] and [`compile_models`]: the options, and the build-script entry point.

mod build;
pub mod codegen;
mod config;
pub mod diag;
pub mod expand;
pub mod ir;
pub mod passes;
pub mod syntax;

pub use build::{BuildError, BuildReport, BuiltFile, OutputFile, compile_models, write_if_changed};
pub use config::Config;
pub use diag::{Diagnostic, Severity, Span};
pub use passes::level::Levelling;

use passes::gradients::VertexProgram;
use passes::schedule::{Mode, ZilSchedule};

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

/// One model through every pass: what codegen and the inspection tools read.
#[derive(Clone, Debug)]
pub struct CompiledModel {
    /// The levelled graph.
    pub graph: ir::Graph,
    /// Every non-data vertex's prediction and vector-Jacobian product.
    pub programs: Vec<VertexProgram>,
    /// Backprop's reverse sweep.
    pub backprop: Vec<ir::VertexId>,
    /// Z-IL, wavefront mode.
    pub wavefront: ZilSchedule,
    /// Z-IL, full mode.
    pub full: ZilSchedule,
}

/// Runs the passes after checking on one graph.
pub fn compile_graph(mut graph: ir::Graph, config: &Config) -> CompiledModel {
    passes::level::level(&mut graph, config.levelling_mode());
    log::debug!(
        "level: `{}` has {} vertices, depth {}",
        graph.name,
        graph.vertices.len(),
        passes::schedule::depth(&graph)
    );
    let programs = passes::gradients::derive_gradients(&graph);
    let backprop = passes::schedule::backprop_order(&graph);
    let wavefront = passes::schedule::zil_schedule(&graph, Mode::Wavefront);
    let full = passes::schedule::zil_schedule(&graph, Mode::Full);
    CompiledModel {
        graph,
        programs,
        backprop,
        wavefront,
        full,
    }
}

/// The result of compiling a source text.
#[derive(Debug)]
pub struct Compiled {
    /// Every model, compiled.
    pub models: Vec<CompiledModel>,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
}

impl Compiled {
    /// The generated Rust of every model, with a header naming `source_name`.
    pub fn rust(&self, source_name: &str, config: &Config) -> String {
        codegen::emit_file(
            &self.models,
            source_name,
            &config.runtime_tokens(),
            config.formats(),
        )
    }

    /// The generated Rust of every model as tokens, for the macro.
    pub fn tokens(&self, config: &Config) -> proc_macro2::TokenStream {
        let runtime = config.runtime_tokens();
        let models = self
            .models
            .iter()
            .map(|model| codegen::emit_model(model, &runtime));
        quote::quote!(#(#models)*)
    }
}

/// Parses, checks and compiles a `.pcg` text, or returns every diagnostic when any is an error.
pub fn compile(source: &str, config: &Config) -> Result<Compiled, Vec<Diagnostic>> {
    let file = syntax::parse(source)?;
    compile_ast(&file, config)
}

/// Checks and compiles a parsed file: the entry point of the `pc_model!` macro.
pub fn compile_ast(file: &syntax::ast::File, config: &Config) -> Result<Compiled, Vec<Diagnostic>> {
    let checked = check_ast(file);
    if checked.has_errors() {
        return Err(checked.diagnostics);
    }
    let mut diagnostics = checked.diagnostics;
    for graph in &checked.graphs {
        if graph.params.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    graph.span,
                    format!("model `{}` has no parameters", graph.name),
                )
                .with_help("declare at least one `param` for the model to learn"),
            );
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let models = checked
        .graphs
        .into_iter()
        .map(|graph| compile_graph(graph, config))
        .collect();
    Ok(Compiled {
        models,
        warnings: diagnostics,
    })
}
