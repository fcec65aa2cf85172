//! Options of the compiler, for build scripts, the macro and the CLI.

use std::path::PathBuf;

use crate::passes::level::Levelling;

/// How models are compiled, and where a build script puts the result.
///
/// The common case needs none of it: `pc_dsl::compile_models(&["models/net.pcg"])` in
/// `build.rs`. A `Config` is for the rest:
///
/// ```no_run
/// // In build.rs, inside `fn main`:
/// use pc_dsl::{Config, Levelling};
///
/// let result = Config::new()
///     .levelling(Levelling::Wavefront)
///     .also_write_to("src/generated")
///     .compile(&["models/net.pcg"]);
/// if let Err(error) = result {
///     eprintln!("{error}");
///     std::process::exit(1);
/// }
/// ```
///
/// and in the crate, `pc_runtime::include_model!("net");`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    levelling: Levelling,
    runtime_path: String,
    format: bool,
    out_dir: Option<PathBuf>,
    also_write_to: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            levelling: Levelling::Full,
            runtime_path: "::pc_runtime".to_string(),
            format: true,
            out_dir: None,
            also_write_to: None,
        }
    }
}

impl Config {
    /// The defaults: full levelling (both Z-IL modes exact), `::pc_runtime`, formatted output
    /// written into `OUT_DIR`.
    pub fn new() -> Self {
        Config::default()
    }

    /// How far graphs are levelled with identity vertices. [`Levelling::Full`] makes both Z-IL
    /// modes exact; [`Levelling::Wavefront`] inserts fewer vertices and keeps only the
    /// wavefront mode exact; [`Levelling::Off`] inserts none, to study what breaks.
    pub fn levelling(mut self, levelling: Levelling) -> Self {
        self.levelling = levelling;
        self
    }

    /// The path generated code uses for the runtime crate, `::pc_runtime` by default; set it
    /// when the runtime is re-exported under another name.
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = path.into();
        self
    }

    /// Whether generated code is formatted with prettyplease (the default) or left as one line
    /// of tokens, which is faster to produce.
    pub fn format(mut self, format: bool) -> Self {
        self.format = format;
        self
    }

    /// Where generated files go; `OUT_DIR` by default.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Also writes every generated file into this folder (relative paths are relative to the
    /// crate's manifest), so that people and IDEs can read the code in the source tree.
    pub fn also_write_to(mut self, dir: impl Into<PathBuf>) -> Self {
        self.also_write_to = Some(dir.into());
        self
    }

    /// The chosen levelling.
    pub fn levelling_mode(&self) -> Levelling {
        self.levelling
    }

    /// The runtime path as written.
    pub fn runtime_path_text(&self) -> &str {
        &self.runtime_path
    }

    /// The runtime path as tokens; `::pc_runtime` when the configured path does not parse.
    pub fn runtime_tokens(&self) -> proc_macro2::TokenStream {
        self.runtime_path
            .parse()
            .unwrap_or_else(|_| quote::quote!(::pc_runtime))
    }

    /// Whether output is formatted.
    pub fn formats(&self) -> bool {
        self.format
    }

    /// The output folder, if one was set.
    pub fn out_dir_path(&self) -> Option<&PathBuf> {
        self.out_dir.as_ref()
    }

    /// The second output folder, if one was set.
    pub fn also_write_to_path(&self) -> Option<&PathBuf> {
        self.also_write_to.as_ref()
    }
}
