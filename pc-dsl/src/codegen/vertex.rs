//! Each vertex's prediction and its vector-Jacobian product as Rust functions.
//!
//! `predict_h(&self, state) -> Tape<S>` computes the prediction of `h` from the current values
//! of its parents and keeps what the product reads. `pullback_h(&self, state, tape, seed,
//! vertices, params)` adds `J^T seed` into the sums of `h`'s parents and, when `params` is
//! given, `(dg/dtheta)^T seed` into the sums of its parameters. Instructions only the parameter
//! products need are skipped when `params` is `None`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Context;
use crate::ir::{Dim, Op, VertexId};
use crate::passes::gradients::{Instr, Prim, TempId, Value, VertexProgram};

/// Where forward temporaries live when an instruction reads them.
enum Temps<'a> {
    /// In local variables `t0, t1, ...`: inside `predict_*`.
    Locals,
    /// In the tape: inside `pullback_*`, for the temporaries before `forward_count`.
    Tape {
        forward_count: usize,
        prediction: Option<TempId>,
        saved: &'a [TempId],
    },
}

impl Context<'_> {
    /// An operand as an expression of type `&Tensor<S>`.
    fn operand(&self, value: Value, temps: &Temps<'_>) -> TokenStream {
        let rt = &self.runtime;
        match value {
            Value::Temp(temp) => match temps {
                Temps::Tape {
                    forward_count,
                    prediction,
                    saved,
                } if temp.0 < *forward_count => {
                    if Some(temp) == *prediction {
                        quote!(&tape.prediction)
                    } else {
                        let index = saved.iter().position(|t| *t == temp).unwrap_or(0);
                        quote!(&tape.saved[#index])
                    }
                }
                _ => {
                    let name = format_ident!("t{}", temp.0);
                    quote!(&#name)
                }
            },
            Value::Vertex(id) => self.value_ref(id),
            Value::Param(id) => {
                let name = &self.names.params[id.0];
                quote!(&self.#name)
            }
            Value::Scalar(value) => quote!(&#rt::kernels::scalar::<S>(#value)),
            Value::Seed => quote!(seed),
        }
    }

    /// The run-time shape of an operand, as `&[usize]`.
    fn shape_of(&self, value: Value, temps: &Temps<'_>) -> TokenStream {
        match value {
            Value::Scalar(_) => quote!(&[]),
            _ => {
                let place = super::place(self.operand(value, temps));
                quote!(#place.shape())
            }
        }
    }

    /// `let tN = kernel(args);` for one instruction.
    fn instruction(&self, instr: &Instr, temps: &Temps<'_>) -> TokenStream {
        let k = {
            let rt = &self.runtime;
            quote!(#rt::kernels)
        };
        let arg = |i: usize| self.operand(instr.args[i], temps);
        let shape = |i: usize| self.shape_of(instr.args[i], temps);
        let call = match &instr.prim {
            Prim::Forward(op) => self.forward_call(op, instr, temps),
            Prim::SumTo => {
                let (g, like) = (arg(0), shape(1));
                quote!(#k::sum_to(#g, #like))
            }
            Prim::Neg => {
                let a = arg(0);
                quote!(#k::neg(#a))
            }
            Prim::Accumulate => {
                let (a, b) = (arg(0), arg(1));
                quote!(#k::add(#a, #b))
            }
            Prim::MulVjp => {
                let (g, other, like) = (arg(0), arg(1), shape(2));
                quote!(#k::mul_vjp(#g, #other, #like))
            }
            Prim::DivVjpLhs => {
                let (g, b, like) = (arg(0), arg(1), shape(2));
                quote!(#k::div_vjp_lhs(#g, #b, #like))
            }
            Prim::DivVjpRhs => {
                let (g, a, b, like) = (arg(0), arg(1), arg(2), shape(3));
                quote!(#k::div_vjp_rhs(#g, #a, #b, #like))
            }
            Prim::MatMulVjpLhs => {
                let (g, b, like) = (arg(0), arg(1), shape(2));
                quote!(#k::matmul_vjp_lhs(#g, #b, #like))
            }
            Prim::MatMulVjpRhs => {
                let (a, g, like) = (arg(0), arg(1), shape(2));
                quote!(#k::matmul_vjp_rhs(#a, #g, #like))
            }
            Prim::TanhVjp => self.pair(quote!(tanh_vjp), instr, temps),
            Prim::SigmoidVjp => self.pair(quote!(sigmoid_vjp), instr, temps),
            Prim::ExpVjp => self.pair(quote!(exp_vjp), instr, temps),
            Prim::SoftmaxVjp => self.pair(quote!(softmax_vjp), instr, temps),
            Prim::ReluVjp => self.pair(quote!(relu_vjp), instr, temps),
            Prim::LogVjp => self.pair(quote!(log_vjp), instr, temps),
            Prim::SoftplusVjp => self.pair(quote!(softplus_vjp), instr, temps),
            Prim::LeakyReluVjp { slope } => {
                let (x, g) = (arg(0), arg(1));
                quote!(#k::leaky_relu_vjp(#x, #slope, #g))
            }
            Prim::Conv2dVjpInput { stride, padding } => {
                let (g, w, like) = (arg(0), arg(1), shape(2));
                quote!(#k::conv2d_vjp_input(#g, #w, #like, #stride, #padding))
            }
            Prim::Conv2dVjpWeight { stride, padding } => {
                let (x, g, like) = (arg(0), arg(1), shape(2));
                quote!(#k::conv2d_vjp_weight(#x, #g, #like, #stride, #padding))
            }
            Prim::MaxPool2dVjp { size } => {
                let (x, g) = (arg(0), arg(1));
                quote!(#k::max_pool2d_vjp(#x, #g, #size))
            }
            Prim::AvgPool2dVjp { size } => {
                let g = arg(0);
                quote!(#k::avg_pool2d_vjp(#g, #size))
            }
            Prim::ReshapeVjp => {
                let (g, like) = (arg(0), shape(1));
                quote!(#k::reshape_vjp(#g, #like))
            }
            Prim::ConcatVjp { axis, part } => {
                let g = arg(0);
                let sizes = (1..instr.args.len()).map(|i| {
                    let s = shape(i);
                    quote!(#s[#axis])
                });
                quote!(#k::concat_vjp(#g, #axis, #part, &[#(#sizes),*]))
            }
            Prim::TransposeVjp => {
                let g = arg(0);
                quote!(#k::transpose_vjp(#g))
            }
            Prim::IndexVjp { index } => {
                let (g, like) = (arg(0), shape(1));
                quote!(#k::index_vjp(#g, #like, #index))
            }
        };
        let name = format_ident!("t{}", instr.temp.0);
        quote!(let #name = #call;)
    }

    /// A kernel taking `(first, second)` operands.
    fn pair(&self, kernel: TokenStream, instr: &Instr, temps: &Temps<'_>) -> TokenStream {
        let rt = &self.runtime;
        let (a, b) = (
            self.operand(instr.args[0], temps),
            self.operand(instr.args[1], temps),
        );
        quote!(#rt::kernels::#kernel(#a, #b))
    }

    /// The kernel call of an operation of the language.
    fn forward_call(&self, op: &Op, instr: &Instr, temps: &Temps<'_>) -> TokenStream {
        let rt = &self.runtime;
        let k = quote!(#rt::kernels);
        let args: Vec<TokenStream> = instr
            .args
            .iter()
            .map(|value| self.operand(*value, temps))
            .collect();
        let a = &args[0];
        match op {
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::MatMul => {
                let name = format_ident!("{}", op.name());
                let b = &args[1];
                quote!(#k::#name(#a, #b))
            }
            Op::Neg
            | Op::Tanh
            | Op::Sigmoid
            | Op::Relu
            | Op::Exp
            | Op::Log
            | Op::Softplus
            | Op::Identity
            | Op::Softmax
            | Op::Flatten
            | Op::Transpose => {
                let name = format_ident!("{}", op.name());
                quote!(#k::#name(#a))
            }
            Op::LeakyRelu { slope } => quote!(#k::leaky_relu(#a, #slope)),
            Op::Conv2d { stride, padding } => {
                let b = &args[1];
                quote!(#k::conv2d(#a, #b, #stride, #padding))
            }
            Op::MaxPool2d { size } => quote!(#k::max_pool2d(#a, #size)),
            Op::AvgPool2d { size } => quote!(#k::avg_pool2d(#a, #size)),
            Op::Reshape { shape } => {
                let dims = shape.0.iter().map(|dim| match dim {
                    Dim::Fixed(size) => quote!(#size),
                    Dim::Runtime(id) => {
                        let name = &self.names.dims[id.0];
                        quote!(state.#name)
                    }
                });
                quote!(#k::reshape(#a, &[#(#dims),*]))
            }
            Op::Concat { axis } => quote!(#k::concat(&[#(#args),*], #axis)),
            Op::Index { index } => quote!(#k::index(#a, #index)),
        }
    }

    /// `predict_<v>`: the prediction of a vertex with operations, and its tape.
    pub(super) fn predict_fn(&self, program: &VertexProgram) -> TokenStream {
        let (state, rt) = (&self.names.state, &self.runtime);
        let name = format_ident!("predict_{}", self.names.vertices[program.vertex.0]);
        let doc = format!(
            " The prediction of `{}` from its parents' current values.",
            self.graph.vertex(program.vertex).name
        );
        let body = program
            .forward
            .iter()
            .map(|instr| self.instruction(instr, &Temps::Locals));
        let prediction = match program.prediction {
            Value::Temp(temp) => format_ident!("t{}", temp.0),
            _ => unreachable!("only vertices with operations get a predict function"),
        };
        let saved = program
            .saved_temps()
            .into_iter()
            .filter(|temp| Value::Temp(*temp) != program.prediction)
            .map(|temp| {
                let name = format_ident!("t{}", temp.0);
                quote!(#name)
            });
        quote! {
            #[doc = #doc]
            fn #name(&self, state: &#state<'_, S>) -> #rt::inference::Tape<S> {
                #(#body)*
                #rt::inference::Tape { saved: vec![#(#saved),*], prediction: #prediction }
            }
        }
    }

    /// `pullback_<v>`: the products of a vertex's Jacobians with a seed, added into sums.
    pub(super) fn pullback_fn(&self, program: &VertexProgram) -> TokenStream {
        let names = &self.names;
        let (state, rt) = (&names.state, &self.runtime);
        let (vertex_sums, param_sums) = (&names.vertex_sums, &names.param_sums);
        let name = format_ident!("pullback_{}", names.vertices[program.vertex.0]);
        let doc = format!(
            " Adds the products of the Jacobians of `{}`'s prediction with `seed` into the sums \
             of its parents and, when given, of its parameters.",
            self.graph.vertex(program.vertex).name
        );
        let saved: Vec<TempId> = program
            .saved_temps()
            .into_iter()
            .filter(|temp| Value::Temp(*temp) != program.prediction)
            .collect();
        let temps = Temps::Tape {
            forward_count: program.forward.len(),
            prediction: match program.prediction {
                Value::Temp(temp) => Some(temp),
                _ => None,
            },
            saved: &saved,
        };

        let for_vertices = needed_by(
            program,
            &program
                .parent_cotangents
                .iter()
                .map(|p| p.1)
                .collect::<Vec<_>>(),
        );
        let shared = program
            .backward
            .iter()
            .filter(|instr| for_vertices.contains(&instr.temp))
            .map(|instr| self.instruction(instr, &temps));
        let param_only = program
            .backward
            .iter()
            .filter(|instr| !for_vertices.contains(&instr.temp))
            .map(|instr| self.instruction(instr, &temps));

        let outputs: Vec<Value> = program
            .parent_cotangents
            .iter()
            .map(|p| p.1)
            .chain(program.param_cotangents.iter().map(|p| p.1))
            .collect();
        let owned = |value: Value| {
            let operand = self.operand(value, &temps);
            let shared_use = outputs.iter().filter(|v| **v == value).count() > 1;
            match value {
                Value::Temp(temp) if !shared_use && temp.0 >= program.forward.len() => {
                    let name = format_ident!("t{}", temp.0);
                    quote!(#name)
                }
                _ => quote!((#operand).clone()),
            }
        };
        let to_parents = program.parent_cotangents.iter().map(|(parent, value)| {
            let field = &names.vertices[parent.0];
            let value = owned(*value);
            quote!(#rt::kernels::accumulate(&mut vertices.#field, #value);)
        });
        let to_params = program.param_cotangents.iter().map(|(param, value)| {
            let field = &names.params[param.0];
            let value = owned(*value);
            quote!(#rt::kernels::accumulate(&mut params.#field, #value);)
        });
        let uses_tape = program.backward.iter().any(|instr| {
            instr
                .args
                .iter()
                .any(|arg| matches!(arg, Value::Temp(t) if t.0 < program.forward.len()))
        });
        let tape = if uses_tape {
            quote!(tape)
        } else {
            quote!(_tape)
        };
        let uses_state = program
            .backward
            .iter()
            .any(|instr| instr.args.iter().any(|arg| matches!(arg, Value::Vertex(_))));
        let state_arg = if uses_state {
            quote!(state)
        } else {
            quote!(_state)
        };
        let params_arg = if program.param_cotangents.is_empty() {
            quote!(_params)
        } else {
            quote!(params)
        };
        let vertices_arg = if program.parent_cotangents.is_empty() {
            quote!(_vertices)
        } else {
            quote!(vertices)
        };
        let param_block = if program.param_cotangents.is_empty() {
            quote!()
        } else {
            quote! {
                if let Some(params) = params {
                    #(#param_only)*
                    #(#to_params)*
                }
            }
        };
        quote! {
            #[doc = #doc]
            fn #name(
                &self,
                #state_arg: &#state<'_, S>,
                #tape: &#rt::inference::Tape<S>,
                seed: &#rt::Tensor<S>,
                #vertices_arg: &mut #vertex_sums<S>,
                #params_arg: Option<&mut #param_sums<S>>,
            ) {
                #(#shared)*
                #(#to_parents)*
                #param_block
            }
        }
    }

    /// `state.h.value()` for a value node, `state.x` for data: a `&Tensor<S>` either way.
    pub(super) fn value_ref(&self, id: VertexId) -> TokenStream {
        let name = &self.names.vertices[id.0];
        if self.graph.vertex(id).is_data() {
            quote!(state.#name)
        } else {
            quote!(state.#name.value())
        }
    }
}

/// The backward temporaries that the given outputs depend on.
fn needed_by(program: &VertexProgram, outputs: &[Value]) -> Vec<TempId> {
    let mut needed: Vec<TempId> = outputs
        .iter()
        .filter_map(|value| match value {
            Value::Temp(temp) => Some(*temp),
            _ => None,
        })
        .collect();
    for instr in program.backward.iter().rev() {
        if needed.contains(&instr.temp) {
            for arg in &instr.args {
                if let Value::Temp(temp) = arg
                    && !needed.contains(temp)
                {
                    needed.push(*temp);
                }
            }
        }
    }
    needed
}
