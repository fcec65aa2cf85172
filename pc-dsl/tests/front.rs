//! Front-end tests: lowering, shapes, reachability, printing, and every diagnostic of them.

use pc_dsl::ir::{self, Dim, Graph, NodeKind, Op, Shape, VertexId, VertexKind};
use pc_dsl::passes::{resolve, shapes};
use pc_dsl::syntax::ast;
use pc_dsl::{Checked, Diagnostic, Severity};

fn parse(source: &str) -> ast::File {
    pc_dsl::syntax::parse(source).unwrap_or_else(|errors| panic!("syntax errors: {errors:#?}"))
}

fn check(source: &str) -> Checked {
    pc_dsl::check(source)
}

/// The graph after every check, which must find no error.
fn checked(source: &str) -> Graph {
    let checked = check(source);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    checked.graphs.into_iter().next().expect("one graph")
}

/// The graph after lowering and shapes, before unreachable vertices are pruned.
fn shaped(source: &str) -> Graph {
    let (mut graphs, diagnostics) = resolve::lower(&parse(source));
    assert!(diagnostics.is_empty(), "unexpected: {diagnostics:#?}");
    let mut graph = graphs.remove(0);
    let diagnostics = shapes::infer_shapes(&mut graph);
    assert!(diagnostics.is_empty(), "unexpected: {diagnostics:#?}");
    graph
}

/// The one error of `source`, checked for its message and the line and column of its span.
fn error_at(source: &str, message: &str, line_col: (usize, usize)) -> Diagnostic {
    let errors: Vec<Diagnostic> = check(source)
        .diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert_eq!(errors.len(), 1, "expected one error, found {errors:#?}");
    let error = errors.into_iter().next().unwrap();
    assert_eq!(error.message, message);
    assert_eq!(error.line_col(source), line_col, "position of `{message}`");
    error
}

fn vertex<'g>(graph: &'g Graph, name: &str) -> &'g ir::Vertex {
    let id = graph
        .find_vertex(name)
        .unwrap_or_else(|| panic!("no vertex `{name}`"));
    graph.vertex(id)
}

fn shape_of(graph: &Graph, name: &str) -> String {
    graph.shape_text(vertex(graph, name).shape.as_ref().expect("a shape"))
}

fn parent_names(graph: &Graph, name: &str) -> Vec<String> {
    vertex(graph, name)
        .parents()
        .iter()
        .map(|id| graph.vertex(*id).name.clone())
        .collect()
}

fn user_names(graph: &Graph, param: &str) -> Vec<String> {
    let param = graph
        .params
        .iter()
        .find(|p| p.name == param)
        .expect("the parameter");
    param
        .users
        .iter()
        .map(|id| graph.vertex(*id).name.clone())
        .collect()
}

const MLP: &str = "\
model Mlp {
    dim B;
    const HID = 128;

    input  x: [B, 64];
    target y: [B, 10];

    param w1: [64, HID] = xavier;
    param b1: [HID] = zeros;
    param w2: [HID, 10] = xavier;
    param b2: [10] = zeros;

    node h = tanh(x @ w1 + b1);
    let  z = h @ w2;
    node out = z + b2;

    loss cross_entropy(out, y);
}
";

#[test]
fn mlp_lowers_to_five_vertices() {
    let graph = checked(MLP);
    let names: Vec<&str> = graph.vertices.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["x", "y", "h", "out", "cross_entropy(out, y)"]);
    assert_eq!(graph.consts, [("HID".to_string(), 128)]);
    assert_eq!(
        graph.params[0].shape,
        Shape(vec![Dim::Fixed(64), Dim::Fixed(128)])
    );
    assert_eq!(graph.params[0].init, ir::Init::Xavier);
    assert_eq!(user_names(&graph, "w2"), ["out"]);
    assert_eq!(parent_names(&graph, "out"), ["h"]);

    let loss = vertex(&graph, "cross_entropy(out, y)");
    let VertexKind::Loss {
        func,
        target,
        target_index,
    } = loss.kind
    else {
        panic!("a loss")
    };
    assert_eq!(
        (func, target, target_index),
        (ir::LossFn::CrossEntropy, VertexId(1), None)
    );
    assert_eq!(loss.parents(), [VertexId(3)]);
}

#[test]
fn mlp_prints() {
    let expected = "\
model Mlp
  dim B
  const HID = 128
  input x: [B, 64]
  target y: [B, 10]
  param w1: [64, 128] = xavier  # used by h
  param b1: [128] = zeros  # used by h
  param w2: [128, 10] = xavier  # used by out
  param b2: [10] = zeros  # used by out
  node h: [B, 128] = tanh(x @ w1 + b1)
  node out: [B, 10] = h @ w2 + b2
  loss cross_entropy(out, y): [B, 10] = out
";
    assert_eq!(ir::print_graph(&checked(MLP)), expected);
}

#[test]
fn residual_mlp_reads_its_skip_once() {
    let graph = checked(
        "model Res {
            dim B;
            input x: [B, 16]; target y: [B, 16];
            param w1: [16, 16] = he; param w2: [16, 16] = he;
            node h1 = relu(x @ w1);
            node h2 = relu(h1 @ w2) + h1;
            node out = h2 + h1;
            loss mse(out, y);
        }",
    );
    assert_eq!(parent_names(&graph, "h2"), ["h1"]);
    assert_eq!(parent_names(&graph, "out"), ["h2", "h1"]);
    let h2 = vertex(&graph, "h2").expr.as_ref().unwrap();
    let reads = h2
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Vertex(_)))
        .count();
    assert_eq!(reads, 1, "h1 is one node used twice");
    assert_eq!(
        ir::print_graph(&graph).lines().nth(7),
        Some("  node h2: [B, 16] = relu(h1 @ w2) + h1")
    );
}

#[test]
fn gated_dag_has_two_branches_joined() {
    let graph = checked(
        "model Gated {
            dim B;
            input x: [B, 8]; target y: [B, 4];
            param wa: [8, 4] = xavier; param wg: [8, 4] = xavier;
            node a = tanh(x @ wa);
            node g = sigmoid(x @ wg);
            node out = a * g;
            loss mse(out, y);
        }",
    );
    assert_eq!(parent_names(&graph, "out"), ["a", "g"]);
    assert_eq!(parent_names(&graph, "a"), ["x"]);
    assert_eq!(graph.children()[0], [VertexId(2), VertexId(3)]);
}

const RNN: &str = "\
model Rnn {
    dim B;
    const T = 6;
    input xs: [T, B, 8];
    target y: [B, 4];
    param wx: [8, 16] = xavier;
    param wh: [16, 16] = xavier;
    param b: [16] = zeros;
    param wo: [16, 4] = xavier;
    node h[0] = tanh(xs[0] @ wx + b);
    for t in 1..T {
        node h[t] = tanh(xs[t] @ wx + h[t - 1] @ wh + b);
    }
    node out = h[T - 1] @ wo;
    loss mse(out, y);
}
";

#[test]
fn rnn_unrolls_over_six_steps_with_shared_weights() {
    let graph = checked(RNN);
    let names: Vec<&str> = graph.vertices.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "xs",
            "y",
            "h[0]",
            "h[1]",
            "h[2]",
            "h[3]",
            "h[4]",
            "h[5]",
            "out",
            "mse(out, y)"
        ]
    );
    assert_eq!(user_names(&graph, "wx").len(), 6);
    assert_eq!(user_names(&graph, "b").len(), 6);
    assert_eq!(
        user_names(&graph, "wh"),
        ["h[1]", "h[2]", "h[3]", "h[4]", "h[5]"]
    );
    assert_eq!(parent_names(&graph, "h[3]"), ["xs", "h[2]"]);
    assert_eq!(parent_names(&graph, "out"), ["h[5]"]);
    assert_eq!(shape_of(&graph, "h[3]"), "[B, 16]");

    let h3 = vertex(&graph, "h[3]").expr.as_ref().unwrap();
    let indices: Vec<&Op> = h3
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Op {
                op: op @ Op::Index { .. },
                ..
            } => Some(op),
            _ => None,
        })
        .collect();
    assert_eq!(indices, [&Op::Index { index: 3 }]);
    assert!(
        ir::print_graph(&graph)
            .contains("  node h[3]: [B, 16] = tanh(xs[3] @ wx + h[2] @ wh + b)\n")
    );
}

#[test]
fn many_to_many_rnn_has_a_loss_per_step() {
    let graph = checked(
        "model Seq {
            dim B;
            const T = 4;
            input xs: [T, B, 3];
            target ys: [T, B, 5];
            param wx: [3, 5] = xavier;
            param wh: [5, 5] = xavier;
            node h[0] = tanh(xs[0] @ wx);
            loss mse(h[0], ys[0]);
            for t in 1..T {
                node h[t] = tanh(xs[t] @ wx + h[t - 1] @ wh);
                loss mse(h[t], ys[t]);
            }
        }",
    );
    let losses: Vec<&ir::Vertex> = graph
        .vertices
        .iter()
        .filter(|v| matches!(v.kind, VertexKind::Loss { .. }))
        .collect();
    assert_eq!(losses.len(), 4);
    assert_eq!(losses[2].name, "mse(h[2], ys[2])");
    assert_eq!(
        losses[2].kind,
        VertexKind::Loss {
            func: ir::LossFn::Mse,
            target: VertexId(1),
            target_index: Some(2)
        }
    );
    assert_eq!(
        graph.shape_text(losses[2].shape.as_ref().unwrap()),
        "[B, 5]"
    );
    assert_eq!(parent_names(&graph, "mse(h[2], ys[2])"), ["h[2]"]);
    assert_eq!(user_names(&graph, "wx").len(), 4);
}

#[test]
fn lets_are_inlined_once_per_vertex() {
    let source = "model Glu {
        dim B;
        input x: [B, 8]; target y: [B, 8];
        param w: [8, 8] = xavier; param b: [8] = zeros;
        let a = x @ w;
        let c = a + b;
        node g = c * sigmoid(a);
        node out = g * sigmoid(c);
        loss mse(out, y);
    }";
    let graph = checked(source);
    let g = vertex(&graph, "g").expr.as_ref().unwrap();
    let matmuls = g
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Op { op: Op::MatMul, .. }))
        .count();
    assert_eq!(matmuls, 1, "`a` is one node, used by `c` and by `sigmoid`");
    assert_eq!(
        g.nodes.len(),
        7,
        "x, w, a, b, c, sigmoid(a), c * sigmoid(a)"
    );
    assert!(g.nodes.iter().all(|n| n.shape.is_some()));
    assert_eq!(
        parent_names(&graph, "out"),
        ["g", "x"],
        "`c` brings its own `x @ w`"
    );

    let printed = ir::print_graph(&graph);
    let expected = "  node g: [B, 8] = (%1 + b) * sigmoid(%1)
    where %1: [B, 8] = x @ w
  node out: [B, 8] = g * sigmoid(x @ w + b)
";
    assert!(printed.contains(expected), "{printed}");
}

#[test]
fn every_op_has_a_shape() {
    let graph = shaped(
        "model Ops {
            dim B;
            dim S;
            input img: [B, 3, 32, 32];
            input v: [B, 10];
            input seq: [4, B, 10];
            input cube: [2, B, 3, 4];
            target y: [B, 10];
            param k: [8, 3, 3, 3] = he;
            param m: [10, 10] = xavier;
            param n: [4, 5] = normal(0.1);
            param row: [10] = uniform(-1, 1);
            node c = relu(conv2d(img, k, stride = 2, padding = 1));
            node c_plain = conv2d(img, k);
            node c_positional = conv2d(img, k, 1, 1);
            node p = max_pool2d(c, 2);
            node q = avg_pool2d(c, 4);
            node f = flatten(p);
            node r = reshape(f, [B, 8, 64]);
            node r_back = reshape(r, [B, 512]);
            node cat = concat(v, v, v);
            node cat0 = concat(seq, seq, axis = 0);
            node tr = transpose(r);
            node s = seq[2];
            node e = leaky_relu(exp(v) - log(v) * softplus(v) / 2, 0.1);
            node sm = softmax(identity(-v + s));
            node mm = sigmoid(v @ m) * 2;
            node bmm = cube @ n;
            node bc = v * row + ones_like;
            loss mse(mm, y);
        }"
        .replace("ones_like", "1")
        .as_str(),
    );
    let expected = [
        ("c", "[B, 8, 16, 16]"),
        ("c_plain", "[B, 8, 30, 30]"),
        ("c_positional", "[B, 8, 32, 32]"),
        ("p", "[B, 8, 8, 8]"),
        ("q", "[B, 8, 4, 4]"),
        ("f", "[B, 512]"),
        ("r", "[B, 8, 64]"),
        ("r_back", "[B, 512]"),
        ("cat", "[B, 30]"),
        ("cat0", "[8, B, 10]"),
        ("tr", "[B, 64, 8]"),
        ("s", "[B, 10]"),
        ("e", "[B, 10]"),
        ("sm", "[B, 10]"),
        ("mm", "[B, 10]"),
        ("bmm", "[2, B, 3, 5]"),
        ("bc", "[B, 10]"),
        ("mse(mm, y)", "[B, 10]"),
    ];
    for (name, shape) in expected {
        assert_eq!(shape_of(&graph, name), shape, "shape of `{name}`");
    }
    for vertex in &graph.vertices {
        for node in vertex.expr.iter().flat_map(|expr| &expr.nodes) {
            assert!(
                node.shape.is_some(),
                "a node of `{}` has no shape",
                vertex.name
            );
        }
    }
    let c = vertex(&graph, "c").expr.as_ref().unwrap();
    assert!(c.nodes.iter().any(|n| matches!(
        n.kind,
        NodeKind::Op {
            op: Op::Conv2d {
                stride: 2,
                padding: 1
            },
            ..
        }
    )));
    let printed = ir::print_graph(&graph);
    assert!(
        printed
            .contains("  node c: [B, 8, 16, 16] = relu(conv2d(img, k, stride = 2, padding = 1))\n")
    );
    assert!(printed.contains("  node r: [B, 8, 64] = reshape(f, [B, 8, 64])\n"));
    assert!(
        printed
            .contains("  node e: [B, 10] = leaky_relu(exp(v) - log(v) * softplus(v) / 2, 0.1)\n")
    );
    assert!(printed.contains("  node sm: [B, 10] = softmax(identity(-v + s))\n"));
    assert!(printed.contains("  param n: [4, 5] = normal(0.1)  # used by bmm\n"));
    assert!(printed.contains("  param row: [10] = uniform(-1, 1)  # used by bc\n"));
}

#[test]
fn printing_keeps_the_grouping_of_the_source() {
    let graph = shaped(
        "model P {
            dim B;
            input a: [B, 4]; input b: [B, 4]; target y: [B, 4];
            node n1 = a - (b - a);
            node n2 = (a - b) - a;
            node n3 = a / (b * a);
            node n4 = -(a + b) * -a;
            node n5 = (a + b)[0];
            loss mse(n1, y);
        }",
    );
    let printed = ir::print_graph(&graph);
    for line in [
        "n1: [B, 4] = a - (b - a)",
        "n2: [B, 4] = a - b - a",
        "n3: [B, 4] = a / (b * a)",
        "n4: [B, 4] = -(a + b) * -a",
        "n5: [4] = (a + b)[0]",
    ] {
        assert!(printed.contains(line), "{line} in\n{printed}");
    }
}

#[test]
fn levels_and_identity_vertices_print() {
    let mut graph = checked(MLP);
    let h = graph.find_vertex("h").unwrap();
    let mut identity = graph.vertex(h).clone();
    identity.name = "h.id1".into();
    identity.kind = VertexKind::Identity { source: h };
    identity.expr = Some(ir::Expr::vertex(h, identity.span));
    identity.level = Some(2);
    graph.vertices.insert(3, identity);
    for (index, level) in [(2, 3), (4, 1), (5, 0)] {
        graph.vertices[index].level = Some(level);
    }
    // The identity vertex now sits between `h` and `out`; point `out` at it.
    if let Some(expr) = &mut graph.vertices[4].expr {
        for node in &mut expr.nodes {
            if node.kind == NodeKind::Vertex(h) {
                node.kind = NodeKind::Vertex(VertexId(3));
            }
        }
    }
    if let Some(expr) = &mut graph.vertices[5].expr {
        expr.nodes[0].kind = NodeKind::Vertex(VertexId(4));
    }
    graph.update_param_users();

    let printed = ir::print_graph(&graph);
    let tail = "  node h: [B, 128] = tanh(x @ w1 + b1)  # level 3
  identity h.id1: [B, 128] = h  # level 2
  node out: [B, 10] = h.id1 @ w2 + b2  # level 1
  loss cross_entropy(out, y): [B, 10] = out  # level 0
";
    assert!(printed.ends_with(tail), "{printed}");

    let dot = ir::to_dot(&graph);
    assert!(
        dot.contains("  v3 [label=\"h.id1\\n[B, 128]\\nlevel 2\", shape=ellipse, style=dashed];\n"),
        "{dot}"
    );
    assert!(dot.contains("  v2 -> v3;\n  v3 -> v4;\n"), "{dot}");
}

#[test]
fn dot_output_is_exact() {
    let graph = checked(
        "model Tiny {
            dim B;
            input x: [B, 2]; target ys: [3, B, 2];
            param w: [2, 2] = ones;
            node h[0] = x @ w;
            for t in 1..3 { node h[t] = h[t - 1] @ w; }
            loss mse(h[2], ys[2]);
        }",
    );
    let expected = r#"digraph "Tiny" {
  node [fontname="Helvetica", fontsize=11];
  v0 [label="x\n[B, 2]", shape=invhouse];
  v1 [label="ys\n[3, B, 2]", shape=house];
  v2 [label="h[0]\n[B, 2]", shape=ellipse];
  v3 [label="h[1]\n[B, 2]", shape=ellipse];
  v4 [label="h[2]\n[B, 2]", shape=ellipse];
  v5 [label="mse(h[2], ys[2])\n[B, 2]", shape=doubleoctagon];
  p0 [label="w\n[2, 2]", shape=box];
  v0 -> v2;
  v2 -> v3;
  v3 -> v4;
  v4 -> v5;
  v1 -> v5 [style=dotted];
  p0 -> v2 [style=dashed];
  p0 -> v3 [style=dashed];
  p0 -> v4 [style=dashed];
}
"#;
    assert_eq!(ir::to_dot(&graph), expected);
}

// Diagnostics of lowering, one test each: the message and where its caret points.

/// A model with one mistake spliced in at line 7, column 5 (the start of the `BODY` line).
fn with_body(body: &str) -> String {
    let template = "\
model M {
    dim B;
    const T = 3;
    input x: [B, 4];
    target y: [B, 4];
    param w: [4, 4] = xavier;
    BODY
    node out = tanh(x @ w);
    loss mse(out, y);
}
";
    template.replace("BODY", body)
}

#[test]
fn unknown_name_suggests_a_close_one() {
    let source = with_body("node h = tanh(xx @ w);");
    let error = error_at(&source, "unknown name `xx`", (7, 19));
    assert_eq!(error.help.as_deref(), Some("did you mean `x`?"));
}

#[test]
fn duplicate_name_points_at_both() {
    let source = with_body("param w: [4] = zeros;");
    let error = error_at(&source, "`w` is defined twice", (7, 11));
    assert_eq!(error.labels[0].message, "first defined here");
    assert_eq!(
        pc_dsl::diag::line_col(&source, error.labels[0].span.start),
        (6, 11)
    );
}

#[test]
fn let_and_node_names_are_one_namespace() {
    let source = with_body("let g = x @ w; node g = tanh(g);");
    let error = error_at(&source, "`g` is defined twice", (7, 25));
    assert_eq!(
        pc_dsl::diag::line_col(&source, error.labels[0].span.start),
        (7, 9)
    );
}

#[test]
fn a_cycle_is_a_use_before_definition() {
    let source = with_body("node a = tanh(b @ w); node b = tanh(a @ w);");
    let error = error_at(&source, "`b` is used before its definition", (7, 19));
    assert!(
        error
            .help
            .as_deref()
            .unwrap()
            .starts_with("the graph must be acyclic")
    );
    assert_eq!(error.labels[0].message, "defined here");
}

#[test]
fn a_vertex_cannot_read_itself() {
    let source = with_body("node a = tanh(a @ w);");
    error_at(&source, "`a` is used before its definition", (7, 19));
}

#[test]
fn a_constant_used_before_its_definition() {
    let source = with_body("param v: [K] = zeros; const K = 2;");
    let error = error_at(&source, "`K` is used before its definition", (7, 15));
    assert_eq!(
        error.help.as_deref(),
        Some("move the definition of `K` above its first use")
    );
}

#[test]
fn wrong_number_of_arguments() {
    let source = with_body("node h = tanh(x, x);");
    error_at(&source, "`tanh` takes 1 argument, found 2", (7, 14));
    let source = with_body("node h = conv2d(x);");
    error_at(&source, "`conv2d` takes 2 to 4 arguments, found 1", (7, 14));
    let source = with_body("node h = concat(x);");
    error_at(
        &source,
        "`concat` takes at least 2 tensors, found 1",
        (7, 14),
    );
}

#[test]
fn unknown_function_suggests_a_close_one() {
    let source = with_body("node h = tahn(x);");
    let error = error_at(&source, "unknown function `tahn`", (7, 14));
    assert_eq!(error.help.as_deref(), Some("did you mean `tanh`?"));
}

#[test]
fn unknown_initialiser() {
    let source = with_body("param v: [4] = xavir;");
    let error = error_at(&source, "unknown initialiser `xavir`", (7, 20));
    assert_eq!(error.help.as_deref(), Some("did you mean `xavier`?"));
}

#[test]
fn malformed_initialisers() {
    let source = with_body("param v: [4] = normal;");
    error_at(&source, "`normal` takes 1 argument, found 0", (7, 20));
    let source = with_body("param v: [4] = zeros(1);");
    error_at(&source, "`zeros` takes no arguments, found 1", (7, 20));
    let source = with_body("param v: [4] = uniform(1, -1);");
    error_at(&source, "`uniform(lo, hi)` needs `lo` below `hi`", (7, 20));
    let source = with_body("param v: [4] = normal(x);");
    error_at(
        &source,
        "an argument of `normal` must be a constant",
        (7, 27),
    );
}

#[test]
fn unknown_named_argument_lists_the_valid_ones() {
    let source = with_body("node h = conv2d(x, w, strid = 2);");
    let error = error_at(&source, "`conv2d` has no argument `strid`", (7, 27));
    assert_eq!(
        error.help.as_deref(),
        Some("the arguments of `conv2d` are `x`, `w`, `stride` and `padding`")
    );
    assert_eq!(
        error.primary_label.as_deref(),
        Some("did you mean `stride`?")
    );
}

#[test]
fn an_argument_given_twice() {
    let source = with_body("node h = conv2d(x, w, 2, stride = 2);");
    error_at(&source, "argument `stride` is given twice", (7, 30));
}

#[test]
fn constant_arguments_are_checked() {
    let source = with_body("node h = conv2d(x, w, stride = 0);");
    error_at(&source, "`stride` must be at least 1, found 0", (7, 36));
    let source = with_body("node h = max_pool2d(x, B);");
    error_at(&source, "`k` must be a constant", (7, 28));
    let source = with_body("node h = leaky_relu(x, w);");
    error_at(
        &source,
        "the slope of `leaky_relu` must be a constant",
        (7, 28),
    );
    let source = with_body("node h = reshape(x, 4);");
    error_at(
        &source,
        "the shape of `reshape` must be a list, as in `[B, 64]`",
        (7, 25),
    );
}

const FAMILY: &str = "\
model M {
    dim B;
    const T = 6;
    input xs: [T, B, 4];
    target y: [B, 4];
    param w: [4, 4] = xavier;
    node h[0] = tanh(xs[0] @ w);
    for t in 1..T {
        node h[t] = tanh(h[t - 1] @ w);
    }
    BODY
    loss mse(out, y);
}
";

#[test]
fn an_entry_past_the_family_is_out_of_range() {
    let source = FAMILY.replace("BODY", "node out = h[7];");
    let error = error_at(&source, "index 7 is out of range for `h`", (11, 16));
    assert_eq!(
        error.primary_label.as_deref(),
        Some("`h` is defined for 0..6")
    );
}

#[test]
fn an_entry_at_the_largest_index_is_described_without_overflow() {
    let source = FAMILY.replace(
        "BODY",
        "node g[9223372036854775807] = h[0]; node out = g[0];",
    );
    let error = error_at(&source, "index 0 is out of range for `g`", (11, 52));
    assert_eq!(
        error.primary_label.as_deref(),
        Some("`g` is defined for 9223372036854775807")
    );
}

#[test]
fn a_negative_index_is_out_of_range() {
    let source = FAMILY.replace("BODY", "node out = h[1 - 2];");
    error_at(&source, "index -1 is out of range for `h`", (11, 16));
    let source = FAMILY.replace("BODY", "node out = xs[0 - 1] @ w;");
    error_at(&source, "index -1 is out of range", (11, 19));
}

#[test]
fn an_index_past_a_fixed_first_axis_is_out_of_range() {
    let source = FAMILY.replace("BODY", "node out = xs[6] @ w;");
    let error = error_at(&source, "index 6 is out of range for `xs`", (11, 19));
    assert_eq!(
        error.primary_label.as_deref(),
        Some("the first axis of `xs` has size 6")
    );
}

#[test]
fn reading_a_later_step_is_a_use_before_definition() {
    let source = FAMILY
        .replace("h[t - 1] @ w", "h[t + 1] @ w")
        .replace("BODY", "node out = h[5];");
    error_at(&source, "`h[2]` is used before its definition", (9, 26));
}

#[test]
fn an_indexed_node_defined_twice_for_one_index() {
    let source = FAMILY.replace("BODY", "node h[3] = xs[3]; node out = h[5];");
    let error = error_at(&source, "`h[3]` is defined twice", (11, 10));
    assert_eq!(
        pc_dsl::diag::line_col(&source, error.labels[0].span.start),
        (9, 14)
    );
}

#[test]
fn an_indexed_node_with_a_plain_one_of_its_name() {
    let source = FAMILY.replace("BODY", "node h = xs[0]; node out = h[5];");
    let error = error_at(
        &source,
        "`h` is defined both with and without an index",
        (11, 10),
    );
    assert_eq!(error.labels[0].message, "defined with an index here");
    let source = FAMILY.replace(
        "BODY",
        "node g = h[5]; for t in 0..2 { node g[t] = h[t]; } node out = g;",
    );
    let error = error_at(
        &source,
        "`g` is defined both with and without an index",
        (11, 41),
    );
    assert_eq!(error.labels[0].message, "defined without an index here");
}

#[test]
fn a_plain_node_in_a_loop_is_defined_every_iteration() {
    let source = FAMILY.replace("BODY", "for t in 0..2 { node g = h[t]; } node out = h[5];");
    error_at(
        &source,
        "`g` is defined again in every iteration of its loop",
        (11, 26),
    );
}

#[test]
fn a_family_needs_an_index() {
    let source = FAMILY.replace("BODY", "node out = h @ w;");
    error_at(&source, "`h` needs an index", (11, 16));
}

#[test]
fn a_loop_bound_must_be_a_constant() {
    let source = with_body("for t in 0..B { node g[t] = x; }");
    let error = error_at(&source, "loop bound must be a constant", (7, 17));
    assert_eq!(
        error.primary_label.as_deref(),
        Some("`B` is a run-time dimension")
    );
}

#[test]
fn a_loss_must_be_on_a_vertex() {
    let source = with_body("let z = x @ w; loss mse(z, y);");
    let error = error_at(&source, "a loss must be on a vertex", (7, 29));
    assert_eq!(
        error.primary_label.as_deref(),
        Some("`z` is a `let` binding")
    );
    let source = with_body("loss mse(x @ w, y);");
    error_at(&source, "a loss must be on a vertex", (7, 14));
    let source = with_body("loss mse(x, y);");
    let error = error_at(&source, "a loss must be on a vertex", (7, 14));
    assert_eq!(error.primary_label.as_deref(), Some("`x` is an input"));
}

#[test]
fn a_loss_compares_with_a_target() {
    let source = with_body("node g = x @ w; loss mse(g, out);");
    let error = error_at(&source, "`out` is used before its definition", (7, 33));
    assert_eq!(error.labels[0].message, "defined here");
    let source = with_body("node g = x @ w; loss mse(g, x);");
    let error = error_at(
        &source,
        "the second argument of a loss must be a target",
        (7, 33),
    );
    assert_eq!(error.primary_label.as_deref(), Some("`x` is an input"));
    let source = FAMILY.replace(
        "BODY",
        "node out = h[5]; loss mse(out, xs[5]); loss mse(h[4], y[0]);",
    );
    let errors: Vec<String> = check(&source)
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(errors, ["the second argument of a loss must be a target"]);
    let source = "model M {\n    dim B;\n    target ys: [3, B];\n    input x: [B];\n    \
                  node h = x;\n    loss mse(h, ys[3]);\n}\n";
    error_at(source, "index 3 is out of range for `ys`", (6, 20));
}

#[test]
fn unknown_loss_function() {
    let source = with_body("node g = x @ w; loss mes(g, y);");
    let error = error_at(&source, "unknown loss function `mes`", (7, 26));
    assert_eq!(error.help.as_deref(), Some("did you mean `mse`?"));
}

#[test]
fn a_model_without_a_loss() {
    let source = "model NoLoss {\n    dim B;\n    input x: [B, 2];\n    node h = x;\n}\n";
    let error = error_at(source, "model `NoLoss` has no loss", (1, 7));
    assert!(error.help.is_some());
}

#[test]
fn constant_folding_is_checked() {
    let source = with_body("param v: [7 / 2] = zeros;");
    error_at(&source, "constant division is not exact: 7 / 2", (7, 15));
    let source = with_body("const BIG = 9223372036854775807 + 1;");
    error_at(
        &source,
        "integer overflow in a constant expression",
        (7, 17),
    );
    let source = with_body("const Z = T / (T - T);");
    error_at(
        &source,
        "division by zero in a constant expression",
        (7, 15),
    );
    let source = with_body("param v: [T * 0] = zeros;");
    error_at(&source, "dimension must be at least 1, found 0", (7, 15));
    let graph = checked(&with_body(
        "const K = (T + 5) * 2 / 4 - -1; param v: [K] = zeros;",
    ));
    assert_eq!(graph.consts[1], ("K".to_string(), 5));
}

#[test]
fn a_parameter_cannot_have_a_run_time_dimension() {
    let source = with_body("param v: [B, 4] = zeros;");
    let error = error_at(
        &source,
        "a parameter cannot have a run-time dimension",
        (7, 15),
    );
    assert_eq!(
        error.primary_label.as_deref(),
        Some("`B` is known only at run time")
    );
}

#[test]
fn interface_declarations_stay_out_of_loops() {
    let source = with_body("for t in 0..1 { param v: [4] = zeros; }");
    error_at(&source, "a `param` cannot be inside a loop", (7, 21));
}

#[test]
fn a_loop_local_let_is_not_visible_after_the_loop() {
    let source = with_body("for t in 0..2 { let z = x * t; node g[t] = z; } node q = z;");
    let error = error_at(&source, "`z` is not defined here", (7, 62));
    assert!(error.labels[0].message.contains("inside a loop"));
    let graph = checked(&with_body(
        "for t in 0..2 { let z = x * t; node g[t] = tanh(z); loss mse(g[t], y); }",
    ));
    assert_eq!(
        ir::print_graph(&graph)
            .lines()
            .filter(|line| line.contains("tanh(x * 1)"))
            .count(),
        1
    );
}

#[test]
fn every_error_of_the_phase_is_reported() {
    let source = with_body("node a = tahn(xx); node b = tanh(x, x); param v: [B] = xavir;");
    let messages: Vec<String> = check(&source)
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "unknown function `tahn`",
            "`tanh` takes 1 argument, found 2",
            "a parameter cannot have a run-time dimension",
            "unknown initialiser `xavir`",
        ]
    );
}

#[test]
fn a_mistake_in_a_loop_is_reported_once() {
    let source = with_body("for t in 0..5 { node g[t] = x @ ww; }");
    let diagnostics = check(&source).diagnostics;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
}

#[test]
fn duplicate_models() {
    let source = "model A { dim B; input x: [B, 1]; target y: [B, 1]; node h = x; loss mse(h, y); }\n\
                  model A { dim B; input x: [B, 1]; target y: [B, 1]; node h = x; loss mse(h, y); }\n";
    error_at(source, "model `A` is defined twice", (2, 7));
}

// Diagnostics of shapes.

const SHAPES: &str = "\
model S {
    dim B;
    input x: [B, 64];
    input img: [B, 3, 32, 30];
    target y: [B, 10];
    param w: [32, 10] = xavier;
    param k: [8, 4, 3, 3] = he;
    param v: [5] = zeros;
    BODY
    loss mse(out, y);
}
";

fn shape_error(body: &str, message: &str, line_col: (usize, usize)) -> Diagnostic {
    error_at(&SHAPES.replace("BODY", body), message, line_col)
}

#[test]
fn matmul_mismatch_labels_both_operands() {
    let error = shape_error(
        "node out = x @ w;",
        "shape mismatch in `@`: [B, 64] @ [32, 10]",
        (9, 16),
    );
    let labels: Vec<&str> = error.labels.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(labels, ["[B, 64]", "[32, 10]"]);
    assert_eq!(
        error.help.as_deref(),
        Some("the last axis on the left (64) must equal the second-to-last on the right (32)")
    );
    shape_error(
        "node out = v @ w;",
        "`@` needs at least 2 axes on each side: [5] @ [32, 10]",
        (9, 16),
    );
}

#[test]
fn broadcast_mismatch() {
    let error = shape_error(
        "node h = y * 2; node out = h + v;",
        "cannot broadcast [B, 10] with [5]",
        (9, 32),
    );
    assert_eq!(error.labels.len(), 2);
}

#[test]
fn convolution_and_pooling_mismatches() {
    shape_error(
        "node c = conv2d(img, k); node out = y;",
        "channel mismatch in `conv2d`: the input has 3 channels, the kernel expects 4",
        (9, 14),
    );
    shape_error(
        "node c = conv2d(x, k); node out = y;",
        "`conv2d` needs an input of shape [B, C, H, W], found [B, 64]",
        (9, 14),
    );
    shape_error(
        "node c = max_pool2d(img, 4); node out = y;",
        "`max_pool2d` with window 4 needs a fixed height and width divisible by 4, found [B, 3, 32, 30]",
        (9, 14),
    );
    let source = SHAPES.replace("[8, 4, 3, 3]", "[8, 3, 40, 3]").replace(
        "BODY",
        "node c = conv2d(img, k, padding = 2); node out = y;",
    );
    error_at(
        &source,
        "`conv2d` output would be empty: a 40x3 kernel on a 32x30 input with padding 2",
        (9, 14),
    );
}

#[test]
fn reshape_concat_transpose_index_mismatches() {
    shape_error(
        "node r = reshape(x, [B, 60]); node out = y;",
        "cannot reshape [B, 64] into [B, 60]",
        (9, 14),
    );
    shape_error(
        "node r = reshape(x, [B, B, 64]); node out = y;",
        "cannot reshape [B, 64] into [B, B, 64]",
        (9, 14),
    );
    shape_error(
        "node r = reshape(x, [8, 8, 1]); node out = y;",
        "cannot reshape [B, 64] into [8, 8, 1]",
        (9, 14),
    );
    shape_error(
        "node r = concat(x, v); node out = y;",
        "cannot concatenate [B, 64] and [5] along axis 1",
        (9, 14),
    );
    shape_error(
        "node r = concat(x, y, axis = 0); node out = y;",
        "`concat` needs fixed sizes along axis 0: [B, 64] and [B, 10]",
        (9, 14),
    );
    shape_error(
        "node r = concat(v, v, axis = 1); node out = y;",
        "`concat` axis 1 is out of range for [5]",
        (9, 14),
    );
    shape_error(
        "node r = transpose(v); node out = y;",
        "`transpose` needs at least 2 axes, found [5]",
        (9, 14),
    );
    shape_error(
        "node r = v[1][0]; node out = y;",
        "cannot index a scalar",
        (9, 14),
    );
    shape_error(
        "node r = flatten(2); node out = y;",
        "`flatten` needs at least 1 axis, found a scalar",
        (9, 14),
    );
}

#[test]
fn a_loss_compares_equal_shapes() {
    let error = shape_error(
        "node out = x;",
        "shape mismatch in `mse(out, y)`: `out` is [B, 64] but `y` is [B, 10]",
        (10, 5),
    );
    assert_eq!(error.labels[1].message, "`y` is [B, 10]");
    let source = SHAPES
        .replace("BODY", "node out = y;")
        .replace("mse(out, y)", "cross_entropy(o, y)")
        .replace("node out = y;", "node o = v[0];");
    error_at(
        &source,
        "`cross_entropy` needs at least 1 axis, for the classes",
        (10, 24),
    );
}

#[test]
fn one_mistake_is_one_error_and_every_mistake_is_reported() {
    let source = SHAPES.replace(
        "BODY",
        "node a = x @ w; node b = tanh(a) + 1; node c = v @ w; node out = b + c;",
    );
    let messages: Vec<String> = check(&source)
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "shape mismatch in `@`: [B, 64] @ [32, 10]",
            "`@` needs at least 2 axes on each side: [5] @ [32, 10]"
        ]
    );
}

#[test]
fn a_hand_built_parameter_with_a_run_time_dimension_is_refused() {
    let mut graph = checked(MLP);
    graph.params[1].shape = Shape(vec![Dim::Runtime(ir::DimId(0))]);
    let diagnostics = shapes::infer_shapes(&mut graph);
    assert_eq!(
        diagnostics[0].message,
        "parameter `b1` cannot have a run-time dimension: [B]"
    );
    assert_eq!(diagnostics[0].line_col(MLP), (9, 11));
}

#[test]
fn hand_built_operations_with_bad_settings_are_refused() {
    let mut graph = checked(MLP);
    let expr = graph.vertices[2].expr.as_mut().unwrap();
    let root = expr.root();
    let NodeKind::Op { op, .. } = &mut expr.nodes[root.0].kind else {
        panic!("tanh")
    };
    *op = Op::MaxPool2d { size: 0 };
    let diagnostics = shapes::infer_shapes(&mut graph);
    assert_eq!(
        diagnostics[0].message,
        "`max_pool2d` needs a window of at least 1"
    );

    let mut graph = checked(MLP);
    let expr = graph.vertices[2].expr.as_mut().unwrap();
    let root = expr.root();
    let NodeKind::Op { op, .. } = &mut expr.nodes[root.0].kind else {
        panic!("tanh")
    };
    *op = Op::Add;
    let diagnostics = shapes::infer_shapes(&mut graph);
    assert_eq!(diagnostics[0].message, "`add` takes 2 operands, found 1");
}

// Reachability.

#[test]
fn what_reaches_no_loss_is_reported_and_removed() {
    let source = "\
model R {
    dim B;
    input x: [B, 4];
    input unused: [B, 4];
    target y: [B, 4];
    target y2: [B, 4];
    param w: [4, 4] = xavier;
    param w3: [4, 4] = xavier;
    node h1 = tanh(x @ w);
    node h2 = tanh(h1 @ w3);
    node h3 = h2 + unused;
    node out = h1 @ w;
    loss mse(out, y);
}
";
    let checked = check(source);
    let warnings: Vec<(String, (usize, usize))> = checked
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.severity, Severity::Warning);
            (d.message.clone(), d.line_col(source))
        })
        .collect();
    let expected = [
        ("vertex `h2` reaches no loss", (10, 10)),
        ("vertex `h3` reaches no loss", (11, 10)),
        ("`unused` is declared but no loss depends on it", (4, 11)),
        ("`y2` is declared but no loss depends on it", (6, 12)),
        ("`w3` is declared but no loss depends on it", (8, 11)),
    ];
    let expected: Vec<(String, (usize, usize))> = expected
        .iter()
        .map(|(m, at)| (m.to_string(), *at))
        .collect();
    assert_eq!(warnings, expected);

    let graph = &checked.graphs[0];
    let expected = "\
model R
  dim B
  input x: [B, 4]
  input unused: [B, 4]
  target y: [B, 4]
  target y2: [B, 4]
  param w: [4, 4] = xavier  # used by h1, out
  node h1: [B, 4] = tanh(x @ w)
  node out: [B, 4] = h1 @ w
  loss mse(out, y): [B, 4] = out
";
    assert_eq!(ir::print_graph(graph), expected);
    let VertexKind::Loss { target, .. } = graph.vertices[6].kind else {
        panic!("a loss")
    };
    assert_eq!(graph.vertex(target).name, "y");
    assert_eq!(graph.vertices[6].parents(), [VertexId(5)]);
}

#[test]
fn losses_keep_everything_they_depend_on() {
    let graph = checked(RNN);
    assert_eq!(graph.vertices.len(), 10);
    assert_eq!(graph.params.len(), 4);
    assert!(check(RNN).diagnostics.is_empty());
}

// No input makes the front end panic.

#[test]
fn odd_trees_give_errors_not_panics() {
    let odd = [
        "model E { }",
        "model E { loss mse(); }",
        "model E { dim B; input x: [B]; target y: [B]; node h = x; loss mse(h, y, y); }",
        "model E { dim B; input x: [B]; target y: [B]; node h = (x + x)[0]; loss mse(h[0], y); }",
        "model E { dim B; input x: [B]; target y: [B]; node h = [B, 2]; loss mse(h, y); }",
        "model E { dim B; input x: [B]; target y: [B]; node h = B * x; loss mse(h, y); }",
        "model E { const N = 2; for t in 0..1000000000000 { } }",
        "model E { for t in 0..400 { for u in 0..400 { let z = t; } } }",
        "model E { const N = 0 - 9223372036854775807 - 1; const M = 0 - N; const D = N / (0 - 1); }",
        "model E { dim B; input x: [B]; target y: [B]; node h = mse(x, y); loss h(x, y); }",
        "model E { dim B; input x: [B]; target y: [B]; node h = leaky_relu(x, 1e308 * 10); loss mse(h, y); }",
        "model E { dim B; input x: [B]; target y: [B]; for t in 0..2 { dim C; input x2: [B]; } loss mse(x2, y); }",
        "model E { dim B; input x: [9223372036854775807, 9223372036854775807]; target y: [B]; node h = flatten(x); loss mse(h, y); }",
        "model E { dim B; input x: [B, 1, 4, 4]; param k: [1, 1, 1, 1] = he; target y: [B]; \
         node h = conv2d(x, k, padding = 9223372036854775807); loss mse(h, y); }",
        "model E { dim B; input x: [B]; target y: [B]; node h[0] = x; node h[1] = h[0]; node g = h; loss mse(h[2], y); }",
    ];
    for source in odd {
        let checked = check(source);
        assert!(checked.has_errors(), "no error for {source}");
        for graph in &checked.graphs {
            let _ = (ir::print_graph(graph), ir::to_dot(graph));
        }
    }
    let (graphs, _) = resolve::lower(&parse(odd[3]));
    let _ = (ir::print_graph(&graphs[0]), ir::to_dot(&graphs[0]));
}

#[test]
fn deeply_nested_lets_are_refused() {
    let mut source = String::from("model D { dim B; input x: [B]; target y: [B]; let l0 = x;");
    for i in 1..300 {
        source.push_str(&format!(" let l{i} = l{} + 1;", i - 1));
    }
    source.push_str(" node h = l299; loss mse(h, y); }");
    let checked = check(&source);
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
    assert!(
        checked.diagnostics[0]
            .message
            .starts_with("`let` bindings nest more than 200 deep")
    );
}

/// A many-to-one RNN over `steps` steps.
fn rnn(steps: usize) -> String {
    format!(
        "model R {{ dim B; const T = {steps}; input xs: [T, B, 2]; target y: [B, 2];
         param wx: [2, 2] = xavier; param wh: [2, 2] = xavier;
         node h[0] = tanh(xs[0] @ wx);
         for t in 1..T {{ node h[t] = tanh(xs[t] @ wx + h[t - 1] @ wh); }}
         loss mse(h[T - 1], y); }}"
    )
}

#[test]
fn unrolling_past_the_limit_is_one_error_at_the_loop() {
    let source = rnn(12_000);
    let checked = check(&source);
    let errors: Vec<&Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].message,
        "the model unrolls to more than 20000 statements"
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some(
            "loops are unrolled at compile time, and every iteration and statement counts; at \
             most 20000 are allowed"
        )
    );
    // The error stands where the limit was passed: inside the loop.
    let loop_start = source.find("for t").expect("the model has a loop");
    assert!(errors[0].span.start > loop_start, "{:?}", errors[0].span);
}

#[test]
fn a_long_rnn_within_the_limit_compiles() {
    let compiled = pc_dsl::compile(&rnn(5_000), &pc_dsl::Config::new()).expect("it compiles");
    let model = &compiled.models[0];
    assert_eq!(model.graph.vertices.len(), 5_000 + 3);
    assert_eq!(model.wavefront.depth, 5_001);
}
