//! Data sets: the embedded digits, MNIST's IDX files (small ones written here, and the real
//! ones when present), splitting, batching and reshaping.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use pc_runtime::data::mnist::{self, Split};
use pc_runtime::data::{DataError, Dataset, Layout, digits};

use crate::support::TempDir;

#[test]
fn the_embedded_digits_load_scaled_with_ten_classes() {
    let digits = digits::load::<f32>().unwrap();
    assert_eq!(digits.len(), digits::SAMPLES);
    assert_eq!(digits.features().shape(), &[1797, 64]);
    assert_eq!(digits.targets().shape(), &[1797, 10]);

    let max = digits.features().fold(0.0f32, |a, &b| a.max(b));
    let min = digits.features().fold(1.0f32, |a, &b| a.min(b));
    assert_eq!((min, max), (0.0, 1.0));
    // The first sample of the file is a 0 and its third pixel is 5 / 16.
    assert_eq!(digits.labels()[0], 0);
    assert_eq!(digits.features()[[0, 2]], 5.0 / 16.0);
    assert_eq!(digits.targets()[[0, 0]], 1.0);
    assert_eq!(digits.targets()[[0, 1]], 0.0);
    for class in 0..10 {
        let count = digits.labels().iter().filter(|&&l| l == class).count();
        assert!((170..=190).contains(&count), "{count} samples of {class}");
    }
}

#[test]
fn split_and_batches_cover_every_sample_once_in_a_seeded_order() {
    let data = digits::load::<f64>().unwrap();
    let (train, test) = data.split(0.2, 1);
    assert_eq!((train.len(), test.len()), (1438, 359));

    let batches: Vec<_> = train.batches(100, 9, "x", "y").collect();
    assert_eq!(batches.len(), 15);
    assert_eq!(batches[14].get("x").unwrap().shape(), &[38, 64]);
    assert_eq!(batches[0].get("y").unwrap().shape(), &[100, 10]);
    let seen: usize = batches.iter().map(|b| b.get("x").unwrap().shape()[0]).sum();
    assert_eq!(seen, train.len());

    let again: Vec<_> = train.batches(100, 9, "x", "y").collect();
    assert_eq!(batches, again);
    let other: Vec<_> = train.batches(100, 10, "x", "y").collect();
    assert_ne!(batches, other);

    // The same seed splits the same way; the halves are disjoint shuffles of the whole.
    assert_eq!(data.split(0.2, 1).1, test);
    let mut labels = [train.labels(), test.labels()].concat();
    let mut all = data.labels().to_vec();
    labels.sort_unstable();
    all.sort_unstable();
    assert_eq!(labels, all);
}

#[test]
fn features_reshape_for_convolutions_and_time_major_recurrence() {
    let data = digits::load::<f32>().unwrap().take(5);

    let images = data.clone().with_feature_shape(&[1, 8, 8]).unwrap();
    let batch = images.batches_in_order(4, "x", "y").next().unwrap();
    assert_eq!(batch.get("x").unwrap().shape(), &[4, 1, 8, 8]);
    assert_eq!(
        batch.get("x").unwrap()[[1, 0, 2, 3]],
        data.features()[[1, 19]]
    );

    let rows = data.clone().with_feature_shape(&[8, 8]).unwrap();
    let rows = rows.with_layout(Layout::TimeMajor).unwrap();
    let mut batches = rows.batches_in_order(3, "x", "y");
    assert_eq!(batches.peek_indices(), &[0, 1, 2]);
    let xs = batches.next().unwrap();
    let xs = xs.get("x").unwrap();
    assert_eq!(xs.shape(), &[8, 3, 8]);
    // Step t of sample b is row t of its image.
    assert_eq!(xs[[5, 2, 1]], data.features()[[2, 5 * 8 + 1]]);

    let error = data.clone().with_feature_shape(&[7, 7]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot reshape features of shape [64] to [7, 7]: 64 values per sample"
    );
    let error = data.with_layout(Layout::TimeMajor).unwrap_err();
    assert!(error.to_string().contains("[T, ...]"), "{error}");
}

#[test]
fn a_dataset_checks_its_labels() {
    let error = Dataset::<f32>::new(ndarray::Array::zeros(vec![2, 3]), vec![0, 4], 3);
    let message = error.unwrap_err().to_string();
    assert_eq!(
        message,
        "label 4 of sample 1 is not below the number of classes, 3"
    );
}

/// An IDX images file: `count` images of `rows` x `cols`, pixel `i` of the file being `i % 256`.
#[test]
fn features_map_in_place_and_any_layout_is_accepted() {
    let data = digits::load::<f32>().unwrap().take(3);
    let mapped = data.clone().map_features(|pixel| 2.0 * pixel - 1.0);
    assert_eq!(mapped.labels(), data.labels());
    assert_eq!(
        mapped.features()[[1, 19]],
        2.0 * data.features()[[1, 19]] - 1.0
    );

    // Features handed over transposed are stored in standard layout, values unchanged.
    let rows = ndarray::Array::from_shape_fn(vec![2, 4], |i| (i[0] * 10 + i[1]) as f32);
    let transposed = rows.reversed_axes();
    assert!(!transposed.is_standard_layout());
    let data = Dataset::new(transposed.clone(), vec![0, 1, 0, 1], 2).unwrap();
    assert!(data.features().is_standard_layout());
    assert_eq!(data.features(), &transposed);
}

fn idx_images(magic: u32, count: u32, rows: u32, cols: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    for word in [magic, count, rows, cols] {
        bytes.extend(word.to_be_bytes());
    }
    let pixels = (count * rows * cols) as usize;
    bytes.extend((0..pixels).map(|i| (i % 256) as u8));
    bytes
}

/// An IDX labels file.
fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend(mnist::LABELS_MAGIC.to_be_bytes());
    bytes.extend((labels.len() as u32).to_be_bytes());
    bytes.extend(labels);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Writes the test split: gzipped images and plain labels, as given.
fn write_test_split(dir: &Path, images: &[u8], labels: &[u8]) -> (PathBuf, PathBuf) {
    let images_path = dir.join("t10k-images-idx3-ubyte.gz");
    let labels_path = dir.join("t10k-labels-idx1-ubyte");
    std::fs::write(&images_path, images).unwrap();
    std::fs::write(&labels_path, labels).unwrap();
    (images_path, labels_path)
}

#[test]
fn small_idx_files_load_gzipped_or_not() {
    let dir = TempDir::new("idx-ok");
    let images = idx_images(mnist::IMAGES_MAGIC, 3, 2, 2);
    write_test_split(dir.path(), &gzip(&images), &idx_labels(&[7, 0, 9]));

    let data = mnist::load::<f64>(dir.path(), Split::Test).unwrap();
    assert_eq!(data.features().shape(), &[3, 4]);
    assert_eq!(data.labels(), &[7, 0, 9]);
    assert_eq!(data.features()[[2, 3]], 11.0 / 255.0);
    assert_eq!(data.targets()[[0, 7]], 1.0);

    // The training split's files are plain here, and told apart by content, not name.
    std::fs::write(dir.path().join("train-images-idx3-ubyte"), &images).unwrap();
    std::fs::write(
        dir.path().join("train-labels-idx1-ubyte.gz"),
        gzip(&idx_labels(&[1, 2, 3])),
    )
    .unwrap();
    let train = mnist::load::<f32>(dir.path(), Split::Train).unwrap();
    assert_eq!(train.labels(), &[1, 2, 3]);
}

/// The error of loading the test split from files with these contents.
fn load_error(label: &str, images: &[u8], labels: &[u8]) -> (DataError, PathBuf, PathBuf) {
    let dir = TempDir::new(label);
    let (images_path, labels_path) = write_test_split(dir.path(), images, labels);
    let error = mnist::load::<f32>(dir.path(), Split::Test).unwrap_err();
    (error, images_path, labels_path)
}

#[test]
fn a_truncated_idx_file_is_reported_with_its_length() {
    let mut images = idx_images(mnist::IMAGES_MAGIC, 3, 2, 2);
    images.truncate(20);
    let (error, path, _) = load_error("idx-truncated", &gzip(&images), &idx_labels(&[1, 2, 3]));
    let expected = format!(
        "`{}` is truncated: its header implies 28 bytes, found 20",
        path.display()
    );
    assert_eq!(error.to_string(), expected);

    let (error, _, path) = load_error("idx-short", &gzip(&idx_images(2051, 1, 1, 1)), &[0, 0, 8]);
    assert!(
        error
            .to_string()
            .starts_with(&format!("`{}` is truncated", path.display()))
    );
}

#[test]
fn a_wrong_magic_number_names_the_file_and_both_numbers() {
    // A labels file where the images should be.
    let labels = idx_labels(&[1, 2, 3]);
    let (error, path, _) = load_error("idx-magic", &gzip(&labels), &labels);
    let expected = format!(
        "`{}` has the wrong magic number 2049, expected 2051",
        path.display()
    );
    assert_eq!(error.to_string(), expected);
}

#[test]
fn counts_labels_and_gzip_are_checked() {
    let images = gzip(&idx_images(mnist::IMAGES_MAGIC, 3, 2, 2));

    let (error, images_path, labels_path) = load_error("idx-count", &images, &idx_labels(&[1, 2]));
    let expected = format!(
        "`{}` holds 3 images but `{}` holds 2 labels",
        images_path.display(),
        labels_path.display()
    );
    assert_eq!(error.to_string(), expected);

    let (error, _, path) = load_error("idx-label", &images, &idx_labels(&[1, 12, 3]));
    let expected = format!("`{}`: label 12 of item 1 is greater than 9", path.display());
    assert_eq!(error.to_string(), expected);

    let mut corrupt = images.clone();
    corrupt.truncate(corrupt.len() / 2);
    let (error, path, _) = load_error("idx-gzip", &corrupt, &idx_labels(&[1, 2, 3]));
    let prefix = format!("`{}` is corrupt gzip: ", path.display());
    assert!(error.to_string().starts_with(&prefix), "{error}");
}

#[test]
fn a_missing_file_is_named_with_every_name_tried() {
    let dir = TempDir::new("idx-missing");
    let error = mnist::load::<f32>(dir.path(), Split::Train).unwrap_err();
    let gz = dir.path().join("train-images-idx3-ubyte.gz");
    let plain = dir.path().join("train-images-idx3-ubyte");
    let expected = format!(
        "missing file: none of `{}`, `{}` exists",
        gz.display(),
        plain.display()
    );
    assert_eq!(error.to_string(), expected);
}

#[test]
fn the_real_mnist_loads_when_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/mnist");
    if !dir.is_dir() {
        println!("skipped: no MNIST at {}", dir.display());
        return;
    }

    let test = mnist::load::<f32>(&dir, Split::Test).unwrap();
    assert_eq!(test.features().shape(), &[10_000, 784]);
    assert_eq!(test.labels()[..5], [7, 2, 1, 0, 4]);
    let train = mnist::load::<f32>(&dir, Split::Train).unwrap();
    assert_eq!(train.len(), 60_000);
    assert_eq!(train.labels()[..5], [5, 0, 4, 1, 9]);
    assert_eq!(train.features().fold(0.0f32, |a, &b| a.max(b)), 1.0);
}
