//! Runnable predictive-coding examples; the models live in `models/` and are compiled by the
//! crate's build script.

/// The digit classifier of `models/digits.pcg`.
pub mod digits {
    pc_runtime::include_model!("digits");
}
