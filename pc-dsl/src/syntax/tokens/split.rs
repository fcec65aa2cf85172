//! Cuts a token stream into pieces that are parsed on their own: models and statements.
//!
//! Braces and brackets always balance in Rust tokens, so the cuts are simple: a statement
//! ends after its `;` (a loop after its body), and a statement keyword or doc comment that
//! follows a statement missing its `;` starts the next one, as in the `.pcg` parser.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use crate::syntax::scan::STATEMENT_KEYWORDS;

/// A model or a statement: doc comments, then the tokens up to its `;` or its block.
pub(super) struct Piece {
    /// Every token but the block, doc comments first.
    pub tokens: Vec<TokenTree>,
    /// The `{ ... }` that ended a model or a `for` loop.
    pub block: Option<Group>,
    /// The token that starts the next piece, when this one ended without its `;` or block.
    pub cut_before: Option<TokenTree>,
}

/// What a stream holds: models, or the statements of a model or loop body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    File,
    Body,
}

/// The pieces of `stream`, in order.
pub(super) fn split(stream: TokenStream, level: Level) -> Vec<Piece> {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut pieces = Vec::new();
    let mut current = Cut::default();
    let mut index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        let attribute = attribute_len(&tokens[index..]);
        if (attribute > 0 || starts_piece(token, level)) && current.first_word.is_some() {
            let mut piece = std::mem::take(&mut current).finish();
            piece.cut_before = Some(token.clone());
            pieces.push(piece);
        }
        if attribute > 0 {
            current
                .tokens
                .extend_from_slice(&tokens[index..index + attribute]);
            index += attribute;
            continue;
        }

        if current.first_word.is_none() {
            current.first_word = Some(word(token).unwrap_or_default());
        }
        match token {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                let opens_block =
                    level == Level::File || current.first_word.as_deref() == Some("for");
                if opens_block {
                    current.block = Some(group.clone());
                    pieces.push(std::mem::take(&mut current).finish());
                } else {
                    current.tokens.push(token.clone());
                }
            }
            TokenTree::Punct(punct) if punct.as_char() == ';' => {
                current.tokens.push(token.clone());
                pieces.push(std::mem::take(&mut current).finish());
            }
            _ => current.tokens.push(token.clone()),
        }
        index += 1;
    }
    if !current.tokens.is_empty() {
        pieces.push(current.finish());
    }
    pieces
}

/// The piece being cut.
#[derive(Default)]
struct Cut {
    tokens: Vec<TokenTree>,
    block: Option<Group>,
    /// The first token after the doc comments, as a word; empty when it is not one.
    first_word: Option<String>,
}

impl Cut {
    fn finish(self) -> Piece {
        Piece {
            tokens: self.tokens,
            block: self.block,
            cut_before: None,
        }
    }
}

/// Whether `token` starts a piece at `level`, even after a piece that lacks its end.
fn starts_piece(token: &TokenTree, level: Level) -> bool {
    let Some(word) = word(token) else {
        return false;
    };
    match level {
        Level::File => word == "model",
        Level::Body => STATEMENT_KEYWORDS.contains(&word.as_str()),
    }
}

fn word(token: &TokenTree) -> Option<String> {
    match token {
        TokenTree::Ident(ident) => Some(ident.to_string()),
        _ => None,
    }
}

/// The number of tokens of the attribute (`#[...]` or `#![...]`) that `tokens` start with, or
/// 0. A `///` comment reaches a macro as one.
fn attribute_len(tokens: &[TokenTree]) -> usize {
    let is_punct = |token: Option<&TokenTree>, c: char| matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == c);
    let is_bracket = |token: Option<&TokenTree>| matches!(token, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket);
    if !is_punct(tokens.first(), '#') {
        0
    } else if is_bracket(tokens.get(1)) {
        2
    } else if is_punct(tokens.get(1), '!') && is_bracket(tokens.get(2)) {
        3
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str, level: Level) -> Vec<String> {
        let stream: TokenStream = source.parse().expect("the test text lexes");
        split(stream, level)
            .into_iter()
            .map(|piece| {
                let mut text: TokenStream = piece.tokens.into_iter().collect();
                if let Some(block) = piece.block {
                    text.extend([TokenTree::Group(block)]);
                }
                text.to_string()
            })
            .collect()
    }

    #[test]
    fn statements_end_at_semicolons_and_loops_at_their_body() {
        let pieces = texts(
            "dim B; for t in 0..T { node h[t] = x; } loss mse(h, y);",
            Level::Body,
        );
        assert_eq!(pieces.len(), 3);
        assert!(pieces[1].starts_with("for") && pieces[1].ends_with('}'));
    }

    #[test]
    fn a_missing_semicolon_ends_at_the_next_keyword_or_doc_comment() {
        let pieces = texts(
            "node h = x node g = h\n/// doc\nloss mse(g, y);",
            Level::Body,
        );
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[0], "node h = x");
        assert!(pieces[2].starts_with("# [doc"));
    }

    #[test]
    fn doc_comments_stay_with_the_model_they_document() {
        let pieces = texts("/// One.\nmodel A { } /// Two.\nmodel B { }", Level::File);
        assert_eq!(pieces.len(), 2);
        assert!(pieces[1].starts_with("# [doc = \" Two.\"] model B"));
    }
}
