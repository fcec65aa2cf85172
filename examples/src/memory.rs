//! The process's memory as Linux reports it: the resident size now, and its peak since the
//! start or since the peak was last reset.

/// A field of `/proc/self/status` given in kB (`VmHWM`, `VmRSS`), in bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| {
        line.strip_prefix(field)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    // The line reads `VmHWM:    123456 kB`.
    let kibibytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kibibytes * 1024)
}

/// The peak resident set size (`VmHWM`) in bytes, where Linux gives it.
pub fn peak_resident_bytes() -> Option<u64> {
    status_bytes("VmHWM")
}

/// The resident set size now (`VmRSS`) in bytes, where Linux gives it.
pub fn resident_bytes() -> Option<u64> {
    status_bytes("VmRSS")
}

/// Restarts the peak from the resident size now, so that a later [`peak_resident_bytes`]
/// measures one phase of the run; returns whether the system allowed it.
pub fn reset_peak() -> bool {
    // Writing 5 to `clear_refs` resets `VmHWM` (Linux 4.0 and later).
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Bytes in mebibytes, to a tenth: `123.4 MiB`.
pub fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `label: 123.4 MiB`, or `label: not reported on this system`.
pub fn line(label: &str, bytes: Option<u64>) -> String {
    match bytes {
        Some(bytes) => format!("{label}: {}", mebibytes(bytes)),
        None => format!("{label}: not reported on this system"),
    }
}

/// Runs `phase`, then prints the resident size before it and the peak during it (the peak
/// since the start where it cannot be reset).
pub fn report_peak<T>(phase: impl FnOnce() -> T) -> T {
    let before = resident_bytes();
    let reset = reset_peak();
    let result = phase();
    println!("{}", line("resident before training", before));
    let label = if reset {
        "peak resident while training (VmHWM)"
    } else {
        "peak resident since the start (VmHWM)"
    };
    println!("{}", line(label, peak_resident_bytes()));
    result
}
