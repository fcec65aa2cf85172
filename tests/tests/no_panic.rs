//! No input makes the compiler panic: random and mutated model texts go through parse, lower,
//! check and compile, and each gives either a result or diagnostics; those that are Rust
//! tokens also go through what `pc_model!` expands them to.

use std::path::Path;

use pc_dsl::Config;
use proptest::prelude::*;

/// Every pass and fail fixture, the seeds of the mutations.
fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut texts = Vec::new();
    for folder in ["pass", "fail", "warn"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(folder))
            .expect("fixture folders exist")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        paths.sort();
        texts.extend(
            paths
                .iter()
                .filter_map(|path| std::fs::read_to_string(path).ok()),
        );
    }
    texts
}

/// Compiles a text and checks the outcome is coherent: errors come with diagnostics that lie
/// inside the text. A text that is Rust tokens is also expanded as the macro would.
fn compile_never_panics(source: &str) {
    if let Ok(tokens) = source.parse::<proc_macro2::TokenStream>() {
        let expanded = pc_dsl::expand::pc_model(tokens);
        assert!(
            !expanded.is_empty(),
            "the macro expands to something: {source}"
        );
    }
    match pc_dsl::compile(source, &Config::new()) {
        Ok(compiled) => {
            let rust = compiled.rust("fuzz.pcg", &Config::new());
            if let Err(error) = syn::parse_file(&rust) {
                panic!("the generated Rust does not parse: {error}\n{source}");
            }
        }
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(|d| d.is_error()));
            for diagnostic in &diagnostics {
                assert!(
                    diagnostic.span.start <= source.len() && diagnostic.span.end <= source.len()
                );
                let _ = diagnostic.render("fuzz.pcg", source);
            }
        }
    }
}

/// A mutation of a text: delete, insert, duplicate or swap a range, or truncate.
#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    Duplicate(usize, usize),
    Truncate(usize),
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let bytes = text.as_bytes();
    let at = |i: usize| i % (bytes.len() + 1);
    let mut out = bytes.to_vec();
    match mutation {
        Mutation::Delete(start, len) => {
            let start = at(*start);
            let end = (start + len).min(bytes.len());
            out.drain(start..end);
        }
        Mutation::Insert(position, piece) => {
            let position = at(*position);
            out.splice(position..position, piece.bytes());
        }
        Mutation::Duplicate(start, len) => {
            let start = at(*start);
            let end = (start + len).min(bytes.len());
            let piece = bytes[start..end].to_vec();
            out.splice(end..end, piece);
        }
        Mutation::Truncate(length) => out.truncate(at(*length)),
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(vec![
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ";",
        ",",
        "@",
        "*",
        "/",
        "+",
        "-",
        "=",
        "..",
        "node ",
        "let ",
        "loss ",
        "for t in 0..3 { ",
        "h[t]",
        "x",
        "w1",
        "0",
        "99999999999999999999",
        "1e400",
        "tanh(",
        "conv2d(",
        "reshape(x, [B, 0])",
        "model M { }",
        "///",
        "\u{e9}",
        "\0",
    ]);
    prop_oneof![
        (any::<usize>(), 0..40usize).prop_map(|(s, l)| Mutation::Delete(s, l)),
        (any::<usize>(), token).prop_map(|(p, t)| Mutation::Insert(p, t.to_string())),
        (any::<usize>(), 0..60usize).prop_map(|(s, l)| Mutation::Duplicate(s, l)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_models_never_panic(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        let mut text = seed.get(&seeds).clone();
        for mutation in &mutations {
            text = apply(&text, mutation);
        }
        compile_never_panics(&text);
    }

    #[test]
    fn random_texts_never_panic(text in "\\PC{0,200}") {
        compile_never_panics(&text);
    }
}

#[test]
fn a_carriage_return_inside_a_doc_comment_gives_rust_that_parses() {
    let mlp = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pass/mlp.pcg"),
    )
    .expect("the fixture exists");
    // Rust allows no carriage return inside a `///` comment but at the end of the line.
    let source = mlp
        .replacen("/// Digit", "/// \rDigit", 1)
        .replace('\n', "\r\n");
    let rust = pc_dsl::compile(&source, &Config::new())
        .expect("the model compiles")
        .rust("mlp.pcg", &Config::new());
    syn::parse_file(&rust).expect("the generated Rust parses");
    assert!(rust.contains("///  Digit classifier"), "{}", &rust[..400]);
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    let deep = format!(
        "model M {{ dim B; input x: [B, 2]; target y: [B, 2]; param w: [2, 2] = zeros; node h = {}x{} @ w; loss mse(h, y); }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let Err(diagnostics) = pc_dsl::compile(&deep, &Config::new()) else {
        panic!("100,000 nested parentheses compiled");
    };
    assert!(diagnostics.iter().any(|d| d.is_error()));
}
