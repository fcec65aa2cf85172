//! The `.pcg` language: grammar, parser to the AST, and a printer back to canonical text.

pub mod ast;
mod builder;
mod errors;
mod parser;
mod printer;
mod scan;

pub use parser::parse;
pub use printer::print;
