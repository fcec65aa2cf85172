//! Runnable predictive-coding examples.
