//! The build-script API: `.pcg` files compiled into `OUT_DIR`.

use std::fmt;
use std::io::Write;
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
pub fn compile_models(paths: &[impl AsRef<Path>]) -> Result<BuildReport, BuildError> {
    Config::new().compile(paths)
}

/// What a build did: one entry per input, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// Each input with the files generated from it.
    pub files: Vec<BuiltFile>,
}

impl BuildReport {
    /// The generated files in the output folder, one per input, in order.
    pub fn outputs(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|file| file.output.path.as_path())
    }

    /// Every file this build wrote, outputs and copies; none when nothing changed.
    pub fn written(&self) -> impl Iterator<Item = &Path> {
        self.files
            .iter()
            .flat_map(|file| std::iter::once(&file.output).chain(&file.copy))
            .filter(|output| output.written)
            .map(|output| output.path.as_path())
    }
}

/// One input and the files generated from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltFile {
    /// The `.pcg` file, as given.
    pub input: PathBuf,
    /// The generated Rust in the output folder.
    pub output: OutputFile,
    /// The same bytes in the folder of [`Config::also_write_to`], when one is set.
    pub copy: Option<OutputFile>,
}

/// A generated file and whether this build wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// Where it is.
    pub path: PathBuf,
    /// Whether it was written; `false` when it already held the same bytes.
    pub written: bool,
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
    /// Two inputs would write the same output file: their names differ only in the folder.
    SameOutput {
        /// The output both would write.
        output: PathBuf,
        /// The two inputs, in the order given.
        inputs: [PathBuf; 2],
    },
    /// The `cargo:` directives could not be written.
    Directives(std::io::Error),
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
            BuildError::SameOutput {
                output,
                inputs: [first, second],
            } => write!(
                f,
                "error: `{}` and `{}` would both be written to `{}`: rename one of them",
                first.display(),
                second.display(),
                output.display()
            ),
            BuildError::Directives(error) => {
                write!(f, "error: cannot write the directives for Cargo: {error}")
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
    /// Compiles `.pcg` files as [`compile_models`] does, with these options, printing the
    /// `cargo:` directives on standard output for Cargo to read.
    pub fn compile(&self, paths: &[impl AsRef<Path>]) -> Result<BuildReport, BuildError> {
        self.compile_with_directives(paths, &mut std::io::stdout())
    }

    /// Compiles as [`Config::compile`] does, writing the `cargo:` directives to `directives`
    /// instead of standard output: `cargo:rerun-if-changed` for every input, then a
    /// `cargo:warning` per line of the rendered warnings.
    ///
    /// Every input is compiled even after one fails, so that all their errors are reported.
    pub fn compile_with_directives(
        &self,
        paths: &[impl AsRef<Path>],
        directives: &mut impl Write,
    ) -> Result<BuildReport, BuildError> {
        let out_dir = match self.out_dir_path() {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };

        // Cargo reruns the script when an input changes, also one that is missing today.
        for path in paths {
            writeln!(
                directives,
                "cargo:rerun-if-changed={}",
                path.as_ref().display()
            )
            .map_err(BuildError::Directives)?;
        }

        let mut report = BuildReport::default();
        let mut failures = Vec::new();
        // Outputs are named after the inputs' file names, so two inputs of one name in
        // different folders would overwrite each other; the second is refused instead.
        let mut outputs: Vec<(PathBuf, &Path)> = Vec::new();
        for path in paths {
            let output = out_dir.join(output_name(path.as_ref()));
            if let Some((_, first)) = outputs.iter().find(|(seen, _)| *seen == output) {
                failures.push(BuildError::SameOutput {
                    output,
                    inputs: [first.to_path_buf(), path.as_ref().to_path_buf()],
                });
                continue;
            }
            match self.compile_one(path.as_ref(), &output, directives) {
                Ok(file) => report.files.push(file),
                Err(error) => failures.push(error),
            }
            outputs.push((output, path.as_ref()));
        }
        match failures.len() {
            0 => Ok(report),
            1 => Err(failures.remove(0)),
            _ => Err(BuildError::Several(failures)),
        }
    }

    /// Compiles one input into `output`, and its copy for IDEs when one is configured.
    fn compile_one(
        &self,
        path: &Path,
        output: &Path,
        directives: &mut impl Write,
    ) -> Result<BuiltFile, BuildError> {
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
        // Cargo shows each directive as a line of its own; blank ones would only add noise.
        let rendered = render_all(&compiled.warnings, &name, &source);
        for warning in rendered.lines().filter(|line| !line.is_empty()) {
            writeln!(directives, "cargo:warning={warning}").map_err(BuildError::Directives)?;
        }

        // The header names the file only, so generated code holds no absolute path.
        let file_name = path
            .file_name()
            .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
        let rust = compiled.rust(&file_name, self);
        let output = write_output(output, &rust)?;
        let copy = match self.also_write_to_path() {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|error| BuildError::Io {
                    path: dir.clone(),
                    error,
                })?;
                Some(write_output(&dir.join(output_name(path)), &rust)?)
            }
            None => None,
        };
        log::debug!(
            "compiled `{name}` into `{}` ({})",
            output.path.display(),
            if output.written {
                "written"
            } else {
                "unchanged"
            }
        );
        Ok(BuiltFile {
            input: path.to_path_buf(),
            output,
            copy,
        })
    }
}

fn write_output(path: &Path, contents: &str) -> Result<OutputFile, BuildError> {
    let written = write_if_changed(path, contents)?;
    Ok(OutputFile {
        path: path.to_path_buf(),
        written,
    })
}

/// The file name of the Rust generated from `path`: `net.rs` for `models/net.pcg`.
fn output_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map_or("model".into(), |stem| stem.to_string_lossy().into_owned());
    format!("{stem}.rs")
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
