//! Options of the compiler, for build scripts, the macro and the CLI.

use crate::passes::level::Levelling;

/// How models are compiled.
///
/// ```
/// use pc_dsl::{Config, Levelling};
///
/// let config = Config::new().levelling(Levelling::Wavefront).runtime_path("my_runtime");
/// assert_eq!(config.runtime_path_text(), "my_runtime");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    levelling: Levelling,
    runtime_path: String,
    format: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            levelling: Levelling::Full,
            runtime_path: "::pc_runtime".to_string(),
            format: true,
        }
    }
}

impl Config {
    /// The defaults: full levelling (both Z-IL modes exact), `::pc_runtime`, formatted output.
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

    /// The chosen levelling.
    pub fn levelling_mode(&self) -> Levelling {
        self.levelling
    }

    /// The runtime path as written.
    pub fn runtime_path_text(&self) -> &str {
        &self.runtime_path
    }

    /// Whether output is formatted.
    pub fn formats(&self) -> bool {
        self.format
    }
}
