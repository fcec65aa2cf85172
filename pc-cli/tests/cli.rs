//! The `pcg` binary run as a user runs it: exit statuses, located diagnostics, and the content
//! of every view on the shared fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of `pcg` left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn pcg(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_pcg"))
        .args(args)
        .output()
        .expect("the pcg binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `pcg` and insists on exit status 0.
fn pcg_ok(args: &[&str]) -> String {
    let run = pcg(args);
    assert_eq!(run.code, Some(0), "pcg {args:?} failed:\n{}", run.stderr);
    run.stdout
}

fn fixture(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    root.join(path).display().to_string()
}

fn fixtures(folder: &str) -> Vec<String> {
    let dir = PathBuf::from(fixture(folder));
    let mut paths: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pcg"))
        .map(|path| path.display().to_string())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
}

/// The name of every model a file defines, read from the `model NAME` lines of `pcg ir`.
fn model_names(ir: &str) -> Vec<&str> {
    ir.lines()
        .filter_map(|line| line.strip_prefix("model "))
        .collect()
}

/// The vertex names of an IR printout: the word after the kind, up to `:`, or the loss call.
fn vertices(ir: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in ir.lines().map(str::trim_start) {
        let Some((kind, rest)) = line.split_once(' ') else {
            continue;
        };
        let name = match kind {
            "input" | "target" | "node" | "identity" => rest.split([':', ' ']).next(),
            "loss" => rest.split(':').next(),
            _ => None,
        };
        names.extend(name.map(str::to_owned));
    }
    names
}

/// The parameter names of an IR printout.
fn params(ir: &str) -> Vec<&str> {
    ir.lines()
        .filter_map(|line| line.trim_start().strip_prefix("param "))
        .filter_map(|rest| rest.split(':').next())
        .collect()
}

/// Checks that every `file:line:col` in rendered diagnostics points where its caret does: the
/// quoted source line is line `line` of the file, and the first caret under it is in column
/// `col`. Returns how many locations it checked.
fn assert_located(stderr: &str, path: &str) -> usize {
    let source = std::fs::read_to_string(path).expect("fixture reads");
    let lines: Vec<&str> = stderr.lines().collect();
    let mut checked = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(location) = line.split_once(&format!("{path}:")).map(|(_, l)| l) else {
            continue;
        };
        let (row, col) = location.split_once(':').expect("line:col");
        let (row, col): (usize, usize) = (row.parse().unwrap(), col.parse().unwrap());
        let quoted = format!("{row} │ ");
        let at = (i..lines.len())
            .find(|&j| lines[j].trim_start().starts_with(&quoted))
            .unwrap_or_else(|| panic!("line {row} is not quoted:\n{stderr}"));
        let text = lines[at].split_once("│ ").map_or("", |(_, text)| text);
        assert_eq!(text, source.lines().nth(row - 1).unwrap(), "{stderr}");

        let caret = lines[at + 1..]
            .iter()
            .find(|l| l.contains('^'))
            .unwrap_or_else(|| panic!("no caret under line {row}:\n{stderr}"));
        let under = caret.split_once("│ ").map_or("", |(_, under)| under);
        assert_eq!(
            under.find('^'),
            Some(col - 1),
            "caret not at column {col}:\n{stderr}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn check_accepts_pass_and_warn_fixtures() {
    for path in fixtures("pass").iter().chain(&fixtures("warn")) {
        let run = pcg(&["check", path]);
        assert_eq!(run.code, Some(0), "{path}:\n{}", run.stderr);
        assert!(run.stdout.ends_with("`: ok\n"), "{path}: {}", run.stdout);
        assert!(!run.stderr.contains("error"), "{path}:\n{}", run.stderr);
    }
}

#[test]
fn check_reports_warnings_located_on_stderr() {
    let path = fixture("warn/unused.pcg");
    let run = pcg(&["check", &path]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stdout, "`Unused`: ok\n");
    assert!(
        run.stderr
            .contains("warning: vertex `dead` reaches no loss")
    );
    assert!(
        run.stderr
            .contains("warning: `w3` is declared but no loss depends on it")
    );
    assert_eq!(assert_located(&run.stderr, &path), 2);
}

#[test]
fn check_rejects_fail_fixtures_with_located_diagnostics() {
    for path in fixtures("fail") {
        let run = pcg(&["check", &path]);
        assert_eq!(run.code, Some(1), "{path} passed:\n{}", run.stdout);
        assert!(run.stdout.is_empty(), "{path}: {}", run.stdout);
        assert!(run.stderr.starts_with("error: "), "{path}:\n{}", run.stderr);
        assert!(
            assert_located(&run.stderr, &path) >= 1,
            "{path}:\n{}",
            run.stderr
        );

        let errors = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count()
            - 1;
        let plural = if errors == 1 { "" } else { "s" };
        let summary = format!("error: `{path}` has {errors} error{plural}\n");
        assert!(run.stderr.ends_with(&summary), "{path}:\n{}", run.stderr);
    }
}

#[test]
fn check_reports_every_error_of_a_file() {
    let path = fixture("fail/several_errors.pcg");
    let run = pcg(&["check", &path]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains(&format!("{path}:6:23")));
    assert!(run.stderr.contains("error: unknown name `missing`"));
    assert!(
        run.stderr
            .contains("error: `sigmoid` takes 1 argument, found 2")
    );
    assert!(run.stderr.contains("error: unknown function `unknown`"));
    assert!(run.stderr.ends_with("has 3 errors\n"));
    assert_eq!(assert_located(&run.stderr, &path), 3);
}

#[test]
fn every_view_fails_on_a_file_with_errors() {
    let path = fixture("fail/unknown_name.pcg");
    for args in [
        vec!["ir"],
        vec!["ir", "--after", "resolve"],
        vec!["dot"],
        vec!["schedule"],
        vec!["grads"],
        vec!["emit"],
    ] {
        let run = pcg(&[&args[..], &[path.as_str()]].concat());
        assert_eq!(run.code, Some(1), "{args:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!("{path}:6:20")),
            "{args:?}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_missing_file_exits_2() {
    let run = pcg(&["check", "no/such/model.pcg"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .starts_with("error: cannot read `no/such/model.pcg`: "),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn ir_prints_every_pass_fixture_levelled() {
    for path in fixtures("pass") {
        let ir = pcg_ok(&["ir", &path]);
        let source = std::fs::read_to_string(&path).unwrap();
        let name = model_names(&ir);
        assert_eq!(name.len(), 1, "{path}:\n{ir}");
        assert!(source.contains(&format!("model {} {{", name[0])), "{path}");

        for param in params(&ir) {
            assert!(
                source.contains(&format!("param {param}:")),
                "{path}: {param}"
            );
        }
        for line in ir
            .lines()
            .filter(|l| l.starts_with("  node ") || l.starts_with("  loss "))
        {
            let vertex = vertices(line).remove(0);
            assert!(line.contains(&format!(" {vertex}: [")), "no shape: {line}");
            assert!(line.contains("  # level "), "no level: {line}");
        }
        assert!(
            ir.lines().any(|l| l.ends_with("# level 0")),
            "{path}:\n{ir}"
        );
    }
}

#[test]
fn ir_of_residual_shows_identity_vertices_unless_levelling_is_off() {
    let path = fixture("pass/residual.pcg");
    let levelled = pcg_ok(&["ir", &path]);
    assert!(levelled.contains("  identity h0.id1: [B, 16] = h0  # level 4\n"));
    assert!(levelled.contains("  identity h0.id2: [B, 16] = h0.id1  # level 3\n"));
    assert!(levelled.contains("  node h3: [B, 16] = h2 + h0.id2 + tanh(h2 @ w3)  # level 2\n"));

    let off = pcg_ok(&["ir", "--levelling", "off", &path]);
    assert!(!off.contains("identity"), "{off}");
    assert!(off.contains("  node h3: [B, 16] = h2 + h0 + tanh(h2 @ w3)  # level 2\n"));
    let without: Vec<String> = vertices(&levelled)
        .into_iter()
        .filter(|v| !v.contains(".id"))
        .collect();
    assert_eq!(vertices(&off), without);

    // Wavefront levelling inserts identities only at joins of different levels, as here.
    let wavefront = pcg_ok(&["ir", "--levelling", "wavefront", &path]);
    assert!(wavefront.contains("identity h0.id"), "{wavefront}");
}

#[test]
fn ir_after_each_pass_before_levelling() {
    let path = fixture("warn/unused.pcg");

    let resolved = pcg_ok(&["ir", "--after", "resolve", &path]);
    assert!(resolved.contains("  node h = tanh(x @ w)\n"), "{resolved}");
    assert!(resolved.contains("  node dead = tanh(h @ w3)\n"));
    assert!(!resolved.contains("level"));

    let shaped = pcg_ok(&["ir", "--after", "shapes", &path]);
    assert!(
        shaped.contains("  node h: [B, 4] = tanh(x @ w)\n"),
        "{shaped}"
    );
    assert!(shaped.contains("  node dead: [B, 4] = tanh(h @ w3)\n"));
    assert!(shaped.contains("  param w3: [4, 4] = xavier  # used by dead\n"));

    let run = pcg(&["ir", "--after", "reach", &path]);
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("  node h: [B, 4] = tanh(x @ w)\n"));
    assert!(
        !run.stdout.contains("dead") && !run.stdout.contains("w3"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("level"));
    assert!(
        run.stderr
            .contains("warning: vertex `dead` reaches no loss")
    );

    let levelled = pcg_ok(&["ir", "--after", "level", &path]);
    assert_eq!(levelled, pcg_ok(&["ir", &path]));
    assert!(levelled.contains("  node h: [B, 4] = tanh(x @ w)  # level 1\n"));
}

#[test]
fn dot_draws_every_vertex_of_the_ir() {
    for path in fixtures("pass") {
        let ir = pcg_ok(&["ir", &path]);
        let dot = pcg_ok(&["dot", &path]);
        let name = model_names(&ir)[0];
        assert!(
            dot.starts_with(&format!("digraph \"{name}\" {{\n")),
            "{path}:\n{dot}"
        );
        assert!(dot.ends_with("}\n"), "{path}");
        assert_balanced(&dot);

        for vertex in vertices(&ir).iter().map(String::as_str).chain(params(&ir)) {
            assert!(
                dot.contains(&format!("[label=\"{vertex}\\n")),
                "{path}: no {vertex}"
            );
        }
        let declared: Vec<&str> = dot
            .lines()
            .filter(|l| l.contains(" [label="))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert_eq!(declared.len(), vertices(&ir).len() + params(&ir).len());
        for edge in dot.lines().filter(|l| l.contains(" -> ")) {
            let (from, to) = edge.trim().split_once(" -> ").unwrap();
            let to = to.trim_end_matches(';').split(' ').next().unwrap();
            assert!(declared.contains(&from) && declared.contains(&to), "{edge}");
        }
    }
}

/// Braces outside quoted strings pair up.
fn assert_balanced(dot: &str) {
    let (mut depth, mut quoted, mut escaped) = (0_i32, false, false);
    for c in dot.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted => depth -= 1,
            _ => {}
        }
        assert!(depth >= 0, "`}}` before its `{{`:\n{dot}");
    }
    assert_eq!((depth, quoted), (0, false), "unbalanced:\n{dot}");
}

#[test]
fn dot_of_residual_marks_identity_vertices() {
    let path = fixture("pass/residual.pcg");
    let dot = pcg_ok(&["dot", &path]);
    for id in ["h0.id1", "h0.id2"] {
        let line = dot
            .lines()
            .find(|l| l.contains(&format!("\"{id}\\n")))
            .unwrap();
        assert!(line.ends_with("shape=ellipse, style=dashed];"), "{line}");
    }
    let off = pcg_ok(&["dot", "--levelling", "off", &path]);
    assert!(
        !off.contains(".id") && !off.contains("ellipse, style=dashed"),
        "{off}"
    );
}

#[test]
fn schedule_in_both_modes() {
    for path in fixtures("pass") {
        let ir = pcg_ok(&["ir", &path]);
        let name = model_names(&ir)[0];
        for mode in ["wavefront", "full"] {
            let schedule = pcg_ok(&["schedule", "--mode", mode, &path]);
            let header = format!("z-il {mode} schedule of `{name}`: ");
            let steps = schedule
                .strip_prefix(&header)
                .and_then(|rest| rest.split_once(" steps\n"))
                .and_then(|(n, _)| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("{path} {mode}:\n{schedule}"));
            let listed: Vec<&str> = schedule
                .lines()
                .filter(|l| l.starts_with("step "))
                .collect();
            let expected: Vec<String> = (0..steps).map(|i| format!("step {i}")).collect();
            assert_eq!(listed, expected, "{path} {mode}");

            let reads: String = schedule
                .lines()
                .filter_map(|l| l.strip_prefix("  read:"))
                .flat_map(|l| l.split(',').map(str::trim))
                .map(|p| format!("{p} "))
                .collect();
            for param in params(&ir) {
                assert!(
                    reads.contains(&format!("{param} ")),
                    "{path} {mode}: {param} unread"
                );
            }
        }
    }
}

#[test]
fn schedule_of_residual() {
    let path = fixture("pass/residual.pcg");
    let wavefront = pcg_ok(&["schedule", &path]);
    assert_eq!(
        wavefront,
        pcg_ok(&["schedule", "--mode", "wavefront", &path])
    );
    assert!(wavefront.starts_with("z-il wavefront schedule of `Residual`: 6 steps\n"));
    assert!(wavefront.contains("step 2\n  errors:  h3\n  read:    w3\n  update:  h0.id2*, h2\n"));
    assert!(
        wavefront.ends_with("(* identity vertex, ~ prediction recomputed from moved parents)\n")
    );

    // Full mode relaxes every value node at every step: the shared work is listed once,
    // then what each step reads.
    let full = pcg_ok(&["schedule", "--mode", "full", &path]);
    let every = "every step\n  errors:  ~h0, ~h0.id1*, ~h0.id2*, ~h1, ~h2, ~h3, ~out, ~mse(out, y)\n  \
                 update:  h0, h0.id1*, h0.id2*, h1, h2, h3, out\nstep 0\n";
    assert!(full.contains(every), "{full}");
    assert!(full.contains("step 2\n  read:    w3\nstep 3\n"), "{full}");
}

#[test]
fn grads_derive_every_vertex_and_parameter() {
    for path in fixtures("pass") {
        let ir = pcg_ok(&["ir", &path]);
        let grads = pcg_ok(&["grads", &path]);
        assert!(grads.starts_with(&format!("gradients of `{}`\n", model_names(&ir)[0])));
        for line in ir.lines().filter(|l| l.starts_with("  node ")) {
            let vertex = vertices(line).remove(0);
            assert!(
                grads.contains(&format!("\n  dF/dx({vertex}) = ")),
                "{path}: {vertex}"
            );
            assert!(grads.contains(&format!("\n  e({vertex}) = x({vertex}) - mu({vertex})\n")));
        }
        for param in params(&ir) {
            assert!(
                grads.contains(&format!("\ndL/d{param} = ")),
                "{path}: {param}"
            );
        }
    }

    let mlp = pcg_ok(&["grads", &fixture("pass/mlp.pcg")]);
    assert!(
        mlp.contains("dL/dw3 = -(transpose(h2) @ e(out))\n"),
        "{mlp}"
    );
}

#[test]
fn emit_prints_rust_that_parses() {
    for path in fixtures("pass") {
        let name = model_names(&pcg_ok(&["ir", &path]))[0].to_owned();
        let rust = pcg_ok(&["emit", &path]);
        let file_name = Path::new(&path).file_name().unwrap().to_str().unwrap();
        let header = rust.lines().next().unwrap();
        assert!(header.starts_with("// @generated") && header.contains(&format!("`{file_name}`")));

        let file = syn::parse_file(&rust).unwrap_or_else(|e| panic!("{path}: {e}"));
        let structs: Vec<String> = file
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) => Some(s.ident.to_string()),
                _ => None,
            })
            .collect();
        assert!(
            structs.contains(&name),
            "{path}: no `{name}` in {structs:?}"
        );
        assert!(rust.contains(&format!("pub struct {name}<S: ::pc_runtime::Scalar = f32>")));
    }
}

/// A file with two models, written once for the tests that select one.
fn two_models() -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-two-models.pcg");
    let read = |name: &str| std::fs::read_to_string(fixture(name)).unwrap();
    let text = read("pass/mlp.pcg") + "\n" + &read("pass/gated.pcg");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn model_selects_one_model_of_a_file() {
    let path = two_models();
    assert_eq!(model_names(&pcg_ok(&["ir", &path])), ["Mlp", "Gated"]);
    assert_eq!(pcg_ok(&["check", &path]), "`Mlp`: ok\n`Gated`: ok\n");

    let gated = pcg_ok(&["ir", "--model", "Gated", &path]);
    assert_eq!(gated, pcg_ok(&["ir", &fixture("pass/gated.pcg")]));
    let resolved = pcg_ok(&["ir", "--after", "resolve", "--model", "Mlp", &path]);
    assert_eq!(model_names(&resolved), ["Mlp"]);

    let dot = pcg_ok(&["dot", "--model", "Gated", &path]);
    assert!(dot.starts_with("digraph \"Gated\" {") && !dot.contains("Mlp"));
    let schedule = pcg_ok(&["schedule", "--model", "Mlp", &path]);
    assert!(
        schedule.starts_with("z-il wavefront schedule of `Mlp`") && !schedule.contains("Gated")
    );
    let grads = pcg_ok(&["grads", "--model", "Gated", &path]);
    assert_eq!(grads.matches("gradients of ").count(), 1);

    let rust = pcg_ok(&["emit", "--model", "Gated", &path]);
    let file = syn::parse_file(&rust).expect("the emitted Rust parses");
    assert!(!file.items.is_empty());
    assert!(rust.contains("pub struct Gated<") && !rust.contains("pub struct Mlp<"));
}

#[test]
fn an_unknown_model_is_a_plain_error() {
    let path = two_models();
    for args in [vec!["ir"], vec!["ir", "--after", "shapes"], vec!["emit"]] {
        let run = pcg(&[&args[..], &["--model", "Nope", path.as_str()]].concat());
        assert_eq!(run.code, Some(1), "{args:?}");
        assert!(run.stdout.is_empty());
        let expected = format!("error: `{path}` has no model `Nope`; it defines `Mlp`, `Gated`\n");
        assert_eq!(run.stderr, expected, "{args:?}");
    }
}
