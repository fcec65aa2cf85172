//! Timing the three training methods against each other on a shared machine: interleaved
//! rounds in every order, summarised by the fastest time, the median and the median ratio to
//! backprop.

use std::time::{Duration, Instant};

use pc_runtime::Method;

/// Whether a bench binary was started by `cargo bench` (`--bench`) rather than by
/// `cargo test --benches` (`--test` or no `--bench`) or asked for its list (`--list`): only a
/// real run is worth the seconds of careful timing.
pub fn measuring() -> bool {
    std::env::args().any(|arg| arg == "--bench")
        && !std::env::args().any(|arg| arg == "--test" || arg == "--list")
}

/// Every order of the three methods of [`Method::ALL`], by index, so that none always runs
/// first or after another.
pub const ORDERS: [[usize; 3]; 6] = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [0, 2, 1],
    [2, 1, 0],
    [1, 0, 2],
];

/// Runs the three methods in turn, `rounds` times, each round in the next of [`ORDERS`]:
/// `run(index)` runs the method `Method::ALL[index]` once and returns the wall time of the part
/// worth timing, so that preparing a run stays outside (see [`timed`]). Returns every time of
/// each method in seconds, in round order: the runs of one round saw the same load.
pub fn interleaved(rounds: usize, mut run: impl FnMut(usize) -> Duration) -> [Vec<f64>; 3] {
    let mut times = Method::ALL.map(|_| Vec::with_capacity(rounds));
    for round in 0..rounds {
        for index in ORDERS[round % ORDERS.len()] {
            times[index].push(run(index).as_secs_f64());
        }
    }
    times
}

/// What `work` returns, and how long it took.
pub fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let result = work();
    (result, start.elapsed())
}

/// The times of interleaved rounds in a few numbers, each method in the order of
/// [`Method::ALL`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// The fastest time of each method, the least disturbed by other work, in seconds.
    pub fastest: [f64; 3],
    /// The median time of each method, in seconds.
    pub median: [f64; 3],
    /// The medians of the per-round ratios Z-IL / backprop and Z-IL full / backprop.
    pub ratios: [f64; 2],
}

/// Summarises the times [`interleaved`] returned; every method needs at least one.
pub fn summarise(times: &[Vec<f64>; 3]) -> Summary {
    let paired = |index: usize| -> Vec<f64> {
        times[index]
            .iter()
            .zip(&times[0])
            .map(|(time, backprop)| time / backprop)
            .collect()
    };
    Summary {
        fastest: times
            .clone()
            .map(|samples| samples.into_iter().fold(f64::INFINITY, f64::min)),
        median: times.clone().map(median),
        ratios: [median(paired(1)), median(paired(2))],
    }
}

/// The middle value, the upper one of the two middle values for an even count.
///
/// # Panics
///
/// If `samples` is empty.
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}
