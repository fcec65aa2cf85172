//! Mini-batches of a data set, in a seeded random order or in order.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::Dataset;
use crate::{Batch, Scalar};

/// An iterator over the mini-batches of a [`Dataset`], made by [`Dataset::batches`] or
/// [`Dataset::batches_in_order`]. Each batch is copied out of the data set when it is reached,
/// so only one batch is held at a time.
#[derive(Clone, Debug)]
pub struct Batches<'a, S> {
    dataset: &'a Dataset<S>,
    /// The sample indices in the order they are served.
    order: Vec<usize>,
    /// The index into `order` of the next batch's first sample.
    position: usize,
    batch_size: usize,
    input: String,
    target: String,
}

impl<'a, S: Scalar> Batches<'a, S> {
    pub(super) fn new(
        dataset: &'a Dataset<S>,
        order: Vec<usize>,
        batch_size: usize,
        input: &str,
        target: &str,
    ) -> Self {
        assert!(batch_size > 0, "the batch size must be at least 1");
        Batches {
            dataset,
            order,
            position: 0,
            batch_size,
            input: input.to_string(),
            target: target.to_string(),
        }
    }

    /// The sample indices of the batch that the next call to `next` returns, in the data set's
    /// numbering; empty when the iterator is done.
    pub fn peek_indices(&self) -> &[usize] {
        let end = (self.position + self.batch_size).min(self.order.len());
        &self.order[self.position..end]
    }
}

impl<S: Scalar> Iterator for Batches<'_, S> {
    type Item = Batch<S>;

    fn next(&mut self) -> Option<Batch<S>> {
        let indices = self.peek_indices();
        if indices.is_empty() {
            return None;
        }
        let batch = self.dataset.batch(indices, &self.input, &self.target);
        self.position += indices.len();
        Some(batch)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = (self.order.len() - self.position).div_ceil(self.batch_size);
        (remaining, Some(remaining))
    }
}

impl<S: Scalar> ExactSizeIterator for Batches<'_, S> {}

/// The numbers `0..len` in an order drawn from a ChaCha8 generator seeded with `seed`. ChaCha's
/// stream is specified, unlike that of `rand`'s default generator, so a seed gives the same
/// order on every platform.
pub(crate) fn permutation(len: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    order.shuffle(&mut rng);
    order
}
