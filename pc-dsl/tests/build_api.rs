//! The build-script API on real files: outputs written only when they change, the directives
//! Cargo reads, rendered errors, and outputs that do not depend on where the build ran.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use pc_dsl::{BuildError, BuildReport, Config};
use tempfile::TempDir;

const LINEAR: &str = "\
/// One linear layer.
model Linear {
    dim B;
    input x: [B, 4];
    target y: [B, 3];
    param w: [4, 3] = xavier;
    node out = x @ w;
    loss cross_entropy(out, y);
}
";

const TWO_LAYERS: &str = "\
model TwoLayers {
    dim B;
    input x: [B, 8];
    target y: [B, 2];
    param w1: [8, 4] = xavier;
    param w2: [4, 2] = xavier;
    node h = tanh(x @ w1);
    node out = h @ w2;
    loss mse(out, y);
}
";

const UNKNOWN_NAME: &str = "\
model UnknownName {
    dim B;
    input x: [B, 4];
    target y: [B, 2];
    param weight: [4, 2] = xavier;
    node out = x @ wieght;
    loss mse(out, y);
}
";

const MATMUL_MISMATCH: &str = "\
model MatmulMismatch {
    dim B;
    input x: [B, 64];
    target y: [B, 10];
    param w: [32, 10] = xavier;
    node out = x @ w;
    loss cross_entropy(out, y);
}
";

const UNUSED: &str = "\
model Unused {
    dim B;
    input x: [B, 4];
    target y: [B, 4];
    param w: [4, 4] = xavier;
    param w3: [4, 4] = xavier;
    node h = tanh(x @ w);
    loss mse(h, y);
}
";

/// A temporary folder with `models/` holding the given files and an empty `out/`.
struct Project {
    dir: TempDir,
}

impl Project {
    fn new(models: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().expect("a temporary folder can be made");
        fs::create_dir(dir.path().join("models")).expect("the models folder can be made");
        fs::create_dir(dir.path().join("out")).expect("the output folder can be made");
        for (name, text) in models {
            fs::write(dir.path().join("models").join(name), text).expect("models can be written");
        }
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn model(&self, name: &str) -> PathBuf {
        self.root().join("models").join(name)
    }

    fn out(&self) -> PathBuf {
        self.root().join("out")
    }

    fn config(&self) -> Config {
        Config::new().out_dir(self.out())
    }

    /// Compiles `paths`, returning the result and the directives written for Cargo.
    fn compile(
        &self,
        config: &Config,
        paths: &[PathBuf],
    ) -> (Result<BuildReport, BuildError>, String) {
        let mut directives = Vec::new();
        let result = config.compile_with_directives(paths, &mut directives);
        let directives = String::from_utf8(directives).expect("directives are UTF-8");
        (result, directives)
    }

    /// The error of a failed build, displayed, with the temporary folder's path as `$DIR`.
    fn error_text(&self, result: Result<BuildReport, BuildError>) -> String {
        match result {
            Ok(report) => panic!("the build must fail, but it wrote {report:?}"),
            Err(error) => error
                .to_string()
                .replace(&self.root().display().to_string(), "$DIR"),
        }
    }
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .expect("generated files have a modification time")
}

#[test]
fn second_run_on_unchanged_inputs_writes_nothing() {
    let project = Project::new(&[("linear.pcg", LINEAR), ("two_layers.pcg", TWO_LAYERS)]);
    let paths = [project.model("linear.pcg"), project.model("two_layers.pcg")];
    let config = project
        .config()
        .also_write_to(project.root().join("generated"));

    let (first, _) = project.compile(&config, &paths);
    let first = first.expect("the models compile");
    let written: Vec<&Path> = first.written().collect();
    assert_eq!(written.len(), 4, "two outputs and two copies: {written:?}");

    // Timestamps are coarse, so a rewrite within the same tick could keep the old one: move
    // them an hour back, and any rewrite shows.
    let past = SystemTime::now() - Duration::from_secs(3600);
    for path in &written {
        let file = fs::File::options()
            .write(true)
            .open(path)
            .expect("outputs open");
        file.set_modified(past).expect("timestamps can be set");
    }
    let before: Vec<SystemTime> = written.iter().map(|path| modified(path)).collect();

    let (second, _) = project.compile(&config, &paths);
    let second = second.expect("the models still compile");
    assert_eq!(second.written().count(), 0, "nothing rewritten: {second:?}");
    assert_eq!(
        second.outputs().collect::<Vec<_>>(),
        first.outputs().collect::<Vec<_>>()
    );
    let after: Vec<SystemTime> = written.iter().map(|path| modified(path)).collect();
    assert_eq!(after, before);
}

#[test]
fn a_changed_input_rewrites_its_output_only() {
    let project = Project::new(&[("linear.pcg", LINEAR), ("two_layers.pcg", TWO_LAYERS)]);
    let paths = [project.model("linear.pcg"), project.model("two_layers.pcg")];
    let config = project.config();
    project
        .compile(&config, &paths)
        .0
        .expect("the models compile");

    let changed = LINEAR.replace("[4, 3] = xavier", "[4, 3] = zeros");
    fs::write(project.model("linear.pcg"), changed).expect("models can be written");
    let (report, _) = project.compile(&config, &paths);
    let report = report.expect("the models compile");
    assert_eq!(
        report.written().collect::<Vec<_>>(),
        [project.out().join("linear.rs")]
    );
}

#[test]
fn report_lists_each_input_with_its_output() {
    let project = Project::new(&[("linear.pcg", LINEAR), ("two_layers.pcg", TWO_LAYERS)]);
    let paths = [project.model("two_layers.pcg"), project.model("linear.pcg")];
    let (report, _) = project.compile(&project.config(), &paths);
    let report = report.expect("the models compile");

    let files: Vec<(&Path, &Path, bool)> = report
        .files
        .iter()
        .map(|file| {
            (
                file.input.as_path(),
                file.output.path.as_path(),
                file.output.written,
            )
        })
        .collect();
    let outputs = [
        project.out().join("two_layers.rs"),
        project.out().join("linear.rs"),
    ];
    assert_eq!(
        files,
        [
            (paths[0].as_path(), outputs[0].as_path(), true),
            (paths[1].as_path(), outputs[1].as_path(), true),
        ]
    );
    assert!(report.files.iter().all(|file| file.copy.is_none()));
}

#[test]
fn rerun_directives_name_every_input() {
    let project = Project::new(&[("linear.pcg", LINEAR), ("two_layers.pcg", TWO_LAYERS)]);
    let paths = [project.model("linear.pcg"), project.model("two_layers.pcg")];
    let (report, directives) = project.compile(&project.config(), &paths);
    report.expect("the models compile");

    let expected: String = paths
        .iter()
        .map(|path| format!("cargo:rerun-if-changed={}\n", path.display()))
        .collect();
    assert_eq!(directives, expected);
}

#[test]
fn rerun_directives_name_inputs_that_fail() {
    let project = Project::new(&[("linear.pcg", LINEAR), ("bad.pcg", UNKNOWN_NAME)]);
    let paths = [
        project.model("missing.pcg"),
        project.model("bad.pcg"),
        project.model("linear.pcg"),
    ];
    let (result, directives) = project.compile(&project.config(), &paths);
    assert!(result.is_err());

    let expected: String = paths
        .iter()
        .map(|path| format!("cargo:rerun-if-changed={}\n", path.display()))
        .collect();
    assert_eq!(directives, expected);
}

#[test]
fn warnings_become_cargo_warnings() {
    let project = Project::new(&[("unused.pcg", UNUSED)]);
    let paths = [project.model("unused.pcg")];
    let (report, directives) = project.compile(&project.config(), &paths);
    report.expect("warnings do not stop the build");

    let directives = directives.replace(&project.root().display().to_string(), "$DIR");
    assert_eq!(
        directives,
        "\
cargo:rerun-if-changed=$DIR/models/unused.pcg
cargo:warning=warning: `w3` is declared but no loss depends on it
cargo:warning=  ┌─ $DIR/models/unused.pcg:6:11
cargo:warning=  │
cargo:warning=6 │     param w3: [4, 4] = xavier;
cargo:warning=  │           ^^
cargo:warning=  │
cargo:warning=  = help: it is left out of the model's parameters
"
    );
}

#[test]
fn model_errors_are_rendered_with_file_line_column_and_caret() {
    let project = Project::new(&[("bad.pcg", UNKNOWN_NAME)]);
    let (result, _) = project.compile(&project.config(), &[project.model("bad.pcg")]);
    assert_eq!(
        project.error_text(result),
        "\
error: unknown name `wieght`
  ┌─ $DIR/models/bad.pcg:6:20
  │
6 │     node out = x @ wieght;
  │                    ^^^^^^
  │
  = help: did you mean `weight`?

error: could not compile `$DIR/models/bad.pcg`"
    );
}

#[test]
fn missing_input_is_an_error_naming_it() {
    let project = Project::new(&[]);
    let (result, _) = project.compile(&project.config(), &[project.model("missing.pcg")]);
    let text = project.error_text(result);
    assert!(
        text.starts_with("error: `$DIR/models/missing.pcg`: "),
        "the error names the file: {text}"
    );
}

#[test]
fn several_bad_files_report_all_their_errors() {
    let project = Project::new(&[
        ("unknown.pcg", UNKNOWN_NAME),
        ("linear.pcg", LINEAR),
        ("mismatch.pcg", MATMUL_MISMATCH),
    ]);
    let paths = [
        project.model("unknown.pcg"),
        project.model("linear.pcg"),
        project.model("missing.pcg"),
        project.model("mismatch.pcg"),
    ];
    let (result, _) = project.compile(&project.config(), &paths);
    let text = project.error_text(result);
    for expected in [
        "error: unknown name `wieght`\n  ┌─ $DIR/models/unknown.pcg:6:20\n",
        "error: could not compile `$DIR/models/unknown.pcg`\n",
        "error: `$DIR/models/missing.pcg`: ",
        "  ┌─ $DIR/models/mismatch.pcg:6:16\n",
        "error: could not compile `$DIR/models/mismatch.pcg`\n",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` is missing from:\n{text}"
        );
    }
    assert!(
        !text.contains("linear.pcg"),
        "the good file is not an error:\n{text}"
    );
    // The good file is still compiled.
    assert!(project.out().join("linear.rs").is_file());
}

#[test]
fn generated_code_holds_no_absolute_path() {
    let project = Project::new(&[("linear.pcg", LINEAR)]);
    let config = project
        .config()
        .also_write_to(project.root().join("generated"));
    let (report, _) = project.compile(&config, &[project.model("linear.pcg")]);
    let report = report.expect("the model compiles");

    let rust = fs::read_to_string(project.out().join("linear.rs")).expect("the output exists");
    let root = project.root().display().to_string();
    assert!(!rust.contains(&root), "`{root}` appears in:\n{rust}");
    assert!(!rust.contains("/models/"), "a path appears in:\n{rust}");
    assert!(rust.starts_with("// @generated by pc-dsl "));
    assert!(
        rust.lines()
            .next()
            .is_some_and(|line| line.contains("`linear.pcg`"))
    );
    assert_eq!(report.files.len(), 1);
}

#[test]
fn also_write_to_writes_the_same_bytes() {
    let project = Project::new(&[("linear.pcg", LINEAR), ("two_layers.pcg", TWO_LAYERS)]);
    let paths = [project.model("linear.pcg"), project.model("two_layers.pcg")];
    // The folder does not exist yet: the build makes it.
    let generated = project.root().join("src").join("generated");
    let config = project.config().also_write_to(&generated);
    let (report, _) = project.compile(&config, &paths);
    let report = report.expect("the models compile");

    for (file, stem) in report.files.iter().zip(["linear", "two_layers"]) {
        let copy = file.copy.as_ref().expect("a copy is written");
        assert_eq!(copy.path, generated.join(format!("{stem}.rs")));
        assert!(copy.written);
        let output = fs::read(&file.output.path).expect("the output exists");
        let copied = fs::read(&copy.path).expect("the copy exists");
        assert_eq!(copied, output);
    }
}

#[test]
fn no_output_folder_is_an_error() {
    // Tests do not run as build scripts, so Cargo sets no OUT_DIR for them.
    assert!(std::env::var_os("OUT_DIR").is_none());
    let project = Project::new(&[("linear.pcg", LINEAR)]);
    let (result, directives) = project.compile(&Config::new(), &[project.model("linear.pcg")]);
    assert_eq!(
        project.error_text(result),
        "error: OUT_DIR is not set: run from a build script or use `Config::out_dir`"
    );
    assert_eq!(directives, "");
}

#[test]
fn two_inputs_of_one_name_are_an_error_rather_than_one_overwriting_the_other() {
    let project = Project::new(&[("linear.pcg", LINEAR)]);
    fs::create_dir(project.root().join("other")).expect("a second folder can be made");
    let second = project.root().join("other/linear.pcg");
    fs::write(&second, TWO_LAYERS).expect("models can be written");

    let (result, directives) =
        project.compile(&project.config(), &[project.model("linear.pcg"), second]);

    assert_eq!(
        project.error_text(result),
        "error: `$DIR/models/linear.pcg` and `$DIR/other/linear.pcg` would both be written to \
         `$DIR/out/linear.rs`: rename one of them"
    );
    assert_eq!(directives.matches("cargo:rerun-if-changed=").count(), 2);
    // The first input is still compiled, and nothing of the second reached its output.
    let output = fs::read_to_string(project.out().join("linear.rs")).expect("the first is written");
    assert!(output.contains("pub struct Linear"));
    assert!(!output.contains("TwoLayers"));
}
