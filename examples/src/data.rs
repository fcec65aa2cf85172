//! MNIST for the examples: both sets from the folder the flags name.

use std::error::Error;

use pc_runtime::data::Dataset;
use pc_runtime::data::mnist::{self, Split};

use crate::cli::DataArgs;

/// The MNIST training set (cut to `--limit`) and test set, features `[N, 784]` standardised
/// with the training set's pixel mean and deviation. Errors name the folder or the file that
/// is missing or corrupt.
pub fn load_mnist(args: &DataArgs) -> Result<(Dataset<f32>, Dataset<f32>), Box<dyn Error>> {
    let dir = args.dir()?;
    let mut train = mnist::load::<f32>(&dir, Split::Train)?;
    if let Some(limit) = args.limit {
        train = train.take(limit);
    }
    let test = mnist::load::<f32>(&dir, Split::Test)?;
    let (train, test) = (standardise(train), standardise(test));
    println!(
        "MNIST from {}: {} training and {} test images",
        dir.display(),
        train.len(),
        test.len()
    );
    Ok((train, test))
}

/// The mean of MNIST's training pixels, once scaled to `[0, 1]`.
const PIXEL_MEAN: f32 = 0.1307;

/// The standard deviation of MNIST's training pixels, once scaled to `[0, 1]`.
const PIXEL_STD: f32 = 0.3081;

/// The same samples with pixels shifted and scaled to mean 0 and deviation 1 over the
/// training set, which suits tanh units better than `[0, 1]`.
fn standardise(data: Dataset<f32>) -> Dataset<f32> {
    data.map_features(|pixel| (pixel - PIXEL_MEAN) / PIXEL_STD)
}
