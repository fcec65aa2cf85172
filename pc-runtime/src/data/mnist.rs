//! MNIST read from the standard IDX files in a directory, gzipped or not.
//!
//! MNIST is too large to embed, so it is read from a directory the user names, or from the
//! one in the `PC_MNIST_DIR` environment variable ([`dir_from_env`]). The directory holds the
//! four files under their usual names (`train-images-idx3-ubyte.gz` and so on); each may be
//! gzipped or not, which is told from its first two bytes rather than from its name.

use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use ndarray::Array2;

use super::{DataError, Dataset};
use crate::Scalar;

/// The environment variable [`dir_from_env`] reads.
pub const DIR_VARIABLE: &str = "PC_MNIST_DIR";

/// The magic number of an IDX file of unsigned bytes with three axes: images.
pub const IMAGES_MAGIC: u32 = 2051;

/// The magic number of an IDX file of unsigned bytes with one axis: labels.
pub const LABELS_MAGIC: u32 = 2049;

/// The number of classes, the digits 0 to 9.
pub const CLASSES: usize = 10;

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Which of MNIST's two sets to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// The 60,000 training images.
    Train,
    /// The 10,000 test images.
    Test,
}

impl Split {
    /// The prefix of the set's file names.
    fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

/// The directory in `PC_MNIST_DIR`, if that variable is set and not empty.
pub fn dir_from_env() -> Option<PathBuf> {
    std::env::var_os(DIR_VARIABLE)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// Loads one set of MNIST from `dir`: features `[N, 784]` scaled to `[0, 1]` (row by row;
/// see [`Dataset::with_feature_shape`] for images), ten classes.
pub fn load<S: Scalar>(dir: &Path, split: Split) -> Result<Dataset<S>, DataError> {
    let images_path = find(dir, &format!("{}-images-idx3-ubyte", split.prefix()))?;
    let labels_path = find(dir, &format!("{}-labels-idx1-ubyte", split.prefix()))?;

    let images = read_decompressed(&images_path)?;
    let dims = parse_header(&images, &images_path, IMAGES_MAGIC, 3)?;
    let (image_count, pixels) = (dims[0], dims[1] * dims[2]);
    let labels = read_decompressed(&labels_path)?;
    let label_count = parse_header(&labels, &labels_path, LABELS_MAGIC, 1)?[0];
    if image_count != label_count {
        return Err(DataError::CountMismatch {
            images: images_path,
            image_count,
            labels: labels_path,
            label_count,
        });
    }

    let label_bytes = &labels[header_len(1)..];
    if let Some(index) = label_bytes
        .iter()
        .position(|&label| usize::from(label) >= CLASSES)
    {
        return Err(DataError::Label {
            path: labels_path,
            index,
            label: usize::from(label_bytes[index]),
            max: CLASSES - 1,
        });
    }

    // One conversion per byte value rather than one division per pixel.
    let table: Vec<S> = (0..=255u8)
        .map(|byte| S::from_f64_lossy(f64::from(byte) / 255.0))
        .collect();
    let values: Vec<S> = images[header_len(3)..]
        .iter()
        .map(|&byte| table[usize::from(byte)])
        .collect();
    let features = Array2::from_shape_vec((image_count, pixels), values)
        .map_err(|error| DataError::Shape(error.to_string()))?;
    let labels = label_bytes
        .iter()
        .map(|&label| usize::from(label))
        .collect();
    Dataset::new(features.into_dyn(), labels, CLASSES)
}

/// The path of the file `name` in `dir`, gzipped (`name.gz`) or not.
fn find(dir: &Path, name: &str) -> Result<PathBuf, DataError> {
    let paths = [dir.join(format!("{name}.gz")), dir.join(name)];
    match paths.iter().find(|path| path.is_file()) {
        Some(path) => Ok(path.clone()),
        None => Err(DataError::Missing {
            paths: paths.to_vec(),
        }),
    }
}

/// The file's bytes, decompressed if they start like gzip.
fn read_decompressed(path: &Path) -> Result<Vec<u8>, DataError> {
    let bytes = std::fs::read(path).map_err(|error| DataError::Io {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes);
    }

    let mut decompressed = Vec::new();
    GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut decompressed)
        .map_err(|error| DataError::Gzip {
            path: path.to_path_buf(),
            message: error.to_string(),
        })?;
    Ok(decompressed)
}

/// The length of an IDX header with `rank` axes: the magic number and one count per axis.
fn header_len(rank: usize) -> usize {
    4 * (1 + rank)
}

/// Checks an IDX file's magic number and that its length fits its header; returns the sizes
/// of its `rank` axes.
fn parse_header(
    bytes: &[u8],
    path: &Path,
    magic: u32,
    rank: usize,
) -> Result<Vec<usize>, DataError> {
    let length_error = |expected: usize| DataError::Length {
        path: path.to_path_buf(),
        expected,
        found: bytes.len(),
    };
    let words: Vec<u32> = bytes
        .chunks_exact(4)
        .take(1 + rank)
        .map(|word| u32::from_be_bytes([word[0], word[1], word[2], word[3]]))
        .collect();

    // The magic number is checked before the header's length, so that a short file of the
    // wrong kind is reported as the wrong kind.
    match words.first() {
        None => return Err(length_error(header_len(rank))),
        Some(&found) if found != magic => {
            return Err(DataError::Magic {
                path: path.to_path_buf(),
                expected: magic,
                found,
            });
        }
        Some(_) => {}
    }
    if words.len() < 1 + rank {
        return Err(length_error(header_len(rank)));
    }

    let dims: Vec<usize> = words[1..].iter().map(|&size| size as usize).collect();
    // Sizes come from the file, so a product that overflows is a malformed header, reported
    // as a length no file can have.
    let items = dims
        .iter()
        .try_fold(1usize, |product, &size| product.checked_mul(size));
    let expected = items.map_or(usize::MAX, |items| items.saturating_add(header_len(rank)));
    if bytes.len() != expected {
        return Err(length_error(expected));
    }
    Ok(dims)
}
