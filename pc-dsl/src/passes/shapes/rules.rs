//! The shape rule of every operation: the result's shape, or the diagnostic for a mismatch.

use crate::diag::{Diagnostic, Span};
use crate::ir::{Dim, Graph, Op, Shape};

use super::index_shape;

/// An operand of an operation: its shape and where it is written.
pub(super) struct Operand {
    pub shape: Shape,
    pub span: Span,
}

/// One operation applied to shaped operands: the rules of every op, each giving the result's
/// shape or the diagnostic for the mismatch.
pub(super) struct Rule<'g> {
    pub graph: &'g Graph,
    pub span: Span,
    pub operands: Vec<Operand>,
}

impl Rule<'_> {
    /// The shape of `op` applied to the operands.
    pub fn apply(&self, op: &Op) -> Result<Shape, Diagnostic> {
        let expected = match op {
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::MatMul | Op::Conv2d { .. } => 2,
            Op::Concat { .. } => self.operands.len().max(1),
            _ => 1,
        };
        if self.operands.len() != expected {
            let found = self.operands.len();
            let message = format!("`{}` takes {expected} operands, found {found}", op.name());
            return Err(self.error(message));
        }

        match op {
            Op::Add | Op::Sub | Op::Mul | Op::Div => self.broadcast(),
            Op::MatMul => self.matmul(),
            Op::Conv2d { stride, padding } => self.conv2d(*stride, *padding),
            Op::MaxPool2d { size } | Op::AvgPool2d { size } => self.pool(op.name(), *size),
            Op::Flatten => self.flatten(),
            Op::Reshape { shape } => self.reshape(shape),
            Op::Concat { axis } => self.concat(*axis),
            Op::Transpose => self.transpose(),
            Op::Index { index } => self.index(*index),
            Op::Softmax if self.shape(0).rank() == 0 => {
                Err(self.error("`softmax` needs at least 1 axis, found a scalar"))
            }
            _ => Ok(self.shape(0).clone()),
        }
    }

    fn shape(&self, operand: usize) -> &Shape {
        &self.operands[operand].shape
    }

    fn text(&self, shape: &Shape) -> String {
        self.graph.shape_text(shape)
    }

    fn dim_text(&self, dim: Dim) -> String {
        match dim {
            Dim::Fixed(size) => size.to_string(),
            Dim::Runtime(id) => self.graph.dim_name(id).to_string(),
        }
    }

    /// An error at the operation, with every operand labelled by its shape.
    fn error(&self, message: impl Into<String>) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(self.span, message);
        for operand in &self.operands {
            diagnostic = diagnostic.with_label(operand.span, self.text(&operand.shape));
        }
        diagnostic
    }

    /// Elementwise operations align shapes on the right; an axis of size 1 stretches.
    fn broadcast(&self) -> Result<Shape, Diagnostic> {
        let (a, b) = (self.shape(0), self.shape(1));
        broadcast(a, b).ok_or_else(|| {
            self.error(format!(
                "cannot broadcast {} with {}",
                self.text(a),
                self.text(b)
            ))
            .with_help("trailing axes must be equal, or 1 on one side")
        })
    }

    fn matmul(&self) -> Result<Shape, Diagnostic> {
        let (a, b) = (&self.shape(0).0, &self.shape(1).0);
        let pair = format!(
            "{} @ {}",
            self.text(self.shape(0)),
            self.text(self.shape(1))
        );
        if a.len() < 2 || b.len() < 2 {
            return Err(self
                .error(format!("`@` needs at least 2 axes on each side: {pair}"))
                .with_help("write a vector as a matrix with one row, such as [1, 64]"));
        }
        let (rows, inner) = (a[a.len() - 2], a[a.len() - 1]);
        let (inner_right, columns) = (b[b.len() - 2], b[b.len() - 1]);
        if inner != inner_right {
            let help = format!(
                "the last axis on the left ({}) must equal the second-to-last on the right ({})",
                self.dim_text(inner),
                self.dim_text(inner_right)
            );
            return Err(self
                .error(format!("shape mismatch in `@`: {pair}"))
                .with_help(help));
        }
        let leading = broadcast(
            &Shape(a[..a.len() - 2].to_vec()),
            &Shape(b[..b.len() - 2].to_vec()),
        )
        .ok_or_else(|| self.error(format!("cannot broadcast the leading axes of {pair}")))?;
        let mut result = leading.0;
        result.extend([rows, columns]);
        Ok(Shape(result))
    }

    fn conv2d(&self, stride: usize, padding: usize) -> Result<Shape, Diagnostic> {
        let (x, w) = (self.shape(0), self.shape(1));
        let &[batch, channels, height, width] = x.0.as_slice() else {
            let message = format!(
                "`conv2d` needs an input of shape [B, C, H, W], found {}",
                self.text(x)
            );
            return Err(self.error(message));
        };
        let &[kernels, kernel_channels, kernel_height, kernel_width] = w.0.as_slice() else {
            let message = format!(
                "`conv2d` needs a kernel of shape [K, C, kh, kw], found {}",
                self.text(w)
            );
            return Err(self.error(message));
        };
        if channels != kernel_channels {
            let message = format!(
                "channel mismatch in `conv2d`: the input has {} channels, the kernel expects {}",
                self.dim_text(channels),
                self.dim_text(kernel_channels)
            );
            return Err(self.error(message));
        }
        let sizes = [height, width, kernel_height, kernel_width].map(|dim| match dim {
            Dim::Fixed(size) => Some(size),
            Dim::Runtime(_) => None,
        });
        let [
            Some(height),
            Some(width),
            Some(kernel_height),
            Some(kernel_width),
        ] = sizes
        else {
            return Err(self.error("`conv2d` needs fixed heights and widths"));
        };
        let out_height = convolved(height, kernel_height, stride, padding);
        let out_width = convolved(width, kernel_width, stride, padding);
        let (Some(out_height), Some(out_width)) = (out_height, out_width) else {
            let message = format!(
                "`conv2d` output would be empty: a {kernel_height}x{kernel_width} kernel on a \
                 {height}x{width} input with padding {padding}"
            );
            return Err(self.error(message));
        };
        Ok(Shape(vec![
            batch,
            kernels,
            Dim::Fixed(out_height),
            Dim::Fixed(out_width),
        ]))
    }

    fn pool(&self, name: &str, size: usize) -> Result<Shape, Diagnostic> {
        let x = self.shape(0);
        if size == 0 {
            return Err(self.error(format!("`{name}` needs a window of at least 1")));
        }
        let &[batch, channels, height, width] = x.0.as_slice() else {
            let message = format!(
                "`{name}` needs an input of shape [B, C, H, W], found {}",
                self.text(x)
            );
            return Err(self.error(message));
        };
        match (height, width) {
            (Dim::Fixed(height), Dim::Fixed(width)) if height % size == 0 && width % size == 0 => {
                Ok(Shape(vec![
                    batch,
                    channels,
                    Dim::Fixed(height / size),
                    Dim::Fixed(width / size),
                ]))
            }
            _ => {
                let message = format!(
                    "`{name}` with window {size} needs a fixed height and width divisible by {size}, \
                     found {}",
                    self.text(x)
                );
                Err(self.error(message))
            }
        }
    }

    fn flatten(&self) -> Result<Shape, Diagnostic> {
        let x = self.shape(0);
        let Some((&first, rest)) = x.0.split_first() else {
            return Err(self.error("`flatten` needs at least 1 axis, found a scalar"));
        };
        match fixed_product(rest) {
            Some(product) => Ok(Shape(vec![first, Dim::Fixed(product)])),
            None => {
                let message = format!(
                    "`flatten` needs fixed sizes after the first axis, found {}",
                    self.text(x)
                );
                Err(self.error(message))
            }
        }
    }

    fn reshape(&self, target: &Shape) -> Result<Shape, Diagnostic> {
        let x = self.shape(0);
        let split = |shape: &Shape| {
            let mut runtime: Vec<Dim> = shape
                .0
                .iter()
                .copied()
                .filter(|dim| matches!(dim, Dim::Runtime(_)))
                .collect();
            runtime.sort();
            let fixed: Vec<Dim> = shape
                .0
                .iter()
                .copied()
                .filter(|dim| matches!(dim, Dim::Fixed(_)))
                .collect();
            (runtime, fixed_product(&fixed))
        };
        let (from, to) = (split(x), split(target));
        if from.0 == to.0 && from.1.is_some() && from.1 == to.1 {
            return Ok(target.clone());
        }
        let message = format!("cannot reshape {} into {}", self.text(x), self.text(target));
        let help = "both shapes must have the same run-time dimensions and the same product of \
                    fixed sizes";
        Err(self.error(message).with_help(help))
    }

    fn concat(&self, axis: usize) -> Result<Shape, Diagnostic> {
        let first = self.shape(0);
        let texts: Vec<String> = self
            .operands
            .iter()
            .map(|operand| self.text(&operand.shape))
            .collect();
        let texts = texts.join(" and ");
        if axis >= first.rank() {
            let message = format!(
                "`concat` axis {axis} is out of range for {}",
                self.text(first)
            );
            return Err(self.error(message));
        }
        let mut joined = 0usize;
        for operand in &self.operands {
            let shape = &operand.shape;
            let others_equal = shape.rank() == first.rank()
                && (0..shape.rank()).all(|i| i == axis || shape.0[i] == first.0[i]);
            if !others_equal {
                let message = format!("cannot concatenate {texts} along axis {axis}");
                return Err(self
                    .error(message)
                    .with_help("every other axis must be equal"));
            }
            let size = match shape.0[axis] {
                Dim::Fixed(size) => joined.checked_add(size),
                Dim::Runtime(_) => None,
            };
            joined = size.ok_or_else(|| {
                self.error(format!(
                    "`concat` needs fixed sizes along axis {axis}: {texts}"
                ))
            })?;
        }
        let mut result = first.clone();
        result.0[axis] = Dim::Fixed(joined);
        Ok(result)
    }

    fn transpose(&self) -> Result<Shape, Diagnostic> {
        let mut shape = self.shape(0).clone();
        let rank = shape.rank();
        if rank < 2 {
            let message = format!(
                "`transpose` needs at least 2 axes, found {}",
                self.text(&shape)
            );
            return Err(self.error(message));
        }
        shape.0.swap(rank - 2, rank - 1);
        Ok(shape)
    }

    fn index(&self, index: usize) -> Result<Shape, Diagnostic> {
        let x = self.shape(0);
        index_shape(x, index).ok_or_else(|| {
            let message = match x.rank() {
                0 => "cannot index a scalar".to_string(),
                _ => format!("index {index} is out of range for {}", self.text(x)),
            };
            self.error(message)
        })
    }
}

/// NumPy broadcasting of two shapes, aligned on the right.
fn broadcast(a: &Shape, b: &Shape) -> Option<Shape> {
    let rank = a.rank().max(b.rank());
    let axis = |shape: &Shape, i: usize| (i + shape.rank()).checked_sub(rank).map(|i| shape.0[i]);
    let dims: Option<Vec<Dim>> = (0..rank)
        .map(|i| match (axis(a, i), axis(b, i)) {
            (Some(x), None) | (None, Some(x)) => Some(x),
            (Some(x), Some(y)) if x == y => Some(x),
            (Some(Dim::Fixed(1)), Some(other)) | (Some(other), Some(Dim::Fixed(1))) => Some(other),
            _ => None,
        })
        .collect();
    dims.map(Shape)
}

/// The product of fixed sizes, or `None` with a run-time dimension or on overflow.
fn fixed_product(dims: &[Dim]) -> Option<usize> {
    dims.iter().try_fold(1usize, |product, dim| match dim {
        Dim::Fixed(size) => product.checked_mul(*size),
        Dim::Runtime(_) => None,
    })
}

/// The output size of a convolution along one axis, or `None` when no window fits.
fn convolved(size: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    let padded = padding.checked_mul(2)?.checked_add(size)?;
    let room = padded.checked_sub(kernel)?;
    Some(room / stride.max(1) + 1)
}
