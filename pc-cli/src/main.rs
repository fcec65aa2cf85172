//! `pcg`: the compiler's view of a model, for people.

fn main() {}
