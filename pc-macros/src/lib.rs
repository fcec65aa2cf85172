//! `pc_model!`: predictive-coding models written inline in Rust.
//!
//! The macro parses its tokens with syn into the same AST the `.pcg` parser builds, runs the
//! same passes and code generation as `pc-dsl`, and maps every diagnostic back to the tokens
//! it is about.

mod parse;

use pc_dsl::{Config, Diagnostic};
use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote, quote_spanned};

use parse::{SpanTable, parse_file};

/// Compiles the predictive-coding models written inside it into Rust.
///
/// The body is the `.pcg` language: one or more `model` blocks.
///
/// ```ignore
/// use pc_macros::pc_model;
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
/// ```
///
/// Each model becomes a struct of the same name whose public fields are its parameters, with
/// backprop and both Z-IL modes, implementing `pc_runtime::Model`; the crate must depend on
/// `pc-runtime`. Every mistake in a model is a compile error on the offending tokens, all at
/// once.
///
/// The file form reads the model from a `.pcg` file, relative to the crate's manifest, and
/// rebuilds when the file changes:
///
/// ```ignore
/// pc_model!(file = "models/net.pcg");
/// ```
#[proc_macro]
pub fn pc_model(input: TokenStream) -> TokenStream {
    expand(input.into()).into()
}

fn expand(input: Tokens) -> Tokens {
    if let Some((path, span)) = file_form(&input) {
        return expand_file(&path, span);
    }
    let mut table = SpanTable::default();
    let file = match parse_file(input, &mut table) {
        Ok(file) => file,
        Err(error) => return error.to_compile_error(),
    };
    let names: Vec<String> = file.models.iter().map(|m| m.name.name.clone()).collect();
    let config = Config::new();
    match pc_dsl::compile_ast(&file, &config) {
        Ok(compiled) => compiled.tokens(&config),
        Err(diagnostics) => {
            let errors = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| spanned_error(d, &table).to_compile_error());
            let stubs = names.iter().map(|name| stub(name));
            quote!(#(#errors)* #(#stubs)*)
        }
    }
}

/// `file = "path"`: the path and the literal's span.
fn file_form(input: &Tokens) -> Option<(String, Span)> {
    let parsed: syn::Result<(syn::Ident, syn::LitStr)> = syn::parse::Parser::parse2(
        |stream: syn::parse::ParseStream<'_>| {
            let key: syn::Ident = stream.parse()?;
            stream.parse::<syn::Token![=]>()?;
            let path: syn::LitStr = stream.parse()?;
            Ok((key, path))
        },
        input.clone(),
    );
    match parsed {
        Ok((key, path)) if key == "file" => Some((path.value(), path.span())),
        _ => None,
    }
}

/// Compiles a `.pcg` file; errors are rendered with the file's lines and carets.
fn expand_file(path: &str, span: Span) -> Tokens {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let full = std::path::Path::new(&root).join(path);
    let source = match std::fs::read_to_string(&full) {
        Ok(source) => source,
        Err(error) => {
            let message = format!("cannot read `{path}`: {error}");
            return syn::Error::new(span, message).to_compile_error();
        }
    };
    let full_text = full.display().to_string();
    // Reading the file through `include_str!` makes Cargo rebuild when it changes.
    let track = quote_spanned!(span=> const _: &str = include_str!(#full_text););
    let config = Config::new();
    match pc_dsl::compile(&source, &config) {
        Ok(compiled) => {
            let tokens = compiled.tokens(&config);
            quote!(#track #tokens)
        }
        Err(diagnostics) => {
            let rendered = pc_dsl::diag::render_all(&diagnostics, path, &source);
            let error = syn::Error::new(span, format!("errors in `{path}`:\n{rendered}"));
            let names = pc_dsl::syntax::parse(&source)
                .map(|file| file.models.into_iter().map(|m| m.name.name).collect())
                .unwrap_or_else(|_| Vec::new());
            let stubs = names.iter().map(|name: &String| stub(name));
            let error = error.to_compile_error();
            quote!(#track #error #(#stubs)*)
        }
    }
}

/// A diagnostic as a `syn::Error` covering its tokens, with labels and help in the message.
fn spanned_error(diagnostic: &Diagnostic, table: &SpanTable) -> syn::Error {
    let mut message = diagnostic.message.clone();
    if let Some(label) = &diagnostic.primary_label {
        message.push_str(&format!(": {label}"));
    }
    for label in &diagnostic.labels {
        message.push_str(&format!("\nnote: {}", label.message));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let (first, last) = table.ends(diagnostic.span);
    // A token stream from the first to the last token makes the error cover the whole range.
    let ends = quote_spanned!(first=> start)
        .into_iter()
        .chain(quote_spanned!(last=> end));
    syn::Error::new_spanned(ends.collect::<Tokens>(), message)
}

/// A model of the same name that compiles, so that the user's code using it does not bury the
/// real errors under follow-on ones. It is never run: the errors stop the build.
fn stub(name: &str) -> Tokens {
    let name = format_ident!("{name}");
    let never = quote!(unreachable!("the model did not compile"));
    quote! {
        /// A model with errors: see the compile errors above.
        #[derive(Clone, Debug)]
        pub struct #name<S = f32>(::core::marker::PhantomData<S>);

        impl<S: ::pc_runtime::Scalar> #name<S> {
            /// Never runs: the model has errors.
            pub fn new(_seed: u64) -> Self {
                #never
            }
        }

        impl<S: ::pc_runtime::Scalar> ::pc_runtime::Model<S> for #name<S> {
            fn name(&self) -> &'static str { #never }
            fn param_names(&self) -> &'static [&'static str] { #never }
            fn input_names(&self) -> &'static [&'static str] { #never }
            fn target_names(&self) -> &'static [&'static str] { #never }
            fn param(&self, _: &str) -> Option<&::pc_runtime::Tensor<S>> { #never }
            fn param_mut(&mut self, _: &str) -> Option<&mut ::pc_runtime::Tensor<S>> { #never }
            fn set_param(&mut self, _: &str, _: ::pc_runtime::Tensor<S>) -> Result<(), ::pc_runtime::ModelError> { #never }
            fn loss(&self, _: &::pc_runtime::Batch<S>) -> Result<S, ::pc_runtime::ModelError> { #never }
            fn predict(&self, _: &::pc_runtime::Batch<S>) -> Result<::pc_runtime::Named<S>, ::pc_runtime::ModelError> { #never }
            fn loss_and_gradients(
                &self,
                _: &::pc_runtime::Batch<S>,
                _: ::pc_runtime::Method,
            ) -> Result<(S, ::pc_runtime::Gradients<S>), ::pc_runtime::ModelError> { #never }
        }
    }
}
