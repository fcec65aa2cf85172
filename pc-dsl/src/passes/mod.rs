//! The compiler's passes, in the order they run, each with what holds after it.
//!
//! 1. [`resolve`]: names bound, loops unrolled, constants folded, `let` bindings inlined into
//!    the vertex that uses them; the graph's vertices are in topological order.
//! 2. [`shapes`]: every vertex and every expression node has a shape.
//! 3. [`reach`]: every vertex and parameter left reaches a loss; the rest was reported.
//! 4. [`level`]: every vertex has its level, and identity vertices make the graph as levelled
//!    as the chosen Z-IL mode needs.
//! 5. [`gradients`]: every vertex has a program computing its prediction and the
//!    vector-Jacobian products its local energy gradient and parameter updates are made of.
//! 6. [`schedule`]: the order of work of backprop and of both Z-IL modes.

pub mod gradients;
pub mod level;
pub mod reach;
pub mod resolve;
pub mod schedule;
pub mod shapes;
