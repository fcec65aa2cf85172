//! A cheap scan of the raw text: doc comments, the nesting guard, where to resume after errors.
//!
//! The parser calls pest once per statement. Between those calls it needs only a rough view of
//! the text, as words and single characters with comments skipped, which this module gives.

use crate::diag::{Diagnostic, Span};

/// The deepest nesting of brackets, parentheses and braces that the parser accepts.
///
/// pest descends once per level, so a guard before pest keeps hostile input from exhausting
/// the stack.
pub(super) const MAX_NESTING: usize = 256;

/// The keywords that start a statement or a model: after an error, parsing resumes at one.
pub(super) const STATEMENT_KEYWORDS: [&str; 10] = [
    "model", "dim", "const", "input", "target", "param", "node", "let", "loss", "for",
];

/// Every keyword: none can be a name.
pub(super) const KEYWORDS: [&str; 11] = [
    "model", "dim", "const", "input", "target", "param", "node", "let", "loss", "for", "in",
];

/// A word (a name, keyword or number) or one other character, for the scanner's rough view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token<'s> {
    /// The text of the token.
    pub text: &'s str,
    /// Where it stands.
    pub span: Span,
}

impl Token<'_> {
    fn is(&self, text: &str) -> bool {
        self.text == text
    }
}

/// The doc comments before a statement or a model.
#[derive(Debug, Default)]
pub(super) struct Docs {
    /// One entry per `///` line, without the slashes and one following space.
    pub lines: Vec<String>,
    /// From the first doc comment to the end of the last.
    pub span: Option<Span>,
}

/// Skips whitespace and comments from `pos`, collecting the doc comments on the way.
pub(super) fn skip_trivia(source: &str, mut pos: usize) -> (usize, Docs) {
    let mut docs = Docs::default();
    loop {
        pos = skip_whitespace(source, pos);
        if !source[pos..].starts_with("//") {
            return (pos, docs);
        }
        let end = source[pos..].find('\n').map_or(source.len(), |i| pos + i);
        if let Some(text) = doc_text(&source[pos..end]) {
            docs.lines.push(text.to_string());
            let span = Span::new(pos, end);
            docs.span = Some(docs.span.map_or(span, |first| first.to(span)));
        }
        pos = end;
    }
}

/// The text of a `///` line; `////` starts an ordinary comment, as in Rust.
fn doc_text(comment: &str) -> Option<&str> {
    let text = comment.strip_prefix("///")?;
    if text.starts_with('/') {
        return None;
    }
    let text = text.strip_suffix('\r').unwrap_or(text);
    Some(text.strip_prefix(' ').unwrap_or(text))
}

fn skip_whitespace(source: &str, pos: usize) -> usize {
    let rest = &source[pos..];
    pos + (rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len())
}

/// The tokens from `pos` on, without whitespace and comments.
pub(super) fn tokens(source: &str, pos: usize) -> impl Iterator<Item = Token<'_>> {
    let mut pos = pos;
    std::iter::from_fn(move || {
        pos = skip_trivia(source, pos).0;
        let rest = &source[pos..];
        let first = rest.chars().next()?;
        let len = if is_word_char(first) {
            rest.find(|c| !is_word_char(c)).unwrap_or(rest.len())
        } else {
            first.len_utf8()
        };
        let token = Token {
            text: &rest[..len],
            span: Span::new(pos, pos + len),
        };
        pos += len;
        Some(token)
    })
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether the token at `pos` is the keyword `keyword`.
pub(super) fn is_keyword_at(source: &str, pos: usize, keyword: &str) -> bool {
    tokens(source, pos)
        .next()
        .is_some_and(|token| token.is(keyword))
}

/// Where the statement or block header at `pos` must end: just after the first `;`, `{` or
/// `}`, or before the next keyword that starts a statement, none of which can stand inside
/// one.
///
/// Giving pest no more text than that keeps its work per statement, and so the whole parse,
/// proportional to the statement: its error reports look at all the text they are given.
pub(super) fn statement_end(source: &str, pos: usize) -> usize {
    for token in tokens(source, pos).skip(1) {
        match token.text {
            ";" | "{" | "}" => return token.span.end,
            word if STATEMENT_KEYWORDS.contains(&word) => return token.span.start,
            _ => {}
        }
    }
    source.len()
}

/// An error if brackets nest deeper than [`MAX_NESTING`] anywhere in `source`.
pub(super) fn check_nesting(source: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for token in tokens(source, 0) {
        match token.text {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => depth = depth.saturating_sub(1),
            _ => continue,
        }
        if depth > MAX_NESTING {
            let help = format!("at most {MAX_NESTING} levels of `(`, `[` and `{{` are accepted");
            let error = Diagnostic::error(token.span, "brackets are nested too deeply");
            return Some(error.with_help(help));
        }
    }
    None
}

/// Where parsing goes on after a syntax error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Resume {
    /// At this offset, with the next statement or the closing brace of the block.
    At(usize),
    /// At the `{` at this offset, which opens the body of the broken statement.
    Block(usize),
}

/// Where to resume after an error at `error` in the statement that starts at `start`.
///
/// That is after the next `;` or `}` at the statement's own depth, or before a keyword that
/// starts another statement, or before a `}` that closes the enclosing block. With
/// `opens_block` (a broken `for` or `model` header), the first `{` is the body of the
/// statement, which the caller still checks.
pub(super) fn resume_after_error(
    source: &str,
    start: usize,
    error: usize,
    opens_block: bool,
) -> Resume {
    let mut depth = 0usize;
    for token in tokens(source, error) {
        match token.text {
            ";" if depth == 0 => return Resume::At(token.span.end),
            "{" if depth == 0 && opens_block => return Resume::Block(token.span.start),
            "{" => depth += 1,
            "}" if depth == 0 => return Resume::At(token.span.start),
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return Resume::At(skip_semicolon(source, token.span.end));
                }
            }
            word if depth == 0
                && token.span.start > start
                && STATEMENT_KEYWORDS.contains(&word) =>
            {
                return Resume::At(token.span.start);
            }
            _ => {}
        }
    }
    Resume::At(source.len())
}

/// After a stray block inside a statement, a `;` that ends the statement goes with it.
fn skip_semicolon(source: &str, pos: usize) -> usize {
    match tokens(source, pos).next() {
        Some(token) if token.is(";") => token.span.end,
        _ => pos,
    }
}

/// The start of the next `model` outside any braces, after the token at `pos`.
pub(super) fn next_model(source: &str, pos: usize) -> usize {
    let mut depth = 0usize;
    for token in tokens(source, pos).skip(1) {
        match token.text {
            "{" => depth += 1,
            "}" => depth = depth.saturating_sub(1),
            "model" if depth == 0 => return token.span.start,
            _ => {}
        }
    }
    source.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_lose_their_slashes_and_one_space() {
        let source = "/// one\n//  plain\n///  two\n////  not a doc\n///\nnode";
        let (pos, docs) = skip_trivia(source, 0);
        assert_eq!(docs.lines, ["one", " two", ""]);
        assert_eq!(&source[pos..], "node");
    }

    #[test]
    fn tokens_are_words_and_single_characters() {
        let texts: Vec<_> = tokens("h[t - 1] // c\n..x2", 0).map(|t| t.text).collect();
        assert_eq!(texts, ["h", "[", "t", "-", "1", "]", ".", ".", "x2"]);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let source = "(".repeat(MAX_NESTING + 1);
        let error = check_nesting(&source).expect("too deep");
        assert_eq!(error.span, Span::new(MAX_NESTING, MAX_NESTING + 1));
        assert!(check_nesting(&"(".repeat(MAX_NESTING)).is_none());
    }

    #[test]
    fn recovery_stops_at_the_next_statement() {
        let source = "node h = a b; node g = c;";
        assert_eq!(resume_after_error(source, 0, 11, false), Resume::At(13));
        let source = "node h = a\nnode g = c;";
        assert_eq!(resume_after_error(source, 0, 11, false), Resume::At(11));
        let source = "forr t in 1..T { node h = x; } node g";
        assert_eq!(resume_after_error(source, 0, 0, false), Resume::At(30));
        let source = "for t x { node h = x; }";
        assert_eq!(resume_after_error(source, 0, 6, true), Resume::Block(8));
    }
}
