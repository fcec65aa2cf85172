//! The compiler's passes, in the order they run, each with what holds after it.
//!
//! 1. [`resolve`]: names bound, loops unrolled, constants folded, `let` bindings inlined into
//!    the vertex that uses them; the graph's vertices are in topological order.
//! 2. [`shapes`]: every vertex and every expression node has a shape.
//! 3. [`reach`]: vertices and parameters that reach no loss are reported and removed.

pub mod reach;
pub mod resolve;
pub mod shapes;
