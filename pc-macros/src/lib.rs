//! `pc_model!`: predictive-coding models written inline in Rust.
//!
//! A shim: `pc_dsl::expand` parses the tokens with syn into the same AST the `.pcg` parser
//! builds, runs the same passes and code generation, and maps every diagnostic back to the
//! tokens it is about.

use proc_macro::TokenStream;

/// Compiles the predictive-coding models written inside it into Rust.
///
/// The body is the `.pcg` language: one or more `model` blocks. `//` comments are ignored and
/// `///` comments document the model and its parameters.
///
/// ```
/// use pc_macros::pc_model;
/// use pc_runtime::Model;
///
/// pc_model! {
///     /// A one-layer classifier.
///     model Linear {
///         dim B;
///         input x: [B, 4];
///         target y: [B, 3];
///         param w: [4, 3] = xavier;
///         node out = x @ w;
///         loss cross_entropy(out, y);
///     }
/// }
///
/// let model = Linear::<f32>::new(0);
/// assert_eq!(model.param_names(), ["w"]);
/// ```
///
/// Each model becomes a struct of the same name whose public fields are its parameters, with
/// backprop and both Z-IL modes, implementing `pc_runtime::Model`; the crate must depend on
/// `pc-runtime`. Every mistake in a model is a compile error on the offending tokens, all at
/// once, and the model is replaced by a stub of the same name, so that the code using it
/// adds no errors of its own.
///
/// The file form reads the models of a `.pcg` file, relative to the crate's `Cargo.toml`, and
/// rebuilds the crate when the file changes; errors are shown with the file's line and
/// column:
///
/// ```
/// use pc_macros::pc_model;
/// use pc_runtime::Model;
///
/// pc_model!(file = "../examples/models/digits.pcg");
///
/// let model = Digits::<f32>::new(0);
/// assert_eq!(model.depth(), 4);
/// ```
#[proc_macro]
pub fn pc_model(input: TokenStream) -> TokenStream {
    pc_dsl::expand::pc_model(input.into()).into()
}
