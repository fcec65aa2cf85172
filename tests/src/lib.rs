//! Shared helpers of the cross-crate tests: a reference interpreter of compiled models and a
//! generator of random models.

pub mod interp;
pub mod random_model;
