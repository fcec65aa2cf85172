//! The build-script API: `.pcg` files compiled into `OUT_DIR`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::Config;
use crate::diag::render_all;

/// Compiles `.pcg` files from a build script with the default [`Config`]: one `<name>.rs` per
/// file in `OUT_DIR`, to include with `pc_runtime::include_model!("<name>")`.
///
/// Prints `cargo:rerun-if-changed` for every input and rewrites an output only when its bytes
/// change. On errors, returns them rendered with file, line, column and caret:
///
/// ```no_run
/// // In build.rs, inside `fn main`:
/// if let Err(error) = pc_dsl::compile_models(&["models/net.pcg"]) {
///     eprintln!("{error}");
///     std::process::exit(1);
/// }
/// ```
pub fn compile_models(paths: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, BuildError> {
    Config::new().compile(paths)
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// A model file or the output folder could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// A model has errors; the text holds them rendered.
    Model {
        /// The model file.
        path: PathBuf,
        /// The diagnostics, rendered with file, line, column and caret.
        rendered: String,
    },
    /// No output folder: not run from a build script and none configured.
    NoOutDir,
    /// Several files failed, each for its own reason.
    Several(Vec<BuildError>),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Io { path, error } => write!(f, "error: `{}`: {error}", path.display()),
            BuildError::Model { path, rendered } => {
                write!(f, "{rendered}error: could not compile `{}`", path.display())
            }
            BuildError::NoOutDir => write!(
                f,
                "error: OUT_DIR is not set: run from a build script or use `Config::out_dir`"
            ),
            BuildError::Several(errors) => {
                for error in errors {
                    writeln!(f, "{error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for BuildError {}

impl Config {
    /// Compiles `.pcg` files as [`compile_models`] does, with these options. Returns the
    /// files written or left unchanged, one per input, in order.
    pub fn compile(&self, paths: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, BuildError> {
        let out_dir = match self.out_dir_path() {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        let mut written = Vec::new();
        let mut failures = Vec::new();
        for path in paths {
            let path = path.as_ref();
            println!("cargo:rerun-if-changed={}", path.display());
            match self.compile_one(path, &out_dir) {
                Ok(output) => written.push(output),
                Err(error) => failures.push(error),
            }
        }
        match failures.len() {
            0 => Ok(written),
            1 => Err(failures.remove(0)),
            _ => Err(BuildError::Several(failures)),
        }
    }

    fn compile_one(&self, path: &Path, out_dir: &Path) -> Result<PathBuf, BuildError> {
        let io = |error| BuildError::Io {
            path: path.to_path_buf(),
            error,
        };
        let source = std::fs::read_to_string(path).map_err(io)?;
        let name = path.display().to_string();
        let compiled = crate::compile(&source, self).map_err(|diagnostics| BuildError::Model {
            path: path.to_path_buf(),
            rendered: render_all(&diagnostics, &name, &source),
        })?;
        for warning in render_all(&compiled.warnings, &name, &source).lines() {
            println!("cargo:warning={warning}");
        }

        // The header names the file only, so generated code holds no absolute path.
        let file_name = path
            .file_name()
            .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
        let rust = compiled.rust(&file_name, self);
        let stem = path
            .file_stem()
            .map_or("model".into(), |s| s.to_string_lossy().into_owned());
        let output = out_dir.join(format!("{stem}.rs"));
        write_if_changed(&output, &rust)?;
        if let Some(dir) = self.also_write_to_path() {
            std::fs::create_dir_all(dir).map_err(|error| BuildError::Io {
                path: dir.clone(),
                error,
            })?;
            write_if_changed(&dir.join(format!("{stem}.rs")), &rust)?;
        }
        log::debug!("compiled `{name}` into `{}`", output.display());
        Ok(output)
    }
}

/// Writes `contents` unless the file already holds exactly these bytes, so that Cargo and
/// editors see no change when nothing changed.
pub fn write_if_changed(path: &Path, contents: &str) -> Result<bool, BuildError> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    std::fs::write(path, contents).map_err(|error| BuildError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(true)
}
