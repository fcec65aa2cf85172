//! Progress of training on stderr: a bar per epoch on a terminal, one plain line otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use super::{EpochStats, History};

/// How the progress of an epoch is shown.
pub(super) enum Progress {
    /// Nothing is printed.
    Silent,
    /// One line per epoch, for logs and pipes where a redrawn bar would be noise.
    Lines,
    /// A bar redrawn during the epoch, then one line per epoch.
    Bar(Option<ProgressBar>),
}

impl Progress {
    /// Bars when asked for progress on a terminal, lines when asked elsewhere.
    pub(super) fn new(enabled: bool) -> Self {
        match (enabled, std::io::stderr().is_terminal()) {
            (false, _) => Progress::Silent,
            (true, false) => Progress::Lines,
            (true, true) => Progress::Bar(None),
        }
    }

    /// Starts an epoch of `steps` batches.
    pub(super) fn begin_epoch(&mut self, epoch: usize, epochs: usize, steps: usize) {
        if let Progress::Bar(bar) = self {
            let style = ProgressStyle::with_template(
                "epoch {prefix} [{bar:30}] {pos}/{len} batches, loss {msg} ({elapsed})",
            )
            .map(|style| style.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            let new_bar = ProgressBar::new(steps as u64)
                .with_style(style)
                .with_prefix(format!("{epoch}/{epochs}"));
            *bar = Some(new_bar);
        }
    }

    /// Records a finished step and the mean training loss so far.
    pub(super) fn step(&mut self, mean_loss: f64) {
        if let Progress::Bar(Some(bar)) = self {
            bar.set_message(format!("{mean_loss:.4}"));
            bar.inc(1);
        }
    }

    /// Ends an epoch with its summary line.
    pub(super) fn end_epoch(&mut self, stats: &EpochStats, epochs: usize) {
        if let Progress::Bar(bar) = self
            && let Some(bar) = bar.take()
        {
            bar.finish_and_clear();
        }
        if !matches!(self, Progress::Silent) {
            eprintln!("{}", epoch_line(stats, epochs));
        }
    }

    /// Prints the summary of a finished run.
    pub(super) fn finish(&self, history: &History) {
        if matches!(self, Progress::Silent) {
            return;
        }
        let mut line = format!(
            "trained {} epochs in {:.1} s",
            history.epochs.len(),
            history.total_seconds()
        );
        if let Some(accuracy) = history.last().and_then(|last| last.test_accuracy) {
            line.push_str(&format!(", final test accuracy {:.2}%", 100.0 * accuracy));
        }
        eprintln!("{line}");
    }

    /// Removes a bar left by an epoch that failed, so the error is printed on a clean line.
    pub(super) fn abandon(&mut self) {
        if let Progress::Bar(bar) = self
            && let Some(bar) = bar.take()
        {
            bar.abandon();
        }
    }
}

/// `epoch 3/10: train loss 0.1234, test loss 0.2345, test accuracy 93.10% (1.2 s)`.
fn epoch_line(stats: &EpochStats, epochs: usize) -> String {
    let mut line = format!(
        "epoch {}/{epochs}: train loss {:.4}",
        stats.epoch, stats.train_loss
    );
    if let Some(loss) = stats.test_loss {
        line.push_str(&format!(", test loss {loss:.4}"));
    }
    if let Some(accuracy) = stats.test_accuracy {
        line.push_str(&format!(", test accuracy {:.2}%", 100.0 * accuracy));
    }
    line.push_str(&format!(" ({:.1} s)", stats.seconds));
    line
}
