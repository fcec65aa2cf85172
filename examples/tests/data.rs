//! Missing or corrupt MNIST files are errors that name the file.

use pc_examples::cli::DataArgs;
use pc_examples::data::load_mnist;

fn args(dir: &std::path::Path) -> DataArgs {
    DataArgs {
        data: Some(dir.to_path_buf()),
        limit: None,
    }
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let error = load_mnist(&args(dir.path())).expect_err("the folder is empty");
    assert!(
        error.to_string().contains("train-images-idx3-ubyte"),
        "the error does not name the file: {error}"
    );
}

#[test]
fn a_corrupt_file_is_named() {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let images = dir.path().join("train-images-idx3-ubyte");
    // The images magic number and a header promising one 28x28 image, then nothing.
    let header: Vec<u8> = [2051u32, 1, 28, 28]
        .iter()
        .flat_map(|w| w.to_be_bytes())
        .collect();
    std::fs::write(&images, header).expect("the file is written");
    std::fs::write(
        dir.path().join("train-labels-idx1-ubyte"),
        [0, 0, 8, 1, 0, 0, 0, 1, 3],
    )
    .expect("the file is written");

    let error = load_mnist(&args(dir.path())).expect_err("the images file is truncated");
    let message = error.to_string();
    assert!(message.contains("train-images-idx3-ubyte"), "{message}");
    assert!(message.contains("truncated"), "{message}");
}
