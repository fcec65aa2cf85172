//! The stand-in for a model with errors: its name, parameters and methods, with no body.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::syntax::ast::{Model, StmtKind};

/// A model of the same name and face that compiles, so that the user's code using it does
/// not bury the real errors under follow-on ones. It never runs: the errors stop the build.
///
/// Only what the syntax says is known: the names of the parameters, inputs, targets and
/// dimensions declared at the top of the model.
pub fn emit_stub(model: &Model, runtime: &TokenStream) -> TokenStream {
    let rt = runtime;
    let name = ident(&model.name.name);
    let text = &model.name.name;
    let mut doc: Vec<String> = model.doc.iter().map(|line| super::doc_line(line)).collect();
    if doc.is_empty() {
        doc.push(" A model with errors: see the compile errors.".to_string());
    }
    let declared = |want: fn(&StmtKind) -> Option<&str>| -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in model.body.iter().filter_map(|stmt| want(&stmt.kind)) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    };
    let params = declared(|kind| match kind {
        StmtKind::Param { name, .. } => Some(&name.name),
        _ => None,
    });
    let inputs = declared(|kind| match kind {
        StmtKind::Input { name, .. } => Some(&name.name),
        _ => None,
    });
    let targets = declared(|kind| match kind {
        StmtKind::Target { name, .. } => Some(&name.name),
        _ => None,
    });
    let dims = declared(|kind| match kind {
        StmtKind::Dim { name } => Some(&name.name),
        _ => None,
    });
    let fields = params.iter().map(|param| ident(param));
    let never = quote!(unreachable!("the model has errors: see the compile errors"));
    quote! {
        #(#[doc = #doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct #name<S: #rt::Scalar = f32> {
            #(
                /// A parameter of a model with errors.
                pub #fields: #rt::Tensor<S>,
            )*
            _stub: ::core::marker::PhantomData<S>,
        }

        impl<S: #rt::Scalar> #name<S> {
            /// The model's name.
            pub const NAME: &'static str = #text;
            /// The parameter names.
            pub const PARAMS: &'static [&'static str] = &[#(#params),*];
            /// The input names.
            pub const INPUTS: &'static [&'static str] = &[#(#inputs),*];
            /// The target names.
            pub const TARGETS: &'static [&'static str] = &[#(#targets),*];
            /// The run-time dimensions.
            pub const DIMS: &'static [&'static str] = &[#(#dims),*];
            /// Unknown: the model has errors.
            pub const DATA_SHAPES: &'static [(&'static str, &'static [#rt::inference::DeclaredDim])] = &[];
            /// Unknown: the model has errors.
            pub const DEPTH: usize = 0;

            /// Never returns: the model has errors.
            pub fn new(_seed: u64) -> Self {
                #never
            }

            /// Never returns: the model has errors.
            pub fn init<R: #rt::rand::Rng + ?Sized>(_rng: &mut R) -> Self {
                #never
            }

        }

        impl<S: #rt::Scalar> #rt::Model<S> for #name<S> {
            fn name(&self) -> &'static str { #never }
            fn param_names(&self) -> &'static [&'static str] { #never }
            fn input_names(&self) -> &'static [&'static str] { #never }
            fn target_names(&self) -> &'static [&'static str] { #never }
            fn param(&self, _name: &str) -> Option<&#rt::Tensor<S>> { #never }
            fn param_mut(&mut self, _name: &str) -> Option<&mut #rt::Tensor<S>> { #never }
            fn set_param(&mut self, _name: &str, _value: #rt::Tensor<S>) -> Result<(), #rt::ModelError> { #never }
            fn loss(&self, _batch: &#rt::Batch<S>) -> Result<S, #rt::ModelError> { #never }
            fn predict(&self, _inputs: &#rt::Batch<S>) -> Result<#rt::Named<S>, #rt::ModelError> { #never }
            fn values(&self, _inputs: &#rt::Batch<S>) -> Result<#rt::Named<S>, #rt::ModelError> { #never }
            fn depth(&self) -> usize { #never }
            fn loss_and_gradients_with(
                &self,
                _batch: &#rt::Batch<S>,
                _method: #rt::Method,
                _options: &#rt::ZilOptions,
            ) -> Result<(S, #rt::Gradients<S>), #rt::ModelError> {
                #never
            }
            fn energy_trace(
                &self,
                _batch: &#rt::Batch<S>,
                _options: &#rt::ZilOptions,
            ) -> Result<(#rt::Gradients<S>, #rt::EnergyTrace), #rt::ModelError> {
                #never
            }
        }
    }
}
