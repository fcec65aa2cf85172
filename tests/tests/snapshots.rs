//! Snapshots of what the compiler makes of every fixture: the IR after each pass, both Z-IL
//! schedules, the derived gradients and the generated Rust of every pass fixture, and the
//! rendered diagnostics of every fail and warn fixture. A snapshot with no fixture fails.

use std::path::{Path, PathBuf};

use pc_dsl::diag::render_all;
use pc_dsl::passes::{gradients, reach, resolve, schedule, shapes};
use pc_dsl::{Config, ir};

fn fixtures(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pcg"))
        .collect();
    paths.sort();
    paths
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The IR after resolve, after shapes and after reach, one section each.
fn ir_after_each_pass(source: &str) -> String {
    let file = pc_dsl::syntax::parse(source).expect("pass fixtures parse");
    let (graphs, diagnostics) = resolve::lower(&file);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    let mut out = String::new();
    for mut graph in graphs {
        out.push_str("== after resolve\n");
        out.push_str(&ir::print_graph(&graph));
        let errors = shapes::infer_shapes(&mut graph);
        assert!(errors.iter().all(|d| !d.is_error()), "{errors:?}");
        out.push_str("\n== after shapes\n");
        out.push_str(&ir::print_graph(&graph));
        reach::prune_unreachable(&mut graph);
        out.push_str("\n== after reach\n");
        out.push_str(&ir::print_graph(&graph));
    }
    out
}

#[test]
fn pass_fixtures() {
    let config = Config::new();
    for path in fixtures("pass") {
        let name = stem(&path);
        let source = read(&path);
        let compiled = pc_dsl::compile(&source, &config).unwrap_or_else(|diagnostics| {
            panic!(
                "{}",
                render_all(&diagnostics, &path.display().to_string(), &source)
            )
        });
        insta::assert_snapshot!(format!("{name}.ir"), ir_after_each_pass(&source));

        let mut levelled = String::new();
        let mut schedules = String::new();
        let mut grads = String::new();
        for model in &compiled.models {
            levelled.push_str(&ir::print_graph(&model.graph));
            schedules.push_str(&schedule::print_schedule(&model.graph, &model.wavefront));
            schedules.push('\n');
            schedules.push_str(&schedule::print_schedule(&model.graph, &model.full));
            grads.push_str(&gradients::print_gradients(&model.graph, &model.programs));
        }
        insta::assert_snapshot!(format!("{name}.levelled"), levelled);
        insta::assert_snapshot!(format!("{name}.schedule"), schedules);
        insta::assert_snapshot!(format!("{name}.grads"), grads);
        insta::assert_snapshot!(
            format!("{name}.emit"),
            compiled.rust(&format!("{name}.pcg"), &config)
        );
    }
}

#[test]
fn fail_fixtures() {
    for path in fixtures("fail") {
        let name = stem(&path);
        let source = read(&path);
        let diagnostics = match pc_dsl::compile(&source, &Config::new()) {
            Ok(_) => panic!("fail fixture `{name}` compiled"),
            Err(diagnostics) => diagnostics,
        };
        assert!(
            diagnostics.iter().any(|d| d.is_error()),
            "`{name}` has no error"
        );
        let rendered = render_all(&diagnostics, &format!("{name}.pcg"), &source);
        insta::assert_snapshot!(format!("{name}.diagnostics"), rendered);
    }
}

#[test]
fn warn_fixtures() {
    for path in fixtures("warn") {
        let name = stem(&path);
        let source = read(&path);
        let compiled = pc_dsl::compile(&source, &Config::new())
            .unwrap_or_else(|d| panic!("warn fixture `{name}` has errors: {d:?}"));
        assert!(!compiled.warnings.is_empty(), "`{name}` has no warning");
        let rendered = render_all(&compiled.warnings, &format!("{name}.pcg"), &source);
        insta::assert_snapshot!(format!("{name}.diagnostics"), rendered);
    }
}

#[test]
fn every_snapshot_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut stems: Vec<String> = ["pass", "fail", "warn"]
        .iter()
        .flat_map(|folder| fixtures(folder))
        .map(|path| stem(&path))
        .collect();
    stems.sort();
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        // Files are named `snapshots__<fixture>.<view>.snap`.
        let fixture = file
            .strip_prefix("snapshots__")
            .and_then(|rest| rest.split('.').next())
            .unwrap_or_default()
            .to_string();
        assert!(
            stems.binary_search(&fixture).is_ok(),
            "snapshot `{file}` belongs to no fixture: delete it"
        );
    }
}
