//! The two front ends agree: every fixture read as `.pcg` text and as Rust tokens (what
//! `pc_model!` sees) gives the same AST up to spans, spans over the same text, the same IR,
//! the same diagnostics, and byte-identical generated code.

use std::path::{Path, PathBuf};

use pc_dsl::syntax::ast::File;
use pc_dsl::syntax::tokens::{self, Parsed};
use pc_dsl::syntax::{parse, print};
use pc_dsl::{Config, Diagnostic, Span, ir};
use proc_macro2::TokenStream;

/// The `.pcg` files of `tests/fixtures/<outcome>`, by name, in name order.
fn fixtures(outcome: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(outcome);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixtures folder exists")
        .map(|entry| entry.expect("fixtures are listable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pcg"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("fixtures are readable");
            (name, text)
        })
        .collect()
}

/// The text as `pc_model!` receives it: `//` comments are gone, `///` ones are attributes.
fn tokens_of(text: &str) -> TokenStream {
    text.parse().expect("fixtures lex as Rust tokens")
}

fn parse_tokens(name: &str, text: &str) -> Parsed {
    let parsed = tokens::parse(tokens_of(text));
    assert!(parsed.errors.is_empty(), "{name}: {:#?}", parsed.errors);
    parsed
}

fn parse_text(name: &str, text: &str) -> File {
    parse(text).unwrap_or_else(|errors| panic!("{name}: {errors:#?}"))
}

/// The tree's debug form with every span replaced by `_`, and the spans in the order the
/// debug form lists them.
fn erase_spans(file: &File) -> (String, Vec<Span>) {
    let text = format!("{file:?}");
    let mut erased = String::new();
    let mut spans = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        erased.push_str(&rest[..at]);
        let end = at + rest[at..].find('}').expect("a span's debug form closes") + 1;
        let numbers: Vec<usize> = rest[at..end]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .map(|part| part.parse().expect("digits"))
            .collect();
        spans.push(Span::new(numbers[0], numbers[1]));
        erased.push('_');
        rest = &rest[end..];
    }
    erased.push_str(rest);
    (erased, spans)
}

/// The text a span of the token front end covers, from its first token to its last.
fn token_text<'s>(text: &'s str, spans: &tokens::TokenSpans, span: Span) -> &'s str {
    let (first, last) = spans.ends(span);
    &text[first.byte_range().start..last.byte_range().end]
}

#[test]
fn every_pass_fixture_gives_the_same_tree() {
    for (name, text) in fixtures("pass") {
        let from_text = parse_text(&name, &text);
        let from_tokens = parse_tokens(&name, &text).file;
        assert_eq!(
            erase_spans(&from_text).0,
            erase_spans(&from_tokens).0,
            "{name}"
        );
        assert_eq!(print(&from_text), print(&from_tokens), "{name}");
    }
}

#[test]
fn every_span_covers_the_same_text() {
    for (name, text) in fixtures("pass") {
        let from_text = parse_text(&name, &text);
        let parsed = parse_tokens(&name, &text);
        let (_, text_spans) = erase_spans(&from_text);
        let (_, token_spans) = erase_spans(&parsed.file);
        assert_eq!(text_spans.len(), token_spans.len(), "{name}");
        for (a, b) in text_spans.into_iter().zip(token_spans) {
            assert_eq!(
                &text[a.range()],
                token_text(&text, &parsed.spans, b),
                "{name}"
            );
        }
    }
}

#[test]
fn every_pass_fixture_gives_the_same_ir() {
    for (name, text) in fixtures("pass") {
        let from_text = pc_dsl::check(&text);
        let from_tokens = pc_dsl::check_ast(&parse_tokens(&name, &text).file);
        assert!(!from_text.has_errors(), "{name}");
        let print_all =
            |graphs: &[ir::Graph]| -> Vec<String> { graphs.iter().map(ir::print_graph).collect() };
        assert_eq!(
            print_all(&from_text.graphs),
            print_all(&from_tokens.graphs),
            "{name}"
        );
        assert_eq!(
            described(&from_text.diagnostics),
            described(&from_tokens.diagnostics),
            "{name}"
        );
    }
}

#[test]
fn every_pass_fixture_gives_byte_identical_code() {
    let config = Config::new();
    for (name, text) in fixtures("pass") {
        let from_text = pc_dsl::compile(&text, &config).expect("pass fixtures compile");
        let parsed = parse_tokens(&name, &text);
        let from_tokens = pc_dsl::compile_ast(&parsed.file, &config).expect("and from tokens");
        assert_eq!(
            from_text.rust(&name, &config),
            from_tokens.rust(&name, &config),
            "{name}"
        );
        assert_eq!(
            from_text.tokens(&config).to_string(),
            pc_dsl::expand::pc_model(tokens_of(&text)).to_string(),
            "{name}: the macro expands to the code of the `.pcg` path"
        );
    }
}

/// Everything about a diagnostic but where it is.
fn described(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let labels: Vec<&str> = d.labels.iter().map(|l| l.message.as_str()).collect();
            format!("{d} {:?} {labels:?} {:?}", d.primary_label, d.help)
        })
        .collect()
}

/// The diagnostics of the token front end for `text`: syntax errors, or the passes' errors.
fn token_diagnostics(text: &str) -> (Vec<Diagnostic>, Parsed) {
    let parsed = tokens::parse(tokens_of(text));
    if !parsed.errors.is_empty() {
        return (parsed.errors.clone(), parsed);
    }
    let diagnostics = match pc_dsl::compile_ast(&parsed.file, &Config::new()) {
        Ok(compiled) => compiled.warnings,
        Err(diagnostics) => diagnostics,
    };
    (diagnostics, parsed)
}

fn text_diagnostics(text: &str) -> Vec<Diagnostic> {
    match pc_dsl::compile(text, &Config::new()) {
        Ok(compiled) => compiled.warnings,
        Err(diagnostics) => diagnostics,
    }
}

#[test]
fn fail_and_warn_fixtures_give_the_same_diagnostics_on_the_same_text() {
    let cases = fixtures("fail").into_iter().chain(fixtures("warn"));
    for (name, text) in cases.filter(|(name, _)| name != "syntax_error.pcg") {
        let expected = text_diagnostics(&text);
        let (found, parsed) = token_diagnostics(&text);
        assert!(!expected.is_empty(), "{name}");
        assert_eq!(described(&expected), described(&found), "{name}");
        for (a, b) in expected.iter().zip(&found) {
            assert_eq!(
                &text[a.span.range()],
                token_text(&text, &parsed.spans, b.span),
                "{name}"
            );
            for (la, lb) in a.labels.iter().zip(&b.labels) {
                let (a_text, b_text) = (
                    &text[la.span.range()],
                    token_text(&text, &parsed.spans, lb.span),
                );
                assert_eq!(a_text, b_text, "{name}: {}", la.message);
            }
        }
    }
}

/// The line of each error: the token front end words syntax errors its own way, but finds
/// them in the same statements.
fn error_lines(text: &str) -> (Vec<usize>, Vec<usize>) {
    let from_text = parse(text).expect_err("the text has syntax errors");
    let lines = from_text.iter().map(|d| d.line_col(text).0).collect();
    let parsed = tokens::parse(tokens_of(text));
    let token_lines = parsed
        .errors
        .iter()
        .map(|d| parsed.spans.ends(d.span).0.start().line)
        .collect();
    (lines, token_lines)
}

#[test]
fn syntax_errors_are_found_in_the_same_statements_and_all_reported() {
    let (name, text) = fixtures("fail")
        .into_iter()
        .find(|(name, _)| name == "syntax_error.pcg")
        .expect("the syntax error fixture");
    let (expected, found) = error_lines(&text);
    assert_eq!(expected, found, "{name}");

    let several = "\
model A {
    dim B;
    input x: [B 4];
    param w: [4, 2] = ;
    nod h = x @ w;
    node out = h
    loss mse(out, y);
}
model B {
    node = 1;
}
";
    let (expected, found) = error_lines(several);
    assert_eq!(found, [3, 4, 5, 6, 10]);
    assert_eq!(expected, found);
}

/// The first error of the token front end for `text`, as `message` and the text it covers.
fn first_error(text: &str) -> (String, String) {
    let (diagnostics, parsed) = token_diagnostics(text);
    let error = diagnostics.iter().find(|d| d.is_error()).expect("an error");
    let mut message = error.message.clone();
    for extra in [&error.primary_label, &error.help].into_iter().flatten() {
        message.push_str(&format!(" | {extra}"));
    }
    (
        message,
        token_text(text, &parsed.spans, error.span).to_string(),
    )
}

#[test]
fn tokens_follow_the_rules_of_the_pcg_grammar() {
    let model = |stmt: &str| format!("model M {{ dim B; input x: [B, 2]; {stmt} }}");
    let cases = [
        (
            "node input = x;",
            "expected a name, found keyword `input`",
            "input",
        ),
        ("node h = 1_000;", "`1_000` is not a number here", "1_000"),
        ("node h = 0x10;", "`0x10` is not a number here", "0x10"),
        ("node h = 2f32;", "`2f32` is not a number here", "2f32"),
        ("node é = x;", "`é` cannot be a name", "é"),
        ("node h = 1e999;", "number is too large", "1e999"),
        (
            "node h = 99999999999999999999;",
            "integer is too large",
            "99999999999999999999",
        ),
        (
            "nod h = x;",
            "unknown statement `nod` | did you mean `node`?",
            "nod",
        ),
        (
            "node h = softmax(axis = 1, x);",
            "positional argument after a named argument",
            "x",
        ),
        (
            "node h = x\nnode g = h;",
            "expected `;` after the statement",
            "x",
        ),
        ("node h = (x y);", "expected `)` or an operator", "y"),
        (
            "/// Nothing.\n",
            "doc comment is not followed by a statement",
            "/// Nothing.",
        ),
        ("model N { }", "a model cannot be inside a model", "model"),
    ];
    for (stmt, message, covered) in cases {
        let text = model(stmt);
        let (found, text_under) = first_error(&text);
        assert!(found.starts_with(message), "{stmt}: {found}");
        assert_eq!(text_under, covered, "{stmt}");
        assert!(
            parse(&text).is_err(),
            "the `.pcg` parser rejects {stmt} too"
        );
    }
}

#[test]
fn odd_input_is_an_error_not_a_panic() {
    let deep = format!(
        "model M {{ node h = {}x{}; }}",
        "(".repeat(300),
        ")".repeat(300)
    );
    let (message, _) = first_error(&deep);
    assert_eq!(
        message,
        "brackets are nested too deeply | at most 256 levels of `(`, `[` and `{` are accepted"
    );

    let long = format!(
        "model M {{ input x: [2]; node h = x{}; }}",
        " + x".repeat(5000)
    );
    assert!(
        first_error(&long)
            .0
            .starts_with("expression is nested too deeply")
    );
    let signs = format!(
        "model M {{ input x: [2]; node h = {}x; }}",
        "- ".repeat(5000)
    );
    assert!(
        first_error(&signs)
            .0
            .starts_with("expression is nested too deeply")
    );

    for text in [
        "",
        "model",
        "model M",
        "model M {",
        "42",
        "#![doc = \"x\"] model M {}",
        "file",
    ] {
        let Ok(tokens) = text.parse::<TokenStream>() else {
            continue;
        };
        let expanded = pc_dsl::expand::pc_model(tokens).to_string();
        assert!(expanded.contains("compile_error"), "{text:?}: {expanded}");
    }
}

/// Every fixture with one token left out, in turn: the macro reports errors and stubs, never
/// panics.
#[test]
fn fixtures_with_a_token_left_out_never_panic() {
    for (name, text) in fixtures("pass") {
        let tokens: Vec<_> = flatten(tokens_of(&text));
        for skip in 0..tokens.len() {
            let mutated = tokens
                .iter()
                .enumerate()
                .filter(|(index, _)| *index != skip)
                .map(|(_, token)| token.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let Ok(stream) = mutated.parse::<TokenStream>() else {
                continue;
            };
            let expanded = pc_dsl::expand::pc_model(stream);
            assert!(!expanded.is_empty(), "{name} without token {skip}");
        }
    }
}

/// The tokens of a stream as text, groups opened into their delimiters, so that leaving
/// one out can unbalance them.
fn flatten(stream: TokenStream) -> Vec<String> {
    use proc_macro2::{Delimiter, TokenTree};
    let mut out = Vec::new();
    for token in stream {
        match token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                out.push(open.to_string());
                out.extend(flatten(group.stream()));
                out.push(close.to_string());
            }
            other => out.push(other.to_string()),
        }
    }
    out
}
