//! Rust identifiers for the model's names: the user's own where possible.

use proc_macro2::{Ident, Span};
use quote::format_ident;

use crate::ir::{Graph, VertexKind};

/// The identifiers generated code uses for one model.
#[derive(Clone)]
pub struct Names {
    /// The model struct, named as the model.
    pub model: Ident,
    /// The struct holding every vertex's value during inference.
    pub state: Ident,
    /// The struct holding every vertex's tape.
    pub tapes: Ident,
    /// The struct of per-vertex sums (deltas or pulled-back errors).
    pub vertex_sums: Ident,
    /// The struct of per-parameter sums (gradients or contributions).
    pub param_sums: Ident,
    /// One identifier per vertex, in vertex order.
    pub vertices: Vec<Ident>,
    /// One identifier per parameter, in declaration order.
    pub params: Vec<Ident>,
    /// One identifier per run-time dimension: `dim_b` for `B`.
    pub dims: Vec<Ident>,
}

impl Names {
    /// Chooses identifiers for every name of the graph; distinct vertices get distinct ones.
    pub fn new(graph: &Graph) -> Names {
        let model = ident(&graph.name);
        let mut taken: Vec<String> = Vec::new();
        let mut loss_count = 0;
        let vertices = graph
            .vertices
            .iter()
            .map(|vertex| {
                let base = match vertex.kind {
                    VertexKind::Loss { .. } => {
                        loss_count += 1;
                        format!("loss_{}", loss_count - 1)
                    }
                    _ => sanitize(&vertex.name),
                };
                let mut name = base.clone();
                let mut suffix = 1;
                while taken.contains(&name) {
                    name = format!("{base}_{suffix}");
                    suffix += 1;
                }
                taken.push(name.clone());
                ident(&name)
            })
            .collect();
        Names {
            state: format_ident!("{}State", graph.name),
            tapes: format_ident!("{}Tapes", graph.name),
            vertex_sums: format_ident!("{}VertexSums", graph.name),
            param_sums: format_ident!("{}ParamSums", graph.name),
            model,
            vertices,
            params: graph
                .params
                .iter()
                .map(|param| ident(&param.name))
                .collect(),
            dims: graph
                .dims
                .iter()
                .map(|dim| ident(&format!("dim_{}", sanitize(&dim.name).to_lowercase())))
                .collect(),
        }
    }
}

/// `h[3]` to `h_3`, `h.id1` to `h_id1`: every run of other characters becomes one `_`.
fn sanitize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    if trimmed.is_empty() {
        "v".to_string()
    } else {
        trimmed.to_string()
    }
}

/// An identifier, raw when the name is a Rust keyword, with `_` appended where even a raw
/// identifier is not allowed.
pub fn ident(name: &str) -> Ident {
    const STRICT: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe",
        "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
        "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];
    if NOT_RAW.contains(&name) {
        format_ident!("{name}_")
    } else if STRICT.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}
