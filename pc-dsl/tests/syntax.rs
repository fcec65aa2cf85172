//! The `.pcg` front end: the trees it builds, its diagnostics, and the print-parse round trip.

use pc_dsl::Span;
use pc_dsl::syntax::ast::{Arg, Expr, ExprKind, File, Number, Stmt, StmtKind};
use pc_dsl::syntax::{parse, print};

/// The example of DESIGN.md, section 2.
const MLP: &str = "\
/// Digit classifier: two tanh layers, trained on 8x8 images.
model Mlp {
    dim B;                          // a dimension known only at run time (the batch)
    const HID = 128;                // compile-time integer

    input  x: [B, 64];
    target y: [B, 10];

    param w1: [64, HID] = xavier;   // initialisers: zeros, ones, xavier, he, normal(std), uniform(lo, hi)
    param b1: [HID] = zeros;
    param w2: [HID, 10] = xavier;
    param b2: [10] = zeros;

    node h = tanh(x @ w1 + b1);     // a PC vertex: value node and error node
    let  z = h @ w2;                // fused into the vertex that uses it: no value node of its own
    node out = z + b2;

    loss cross_entropy(out, y);     // also mse(out, y); a model may have several losses
}
";

/// A recurrent model with indexed vertices, as in DESIGN.md.
const RNN: &str = "\
model Rnn {
    dim B;
    const T = 5;
    input xs: [T, B, 8];
    target y: [B, 2];
    param wx: [8, 16] = xavier;
    param wh: [16, 16] = normal(0.1);
    param b: [16] = zeros;
    param wo: [16, 2] = uniform(-1, 1);
    node h[0] = tanh(xs[0] @ wx + b);
    for t in 1..T {
        node h[t] = tanh(xs[t] @ wx + h[t - 1] @ wh + b);
    }
    node out = h[T - 1] @ wo;
    loss mse(out, y);
}
";

/// Every construct of the language, some written loosely.
const ALL: &str = "\
/// A model with everything.
///
///  indented doc line
model Everything {
    /// The batch.
    dim B;
    const C = 2 * (3 + 4) - -1;
    input x: [B, C, 8, 8,];
    target y: [B, 10];
    param k: [4, C, 3, 3] = he();
    param w: [4 * 2 * 2, 10] = uniform(-0.5, 2.5E+2);
    param s: [1] = normal(1e-3 / C);
    node c = relu(conv2d(x, k, stride = 2, padding = 1));
    let f = reshape(max_pool2d(c, 2), [B, 4 * 2 * 2]);
    node o = leaky_relu(f @ w, 0.01) / (1 + s) - (f @ w - s) * -s[0];
    for i in 0..2 {
        /// Nested loops and indexed lets.
        for j in i..2 + 1 {
            let z[j] = concat(o, -o, axis = 1)[i][j - 1];
        }
        node q[i] = transpose(-(o + o))[i];
    }
    loss cross_entropy(o, y);
    loss mse(q[1], y);
}

model Second {
    input a: [];
    node b = [];
    node c = f();
    loss mse(b, a);
}
";

fn parse_ok(source: &str) -> File {
    parse(source).unwrap_or_else(|errors| panic!("unexpected errors: {errors:#?}"))
}

/// The value of the only statement of `model M { node v = <text>; }`.
fn expr(text: &str) -> Expr {
    value_of(&format!("model M {{ node v = {text}; }}"))
}

/// The value of the first statement of `source`, a `node`.
fn value_of(source: &str) -> Expr {
    match parse_ok(source).models[0].body[0].kind.clone() {
        StmtKind::Node { value, .. } => value,
        kind => panic!("not a node: {kind:?}"),
    }
}

/// An expression fully parenthesised, so that a test shows the tree's shape at a glance.
fn tree(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Number(Number::Int(value)) => value.to_string(),
        ExprKind::Number(Number::Float(value)) => format!("{value:?}"),
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Index { base, index } => format!("{}[{}]", tree(base), tree(index)),
        ExprKind::Neg(operand) => format!("(-{})", tree(operand)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", tree(lhs), op.symbol(), tree(rhs))
        }
        ExprKind::Call { func, args } => format!("{}({})", func.name, args_tree(args)),
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(tree).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn args_tree(args: &[Arg]) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|arg| match &arg.name {
            Some(name) => format!("{} = {}", name.name, tree(&arg.value)),
            None => tree(&arg.value),
        })
        .collect();
    args.join(", ")
}

fn text(source: &str, span: Span) -> &str {
    &source[span.range()]
}

#[test]
fn design_example_parses_to_the_expected_tree() {
    let file = parse_ok(MLP);
    let [model] = &file.models[..] else {
        panic!("one model expected")
    };
    assert_eq!(model.name.name, "Mlp");
    assert_eq!(
        model.doc,
        ["Digit classifier: two tanh layers, trained on 8x8 images."]
    );
    assert!(text(MLP, model.span).starts_with("model Mlp {"));
    assert!(text(MLP, model.span).ends_with("several losses\n}"));

    let keywords: Vec<&str> = model
        .body
        .iter()
        .map(|stmt| first_word(MLP, stmt))
        .collect();
    assert_eq!(
        keywords,
        [
            "dim", "const", "input", "target", "param", "param", "param", "param", "node", "let",
            "node", "loss"
        ]
    );

    let StmtKind::Const { name, value } = &model.body[1].kind else {
        panic!("const expected")
    };
    assert_eq!(
        (name.name.as_str(), tree(value)),
        ("HID", "128".to_string())
    );

    let StmtKind::Input { name, shape } = &model.body[2].kind else {
        panic!("input expected")
    };
    assert_eq!(name.name, "x");
    assert_eq!(text(MLP, shape.span), "[B, 64]");
    assert_eq!(shape.dims.iter().map(tree).collect::<Vec<_>>(), ["B", "64"]);

    let StmtKind::Param { name, shape, init } = &model.body[4].kind else {
        panic!("param expected")
    };
    assert_eq!(
        (name.name.as_str(), init.name.name.as_str()),
        ("w1", "xavier")
    );
    assert_eq!(
        shape.dims.iter().map(tree).collect::<Vec<_>>(),
        ["64", "HID"]
    );
    assert!(init.args.is_empty());

    let StmtKind::Node { name, index, value } = &model.body[8].kind else {
        panic!("node expected")
    };
    assert_eq!(name.name, "h");
    assert!(index.is_none());
    assert_eq!(tree(value), "tanh(((x @ w1) + b1))");
    assert_eq!(text(MLP, model.body[8].span), "node h = tanh(x @ w1 + b1);");
    let ExprKind::Call { args, .. } = &value.kind else {
        panic!("call expected")
    };
    assert_eq!(text(MLP, args[0].value.span), "x @ w1 + b1");

    let StmtKind::Let { name, value, .. } = &model.body[9].kind else {
        panic!("let expected")
    };
    assert_eq!(
        (name.name.as_str(), tree(value)),
        ("z", "(h @ w2)".to_string())
    );

    let StmtKind::Loss { func, args } = &model.body[11].kind else {
        panic!("loss expected")
    };
    assert_eq!(func.name, "cross_entropy");
    assert_eq!(args_tree(args), "out, y");
}

fn first_word<'s>(source: &'s str, stmt: &Stmt) -> &'s str {
    text(source, stmt.span)
        .split_whitespace()
        .next()
        .unwrap_or("")
}

#[test]
fn precedence_and_associativity() {
    let cases = [
        ("a - b - c", "((a - b) - c)"),
        ("a / b / c", "((a / b) / c)"),
        ("a @ b * c", "((a @ b) * c)"),
        ("a * b @ c", "((a * b) @ c)"),
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c * d", "((a * b) + (c * d))"),
        ("a - b * c - d", "((a - (b * c)) - d)"),
        ("a - (b - c)", "(a - (b - c))"),
        ("(a + b) * c", "((a + b) * c)"),
        ("-a * b", "((-a) * b)"),
        ("-a + b", "((-a) + b)"),
        ("a - -b", "(a - (-b))"),
        ("- -a", "(-(-a))"),
        ("-x[t]", "(-x[t])"),
        ("-f(x)[0]", "(-f(x)[0])"),
        ("(-x)[t]", "(-x)[t]"),
        ("xs[t][t - 1]", "xs[t][(t - 1)]"),
        ("h[t - 1] @ wh", "(h[(t - 1)] @ wh)"),
        ("reshape(x, [B, 2 * C])", "reshape(x, [B, (2 * C)])"),
        (
            "conv2d(x, w, stride = 2, padding = 0)",
            "conv2d(x, w, stride = 2, padding = 0)",
        ),
        ("f()", "f()"),
        ("[]", "[]"),
    ];
    for (source, expected) in cases {
        assert_eq!(tree(&expr(source)), expected, "in `{source}`");
    }
}

#[test]
fn names_may_start_with_a_keyword() {
    let value = expr("format + index * _in - node_count @ input2 / model_ / forx");
    let expected = "((format + (index * _in)) - (((node_count @ input2) / model_) / forx))";
    assert_eq!(tree(&value), expected);
}

#[test]
fn line_ends_and_byte_order_marks_do_not_matter() {
    let windows = format!("\u{feff}{}", MLP.replace('\n', "\r\n"));
    let file = parse_ok(&windows);
    assert_eq!(without_spans(file.clone()), without_spans(parse_ok(MLP)));
    assert_eq!(
        file.models[0].span.start,
        "\u{feff}/// Digit classifier: two tanh layers, trained on 8x8 images.\r\n".len()
    );
}

#[test]
fn numbers_are_ints_unless_written_with_a_point_or_exponent() {
    let cases = [
        ("2", Number::Int(2)),
        ("0.5", Number::Float(0.5)),
        ("1e-3", Number::Float(1e-3)),
        ("2.5E+2", Number::Float(250.0)),
        ("3e2", Number::Float(300.0)),
        ("9223372036854775807", Number::Int(i64::MAX)),
    ];
    for (source, expected) in cases {
        assert_eq!(
            expr(source).kind,
            ExprKind::Number(expected),
            "in `{source}`"
        );
    }
}

#[test]
fn spans_cover_what_was_written() {
    let source = "model M { node v = -a * (b + c)[t] - f(x, k = 2); }";
    let file = parse_ok(source);
    let StmtKind::Node { value, .. } = &file.models[0].body[0].kind else {
        panic!("node expected")
    };
    assert_eq!(text(source, value.span), "-a * (b + c)[t] - f(x, k = 2)");
    let ExprKind::Binary { lhs, rhs, .. } = &value.kind else {
        panic!("binary expected")
    };
    assert_eq!(text(source, lhs.span), "-a * (b + c)[t]");
    assert_eq!(text(source, rhs.span), "f(x, k = 2)");
    let ExprKind::Binary {
        lhs: neg,
        rhs: index,
        ..
    } = &lhs.kind
    else {
        panic!("binary expected")
    };
    assert_eq!(text(source, neg.span), "-a");
    assert_eq!(text(source, index.span), "(b + c)[t]");
    let ExprKind::Index { base, .. } = &index.kind else {
        panic!("index expected")
    };
    assert_eq!(text(source, base.span), "(b + c)");
}

#[test]
fn every_statement_kind() {
    let file = parse_ok(ALL);
    let body = &file.models[0].body;
    let summary: Vec<String> = body.iter().map(summarise).collect();
    assert_eq!(
        summary,
        [
            "dim B",
            "const C = ((2 * (3 + 4)) - (-1))",
            "input x: [B, C, 8, 8]",
            "target y: [B, 10]",
            "param k: [4, C, 3, 3] = he",
            "param w: [((4 * 2) * 2), 10] = uniform((-0.5), 250.0)",
            "param s: [1] = normal((0.001 / C))",
            "node c = relu(conv2d(x, k, stride = 2, padding = 1))",
            "let f = reshape(max_pool2d(c, 2), [B, ((4 * 2) * 2)])",
            "node o = ((leaky_relu((f @ w), 0.01) / (1 + s)) - (((f @ w) - s) * (-s[0])))",
            "for i in 0..2 { for j in i..(2 + 1) { \
             let z[j] = concat(o, (-o), axis = 1)[i][(j - 1)] } \
             node q[i] = transpose((-(o + o)))[i] }",
            "loss cross_entropy(o, y)",
            "loss mse(q[1], y)",
        ]
    );
    assert_eq!(text(ALL, body[10].span).lines().last(), Some("    }"));
}

/// One line per statement, loops with their bodies in braces, expressions as [`tree`]s.
fn summarise(stmt: &Stmt) -> String {
    match &stmt.kind {
        StmtKind::Dim { name } => format!("dim {}", name.name),
        StmtKind::Const { name, value } => format!("const {} = {}", name.name, tree(value)),
        StmtKind::Input { name, shape } => format!("input {}: [{}]", name.name, trees(&shape.dims)),
        StmtKind::Target { name, shape } => {
            format!("target {}: [{}]", name.name, trees(&shape.dims))
        }
        StmtKind::Param { name, shape, init } => {
            let args = match trees(&init.args) {
                args if args.is_empty() => args,
                args => format!("({args})"),
            };
            let (dims, init) = (trees(&shape.dims), &init.name.name);
            format!("param {}: [{dims}] = {init}{args}", name.name)
        }
        StmtKind::Node { name, index, value } => {
            format!("node {}{} = {}", name.name, subscript(index), tree(value))
        }
        StmtKind::Let { name, index, value } => {
            format!("let {}{} = {}", name.name, subscript(index), tree(value))
        }
        StmtKind::Loss { func, args } => format!("loss {}({})", func.name, args_tree(args)),
        StmtKind::For {
            var,
            start,
            end,
            body,
        } => {
            let body: Vec<String> = body.iter().map(summarise).collect();
            let (var, start, end) = (&var.name, tree(start), tree(end));
            format!("for {var} in {start}..{end} {{ {} }}", body.join(" "))
        }
    }
}

fn trees(exprs: &[Expr]) -> String {
    exprs.iter().map(tree).collect::<Vec<_>>().join(", ")
}

fn subscript(index: &Option<Expr>) -> String {
    index
        .as_ref()
        .map_or(String::new(), |index| format!("[{}]", tree(index)))
}

#[test]
fn loops_hold_indexed_vertices() {
    let file = parse_ok(RNN);
    let body = &file.models[0].body;
    assert_eq!(summarise(&body[8]), "node h[0] = tanh(((xs[0] @ wx) + b))");
    assert_eq!(
        summarise(&body[9]),
        "for t in 1..T { node h[t] = tanh((((xs[t] @ wx) + (h[(t - 1)] @ wh)) + b)) }"
    );
    assert_eq!(summarise(&body[10]), "node out = (h[(T - 1)] @ wo)");
    let StmtKind::For { var, .. } = &body[9].kind else {
        panic!("loop expected")
    };
    assert_eq!(text(RNN, var.span), "t");
    assert!(text(RNN, body[9].span).starts_with("for t in 1..T {"));
    assert!(text(RNN, body[9].span).ends_with('}'));
}

#[test]
fn doc_comments_are_kept_before_models_and_statements() {
    let file = parse_ok(ALL);
    let model = &file.models[0];
    assert_eq!(
        model.doc,
        ["A model with everything.", "", " indented doc line"]
    );
    assert_eq!(model.body[0].doc, ["The batch."]);
    assert!(model.body[1].doc.is_empty());
    let StmtKind::For { body, .. } = &model.body[10].kind else {
        panic!("loop expected")
    };
    assert_eq!(body[0].doc, ["Nested loops and indexed lets."]);

    let source =
        "//// a plain comment\n///no space\n// between\nmodel M {\n  dim B; /// trailing\n}";
    let file = parse(source);
    assert_eq!(
        file.as_ref().map_err(|errors| errors[0].message.clone()),
        Err("doc comment is not followed by a statement".to_string())
    );
    let file = parse_ok("//// a plain comment\n///no space\n// between\nmodel M { dim B; }");
    assert_eq!(file.models[0].doc, ["no space"]);
}

#[test]
fn comments_may_stand_between_any_tokens() {
    let source = "model M { // one\n node h = a // two\n + // three\n b; // four\n }";
    assert_eq!(tree(&value_of(source)), "(a + b)");
}

/// The message and line and column of each diagnostic for `source`.
fn errors(source: &str) -> Vec<(String, (usize, usize))> {
    let errors = parse(source).expect_err("the source is broken");
    errors
        .iter()
        .map(|error| (error.message.clone(), error.line_col(source)))
        .collect()
}

fn error(source: &str) -> (String, (usize, usize)) {
    let errors = errors(source);
    assert_eq!(
        errors.len(),
        1,
        "one error expected for {source:?}: {errors:#?}"
    );
    errors.into_iter().next().expect("one error")
}

#[test]
fn broken_statements_are_reported_at_the_offending_text() {
    // Each statement stands on line 2 of a model; the number is the column of the error.
    #[rustfmt::skip]
    let cases = [
        ("nod h = x;", "unknown statement `nod`", 5),
        ("node h = a b;", "expected `;` after the statement", 16),
        ("node h = a);", "expected `;` after the statement", 15),
        ("node h = x é;", "expected `;` after the statement", 16),
        ("node h = (a + );", "expected an expression, found `)`", 19),
        ("node h = x @@ y;", "expected an expression, found `@`", 17),
        ("node in = x;", "expected a name, found keyword `in`", 10),
        ("input x [B];", "expected `:`, found `[`", 13),
        ("input x: B;", "expected `[`, found `B`", 14),
        ("param w: [2] = ;", "expected an initialiser, found `;`", 20),
        ("param w: [2] = normal(1 2);", "expected `,`, `)` or an operator, found `2`", 29),
        ("for t = 1..T { }", "expected `in`, found `=`", 11),
        ("for t in 1..T node h = x;", "expected `{` or an operator, found keyword `node`", 19),
        ("loss mse;", "expected `(`, found `;`", 13),
        ("node h = f(a b);", "expected `,`, `=`, `)` or an operator, found `b`", 18),
        ("node h = f(k = 1, b);", "positional argument after a named argument", 23),
        ("node h[t = x;", "expected `]` or an operator, found `=`", 14),
        (";", "expected a statement, found `;`", 5),
        ("node h = 99999999999999999999;", "integer is too large", 14),
        ("node h = 1e999;", "number is too large", 14),
    ];
    for (stmt, message, column) in cases {
        let source = format!("model M {{\n    {stmt}\n}}\n");
        let expected = (message.to_string(), (2, column));
        assert_eq!(error(&source), expected, "for `{stmt}`");
    }
}

#[test]
fn broken_blocks_are_reported_at_the_offending_text() {
    #[rustfmt::skip]
    let cases = [
        ("model M {\n    node h = a\n    dim C;\n}", "expected `;` after the statement", (2, 15)),
        ("model M {\n    dim B;\n", "expected `}` to close model `M`", (3, 1)),
        ("model {\n}", "expected a name, found `{`", (1, 7)),
        ("dim B;\nmodel M {}", "expected `model`, found keyword `dim`", (1, 1)),
        ("// nothing\n", "expected `model`, found end of file", (2, 1)),
        ("model M {}\n}", "expected `model`, found `}`", (2, 1)),
        ("model M {\n    /// on nothing\n}", "doc comment is not followed by a statement", (2, 5)),
        (
            "model M {\n    for t in 0..2 {\n        param w: [2] = zeros;\n    }\n}",
            "a `param` cannot be inside a loop",
            (3, 9),
        ),
    ];
    for (source, message, line_col) in cases {
        assert_eq!(
            error(source),
            (message.to_string(), line_col),
            "for {source:?}"
        );
    }
}

#[test]
fn errors_carry_help() {
    let errors = parse("model M { nod h = x; }").expect_err("unknown statement");
    assert_eq!(errors[0].span, Span::new(10, 13));
    assert_eq!(
        errors[0].primary_label.as_deref(),
        Some("did you mean `node`?")
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some(
            "statements start with `dim`, `const`, `input`, `target`, `param`, `node`, `let`, \
             `loss` or `for`"
        )
    );

    let errors = parse("model M { node let = x; }").expect_err("keyword as a name");
    assert_eq!(
        errors[0].help.as_deref(),
        Some("keywords are reserved and cannot be used as names")
    );
}

#[test]
fn every_broken_statement_is_reported() {
    let source = "\
model M {
    dim B
    node h = tanh(;
    nod g = h;
    node ok = h;
    for t in 1..T {
        node x[t] = ;
    }
    for t = 1..T {
        let y = (;
    }
    loss mse(ok, y);
}
model N {
    param p: [2] = xavier
}
";
    assert_eq!(
        errors(source),
        [
            ("expected `;` after the statement".to_string(), (2, 10)),
            (
                "expected `)` or an expression, found `;`".to_string(),
                (3, 19)
            ),
            ("unknown statement `nod`".to_string(), (4, 5)),
            ("expected an expression, found `;`".to_string(), (7, 21)),
            ("expected `in`, found `=`".to_string(), (9, 11)),
            ("expected an expression, found `;`".to_string(), (10, 18)),
            ("expected `;` after the statement".to_string(), (15, 26)),
        ]
    );
}

#[test]
fn many_broken_statements_are_each_reported_once() {
    let statement = "    node h = tanh(x @ w + b) // no semicolon\n";
    let source = format!("model M {{\n{}}}\n", statement.repeat(2000));
    let errors = parse(&source).expect_err("every statement lacks its `;`");
    assert_eq!(errors.len(), 2000);
    assert!(
        errors
            .iter()
            .all(|error| error.message == "expected `;` after the statement")
    );
}

#[test]
fn a_missing_brace_is_reported_once() {
    let source = "model A {\n    for t in 0..2 {\n        node h[t] = x;\nmodel B { dim C; }\n";
    assert_eq!(
        errors(source),
        [("expected `}` to close the `for` loop".to_string(), (4, 1))]
    );
    let file_end = "model A {\n    for t in 0..2 {\n";
    assert_eq!(
        errors(file_end),
        [("expected `}` to close the `for` loop".to_string(), (3, 1))]
    );
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    let parens = format!(
        "model M {{ node h = {}x{}; }}",
        "(".repeat(300),
        ")".repeat(300)
    );
    // The model's brace is the first level, so the 256th parenthesis is one too many.
    assert_eq!(
        error(&parens),
        ("brackets are nested too deeply".to_string(), (1, 275))
    );

    let sum = format!("model M {{ node h = x{}; }}", " + x".repeat(5000));
    assert_eq!(error(&sum).0, "expression is nested too deeply");

    let minus = format!("model M {{ node h = {}x; }}", "-".repeat(100_000));
    assert_eq!(error(&minus).0, "expression is nested too deeply");

    let fine = format!(
        "model M {{ node h = {}x{}; }}",
        "f(".repeat(200),
        ")".repeat(200)
    );
    assert!(parse(&fine).is_ok());
}

/// The canonical text of `source`.
fn canonical(source: &str) -> String {
    print(&parse_ok(source))
}

#[test]
fn the_printer_writes_canonical_text() {
    let source = "/// doc\nmodel  M{dim B;input x:[B,2,];param w:[2,2]=uniform(-1,1.0);\
                  node h[0]=x@w;for t in 1..3{///inner\nnode h[t]=h[t-1]@w;}loss mse(h[2],x);}\
                  model N{}";
    let expected = "\
/// doc
model M {
    dim B;
    input x: [B, 2];
    param w: [2, 2] = uniform(-1, 1.0);
    node h[0] = x @ w;
    for t in 1..3 {
        /// inner
        node h[t] = h[t - 1] @ w;
    }
    loss mse(h[2], x);
}

model N {
}
";
    assert_eq!(canonical(source), expected);
}

#[test]
fn the_printer_writes_only_the_parentheses_the_tree_needs() {
    let cases = [
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("(a * b) + (c / d)", "a * b + c / d"),
        ("(a + b) * c", "(a + b) * c"),
        ("a @ (b * c)", "a @ (b * c)"),
        ("-(a + b)", "-(a + b)"),
        ("-(a[0])", "-a[0]"),
        ("(-a)[0]", "(-a)[0]"),
        ("(a + b)[t]", "(a + b)[t]"),
        ("((f(x)))", "f(x)"),
        ("a - -1", "a - -1"),
        ("- -a", "--a"),
        ("2.50e0 * 1E3", "2.5 * 1000.0"),
    ];
    for (source, expected) in cases {
        let printed = canonical(&format!("model M {{ node v = {source}; }}"));
        assert_eq!(
            printed,
            format!("model M {{\n    node v = {expected};\n}}\n")
        );
    }
}

#[test]
fn printing_and_parsing_again_gives_the_same_tree() {
    for source in [MLP, RNN, ALL] {
        let first = parse_ok(source);
        let printed = print(&first);
        let second = parse_ok(&printed);
        assert_eq!(print(&second), printed);
        assert_eq!(without_spans(first), without_spans(second));
    }
}

/// The tree with every span set to zero, to compare trees parsed from different texts.
fn without_spans(mut file: File) -> File {
    for model in &mut file.models {
        model.span = Span::default();
        model.name.span = Span::default();
        model.body.iter_mut().for_each(erase_stmt);
    }
    file
}

fn erase_stmt(stmt: &mut Stmt) {
    stmt.span = Span::default();
    let (name, exprs): (_, Vec<&mut Expr>) = match &mut stmt.kind {
        StmtKind::Dim { name } => (name, vec![]),
        StmtKind::Const { name, value } => (name, vec![value]),
        StmtKind::Input { name, shape } | StmtKind::Target { name, shape } => {
            shape.span = Span::default();
            (name, shape.dims.iter_mut().collect())
        }
        StmtKind::Param { name, shape, init } => {
            shape.span = Span::default();
            init.span = Span::default();
            init.name.span = Span::default();
            (name, shape.dims.iter_mut().chain(&mut init.args).collect())
        }
        StmtKind::Node { name, index, value } | StmtKind::Let { name, index, value } => {
            (name, index.iter_mut().chain([value]).collect())
        }
        StmtKind::Loss { func, args } => (func, erase_args(args)),
        StmtKind::For {
            var,
            start,
            end,
            body,
        } => {
            body.iter_mut().for_each(erase_stmt);
            (var, vec![start, end])
        }
    };
    name.span = Span::default();
    exprs.into_iter().for_each(erase_expr);
}

fn erase_args(args: &mut [Arg]) -> Vec<&mut Expr> {
    args.iter_mut()
        .map(|arg| {
            if let Some(name) = &mut arg.name {
                name.span = Span::default();
            }
            &mut arg.value
        })
        .collect()
}

fn erase_expr(expr: &mut Expr) {
    expr.span = Span::default();
    match &mut expr.kind {
        ExprKind::Number(_) => {}
        ExprKind::Name(name) => name.span = Span::default(),
        ExprKind::Index { base, index } => {
            erase_expr(base);
            erase_expr(index);
        }
        ExprKind::Neg(operand) => erase_expr(operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            erase_expr(lhs);
            erase_expr(rhs);
        }
        ExprKind::Call { func, args } => {
            func.span = Span::default();
            erase_args(args).into_iter().for_each(erase_expr);
        }
        ExprKind::List(items) => items.iter_mut().for_each(erase_expr),
    }
}

/// A small deterministic generator (xorshift), so that failures reproduce.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound.max(1) as u64) as usize
    }
}

/// `source` with one to three random edits: deletions, insertions, swaps and truncation.
fn mutate(source: &str, random: &mut Random) -> String {
    let inserts: Vec<char> = "{}()[];,:=.-+*/@ \naZ_09eé\0\u{1F600}".chars().collect();
    let mut chars: Vec<char> = source.chars().collect();
    for _ in 0..=random.below(3) {
        let at = random.below(chars.len() + 1).min(chars.len());
        match random.below(5) {
            0 if at < chars.len() => {
                let len = random.below(8).min(chars.len() - at);
                chars.drain(at..at + len);
            }
            1 => chars.insert(at, inserts[random.below(inserts.len())]),
            2 if !chars.is_empty() => {
                let (last, other) = (chars.len() - 1, random.below(chars.len()));
                chars.swap(at.min(last), other);
            }
            3 => chars.truncate(at),
            _ => {
                let words = ["model ", "for ", "node ", "///", "//", "in ", "1..", "-"];
                let word = words[random.below(words.len())];
                chars.splice(at..at, word.chars());
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn no_mutation_of_a_model_makes_the_parser_panic() {
    let mut random = Random(0x5eed_1234_abcd_9876);
    for round in 0..3000 {
        let base = [MLP, RNN, ALL][round % 3];
        let source = mutate(base, &mut random);
        match parse(&source) {
            Ok(file) => {
                let printed = print(&file);
                let again = parse(&printed).unwrap_or_else(|e| panic!("{printed}\n{e:#?}"));
                assert_eq!(print(&again), printed);
            }
            Err(errors) => {
                assert!(!errors.is_empty());
                errors
                    .iter()
                    .for_each(|error| check_readable(error, &source));
            }
        }
    }
}

/// Checks that `error` points into `source` and names no grammar rule outside the user's
/// own text, which messages quote in backticks.
fn check_readable(error: &pc_dsl::Diagnostic, source: &str) {
    const RULE_NAMES: [&str; 12] = [
        "stmt", "kw_", "semi", "lparen", "lbracket", "lbrace", "dotdot", "ident", "unary",
        "postfix", "init_", "EOI",
    ];
    assert!(error.span.start <= error.span.end && error.span.end <= source.len());
    assert!(source.is_char_boundary(error.span.start), "{source:?}");
    let texts = [
        Some(&error.message),
        error.primary_label.as_ref(),
        error.help.as_ref(),
    ];
    for text in texts.into_iter().flatten() {
        let ours = text.split('`').step_by(2);
        for part in ours {
            assert!(!RULE_NAMES.iter().any(|rule| part.contains(rule)), "{text}");
        }
    }
}

#[test]
fn hostile_inputs_are_diagnostics() {
    let mut random = Random(42);
    let bytes: Vec<u8> = (0..5000).map(|_| random.below(256) as u8).collect();
    let inputs = [
        String::from_utf8_lossy(&bytes).into_owned(),
        "(".repeat(100_000),
        "}".repeat(10_000),
        "model M {".repeat(10_000),
        format!("model M {{ node h = {}; }}", "x ".repeat(100_000)),
        format!("model M {{ node h = 1{}; }}", "0".repeat(10_000)),
        format!("model M {{ node h = 1e{}; }}", "9".repeat(10_000)),
        "model M { node h = x; } }".to_string(),
        "/// only a doc".to_string(),
        "model".to_string(),
        String::new(),
    ];
    for input in inputs {
        let errors = parse(&input).expect_err("hostile input");
        errors
            .iter()
            .for_each(|error| check_readable(error, &input));
    }

    let long_float = format!("model M {{ node h = 1.{}1; }}", "0".repeat(10_000));
    assert_eq!(expr_kind(&long_float), ExprKind::Number(Number::Float(1.0)));
}

fn expr_kind(source: &str) -> ExprKind {
    value_of(source).kind
}
