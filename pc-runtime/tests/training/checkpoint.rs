//! Checkpoints: round trips in both scalar types, and every mismatch named.

use ndarray::Array;
use pc_runtime::checkpoint::{self, CheckpointError};
use pc_runtime::{Model, Named, Scalar, Tensor};

use crate::support::{Softmax, TempDir, Toy};

/// A softmax model with distinct, non-round parameter values.
fn filled<S: Scalar>(inputs: usize, classes: usize) -> Softmax<S> {
    let value = |i: usize| S::from_f64_lossy((i as f64 * 0.37).sin() * 1e-3 + 0.1);
    let mut model = Softmax::new(inputs, classes);
    model.w = Array::from_shape_fn(vec![inputs, classes], |index| {
        value(index[0] * 31 + index[1])
    });
    model.b = Array::from_shape_fn(vec![classes], |index| value(1000 + index[0]));
    model
}

/// A model with a single parameter `w` of this shape.
fn only_w(shape: Vec<usize>) -> Toy {
    Toy {
        names: &["w"],
        params: Named::new().with("w", Tensor::zeros(shape)),
        objective: |_| (0.0, Named::new()),
    }
}

#[test]
fn parameters_survive_a_round_trip_in_both_scalar_types() {
    let dir = TempDir::new("checkpoint-round-trip");

    let path = dir.path().join("f32.safetensors");
    let saved = filled::<f32>(64, 10);
    checkpoint::save(&saved, &path).unwrap();
    let mut loaded = Softmax::<f32>::new(64, 10);
    checkpoint::load(&mut loaded, &path).unwrap();
    assert_eq!(loaded.params(), saved.params());

    let path = dir.path().join("f64.safetensors");
    let saved = filled::<f64>(3, 2);
    checkpoint::save(&saved, &path).unwrap();
    let mut loaded = Softmax::<f64>::new(3, 2);
    checkpoint::load(&mut loaded, &path).unwrap();
    assert_eq!(loaded.params(), saved.params());
    // Nothing but the checkpoint is left in the directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn a_shape_mismatch_names_the_parameter_and_both_shapes() {
    let dir = TempDir::new("checkpoint-shape");
    let path = dir.path().join("model.safetensors");
    checkpoint::save(&filled::<f32>(64, 10), &path).unwrap();

    let mut other = Softmax::<f32>::new(64, 5);
    let error = checkpoint::load(&mut other, &path).unwrap_err();
    let expected = format!(
        "parameter `w` has shape [64, 5] in the model but [64, 10] in checkpoint `{}`",
        path.display()
    );
    assert_eq!(error.to_string(), expected);
    // Nothing was loaded.
    assert_eq!(other.params(), Softmax::<f32>::new(64, 5).params());
}

#[test]
fn a_dtype_mismatch_names_the_parameter() {
    let dir = TempDir::new("checkpoint-dtype");
    let path = dir.path().join("model.safetensors");
    checkpoint::save(&filled::<f64>(2, 2), &path).unwrap();

    let error = checkpoint::load(&mut Softmax::<f32>::new(2, 2), &path).unwrap_err();
    assert!(
        matches!(&error, CheckpointError::Dtype { name, expected, found, .. }
            if name == "w" && expected == "F32" && found == "F64"),
        "{error:?}"
    );
}

#[test]
fn missing_and_unexpected_parameters_are_named() {
    let dir = TempDir::new("checkpoint-names");
    let path = dir.path().join("w-only.safetensors");
    checkpoint::save(&only_w(vec![2, 2]), &path).unwrap();

    let error = checkpoint::load(&mut Softmax::<f64>::new(2, 2), &path).unwrap_err();
    let expected = format!("checkpoint `{}` has no parameter `b`", path.display());
    assert_eq!(error.to_string(), expected);

    let path = dir.path().join("softmax.safetensors");
    checkpoint::save(&filled::<f64>(2, 2), &path).unwrap();
    let error = checkpoint::load(&mut only_w(vec![2, 2]), &path).unwrap_err();
    let expected = format!(
        "checkpoint `{}` holds `b`, which the model does not have",
        path.display()
    );
    assert_eq!(error.to_string(), expected);
}

#[test]
fn corrupt_truncated_and_absent_files_name_the_path() {
    let dir = TempDir::new("checkpoint-corrupt");
    let path = dir.path().join("model.safetensors");
    checkpoint::save(&filled::<f32>(8, 3), &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
    let error = checkpoint::load(&mut Softmax::<f32>::new(8, 3), &path).unwrap_err();
    let prefix = format!("checkpoint `{}` is corrupt or truncated: ", path.display());
    assert!(error.to_string().starts_with(&prefix), "{error}");

    std::fs::write(&path, b"not a checkpoint at all").unwrap();
    let error = checkpoint::load(&mut Softmax::<f32>::new(8, 3), &path).unwrap_err();
    assert!(error.to_string().starts_with(&prefix), "{error}");

    let absent = dir.path().join("absent.safetensors");
    let error = checkpoint::load(&mut Softmax::<f32>::new(8, 3), &absent).unwrap_err();
    let prefix = format!("checkpoint `{}`: ", absent.display());
    assert!(error.to_string().starts_with(&prefix), "{error}");
}
