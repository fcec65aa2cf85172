//! What `pc_model!` expands to, read as tokens: generated code with the user's docs, the file
//! form, and errors with stubs. `tests/ui` in `pc-macros` shows the same through rustc.

use pc_dsl::Config;
use pc_dsl::expand::pc_model;
use proc_macro2::TokenStream;

fn expand(text: &str) -> String {
    pc_model(text.parse::<TokenStream>().expect("the test text lexes")).to_string()
}

/// The messages of the `compile_error!`s in an expansion.
fn errors(expanded: &str) -> Vec<String> {
    expanded
        .split("compile_error !")
        .skip(1)
        .map(|rest| {
            let start = rest.find('"').expect("a message") + 1;
            let end = start + rest[start..].find("\" }").expect("the message ends");
            rest[start..end].replace("\\n", "\n").replace("\\\"", "\"")
        })
        .collect()
}

const DOCUMENTED: &str = "
    /// A classifier.
    /// Two lines.
    model Documented {
        dim B;
        input x: [B, 4];
        target y: [B, 3];
        /// The weights.
        param w: [4, 3] = xavier;
        node out = x @ w;
        loss mse(out, y);
    }
";

#[test]
fn doc_comments_reach_the_struct_and_its_fields() {
    let expanded = expand(DOCUMENTED);
    let model = "# [doc = \" A classifier.\"] # [doc = \" Two lines.\"] # [derive";
    assert!(expanded.contains(model), "{expanded}");
    assert!(
        expanded.contains("# [doc = \" The weights.\"] pub w :"),
        "{expanded}"
    );
}

#[test]
fn the_file_form_compiles_the_file_and_tracks_it() {
    let path = "../tests/fixtures/pass/mlp.pcg";
    let expanded = expand(&format!("file = \"{path}\""));
    let track = format!(
        "const _ : & str = include_str ! (concat ! (env ! (\"CARGO_MANIFEST_DIR\") , \"/\" , \"{path}\")) ;"
    );
    assert!(expanded.starts_with(&track), "{expanded}");

    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/pass/mlp.pcg"
    ))
    .expect("the fixture is readable");
    let config = Config::new();
    let compiled = pc_dsl::compile(&source, &config).expect("the fixture compiles");
    assert_eq!(
        expanded[track.len()..].trim(),
        compiled.tokens(&config).to_string()
    );
    assert!(
        !expanded.contains(env!("CARGO_MANIFEST_DIR")),
        "no absolute path"
    );
}

#[test]
fn errors_in_a_file_are_rendered_with_line_column_and_caret() {
    let expanded = expand("file = \"../tests/fixtures/fail/several_errors.pcg\"");
    let errors = errors(&expanded);
    assert_eq!(errors.len(), 3, "{expanded}");
    assert!(
        errors[0].starts_with("unknown name `missing`"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("../tests/fixtures/fail/several_errors.pcg:6:23"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("^^^^^^^"), "{}", errors[0]);
    assert!(
        expanded.contains("pub struct SeveralErrors"),
        "a stub: {expanded}"
    );
}

#[test]
fn a_file_with_syntax_errors_still_has_a_stub() {
    let expanded = expand("file = \"../tests/fixtures/fail/syntax_error.pcg\"");
    assert_eq!(errors(&expanded).len(), 1, "{expanded}");
    assert!(expanded.contains("pub struct Broken"), "{expanded}");
}

#[test]
fn a_bad_file_form_is_an_error_on_its_tokens() {
    let missing = errors(&expand("file = \"models/none.pcg\""));
    assert_eq!(missing.len(), 1);
    assert!(
        missing[0].starts_with("cannot read `models/none.pcg`: "),
        "{}",
        missing[0]
    );
    assert_eq!(errors(&expand("file = 3")), ["expected string literal"]);
    assert_eq!(
        errors(&expand("file = \"a.pcg\" more")),
        ["unexpected token"]
    );
}

#[test]
fn every_error_is_reported_next_to_one_stub_per_model() {
    let text = "
        model Twice {
            dim B;
            input x: [B, 4];
            target y: [B, 4];
            param w: [4, 4] = xavier;
            node h = tanh(x @ w);
            node h = tanh(h @ w);
            loss mse(h, y);
        }
        model Twice {
            input x: [4];
            node o = x;
            loss mse(o, q);
        }
    ";
    let expanded = expand(text);
    let errors = errors(&expanded);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].starts_with("`h` is defined twice\nnote: `h`, line 7: first defined here"));
    assert_eq!(
        expanded.matches("pub struct Twice").count(),
        1,
        "{expanded}"
    );
    assert!(
        expanded.contains("pub w : :: pc_runtime :: Tensor < S >"),
        "{expanded}"
    );
}
