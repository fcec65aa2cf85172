//! Shared helpers of the cross-crate tests: running generated models on random data, a
//! reference interpreter of compiled models, and a generator of random models.

pub mod harness;
pub mod interp;
pub mod random_model;
