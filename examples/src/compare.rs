//! How closely two runs from the same seed agree: their per-epoch losses side by side, the
//! largest relative difference, and the significant digits they share.

use pc_runtime::train::History;

use crate::runs::Run;

/// Prints both runs' per-epoch losses side by side and how closely they agree.
pub fn print_comparison(first: &Run, second: &Run) {
    let (a, b) = (first.method.name(), second.method.name());
    println!(
        "{:>5}  {:>14} {:>14}  {:>14} {:>14}",
        "epoch",
        format!("{a} train"),
        format!("{b} train"),
        format!("{a} test"),
        format!("{b} test")
    );
    for (one, two) in first.history.epochs.iter().zip(&second.history.epochs) {
        println!(
            "{:>5}  {:>14.8} {:>14.8}  {:>14.8} {:>14.8}",
            one.epoch,
            one.train_loss,
            two.train_loss,
            one.test_loss.unwrap_or(f64::NAN),
            two.test_loss.unwrap_or(f64::NAN)
        );
    }

    let pairs = loss_pairs(&first.history, &second.history);
    let difference = largest_relative_difference(&pairs);
    if !pairs.is_empty() && pairs.iter().all(|(one, two)| one == two) {
        println!("every per-epoch loss of {b} equals {a}'s, to the last bit");
        return;
    }
    let digits = agreeing_digits(&pairs);
    println!(
        "largest relative difference of the per-epoch losses, {b} vs {a}: {difference:.3e}; \
         every pair agrees to {digits} significant digits"
    );
}

/// Every epoch's training loss and held-out loss of two runs, paired, where both have one.
pub fn loss_pairs(first: &History, second: &History) -> Vec<(f64, f64)> {
    let mut pairs = Vec::new();
    for (one, two) in first.epochs.iter().zip(&second.epochs) {
        pairs.push((one.train_loss, two.train_loss));
        if let (Some(a), Some(b)) = (one.test_loss, two.test_loss) {
            pairs.push((a, b));
        }
    }
    pairs
}

/// The largest `|a - b| / |a|` over the pairs (`|a - b|` where `a` is zero); NaN if any value
/// is NaN, 0 for no pairs.
pub fn largest_relative_difference(pairs: &[(f64, f64)]) -> f64 {
    let mut largest = 0.0_f64;
    for &(a, b) in pairs {
        if a.is_nan() || b.is_nan() {
            return f64::NAN;
        }
        let difference = (a - b).abs();
        largest = largest.max(if a == 0.0 {
            difference
        } else {
            difference / a.abs()
        });
    }
    largest
}

/// The most significant digits, up to 12, to which both values of every pair round alike.
pub fn agreeing_digits(pairs: &[(f64, f64)]) -> usize {
    let agree = |digits: usize| {
        pairs
            .iter()
            .all(|&(a, b)| rounded(a, digits) == rounded(b, digits))
    };
    (1..=12)
        .take_while(|&digits| agree(digits))
        .last()
        .unwrap_or(0)
}

/// `value` rounded to `digits` significant digits, as text: `1.2346e-1` for 4 digits.
fn rounded(value: f64, digits: usize) -> String {
    format!("{value:.*e}", digits.saturating_sub(1))
}
