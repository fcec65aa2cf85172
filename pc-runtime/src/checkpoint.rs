//! Saving and loading a model's parameters as safetensors files.
//!
//! A checkpoint holds every parameter under its declared name, as `F32` or `F64` to match the
//! model's scalar type. Loading checks the whole file against the model before changing any
//! parameter, so a failed load leaves the model as it was.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::{Model, ModelError, Scalar, Tensor};

/// Why a checkpoint could not be saved or loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckpointError {
    /// The file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
    /// The file is not a valid safetensors file: corrupt or truncated.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the reader found wrong.
        message: String,
    },
    /// The model has a parameter the file lacks.
    Missing {
        /// The file.
        path: PathBuf,
        /// The parameter.
        name: String,
    },
    /// The file holds a tensor the model has no parameter for: it belongs to another model.
    Unexpected {
        /// The file.
        path: PathBuf,
        /// The tensor's name.
        name: String,
    },
    /// A parameter's shape in the file differs from the model's.
    Shape {
        /// The file.
        path: PathBuf,
        /// The parameter.
        name: String,
        /// The model's shape.
        expected: Vec<usize>,
        /// The file's shape.
        found: Vec<usize>,
    },
    /// A parameter's element type in the file differs from the model's.
    Dtype {
        /// The file.
        path: PathBuf,
        /// The parameter.
        name: String,
        /// The model's element type, `F32` or `F64`.
        expected: String,
        /// The file's element type.
        found: String,
    },
    /// The scalar type has no safetensors element type: only `f32` and `f64` have.
    UnsupportedScalar,
    /// The model refused a parameter.
    Model(ModelError),
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Io { path, message } => {
                write!(f, "checkpoint `{}`: {message}", path.display())
            }
            CheckpointError::Corrupt { path, message } => write!(
                f,
                "checkpoint `{}` is corrupt or truncated: {message}",
                path.display()
            ),
            CheckpointError::Missing { path, name } => write!(
                f,
                "checkpoint `{}` has no parameter `{name}`",
                path.display()
            ),
            CheckpointError::Unexpected { path, name } => write!(
                f,
                "checkpoint `{}` holds `{name}`, which the model does not have",
                path.display()
            ),
            CheckpointError::Shape {
                path,
                name,
                expected,
                found,
            } => write!(
                f,
                "parameter `{name}` has shape {expected:?} in the model \
                 but {found:?} in checkpoint `{}`",
                path.display()
            ),
            CheckpointError::Dtype {
                path,
                name,
                expected,
                found,
            } => write!(
                f,
                "parameter `{name}` is {expected} in the model but {found} in checkpoint `{}`",
                path.display()
            ),
            CheckpointError::UnsupportedScalar => {
                f.write_str("checkpoints hold only f32 and f64 parameters")
            }
            CheckpointError::Model(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for CheckpointError {}

/// Writes every parameter of `model` to `path`. The file is written beside `path` first and
/// then renamed, so an interrupted save never leaves a half-written checkpoint.
pub fn save<S, M>(model: &M, path: &Path) -> Result<(), CheckpointError>
where
    S: Scalar,
    M: Model<S> + ?Sized,
{
    let dtype = dtype_of::<S>().ok_or(CheckpointError::UnsupportedScalar)?;
    let encoded: Vec<(&str, Vec<usize>, Vec<u8>)> = model
        .param_names()
        .iter()
        .filter_map(|&name| model.param(name).map(|tensor| (name, tensor)))
        .map(|(name, tensor)| (name, tensor.shape().to_vec(), encode(tensor, dtype)))
        .collect();
    let views = encoded
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(dtype, shape.clone(), bytes).map(|view| (*name, view))
        })
        .collect::<Result<Vec<_>, _>>();
    let metadata = HashMap::from([("model".to_string(), model.name().to_string())]);
    let bytes = views
        .and_then(|views| safetensors::serialize(views, Some(metadata)))
        .map_err(|error| CheckpointError::Io {
            path: path.to_path_buf(),
            message: format!("cannot encode the parameters: {error}"),
        })?;

    let io_error = |error: std::io::Error| CheckpointError::Io {
        path: path.to_path_buf(),
        message: error.to_string(),
    };
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes).map_err(io_error)?;
    std::fs::rename(&partial, path).map_err(io_error)
}

/// Replaces every parameter of `model` with the one of the same name in `path`, after checking
/// that the file holds exactly the model's parameters with their shapes and element type.
pub fn load<S, M>(model: &mut M, path: &Path) -> Result<(), CheckpointError>
where
    S: Scalar,
    M: Model<S> + ?Sized,
{
    let dtype = dtype_of::<S>().ok_or(CheckpointError::UnsupportedScalar)?;
    let bytes = std::fs::read(path).map_err(|error| CheckpointError::Io {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    let file = SafeTensors::deserialize(&bytes).map_err(|error| CheckpointError::Corrupt {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;

    let mut loaded = Vec::with_capacity(model.param_names().len());
    for &name in model.param_names() {
        let Some(current) = model.param(name) else {
            continue;
        };
        let view = file.tensor(name).map_err(|_| CheckpointError::Missing {
            path: path.to_path_buf(),
            name: name.to_string(),
        })?;
        if view.dtype() != dtype {
            return Err(CheckpointError::Dtype {
                path: path.to_path_buf(),
                name: name.to_string(),
                expected: dtype.to_string(),
                found: view.dtype().to_string(),
            });
        }
        if view.shape() != current.shape() {
            return Err(CheckpointError::Shape {
                path: path.to_path_buf(),
                name: name.to_string(),
                expected: current.shape().to_vec(),
                found: view.shape().to_vec(),
            });
        }
        loaded.push((name, decode(&view, path, name)?));
    }
    if let Some(extra) = file
        .names()
        .into_iter()
        .find(|name| !model.param_names().contains(name))
    {
        return Err(CheckpointError::Unexpected {
            path: path.to_path_buf(),
            name: extra.to_string(),
        });
    }

    for (name, tensor) in loaded {
        model
            .set_param(name, tensor)
            .map_err(CheckpointError::Model)?;
    }
    Ok(())
}

/// The safetensors element type of `S`. `Scalar` is implemented for `f32` and `f64` only, and
/// the two differ in size, so the size tells them apart.
fn dtype_of<S: Scalar>() -> Option<Dtype> {
    match size_of::<S>() {
        4 => Some(Dtype::F32),
        8 => Some(Dtype::F64),
        _ => None,
    }
}

/// The tensor's elements in row-major order as little-endian bytes of `dtype`.
fn encode<S: Scalar>(tensor: &Tensor<S>, dtype: Dtype) -> Vec<u8> {
    let values = tensor.iter().map(|value| value.to_f64_lossless());
    match dtype {
        // `S` is `f32` here, so the narrowing is exact.
        Dtype::F32 => values
            .flat_map(|value| (value as f32).to_le_bytes())
            .collect(),
        _ => values.flat_map(f64::to_le_bytes).collect(),
    }
}

/// The tensor stored in `view`, whose element type has been checked against `S`.
fn decode<S: Scalar>(
    view: &TensorView<'_>,
    path: &Path,
    name: &str,
) -> Result<Tensor<S>, CheckpointError> {
    let values: Vec<S> = match view.dtype() {
        Dtype::F32 => view
            .data()
            .chunks_exact(4)
            .map(|bytes| f64::from(f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])))
            .map(S::from_f64_lossy)
            .collect(),
        _ => view
            .data()
            .chunks_exact(8)
            .map(|bytes| {
                let mut word = [0; 8];
                word.copy_from_slice(bytes);
                S::from_f64_lossy(f64::from_le_bytes(word))
            })
            .collect(),
    };
    Tensor::from_shape_vec(view.shape(), values).map_err(|error| CheckpointError::Corrupt {
        path: path.to_path_buf(),
        message: format!("parameter `{name}`: {error}"),
    })
}
