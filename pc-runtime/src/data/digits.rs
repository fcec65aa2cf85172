//! The 8x8 handwritten digits, embedded in the crate: 1,797 samples, 64 pixels each.
//!
//! The data is the test set of the UCI "Optical Recognition of Handwritten Digits" data
//! (E. Alpaydin, C. Kaynak, 1998) as shipped with scikit-learn, under CC BY 4.0; see
//! `pc-runtime/data/README.md`. It is small enough to embed, so examples and tests need no
//! download and no path.

use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use ndarray::Array2;

use super::{DataError, Dataset};
use crate::Scalar;

/// The gzipped CSV: one sample a line, 64 pixel values from 0 to 16 then the label.
const CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// The number of samples.
pub const SAMPLES: usize = 1797;

/// The number of pixels of one sample, an 8x8 image read row by row.
pub const PIXELS: usize = 64;

/// The number of classes, the digits 0 to 9.
pub const CLASSES: usize = 10;

/// The largest pixel value in the file; pixels are divided by it.
const MAX_PIXEL: u8 = 16;

/// Loads the embedded digits: features `[1797, 64]` scaled to `[0, 1]`, ten classes. Use
/// [`Dataset::with_feature_shape`] with `&[1, 8, 8]` for a convolutional model.
pub fn load<S: Scalar>() -> Result<Dataset<S>, DataError> {
    let path = PathBuf::from("digits.csv.gz (embedded in pc-runtime)");
    let mut text = String::new();
    GzDecoder::new(CSV_GZ)
        .read_to_string(&mut text)
        .map_err(|error| DataError::Gzip {
            path: path.clone(),
            message: error.to_string(),
        })?;
    parse(&text, &path)
}

/// Parses the CSV text; `path` only names the source in errors.
fn parse<S: Scalar>(text: &str, path: &Path) -> Result<Dataset<S>, DataError> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let mut pixels = Array2::<S>::zeros((lines.len(), PIXELS));
    let mut labels = Vec::with_capacity(lines.len());

    for (index, line) in lines.iter().enumerate() {
        let parse_error = |message: String| DataError::Parse {
            path: path.to_path_buf(),
            line: index + 1,
            message,
        };
        let values: Vec<u8> = line
            .split(',')
            .map(|field| field.trim().parse::<u8>())
            .collect::<Result<_, _>>()
            .map_err(|error| parse_error(format!("not a small whole number: {error}")))?;
        if values.len() != PIXELS + 1 {
            return Err(parse_error(format!(
                "expected {} values, found {}",
                PIXELS + 1,
                values.len()
            )));
        }

        let (pixel_values, label) = values.split_at(PIXELS);
        if let Some(bad) = pixel_values.iter().find(|&&value| value > MAX_PIXEL) {
            return Err(parse_error(format!(
                "pixel value {bad} is greater than {MAX_PIXEL}"
            )));
        }
        let label = usize::from(label[0]);
        if label >= CLASSES {
            return Err(DataError::Label {
                path: path.to_path_buf(),
                index,
                label,
                max: CLASSES - 1,
            });
        }

        for (target, &value) in pixels.row_mut(index).iter_mut().zip(pixel_values) {
            *target = S::from_f64_lossy(f64::from(value) / f64::from(MAX_PIXEL));
        }
        labels.push(label);
    }

    Dataset::new(pixels.into_dyn(), labels, CLASSES)
}
