//! Timing shared by the benchmarks: the figures they print besides criterion's report.

use std::time::{Duration, Instant};

/// Whether this is a real benchmark run: criterion runs each benchmark once in test mode, and
/// the printed figures are worth their seconds only in a real run.
pub fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|arg| arg == "--bench") && !args.iter().any(|arg| arg == "--test")
}

/// The median wall time of `rounds` calls and, where Linux reports it, their mean time on the
/// CPU, which other processes on a shared machine disturb less.
pub fn time(rounds: usize, mut work: impl FnMut()) -> String {
    let cpu_before = cpu_time();
    let mut walls: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64()
        })
        .collect();
    let cpu = cpu_before
        .zip(cpu_time())
        .map(|(before, after)| (after - before).as_secs_f64() / rounds as f64);
    walls.sort_by(f64::total_cmp);
    let wall = walls[rounds / 2];
    match cpu {
        Some(cpu) => format!(
            "{:.1} ms wall (median of {rounds}), {:.1} ms on the CPU (mean)",
            wall * 1e3,
            cpu * 1e3
        ),
        None => format!("{:.1} ms wall (median of {rounds})", wall * 1e3),
    }
}

/// The time this thread has spent on a CPU, from `/proc/thread-self/schedstat` (Linux only).
/// The kernel updates it at scheduler ticks, so only a sum over many calls is meaningful.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanoseconds))
}
