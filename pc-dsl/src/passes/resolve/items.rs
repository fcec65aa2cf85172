//! The second sweep: every unrolled statement lowered, vertices pushed in definition order.

use crate::ir::{Vertex, VertexKind};
use crate::syntax::ast::StmtKind;

use super::Lowering;
use super::expr::Arena;
use super::scope::Site;

impl Lowering<'_> {
    /// Lowers the items in order, so that vertex ids follow definition order.
    ///
    /// An item whose lowering fails still gets its vertex, without a prediction, so that the
    /// ids handed out by the first sweep stay valid; such a graph carries errors and goes no
    /// further than lowering.
    pub(super) fn lower_items(&mut self) {
        for position in 0..self.items.len() {
            let item = &self.items[position];
            let (stmt, vertex, name_span) = (item.stmt, item.vertex.clone(), item.name_span);
            let site = Site {
                position,
                scope: item.scope.clone(),
            };

            let mut lowered = Vertex {
                name: String::new(),
                kind: VertexKind::Node,
                doc: stmt.doc.clone(),
                span: name_span,
                shape: None,
                expr: None,
                level: None,
            };
            match &stmt.kind {
                StmtKind::Input { shape, .. } | StmtKind::Target { shape, .. } => {
                    let is_input = matches!(stmt.kind, StmtKind::Input { .. });
                    lowered.kind = match is_input {
                        true => VertexKind::Input,
                        false => VertexKind::Target,
                    };
                    lowered.shape = self.lower_shape(&shape.dims, &site);
                }
                StmtKind::Node { value, .. } => {
                    let mut arena = Arena::default();
                    let root = self.lower_value(&mut arena, value, &site);
                    lowered.expr = root.map(|root| arena.finish(root));
                }
                StmtKind::Let { value, .. } => {
                    // Lowered here too, so that errors in a binding no vertex uses are found.
                    let _ = self.lower_value(&mut Arena::default(), value, &site);
                }
                StmtKind::Loss { func, args } => {
                    if let Some(loss) = self.lower_loss(func, args, &site) {
                        lowered.name = loss.name;
                        lowered.kind = loss.kind;
                        lowered.expr = Some(loss.expr);
                    }
                }
                _ => {}
            }

            if let Some((id, name)) = vertex {
                debug_assert_eq!(id.0, self.graph.vertices.len(), "ids follow item order");
                if lowered.name.is_empty() {
                    lowered.name = name;
                }
                self.graph.vertices.push(lowered);
            }
        }
    }
}
