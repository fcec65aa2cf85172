//! The `.pcg` language: grammar, parser to the AST, and a printer back to canonical text; and
//! the same language as Rust tokens, for `pc_model!` ([`tokens`]).

pub mod ast;
mod builder;
mod depth;
mod errors;
mod parser;
mod printer;
mod scan;
pub mod tokens;

pub use parser::{parse, parse_partial};
pub use printer::print;
