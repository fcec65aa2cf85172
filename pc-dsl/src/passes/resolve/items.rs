//! The second sweep: every unrolled statement lowered, vertices pushed in definition order.

use crate::ir::{Vertex, VertexKind};
use crate::syntax::ast::{Stmt, StmtKind};

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
            let (stmt, vertex) = (item.stmt, item.vertex.clone());
            let mut lowered = Vertex {
                name: String::new(),
                kind: VertexKind::Node,
                doc: stmt.doc.clone(),
                span: item.name_span,
                shape: None,
                expr: None,
                level: None,
            };
            let site = Site {
                position,
                scope: item.scope.clone(),
            };
            self.lower_item(stmt, &site, &mut lowered);

            if let Some((id, name)) = vertex {
                debug_assert_eq!(id.0, self.graph.vertices.len(), "ids follow item order");
                if lowered.name.is_empty() {
                    lowered.name = name;
                }
                self.graph.vertices.push(lowered);
            }
        }
    }

    /// Fills in the vertex of one item: a data vertex's shape, a node's prediction, a loss.
    fn lower_item(&mut self, stmt: &Stmt, site: &Site, vertex: &mut Vertex) {
        match &stmt.kind {
            StmtKind::Input { shape, .. } => {
                vertex.kind = VertexKind::Input;
                vertex.shape = self.lower_shape(&shape.dims, site);
            }
            StmtKind::Target { shape, .. } => {
                vertex.kind = VertexKind::Target;
                vertex.shape = self.lower_shape(&shape.dims, site);
            }
            StmtKind::Node { value, .. } => {
                let mut arena = Arena::default();
                let root = self.lower_value(&mut arena, value, site);
                vertex.expr = root.map(|root| arena.finish(root));
            }
            StmtKind::Let { value, .. } => {
                // Lowered here too, so that errors in a binding no vertex uses are found.
                let _ = self.lower_value(&mut Arena::default(), value, site);
            }
            StmtKind::Loss { func, args } => {
                if let Some(loss) = self.lower_loss(func, args, site) {
                    vertex.name = loss.name;
                    vertex.kind = loss.kind;
                    vertex.expr = Some(loss.expr);
                }
            }
            StmtKind::Dim { .. }
            | StmtKind::Const { .. }
            | StmtKind::Param { .. }
            | StmtKind::For { .. } => {}
        }
    }
}
