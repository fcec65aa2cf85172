//! Prints the AST back to canonical `.pcg` text.
//!
//! Canonical means: four spaces per level, one statement per line, a blank line between
//! models, spaces around binary operators and only the parentheses the tree needs.

use crate::syntax::ast::{
    Arg, Expr, ExprKind, File, Ident, Init, Model, Number, ShapeExpr, Stmt, StmtKind,
};

/// The canonical text of a file: parsing it gives the same tree, up to spans.
pub fn print(file: &File) -> String {
    let mut printer = Printer::default();
    for (i, model) in file.models.iter().enumerate() {
        if i > 0 {
            printer.out.push('\n');
        }
        printer.model(model);
    }
    printer.out
}

// How tightly an expression binds, from loosest to tightest: an operand that binds more
// loosely than the place it stands in needs parentheses. Binary operators bind at their
// precedence, `+ -` at 1 and `@ * /` at 2.
const SUM: u8 = 1;
const PREFIX: u8 = 3;
const POSTFIX: u8 = 4;

/// The text printed so far.
#[derive(Default)]
struct Printer {
    out: String,
}

impl Printer {
    fn model(&mut self, model: &Model) {
        self.docs(&model.doc, 0);
        self.words(&["model ", &model.name.name, " {\n"]);
        for stmt in &model.body {
            self.stmt(stmt, 1);
        }
        self.out.push_str("}\n");
    }

    fn docs(&mut self, doc: &[String], depth: usize) {
        for line in doc {
            self.indent(depth);
            self.out.push_str("///");
            if !line.is_empty() {
                self.out.push(' ');
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("    ");
        }
    }

    fn stmt(&mut self, stmt: &Stmt, depth: usize) {
        self.docs(&stmt.doc, depth);
        self.indent(depth);
        match &stmt.kind {
            StmtKind::Dim { name } => self.words(&["dim ", &name.name]),
            StmtKind::Const { name, value } => {
                self.words(&["const ", &name.name, " = "]);
                self.expr(value, SUM);
            }
            StmtKind::Input { name, shape } => self.declaration("input", name, shape),
            StmtKind::Target { name, shape } => self.declaration("target", name, shape),
            StmtKind::Param { name, shape, init } => {
                self.declaration("param", name, shape);
                self.out.push_str(" = ");
                self.init(init);
            }
            StmtKind::Node { name, index, value } => self.binding("node", name, index, value),
            StmtKind::Let { name, index, value } => self.binding("let", name, index, value),
            StmtKind::Loss { func, args } => {
                self.out.push_str("loss ");
                self.call(func, args);
            }
            StmtKind::For {
                var,
                start,
                end,
                body,
            } => return self.for_loop(var, start, end, body, depth),
        }
        self.out.push_str(";\n");
    }

    fn words(&mut self, words: &[&str]) {
        for word in words {
            self.out.push_str(word);
        }
    }

    /// `keyword name: [dims]`.
    fn declaration(&mut self, keyword: &str, name: &Ident, shape: &ShapeExpr) {
        self.words(&[keyword, " ", &name.name, ": "]);
        self.list(&shape.dims);
    }

    fn init(&mut self, init: &Init) {
        self.out.push_str(&init.name.name);
        if !init.args.is_empty() {
            self.out.push('(');
            self.comma_separated(&init.args, |printer, arg| printer.expr(arg, SUM));
            self.out.push(')');
        }
    }

    /// `keyword name[index] = value`.
    fn binding(&mut self, keyword: &str, name: &Ident, index: &Option<Expr>, value: &Expr) {
        self.words(&[keyword, " ", &name.name]);
        if let Some(index) = index {
            self.out.push('[');
            self.expr(index, SUM);
            self.out.push(']');
        }
        self.out.push_str(" = ");
        self.expr(value, SUM);
    }

    fn for_loop(&mut self, var: &Ident, start: &Expr, end: &Expr, body: &[Stmt], depth: usize) {
        self.words(&["for ", &var.name, " in "]);
        self.expr(start, SUM);
        self.out.push_str("..");
        self.expr(end, SUM);
        self.out.push_str(" {\n");
        for stmt in body {
            self.stmt(stmt, depth + 1);
        }
        self.indent(depth);
        self.out.push_str("}\n");
    }

    /// Prints `expr` where an operand must bind at least as tightly as `place`.
    fn expr(&mut self, expr: &Expr, place: u8) {
        if binding_power(expr) < place {
            self.out.push('(');
            self.expr(expr, SUM);
            self.out.push(')');
            return;
        }
        match &expr.kind {
            ExprKind::Number(number) => self.out.push_str(&number_text(*number)),
            ExprKind::Name(name) => self.out.push_str(&name.name),
            ExprKind::Index { base, index } => {
                self.expr(base, POSTFIX);
                self.out.push('[');
                self.expr(index, SUM);
                self.out.push(']');
            }
            ExprKind::Neg(operand) => {
                self.out.push('-');
                self.expr(operand, PREFIX);
            }
            // Every operator is left-associative, so only the right operand needs
            // parentheses at its own level: `a - (b - c)`.
            ExprKind::Binary { op, lhs, rhs } => {
                let level = op.precedence();
                self.expr(lhs, level);
                self.words(&[" ", op.symbol(), " "]);
                self.expr(rhs, level + 1);
            }
            ExprKind::Call { func, args } => self.call(func, args),
            ExprKind::List(items) => self.list(items),
        }
    }

    fn call(&mut self, func: &Ident, args: &[Arg]) {
        self.out.push_str(&func.name);
        self.out.push('(');
        self.comma_separated(args, |printer, arg| {
            if let Some(name) = &arg.name {
                printer.words(&[&name.name, " = "]);
            }
            printer.expr(&arg.value, SUM);
        });
        self.out.push(')');
    }

    fn list(&mut self, items: &[Expr]) {
        self.out.push('[');
        self.comma_separated(items, |printer, item| printer.expr(item, SUM));
        self.out.push(']');
    }

    fn comma_separated<T>(&mut self, items: &[T], mut print: impl FnMut(&mut Self, &T)) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            print(self, item);
        }
    }
}

fn binding_power(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Neg(_) => PREFIX,
        // A negative literal can only come from another front end; it prints with a minus.
        ExprKind::Number(number) if number.as_f64().is_sign_negative() => PREFIX,
        _ => POSTFIX,
    }
}

/// The literal as written: a float keeps a point or exponent so that it parses back as the
/// same float.
fn number_text(number: Number) -> String {
    match number {
        Number::Int(value) => value.to_string(),
        // `{:?}` is the shortest text that parses back to the same value.
        Number::Float(value) => {
            let text = format!("{value:?}");
            let is_literal = text.contains(['.', 'e']) || !value.is_finite();
            if is_literal {
                text
            } else {
                format!("{text}.0")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_stay_floats() {
        let texts: Vec<String> = [1.0, 0.1, 1e-3, 250.0, 1e300, 1e-300, 123456789012345680.0]
            .into_iter()
            .map(|value| number_text(Number::Float(value)))
            .collect();
        assert_eq!(
            texts,
            [
                "1.0",
                "0.1",
                "0.001",
                "250.0",
                "1e300",
                "1e-300",
                "1.2345678901234568e17"
            ]
        );
    }
}
