//! The forward pass, backprop and the two Z-IL modes as Rust, from the schedules.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Context;
use crate::ir::{LossFn, VertexId, VertexKind};
use crate::passes::gradients::Value;
use crate::passes::schedule::{ErrorTask, Step};

impl Context<'_> {
    /// Whether a vertex has operations, and so a tape, a predict and a pullback function.
    pub(super) fn has_tape(&self, id: VertexId) -> bool {
        self.program(id)
            .is_some_and(|program| !program.forward.is_empty())
    }

    /// The vertex's prediction as `&Tensor<S>`: from its tape, or its single operand.
    fn prediction(&self, id: VertexId) -> TokenStream {
        let name = &self.names.vertices[id.0];
        match self.program(id) {
            Some(program) if program.forward.is_empty() => match program.prediction {
                Value::Vertex(parent) => self.value_ref(parent),
                Value::Scalar(value) => {
                    let rt = &self.runtime;
                    quote!(&#rt::kernels::scalar::<S>(#value))
                }
                _ => quote!(&tapes.#name.prediction),
            },
            _ => quote!(&tapes.#name.prediction),
        }
    }

    /// The target a loss vertex compares with, as `&Tensor<S>`.
    fn loss_target(&self, target: VertexId, index: Option<usize>) -> TokenStream {
        let rt = &self.runtime;
        let name = &self.names.vertices[target.0];
        match index {
            Some(index) => quote!(&#rt::kernels::index(state.#name, #index)),
            None => quote!(state.#name),
        }
    }

    /// A loss kernel called on a loss vertex's prediction and target: `kernel` is the loss
    /// (`mse`, giving `S`) or its gradient (`mse_grad`, giving `dL/dmu`) when `gradient`.
    fn loss_call(&self, id: VertexId, gradient: bool) -> TokenStream {
        let rt = &self.runtime;
        let VertexKind::Loss {
            func,
            target,
            target_index,
        } = self.graph.vertex(id).kind
        else {
            unreachable!("loss kernels are only called on loss vertices");
        };
        let prediction = self.prediction(id);
        let target = self.loss_target(target, target_index);
        let kernel = match (func, gradient) {
            (LossFn::Mse, false) => quote!(mse),
            (LossFn::Mse, true) => quote!(mse_grad),
            (LossFn::CrossEntropy, false) => quote!(cross_entropy),
            (LossFn::CrossEntropy, true) => quote!(cross_entropy_grad),
        };
        quote!(#rt::kernels::#kernel(#prediction, #target))
    }

    /// `dL/dmu` of a loss vertex, as `Tensor<S>`.
    fn loss_gradient(&self, id: VertexId) -> TokenStream {
        self.loss_call(id, true)
    }

    /// The value of a loss vertex's loss, as `S`.
    pub(super) fn loss_value(&self, id: VertexId) -> TokenStream {
        self.loss_call(id, false)
    }

    /// The total loss of the current state, as `S`.
    pub(super) fn total_loss(&self) -> TokenStream {
        let terms = self.loss_vertices().map(|id| self.loss_value(id));
        quote!(S::zero() #(+ #terms)*)
    }

    /// The loss vertices in order.
    pub(super) fn loss_vertices(&self) -> impl Iterator<Item = VertexId> + '_ {
        self.graph
            .vertex_ids()
            .filter(|id| matches!(self.graph.vertex(*id).kind, VertexKind::Loss { .. }))
    }

    /// Pulls `seed` back from vertex `id`: through its pullback function, or straight to its
    /// single parent for identity and bare vertices.
    fn pull(&self, id: VertexId, seed: TokenStream, params: TokenStream) -> TokenStream {
        let rt = &self.runtime;
        let name = &self.names.vertices[id.0];
        let state = &self.state_ref;
        if self.has_tape(id) {
            let pullback = format_ident!("pullback_{}", name);
            return quote!(model.#pullback(#state, &tapes.#name, &#seed, &mut pulled, #params););
        }
        match self.program(id).map(|program| program.prediction) {
            Some(Value::Vertex(parent)) if !self.graph.vertex(parent).is_data() => {
                let parent = &self.names.vertices[parent.0];
                quote!(#rt::kernels::accumulate(&mut pulled.#parent, #seed.clone());)
            }
            _ => quote!(),
        }
    }

    /// The forward pass: every value node set to its prediction, in topological order, then
    /// the tapes returned.
    pub(super) fn forward_body(&self) -> TokenStream {
        let rt = &self.runtime;
        let statements = self.graph.vertex_ids().filter_map(|id| {
            let vertex = self.graph.vertex(id);
            let name = &self.names.vertices[id.0];
            let tape = format_ident!("tape_{}", name);
            if self.has_tape(id) {
                let predict = format_ident!("predict_{}", name);
                let assign = vertex.is_pc_vertex().then(|| {
                    quote!(state.#name = #rt::inference::ValueNode::new(#tape.prediction.clone());)
                });
                Some(quote! {
                    let #tape = self.#predict(state);
                    #assign
                })
            } else if vertex.is_pc_vertex() {
                let prediction = super::place(self.prediction(id));
                Some(quote!(state.#name = #rt::inference::ValueNode::new(#prediction.clone());))
            } else {
                None
            }
        });
        let tapes = &self.names.tapes;
        let fields = self
            .graph
            .vertex_ids()
            .filter(|id| self.has_tape(*id))
            .map(|id| {
                let name = &self.names.vertices[id.0];
                let tape = format_ident!("tape_{}", name);
                quote!(#name: #tape,)
            });
        quote! {
            #(#statements)*
            #tapes { #(#fields)* _scalar: std::marker::PhantomData }
        }
    }

    /// Every tape recomputed from the current values, without moving any value node.
    pub(super) fn repredict_body(&self) -> TokenStream {
        let statements = self
            .graph
            .vertex_ids()
            .filter(|id| self.has_tape(*id))
            .map(|id| self.repredict(id));
        quote!(#(#statements)*)
    }

    fn repredict(&self, id: VertexId) -> TokenStream {
        let name = &self.names.vertices[id.0];
        let predict = format_ident!("predict_{}", name);
        let state = &self.state_ref;
        quote!(tapes.#name = model.#predict(#state);)
    }

    /// Backprop: deltas from the losses, swept through the vertices children first.
    pub(super) fn backprop_body(&self) -> TokenStream {
        let statements = self.backprop.iter().map(|&id| {
            let name = &self.names.vertices[id.0];
            let pull = self.pull(id, quote!(delta), quote!(Some(&mut grads)));
            if matches!(self.graph.vertex(id).kind, VertexKind::Loss { .. }) {
                let gradient = self.loss_gradient(id);
                quote! { { let delta = #gradient; #pull } }
            } else {
                quote! { if let Some(delta) = pulled.#name.take() { #pull } }
            }
        });
        quote!(#(#statements)*)
    }

    /// One error: `e_v`, from the current state, with its prediction recomputed if stale.
    fn error(&self, task: &ErrorTask, full_mode: bool) -> TokenStream {
        let rt = &self.runtime;
        let id = task.vertex;
        let name = &self.names.vertices[id.0];
        let error = format_ident!("e_{}", name);
        let repredict = if self.has_tape(id) && task.repredict && !full_mode {
            self.repredict(id)
        } else {
            quote!()
        };
        let value = if matches!(self.graph.vertex(id).kind, VertexKind::Loss { .. }) {
            let gradient = self.loss_gradient(id);
            quote!(#rt::kernels::neg(&#gradient))
        } else {
            let prediction = self.prediction(id);
            quote!(state.#name.error(#prediction))
        };
        quote! { #repredict let #error = #value; }
    }

    /// Whether pulling back from a vertex reads parameter contributions.
    fn reads_params(&self, id: VertexId) -> bool {
        self.has_tape(id)
            && self
                .program(id)
                .is_some_and(|program| !program.param_cotangents.is_empty())
    }

    /// Whether pulling back from a vertex sends anything to a value node.
    fn pulls_anything(&self, id: VertexId) -> bool {
        self.program(id).is_some_and(|program| {
            if self.has_tape(id) {
                true
            } else {
                matches!(program.prediction, Value::Vertex(parent) if !self.graph.vertex(parent).is_data())
            }
        })
    }

    /// A Z-IL step of the wavefront mode, straight-line.
    pub(super) fn wavefront_step(&self, step: &Step) -> TokenStream {
        let reads_any = step
            .errors
            .iter()
            .any(|task| task.reads_at(step.t) && self.reads_params(task.vertex));
        let errors = step.errors.iter().map(|task| self.error(task, false));
        // Children before parents, as backprop sweeps: a vertex's sum over its children then
        // adds the same terms in the same order as backprop's delta, to the last bit.
        let pulls = step.errors.iter().rev().map(|task| {
            let error = format_ident!("e_{}", self.names.vertices[task.vertex.0]);
            let params = if task.reads_at(step.t) && self.reads_params(task.vertex) {
                quote!(Some(&mut step_reads))
            } else {
                quote!(None)
            };
            self.pull(task.vertex, quote!(#error), params)
        });
        let updates = step.updates.iter().map(|id| self.update(*id));
        let (vertex_sums, param_sums) = (&self.names.vertex_sums, &self.names.param_sums);
        let uses_pulled = !step.updates.is_empty()
            || step
                .errors
                .iter()
                .any(|task| self.pulls_anything(task.vertex));
        let pulled = uses_pulled.then(|| quote!(let mut pulled = #vertex_sums::<S>::default();));
        let (declare_reads, absorb) = if reads_any {
            (
                quote!(let mut step_reads = #param_sums::<S>::default();),
                quote!(reads.absorb(step_reads, &mut model, options);),
            )
        } else {
            (quote!(), quote!())
        };
        quote! {
            {
                #pulled
                #declare_reads
                #(#errors)*
                #(#pulls)*
                #absorb
                #(#updates)*
            }
        }
    }

    /// `x_v -= gamma * dF/dx_v` for one value node.
    fn update(&self, id: VertexId) -> TokenStream {
        let name = &self.names.vertices[id.0];
        let prediction = self.prediction(id);
        quote!(state.#name.relax(#prediction, pulled.#name.take(), gamma);)
    }

    /// The body of one full-mode step: every error, every product, every value node.
    pub(super) fn full_step(&self, step: &Step) -> TokenStream {
        let rt = &self.runtime;
        // Predictions were recomputed for the whole state at the top of the step.
        let errors = step.errors.iter().map(|task| self.error(task, true));
        let records = step.errors.iter().map(|task| {
            let error = format_ident!("e_{}", self.names.vertices[task.vertex.0]);
            if matches!(self.graph.vertex(task.vertex).kind, VertexKind::Loss { .. }) {
                let loss = self.loss_value(task.vertex);
                quote! {
                    energy += #rt::Scalar::to_f64_lossless(#loss);
                    norms.push(#rt::inference::norm(&#error));
                }
            } else {
                quote! {
                    energy += #rt::inference::half_squared_norm(&#error);
                    norms.push(#rt::inference::norm(&#error));
                }
            }
        });
        // Children before parents, as in the wavefront mode.
        let pulls = step.errors.iter().rev().map(|task| {
            let error = format_ident!("e_{}", self.names.vertices[task.vertex.0]);
            let level = task.level;
            let params = if self.reads_params(task.vertex) {
                quote!(if options.param_reads.reads_at(#level, t) { Some(&mut step_reads) } else { None })
            } else {
                quote!(None)
            };
            self.pull(task.vertex, quote!(#error), params)
        });
        let updates = step.updates.iter().map(|id| self.update(*id));
        let (vertex_sums, param_sums) = (&self.names.vertex_sums, &self.names.param_sums);
        quote! {
            let mut pulled = #vertex_sums::<S>::default();
            let mut step_reads = #param_sums::<S>::default();
            #(#errors)*
            if let Some(trace) = trace.as_deref_mut() {
                let mut energy = 0.0_f64;
                let mut norms = Vec::new();
                #(#records)*
                trace.steps.push(#rt::EnergyStep { energy, error_norms: norms });
            }
            #(#pulls)*
            reads.absorb(step_reads, &mut model, options);
            #(#updates)*
        }
    }
}
