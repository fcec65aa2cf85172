//! The model's public face: its structs, constructors, methods and `pc_runtime::Model`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Context;
use crate::ir::{Dim, Init, Shape, VertexId, VertexKind};

impl Context<'_> {
    /// Every item generated for the model.
    pub(super) fn model(&self) -> TokenStream {
        let structs = self.structs();
        let sums = self.param_sums_impl();
        let inherent = self.inherent();
        let private = self.private();
        let model_impl = self.model_impl();
        quote! {
            #structs
            #sums
            #inherent
            #private
            #model_impl
        }
    }

    fn pc_vertices(&self) -> impl Iterator<Item = VertexId> + '_ {
        self.graph
            .vertex_ids()
            .filter(|id| self.graph.vertex(*id).is_pc_vertex())
    }

    fn data_vertices(&self, kind: &VertexKind) -> impl Iterator<Item = VertexId> + '_ {
        let want = std::mem::discriminant(kind);
        self.graph
            .vertex_ids()
            .filter(move |id| std::mem::discriminant(&self.graph.vertex(*id).kind) == want)
    }

    fn doc_attrs(doc: &[String]) -> TokenStream {
        let lines = doc.iter().map(|line| super::doc_line(line));
        quote!(#(#[doc = #lines])*)
    }

    fn structs(&self) -> TokenStream {
        let rt = &self.runtime;
        let names = &self.names;
        let (model, state, tapes) = (&names.model, &names.state, &names.tapes);
        let (vertex_sums, param_sums) = (&names.vertex_sums, &names.param_sums);
        let model_doc = Self::doc_attrs(&self.graph.doc);
        let params = self
            .graph
            .params
            .iter()
            .zip(&names.params)
            .map(|(param, name)| {
                let doc = if param.doc.is_empty() {
                    let text = format!(
                        " `{}`: `{}`.",
                        param.name,
                        self.graph.shape_text(&param.shape)
                    );
                    quote!(#[doc = #text])
                } else {
                    Self::doc_attrs(&param.doc)
                };
                quote!(#doc pub #name: #rt::Tensor<S>,)
            });
        let param_names = &names.params;
        let data = self
            .graph
            .vertex_ids()
            .filter(|id| self.graph.vertex(*id).is_data())
            .map(|id| {
                let name = &names.vertices[id.0];
                let doc = format!(" The data `{}`.", self.graph.vertex(id).name);
                quote!(#[doc = #doc] pub #name: &'a #rt::Tensor<S>,)
            });
        let dims = names.dims.iter().zip(&self.graph.dims).map(|(name, dim)| {
            let doc = format!(" The size of the run-time dimension `{}`.", dim.name);
            quote!(#[doc = #doc] pub #name: usize,)
        });
        let values: Vec<TokenStream> = self
            .pc_vertices()
            .map(|id| {
                let name = &names.vertices[id.0];
                let doc = format!(" The value node of `{}`.", self.graph.vertex(id).name);
                quote!(#[doc = #doc] pub #name: #rt::inference::ValueNode<S>,)
            })
            .collect();
        let taped: Vec<_> = self
            .graph
            .vertex_ids()
            .filter(|id| self.has_tape(*id))
            .map(|id| &names.vertices[id.0])
            .collect();
        let pc_names: Vec<_> = self.pc_vertices().map(|id| &names.vertices[id.0]).collect();
        let model_name = &self.graph.name;
        let state_doc = format!(" The value of every vertex of [`{model_name}`] during inference.");
        quote! {
            #model_doc
            #[derive(Clone, Debug, PartialEq)]
            pub struct #model<S: #rt::Scalar = f32> {
                #(#params)*
            }

            #[doc = #state_doc]
            #[derive(Clone, Debug)]
            pub struct #state<'a, S: #rt::Scalar> {
                #(#dims)*
                #(#data)*
                #(#values)*
                _data: std::marker::PhantomData<&'a S>,
            }

            /// What each vertex's vector-Jacobian product reads from its prediction.
            #[derive(Clone, Debug, Default)]
            struct #tapes<S: #rt::Scalar> {
                #(#taped: #rt::inference::Tape<S>,)*
                _scalar: std::marker::PhantomData<S>,
            }

            /// Per-vertex sums: backprop's deltas, or the errors pulled back from children.
            #[derive(Clone, Debug, Default)]
            struct #vertex_sums<S: #rt::Scalar> {
                #(#pc_names: Option<#rt::Tensor<S>>,)*
                _scalar: std::marker::PhantomData<S>,
            }

            /// Per-parameter sums: gradients, or the contributions Z-IL reads.
            #[derive(Clone, Debug, Default)]
            struct #param_sums<S: #rt::Scalar> {
                #(#param_names: Option<#rt::Tensor<S>>,)*
                _scalar: std::marker::PhantomData<S>,
            }
        }
    }

    fn param_sums_impl(&self) -> TokenStream {
        let rt = &self.runtime;
        let names = &self.names;
        let (model, param_sums) = (&names.model, &names.param_sums);
        let fields = &names.params;
        let texts: Vec<&str> = self.graph.params.iter().map(|p| p.name.as_str()).collect();
        quote! {
            impl<S: #rt::Scalar> #param_sums<S> {
                /// Adds one step's reads into the total; applies them at once when asked to.
                fn absorb(
                    &mut self,
                    step: Self,
                    model: &mut std::borrow::Cow<'_, #model<S>>,
                    options: &#rt::ZilOptions,
                ) {
                    #(
                        if let Some(read) = step.#fields {
                            if let #rt::SharedUpdates::Immediate { learning_rate } = options.shared_updates {
                                // A read is minus the gradient: descending adds it.
                                #rt::kernels::sub_assign_scaled(
                                    &mut model.to_mut().#fields,
                                    &read,
                                    S::from_f64_lossy(-learning_rate),
                                );
                            }
                            #rt::kernels::accumulate(&mut self.#fields, read);
                        }
                    )*
                }

                /// The sums as named gradients times `sign`; a parameter nothing reached is zero.
                fn into_gradients(self, model: &#model<S>, sign: S) -> #rt::Gradients<S> {
                    let mut gradients = #rt::Gradients::new();
                    #(
                        let value = match self.#fields {
                            Some(sum) => sum.mapv(|v| v * sign),
                            None => #rt::Tensor::zeros(model.#fields.raw_dim()),
                        };
                        gradients.push(#texts, value);
                    )*
                    gradients
                }
            }
        }
    }

    fn init_call(&self, init: Init, shape: &Shape) -> TokenStream {
        let rt = &self.runtime;
        let sizes = shape.0.iter().map(|dim| match dim {
            Dim::Fixed(size) => *size,
            Dim::Runtime(_) => 0,
        });
        let kind = match init {
            Init::Zeros => quote!(Zeros),
            Init::Ones => quote!(Ones),
            Init::Xavier => quote!(Xavier),
            Init::He => quote!(He),
            Init::Normal { std } => quote!(Normal { std: #std }),
            Init::Uniform { lo, hi } => quote!(Uniform { lo: #lo, hi: #hi }),
        };
        quote!(#rt::init::init(#rt::init::InitKind::#kind, &[#(#sizes),*], rng))
    }

    fn declared(&self, shape: &Shape) -> TokenStream {
        let rt = &self.runtime;
        let dims = shape.0.iter().map(|dim| match dim {
            Dim::Fixed(size) => quote!(#rt::inference::DeclaredDim::Fixed(#size)),
            Dim::Runtime(id) => {
                let index = id.0;
                quote!(#rt::inference::DeclaredDim::Runtime(#index))
            }
        });
        quote!(&[#(#dims),*])
    }

    fn inherent(&self) -> TokenStream {
        let rt = &self.runtime;
        let names = &self.names;
        let model = &names.model;
        let inits = self
            .graph
            .params
            .iter()
            .zip(&names.params)
            .map(|(param, name)| {
                let call = self.init_call(param.init, &param.shape);
                quote!(#name: #call,)
            });
        let model_name = &self.graph.name;
        let params: Vec<&str> = self.graph.params.iter().map(|p| p.name.as_str()).collect();
        let inputs: Vec<&str> = self
            .data_vertices(&VertexKind::Input)
            .map(|id| self.graph.vertex(id).name.as_str())
            .collect();
        let targets: Vec<&str> = self
            .data_vertices(&VertexKind::Target)
            .map(|id| self.graph.vertex(id).name.as_str())
            .collect();
        let dims: Vec<&str> = self.graph.dims.iter().map(|d| d.name.as_str()).collect();
        let data_shapes = self
            .graph
            .vertex_ids()
            .filter(|id| self.graph.vertex(*id).is_data())
            .map(|id| {
                let vertex = self.graph.vertex(id);
                let text = &vertex.name;
                let declared = self.declared(vertex.shape.as_ref().unwrap_or(&Shape::default()));
                quote!((#text, #declared))
            });
        let depth = self.full.depth;
        quote! {
            impl<S: #rt::Scalar> #model<S> {
                /// The model's name.
                pub const NAME: &'static str = #model_name;
                /// The parameter names, in declaration order.
                pub const PARAMS: &'static [&'static str] = &[#(#params),*];
                /// The input names, in declaration order.
                pub const INPUTS: &'static [&'static str] = &[#(#inputs),*];
                /// The target names, in declaration order.
                pub const TARGETS: &'static [&'static str] = &[#(#targets),*];
                /// The run-time dimensions, in declaration order.
                pub const DIMS: &'static [&'static str] = &[#(#dims),*];
                /// The declared shape of every input and target, in declaration order.
                pub const DATA_SHAPES: &'static [(&'static str, &'static [#rt::inference::DeclaredDim])] =
                    &[#(#data_shapes),*];
                /// The number of Z-IL inference steps: the highest level plus one.
                pub const DEPTH: usize = #depth;

                /// A model initialised from a seed; the same seed gives the same parameters.
                pub fn new(seed: u64) -> Self {
                    Self::init(&mut #rt::init::seeded_rng(seed))
                }

                /// A model initialised from a random generator, parameters in declaration order.
                pub fn init<R: #rt::rand::Rng + ?Sized>(rng: &mut R) -> Self {
                    #model { #(#inits)* }
                }

            }
        }
    }

    fn private(&self) -> TokenStream {
        let rt = &self.runtime;
        let names = &self.names;
        let (model, state, tapes) = (&names.model, &names.state, &names.tapes);
        let (vertex_sums, param_sums) = (&names.vertex_sums, &names.param_sums);
        let dim_count = self.graph.dims.len();
        let binds = self
            .graph
            .vertex_ids()
            .filter(|id| self.graph.vertex(*id).is_data())
            .map(|id| {
                let vertex = self.graph.vertex(id);
                let name = &names.vertices[id.0];
                let text = &vertex.name;
                let declared = self.declared(vertex.shape.as_ref().unwrap_or(&Shape::default()));
                let lookup = quote! {
                    #rt::inference::bind(Self::NAME, batch, #text, #declared, Self::DIMS, &mut dims)?
                };
                if matches!(vertex.kind, VertexKind::Target) {
                    quote!(let #name = if with_targets { #lookup } else { placeholder };)
                } else {
                    quote!(let #name = #lookup;)
                }
            });
        let data_fields = self
            .graph
            .vertex_ids()
            .filter(|id| self.graph.vertex(*id).is_data())
            .map(|id| &names.vertices[id.0]);
        let dim_fields = names
            .dims
            .iter()
            .enumerate()
            .map(|(index, name)| quote!(#name: dims[#index].unwrap_or(0),));
        let value_fields = self.pc_vertices().map(|id| &names.vertices[id.0]);
        let predicts = self
            .programs
            .iter()
            .filter(|p| !p.forward.is_empty())
            .map(|p| self.predict_fn(p));
        let pullbacks = self
            .programs
            .iter()
            .filter(|p| !p.forward.is_empty())
            .map(|p| self.pullback_fn(p));
        let forward = self.forward_body();
        let repredict = self.repredict_body();
        let backprop = self.backprop_body();
        let total_loss = self.total_loss();
        let owning = self.owning_state();
        let wavefront_steps: Vec<TokenStream> = self
            .wavefront
            .steps()
            .map(|step| owning.wavefront_step(&step))
            .collect();
        // Every full-mode step does the same work; each vertex reads at its own level.
        let full_work = (self.full.depth > 0).then(|| self.full.step(0));
        let full_step = full_work
            .as_ref()
            .map(|step| owning.full_step(step))
            .unwrap_or_default();
        let full_repredict = owning.repredict_body();
        let depth = self.full.depth;
        let noise = self.pc_vertices().map(|id| {
            let name = &names.vertices[id.0];
            quote!(state.#name.add_noise(std, &mut rng);)
        });
        let error_vertices: Vec<&str> = full_work
            .as_ref()
            .map(|step| {
                step.errors
                    .iter()
                    .map(|task| self.graph.vertex(task.vertex).name.as_str())
                    .collect()
            })
            .unwrap_or_default();
        quote! {
            impl<S: #rt::Scalar> #model<S> {
                /// The vertices whose errors an energy trace records, in order.
                const ERROR_VERTICES: &'static [&'static str] = &[#(#error_vertices),*];

                /// Checks the batch's tensors and binds the run-time dimensions.
                fn bind<'a>(
                    &self,
                    batch: &'a #rt::Batch<S>,
                    with_targets: bool,
                    placeholder: &'a #rt::Tensor<S>,
                ) -> Result<#state<'a, S>, #rt::ModelError> {
                    let mut dims = [None; #dim_count];
                    #(#binds)*
                    let _ = (with_targets, placeholder);
                    Ok(#state {
                        #(#dim_fields)*
                        #(#data_fields,)*
                        #(#value_fields: #rt::inference::ValueNode::default(),)*
                        _data: std::marker::PhantomData,
                    })
                }

                /// The forward pass: every value node set to its prediction.
                fn forward(&self, state: &mut #state<'_, S>) -> #tapes<S> {
                    #forward
                }

                /// The total loss at the forward pass.
                fn total_loss(&self, state: &#state<'_, S>, tapes: &#tapes<S>) -> S {
                    let _ = tapes;
                    #total_loss
                }

                /// Gradients by reverse-mode differentiation.
                fn backprop(&self, state: &#state<'_, S>, tapes: &#tapes<S>) -> #param_sums<S> {
                    let model = self;
                    let mut pulled = #vertex_sums::<S>::default();
                    let mut grads = #param_sums::default();
                    #backprop
                    grads
                }

                /// Moves every value node by Gaussian noise and recomputes every prediction.
                fn add_noise(&self, state: &mut #state<'_, S>, tapes: &mut #tapes<S>, std: f64, seed: u64) {
                    let mut rng = #rt::init::seeded_rng(seed);
                    #(#noise)*
                    let model = self;
                    #repredict
                }

                /// Z-IL, wavefront mode: the contributions read, one step after another.
                fn zil_wavefront(
                    &self,
                    mut state: #state<'_, S>,
                    mut tapes: #tapes<S>,
                    options: &#rt::ZilOptions,
                ) -> #param_sums<S> {
                    let gamma = S::from_f64_lossy(options.gamma);
                    let mut model = std::borrow::Cow::Borrowed(self);
                    let mut reads = #param_sums::default();
                    if let Some((std, seed)) = options.initial_noise {
                        self.add_noise(&mut state, &mut tapes, std, seed);
                    }
                    #(#wavefront_steps)*
                    reads
                }

                /// Z-IL, full mode: every value node relaxes at every step.
                fn zil_full(
                    &self,
                    mut state: #state<'_, S>,
                    mut tapes: #tapes<S>,
                    options: &#rt::ZilOptions,
                    mut trace: Option<&mut #rt::EnergyTrace>,
                ) -> #param_sums<S> {
                    let gamma = S::from_f64_lossy(options.gamma);
                    let mut model = std::borrow::Cow::Borrowed(self);
                    let mut reads = #param_sums::default();
                    if let Some((std, seed)) = options.initial_noise {
                        self.add_noise(&mut state, &mut tapes, std, seed);
                    }
                    for t in 0..#depth {
                        if t > 0 {
                            #full_repredict
                        }
                        #full_step
                    }
                    reads
                }

                #(#predicts)*
                #(#pullbacks)*
            }
        }
    }

    fn model_impl(&self) -> TokenStream {
        let rt = &self.runtime;
        let names = &self.names;
        let model = &names.model;
        let fields = &names.params;
        let texts: Vec<&str> = self.graph.params.iter().map(|p| p.name.as_str()).collect();
        let declared: Vec<TokenStream> = self
            .graph
            .params
            .iter()
            .map(|p| self.declared(&p.shape))
            .collect();
        let values = self.pc_vertices().map(|id| {
            let name = &names.vertices[id.0];
            let text = &self.graph.vertex(id).name;
            quote!(values.push(#text, state.#name.value().clone());)
        });
        let outputs = self.loss_vertices().filter_map(|id| {
            let VertexKind::Loss { .. } = self.graph.vertex(id).kind else {
                return None;
            };
            let parent = self.graph.vertex(id).parents().first().copied()?;
            let name = &names.vertices[parent.0];
            let text = &self.graph.vertex(parent).name;
            Some(quote!(outputs.push(#text, state.#name.value().clone());))
        });
        quote! {
            impl<S: #rt::Scalar> #rt::Model<S> for #model<S> {
                fn name(&self) -> &'static str {
                    Self::NAME
                }

                fn param_names(&self) -> &'static [&'static str] {
                    Self::PARAMS
                }

                fn input_names(&self) -> &'static [&'static str] {
                    Self::INPUTS
                }

                fn target_names(&self) -> &'static [&'static str] {
                    Self::TARGETS
                }

                fn param(&self, name: &str) -> Option<&#rt::Tensor<S>> {
                    match name {
                        #(#texts => Some(&self.#fields),)*
                        _ => None,
                    }
                }

                fn param_mut(&mut self, name: &str) -> Option<&mut #rt::Tensor<S>> {
                    match name {
                        #(#texts => Some(&mut self.#fields),)*
                        _ => None,
                    }
                }

                fn set_param(&mut self, name: &str, value: #rt::Tensor<S>) -> Result<(), #rt::ModelError> {
                    match name {
                        #(
                            #texts => {
                                #rt::inference::check_shape(Self::NAME, name, value.shape(), #declared, Self::DIMS, &mut [])?;
                                self.#fields = value;
                                Ok(())
                            }
                        )*
                        _ => Err(#rt::ModelError::UnknownParam {
                            model: Self::NAME.to_string(),
                            name: name.to_string(),
                        }),
                    }
                }

                fn loss(&self, batch: &#rt::Batch<S>) -> Result<S, #rt::ModelError> {
                    let placeholder = #rt::inference::empty();
                    let mut state = self.bind(batch, true, &placeholder)?;
                    let tapes = self.forward(&mut state);
                    Ok(self.total_loss(&state, &tapes))
                }

                fn predict(&self, inputs: &#rt::Batch<S>) -> Result<#rt::Named<S>, #rt::ModelError> {
                    let placeholder = #rt::inference::empty();
                    let mut state = self.bind(inputs, false, &placeholder)?;
                    let _tapes = self.forward(&mut state);
                    let mut outputs = #rt::Named::new();
                    #(#outputs)*
                    Ok(outputs)
                }

                fn depth(&self) -> usize {
                    Self::DEPTH
                }

                fn values(&self, inputs: &#rt::Batch<S>) -> Result<#rt::Named<S>, #rt::ModelError> {
                    let placeholder = #rt::inference::empty();
                    let mut state = self.bind(inputs, false, &placeholder)?;
                    let _tapes = self.forward(&mut state);
                    let mut values = #rt::Named::new();
                    #(#values)*
                    Ok(values)
                }

                fn loss_and_gradients_with(
                    &self,
                    batch: &#rt::Batch<S>,
                    method: #rt::Method,
                    options: &#rt::ZilOptions,
                ) -> Result<(S, #rt::Gradients<S>), #rt::ModelError> {
                    options.check(Self::NAME, method)?;
                    let placeholder = #rt::inference::empty();
                    let mut state = self.bind(batch, true, &placeholder)?;
                    let tapes = self.forward(&mut state);
                    let loss = self.total_loss(&state, &tapes);
                    let gradients = match method {
                        #rt::Method::Backprop => self
                            .backprop(&state, &tapes)
                            .into_gradients(self, S::one()),
                        #rt::Method::Zil => self
                            .zil_wavefront(state, tapes, options)
                            .into_gradients(self, -S::one()),
                        #rt::Method::ZilFull => self
                            .zil_full(state, tapes, options, None)
                            .into_gradients(self, -S::one()),
                    };
                    Ok((loss, gradients))
                }

                fn energy_trace(
                    &self,
                    batch: &#rt::Batch<S>,
                    options: &#rt::ZilOptions,
                ) -> Result<(#rt::Gradients<S>, #rt::EnergyTrace), #rt::ModelError> {
                    options.check(Self::NAME, #rt::Method::ZilFull)?;
                    let placeholder = #rt::inference::empty();
                    let mut state = self.bind(batch, true, &placeholder)?;
                    let tapes = self.forward(&mut state);
                    let mut trace = #rt::EnergyTrace {
                        vertices: Self::ERROR_VERTICES.iter().map(|name| name.to_string()).collect(),
                        steps: Vec::new(),
                    };
                    let reads = self.zil_full(state, tapes, options, Some(&mut trace));
                    Ok((reads.into_gradients(self, -S::one()), trace))
                }
            }
        }
    }
}
