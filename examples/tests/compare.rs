//! The measures of agreement between two runs' per-epoch losses.

use pc_examples::compare::{agreeing_digits, largest_relative_difference, loss_pairs};
use pc_runtime::train::{EpochStats, History};

fn history(losses: &[(f64, Option<f64>)]) -> History {
    let epochs = losses
        .iter()
        .enumerate()
        .map(|(index, &(train_loss, test_loss))| EpochStats {
            epoch: index + 1,
            train_loss,
            test_loss,
            test_accuracy: None,
            seconds: 0.0,
        })
        .collect();
    History { epochs }
}

#[test]
fn pairs_hold_the_training_and_held_out_losses() {
    let first = history(&[(0.5, Some(0.4)), (0.3, None)]);
    let second = history(&[(0.51, Some(0.41)), (0.29, None)]);
    assert_eq!(
        loss_pairs(&first, &second),
        vec![(0.5, 0.51), (0.4, 0.41), (0.3, 0.29)]
    );
}

#[test]
fn the_largest_relative_difference_is_taken_over_every_pair() {
    let difference = largest_relative_difference(&[(0.5, 0.5005), (0.2, 0.2004), (0.0, 0.0)]);
    assert!((difference - 2e-3).abs() < 1e-12, "{difference}");
    assert_eq!(largest_relative_difference(&[]), 0.0);
    assert!(largest_relative_difference(&[(f64::NAN, 1.0)]).is_nan());
}

#[test]
fn agreeing_digits_round_both_values() {
    assert_eq!(agreeing_digits(&[(0.309_557_76, 0.309_556_52)]), 5);
    assert_eq!(agreeing_digits(&[(0.097_674_04, 0.097_671_79)]), 4);
    assert_eq!(agreeing_digits(&[(0.25, 0.25)]), 12);
    // The least agreeing pair decides.
    assert_eq!(agreeing_digits(&[(1.0, 1.0), (1.0, 2.0)]), 0);
}
