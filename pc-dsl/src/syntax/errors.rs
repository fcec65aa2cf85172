//! Turns pest's failures into diagnostics that say, in the user's words, what was expected.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::parser::Rule;
use super::scan;
use crate::diag::{Diagnostic, Span};

/// The help line for a statement that does not start with a statement keyword.
pub(super) const STATEMENT_HELP: &str = concat!(
    "statements start with `dim`, `const`, `input`, `target`, `param`, `node`, `let`, ",
    "`loss` or `for`",
);

/// The longest quote of the user's text in a message.
const MAX_QUOTE: usize = 24;

/// The text pest stopped at: its span and how a message quotes it.
struct Found<'s> {
    span: Span,
    text: &'s str,
    quoted: String,
    is_keyword: bool,
    is_name: bool,
}

/// The diagnostic for `error`, which pest raised on the text of `source` from `offset` on.
pub(super) fn describe(error: &Error<Rule>, source: &str, offset: usize) -> Diagnostic {
    let pos = offset
        + match error.location {
            InputLocation::Pos(pos) => pos,
            InputLocation::Span((start, _)) => start,
        };
    let found = found_at(source, pos);
    match &error.variant {
        // pest's own guards against deep recursion end here.
        ErrorVariant::CustomError { .. } => {
            Diagnostic::error(found.span, "this statement is nested too deeply to parse")
                .with_help("split it into several statements with `let`")
        }
        ErrorVariant::ParsingError { positives, .. } if positives.contains(&Rule::semi) => {
            let span = semicolon_span(source, offset, &found);
            Diagnostic::error(span, "expected `;` after the statement")
                .with_primary_label(format!("expected `;` before {}", found.quoted))
        }
        ErrorVariant::ParsingError { positives, .. } => expected(positives, found),
    }
}

/// Where a missing `;` goes: at the next token, or right after the statement when the next
/// token is on a later line, since then the `;` was most likely left off at the line's end.
///
/// The scanner's words are rougher than pest's tokens (`12node` is one word to it), hence the
/// clamp to where pest stopped.
fn semicolon_span(source: &str, start: usize, found: &Found) -> Span {
    let end = scan::tokens(source, start)
        .take_while(|token| token.span.start < found.span.start)
        .last()
        .map_or(start, |token| token.span.end.min(found.span.start));
    if source[end..found.span.start].contains('\n') {
        Span::new(end, end)
    } else {
        found.span
    }
}

fn found_at(source: &str, pos: usize) -> Found<'_> {
    let Some(token) = scan::tokens(source, pos).next() else {
        return Found {
            span: Span::new(source.len(), source.len()),
            text: "",
            quoted: "end of file".to_string(),
            is_keyword: false,
            is_name: false,
        };
    };
    let is_keyword = scan::KEYWORDS.contains(&token.text);
    let starts_word = token
        .text
        .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    let quoted = match is_keyword {
        true => format!("keyword `{}`", token.text),
        false => format!("`{}`", quote(token.text)),
    };
    Found {
        span: token.span,
        text: token.text,
        quoted,
        is_keyword,
        is_name: starts_word && !is_keyword,
    }
}

/// The text as a message shows it: control characters escaped, long words cut short.
fn quote(text: &str) -> String {
    let mut quoted: String = text
        .chars()
        .take(MAX_QUOTE)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(MAX_QUOTE).is_some() {
        quoted.push_str("...");
    }
    quoted
}

fn expected(positives: &[Rule], found: Found) -> Diagnostic {
    if positives.contains(&Rule::stmt) {
        return unknown_statement(found);
    }

    let names = expected_names(positives);
    let message = if names.is_empty() {
        format!("unexpected {}", found.quoted)
    } else {
        format!("expected {}, found {}", join(&names), found.quoted)
    };
    let diagnostic = Diagnostic::error(found.span, message);
    if found.is_keyword && names.contains(&"a name") {
        return diagnostic.with_help("keywords are reserved and cannot be used as names");
    }
    diagnostic
}

fn unknown_statement(found: Found) -> Diagnostic {
    if !found.is_name {
        let message = format!("expected a statement, found {}", found.quoted);
        return Diagnostic::error(found.span, message).with_help(STATEMENT_HELP);
    }
    let message = format!("unknown statement {}", found.quoted);
    let error = Diagnostic::error(found.span, message).with_help(STATEMENT_HELP);
    match suggestion(found.text) {
        Some(keyword) => error.with_primary_label(format!("did you mean `{keyword}`?")),
        None => error,
    }
}

/// The statement keyword that `word` most likely misspells: in another case, or one letter
/// added, left out or replaced.
pub(super) fn suggestion(word: &str) -> Option<&'static str> {
    scan::STATEMENT_KEYWORDS
        .into_iter()
        .find(|keyword| keyword.eq_ignore_ascii_case(word) || one_edit_apart(keyword, word))
}

fn one_edit_apart(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let (short, long) = (short.as_bytes(), long.as_bytes());
    if long.len() - short.len() > 1 {
        return false;
    }
    let same = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if same == short.len() {
        return true;
    }
    if short.len() == long.len() {
        short[same + 1..] == long[same + 1..]
    } else {
        short[same..] == long[same + 1..]
    }
}

/// What the user may write where pest wanted `positives`, most specific first.
fn expected_names(positives: &[Rule]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for name in positives.iter().filter_map(|rule| describe_rule(*rule)) {
        if !names.contains(&name) {
            names.push(name);
        }
    }

    // After a complete operand, a call or index could also follow, but listing `(` and `[`
    // next to the operators only adds noise; a name is one kind of expression.
    if names.contains(&"an operator") {
        names.retain(|name| !matches!(*name, "`(`" | "`[`"));
    }
    if names.contains(&"an expression") {
        names.retain(|name| *name != "a name");
    }
    names.sort_by_key(|name| !name.starts_with('`'));
    names
}

fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How a message names what a rule matches; `None` for rules that are never expected alone.
fn describe_rule(rule: Rule) -> Option<&'static str> {
    let name = match rule {
        Rule::ident => "a name",
        Rule::expr
        | Rule::unary
        | Rule::neg
        | Rule::postfix
        | Rule::primary
        | Rule::call
        | Rule::arg
        | Rule::named_arg
        | Rule::paren
        | Rule::list
        | Rule::number => "an expression",
        Rule::add | Rule::sub | Rule::mul | Rule::div | Rule::matmul => "an operator",
        Rule::shape => "a shape",
        Rule::init | Rule::init_name => "an initialiser",
        Rule::semi => "`;`",
        Rule::colon => "`:`",
        Rule::comma => "`,`",
        Rule::assign => "`=`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbracket | Rule::subscript => "`[`",
        Rule::rbracket => "`]`",
        Rule::lbrace => "`{`",
        Rule::dotdot => "`..`",
        Rule::kw_model | Rule::model_head => "`model`",
        Rule::kw_in => "`in`",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_read_as_a_list() {
        assert_eq!(
            join(&["`,`", "`)`", "an operator"]),
            "`,`, `)` or an operator"
        );
        let names = expected_names(&[
            Rule::lparen,
            Rule::add,
            Rule::sub,
            Rule::comma,
            Rule::rparen,
        ]);
        assert_eq!(names, ["`,`", "`)`", "an operator"]);
    }

    #[test]
    fn misspelt_keywords_are_suggested() {
        let cases = [
            ("nod", Some("node")),
            ("Param", Some("param")),
            ("inputs", Some("input")),
        ];
        for (word, keyword) in cases {
            assert_eq!(suggestion(word), keyword, "for {word}");
        }
        assert_eq!(suggestion("layer"), None);
        assert_eq!(suggestion(""), None);
    }

    #[test]
    fn long_words_are_cut_short() {
        assert_eq!(
            quote(&"x".repeat(100)),
            format!("{}...", "x".repeat(MAX_QUOTE))
        );
        assert_eq!(quote("\0"), "\\0");
    }
}
