//! The expansion of `pc_model!`, in a normal crate so that tests can call it: models written
//! as tokens or read from a `.pcg` file, compiled to Rust; or every error at its tokens,
//! next to a stub of each model.

use std::path::{Path, PathBuf};

use proc_macro2::{Span as TokenSpan, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::LitStr;
use syn::parse::{ParseStream, Parser as _};

use crate::syntax::ast::File;
use crate::syntax::tokens;
use crate::{Config, Diagnostic, codegen};

/// What `pc_model!` expands to: the generated Rust of its models, or `compile_error!`s.
///
/// Never panics. The input is either the `.pcg` language as tokens or `file = "path"`, a
/// path relative to the crate's manifest (`CARGO_MANIFEST_DIR`).
pub fn pc_model(input: TokenStream) -> TokenStream {
    match file_form(&input) {
        None => expand_tokens(input),
        Some(Ok(path)) => expand_file(&path),
        Some(Err(error)) => error.to_compile_error(),
    }
}

fn expand_tokens(input: TokenStream) -> TokenStream {
    let parsed = tokens::parse(input);
    let config = Config::new();
    let result = match parsed.errors.is_empty() {
        true => crate::compile_ast(&parsed.file, &config),
        false => Err(parsed.errors),
    };
    match result {
        Ok(compiled) => compiled.tokens(&config),
        Err(diagnostics) => {
            let errors = errors_only(&diagnostics)
                .map(|diagnostic| parsed.spans.error(diagnostic).to_compile_error());
            let stubs = stubs(&parsed.file, &config);
            quote!(#(#errors)* #stubs)
        }
    }
}

/// `file = "path"`: `None` when the input does not start with `file =`.
fn file_form(input: &TokenStream) -> Option<syn::Result<LitStr>> {
    let mut tokens = input.clone().into_iter();
    let key = matches!(tokens.next(), Some(TokenTree::Ident(key)) if key == "file");
    let eq = matches!(tokens.next(), Some(TokenTree::Punct(eq)) if eq.as_char() == '=');
    if !(key && eq) {
        return None;
    }
    let parser = |input: ParseStream<'_>| {
        input.parse::<syn::Ident>()?;
        input.parse::<syn::Token![=]>()?;
        input.parse::<LitStr>()
    };
    Some(parser.parse2(input.clone()))
}

/// Compiles a `.pcg` file; its errors are rendered with file, line, column and caret, at
/// the path's literal.
fn expand_file(literal: &LitStr) -> TokenStream {
    let path = literal.value();
    let span = literal.span();
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let full = manifest_dir.unwrap_or_default().join(&path);
    let source = match std::fs::read_to_string(&full) {
        Ok(source) => source,
        Err(error) => {
            let message = format!(
                "cannot read `{path}`: {error}\nhelp: the path is relative to the crate's `Cargo.toml`"
            );
            return syn::Error::new(span, message).to_compile_error();
        }
    };
    let track = track(&path, span);
    let config = Config::new();
    match crate::compile(&source, &config) {
        Ok(compiled) => {
            let tokens = compiled.tokens(&config);
            quote!(#track #tokens)
        }
        Err(diagnostics) => {
            let errors = errors_only(&diagnostics).map(|diagnostic| {
                let rendered = diagnostic.render(&path, &source);
                // rustc says `error: ` itself.
                let rendered = rendered.strip_prefix("error: ").unwrap_or(&rendered);
                syn::Error::new(span, rendered.trim_end()).to_compile_error()
            });
            let (file, _) = crate::syntax::parse_partial(&source);
            let stubs = stubs(&file, &config);
            quote!(#track #(#errors)* #stubs)
        }
    }
}

/// Reads the file through `include_str!`, which makes Cargo rebuild the crate when it
/// changes; the path is spelled from `CARGO_MANIFEST_DIR`, so none is absolute.
fn track(path: &str, span: TokenSpan) -> TokenStream {
    if Path::new(path).is_absolute() {
        return quote_spanned!(span=> const _: &str = include_str!(#path););
    }
    quote_spanned! {span=>
        const _: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", #path));
    }
}

fn errors_only(diagnostics: &[Diagnostic]) -> impl Iterator<Item = &Diagnostic> {
    diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
}

/// One stub per model name, so that two models of the same name do not add an error.
fn stubs(file: &File, config: &Config) -> TokenStream {
    let runtime = config.runtime_tokens();
    let mut seen: Vec<&str> = Vec::new();
    let mut stubs = TokenStream::new();
    for model in &file.models {
        if !seen.contains(&model.name.name.as_str()) {
            seen.push(&model.name.name);
            stubs.extend(codegen::emit_stub(model, &runtime));
        }
    }
    stubs
}
