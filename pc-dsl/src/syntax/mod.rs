//! The `.pcg` language: grammar, parser to the AST, and a printer back to canonical text.

pub mod ast;
mod parser;
mod printer;

pub use parser::parse;
pub use printer::print;
