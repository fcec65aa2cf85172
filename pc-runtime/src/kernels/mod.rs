//! Every operation of the language and its vector-Jacobian products, generic over the scalar.
//!
//! Kernels are free functions that borrow their operands and return owned tensors of any
//! rank. A VJP (vector-Jacobian product) takes the gradient `g` of an op's output and returns
//! the gradient of one operand, reduced to that operand's shape where broadcasting stretched it.
//! The compiler checks shapes before it emits calls, so a shape mismatch here is a bug in the
//! caller: kernels panic with a message naming the kernel and the shapes.
//!
//! | module | operations |
//! | --- | --- |
//! | elementwise | `+ - * /` with broadcasting, negation, [`sum_to`] |
//! | activation | `tanh sigmoid relu leaky_relu exp log softplus identity softmax` |
//! | matmul | `@` over the last two axes, batch axes broadcast |
//! | conv | `conv2d` (NCHW, im2col) |
//! | pool | `max_pool2d avg_pool2d` |
//! | shape | `flatten reshape concat transpose` and indexing |
//! | loss | `mse cross_entropy` and their gradients |
//! | update | in-place accumulation and whole-tensor summaries |

mod activation;
mod conv;
mod elementwise;
mod loss;
mod matmul;
mod pool;
mod shape;
mod update;

pub use activation::{
    exp, exp_vjp, identity, leaky_relu, leaky_relu_vjp, log, log_vjp, relu, relu_vjp, sigmoid,
    sigmoid_vjp, softmax, softmax_vjp, softplus, softplus_vjp, tanh, tanh_vjp,
};
pub use conv::{conv2d, conv2d_vjp_input, conv2d_vjp_weight};
pub use elementwise::{
    add, broadcast_shape, div, div_vjp_lhs, div_vjp_rhs, mul, mul_vjp, neg, scalar, sub, sum_to,
};
pub use loss::{cross_entropy, cross_entropy_grad, mse, mse_grad};
pub use matmul::{matmul, matmul_vjp_lhs, matmul_vjp_rhs};
pub use pool::{avg_pool2d, avg_pool2d_vjp, max_pool2d, max_pool2d_vjp};
pub use shape::{
    concat, concat_vjp, flatten, index, index_vjp, reshape, reshape_vjp, transpose, transpose_vjp,
};
pub use update::{accumulate, all_finite, sub_assign_scaled, sum_squares};
