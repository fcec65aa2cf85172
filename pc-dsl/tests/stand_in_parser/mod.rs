//! A minimal `.pcg` parser for the front-end tests, standing in for `syntax::parse` until the
//! pest parser lands; it builds the same AST with byte spans, and panics on bad input.

use pc_dsl::Span;
use pc_dsl::syntax::ast::*;

/// Parses `source`, panicking on any syntax error.
pub fn parse(source: &str) -> File {
    let mut parser = Parser {
        tokens: tokenize(source),
        next: 0,
    };
    let mut models = Vec::new();
    while parser.peek().is_some() {
        models.push(parser.model());
    }
    File { models }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Int(i64),
    Float(f64),
    Punct(&'static str),
}

fn tokenize(source: &str) -> Vec<(Token, Span)> {
    const PUNCTS: [&str; 17] = [
        "..", "{", "}", "(", ")", "[", "]", ";", ",", ":", "=", "+", "-", "*", "/", "@", ".",
    ];
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &source[at..];
        let c = bytes[at] as char;
        if c.is_whitespace() {
            at += 1;
        } else if rest.starts_with("//") {
            at += rest.find('\n').unwrap_or(rest.len());
        } else if c.is_ascii_alphabetic() || c == '_' {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            tokens.push((Token::Word(rest[..len].into()), Span::new(at, at + len)));
            at += len;
        } else if c.is_ascii_digit() {
            let mut len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let mut float = false;
            if rest[len..].starts_with('.') && !rest[len..].starts_with("..") {
                float = true;
                len += 1;
                len += rest[len..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len() - len);
            }
            if rest[len..].starts_with('e') {
                float = true;
                len += 1;
                if rest[len..].starts_with('-') {
                    len += 1;
                }
                len += rest[len..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len() - len);
            }
            let text = &rest[..len];
            let token = match float {
                true => Token::Float(text.parse().unwrap()),
                false => Token::Int(text.parse().unwrap()),
            };
            tokens.push((token, Span::new(at, at + len)));
            at += len;
        } else {
            let punct = PUNCTS
                .iter()
                .find(|p| rest.starts_with(**p))
                .unwrap_or_else(|| panic!("unexpected character {c:?}"));
            tokens.push((Token::Punct(punct), Span::new(at, at + punct.len())));
            at += punct.len();
        }
    }
    tokens
}

struct Parser {
    tokens: Vec<(Token, Span)>,
    next: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(token, _)| token)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.tokens.get(self.next + ahead).map(|(token, _)| token)
    }

    fn span(&self) -> Span {
        self.tokens[self.next].1
    }

    fn last_end(&self) -> usize {
        self.tokens[self.next - 1].1.end
    }

    fn bump(&mut self) -> (Token, Span) {
        self.next += 1;
        self.tokens[self.next - 1].clone()
    }

    fn is(&self, punct: &str) -> bool {
        self.peek() == Some(&Token::Punct(leak(punct)))
    }

    fn eat(&mut self, punct: &str) -> bool {
        let found = self.is(punct);
        if found {
            self.next += 1;
        }
        found
    }

    fn expect(&mut self, punct: &str) {
        assert!(self.eat(punct), "expected `{punct}` at {:?}", self.peek());
    }

    fn ident(&mut self) -> Ident {
        match self.bump() {
            (Token::Word(name), span) => Ident { name, span },
            other => panic!("expected a name, found {other:?}"),
        }
    }

    fn model(&mut self) -> Model {
        let start = self.span().start;
        let keyword = self.ident();
        assert_eq!(keyword.name, "model");
        let name = self.ident();
        let body = self.block();
        Model {
            doc: Vec::new(),
            name,
            body,
            span: Span::new(start, self.last_end()),
        }
    }

    fn block(&mut self) -> Vec<Stmt> {
        self.expect("{");
        let mut body = Vec::new();
        while !self.eat("}") {
            body.push(self.stmt());
        }
        body
    }

    fn stmt(&mut self) -> Stmt {
        let start = self.span().start;
        let keyword = self.ident().name;
        let kind = match keyword.as_str() {
            "dim" => StmtKind::Dim { name: self.ident() },
            "const" => {
                let name = self.ident();
                self.expect("=");
                StmtKind::Const {
                    name,
                    value: self.expr(),
                }
            }
            "input" | "target" => {
                let name = self.ident();
                self.expect(":");
                let shape = self.shape();
                match keyword.as_str() {
                    "input" => StmtKind::Input { name, shape },
                    _ => StmtKind::Target { name, shape },
                }
            }
            "param" => {
                let name = self.ident();
                self.expect(":");
                let shape = self.shape();
                self.expect("=");
                StmtKind::Param {
                    name,
                    shape,
                    init: self.init(),
                }
            }
            "node" | "let" => {
                let name = self.ident();
                let index = self.eat("[").then(|| {
                    let index = self.expr();
                    self.expect("]");
                    index
                });
                self.expect("=");
                let value = self.expr();
                match keyword.as_str() {
                    "node" => StmtKind::Node { name, index, value },
                    _ => StmtKind::Let { name, index, value },
                }
            }
            "loss" => {
                let func = self.ident();
                self.expect("(");
                StmtKind::Loss {
                    func,
                    args: self.args(),
                }
            }
            "for" => {
                let var = self.ident();
                assert_eq!(self.ident().name, "in");
                let start_expr = self.expr();
                self.expect("..");
                let end = self.expr();
                let body = self.block();
                let span = Span::new(start, self.last_end());
                let kind = StmtKind::For {
                    var,
                    start: start_expr,
                    end,
                    body,
                };
                return Stmt {
                    doc: Vec::new(),
                    kind,
                    span,
                };
            }
            other => panic!("unknown statement `{other}`"),
        };
        self.expect(";");
        Stmt {
            doc: Vec::new(),
            kind,
            span: Span::new(start, self.last_end()),
        }
    }

    fn shape(&mut self) -> ShapeExpr {
        let start = self.span().start;
        self.expect("[");
        let dims = self.list("]");
        ShapeExpr {
            dims,
            span: Span::new(start, self.last_end()),
        }
    }

    fn init(&mut self) -> Init {
        let name = self.ident();
        let args = match self.eat("(") {
            true => self.list(")"),
            false => Vec::new(),
        };
        Init {
            span: Span::new(name.span.start, self.last_end()),
            name,
            args,
        }
    }

    fn list(&mut self, close: &str) -> Vec<Expr> {
        let mut items = Vec::new();
        while !self.eat(close) {
            items.push(self.expr());
            if !self.is(close) {
                self.expect(",");
            }
        }
        items
    }

    fn args(&mut self) -> Vec<Arg> {
        let mut args = Vec::new();
        while !self.eat(")") {
            let named = matches!(self.peek(), Some(Token::Word(_)))
                && self.peek_at(1) == Some(&Token::Punct("="));
            let name = named.then(|| {
                let name = self.ident();
                self.expect("=");
                name
            });
            args.push(Arg {
                name,
                value: self.expr(),
            });
            if !self.is(")") {
                self.expect(",");
            }
        }
        args
    }

    fn expr(&mut self) -> Expr {
        self.binary(1)
    }

    fn binary(&mut self, level: u8) -> Expr {
        if level > 2 {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1);
        loop {
            let op = match self.peek() {
                Some(Token::Punct("+")) if level == 1 => BinOp::Add,
                Some(Token::Punct("-")) if level == 1 => BinOp::Sub,
                Some(Token::Punct("*")) if level == 2 => BinOp::Mul,
                Some(Token::Punct("/")) if level == 2 => BinOp::Div,
                Some(Token::Punct("@")) if level == 2 => BinOp::MatMul,
                _ => return lhs,
            };
            self.next += 1;
            let rhs = self.binary(level + 1);
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
    }

    fn unary(&mut self) -> Expr {
        let start = self.span().start;
        if self.eat("-") {
            let operand = self.unary();
            let span = Span::new(start, operand.span.end);
            return Expr {
                kind: ExprKind::Neg(Box::new(operand)),
                span,
            };
        }
        let mut expr = self.primary();
        while self.eat("[") {
            let index = self.expr();
            self.expect("]");
            expr = Expr {
                span: Span::new(expr.span.start, self.last_end()),
                kind: ExprKind::Index {
                    base: Box::new(expr),
                    index: Box::new(index),
                },
            };
        }
        expr
    }

    fn primary(&mut self) -> Expr {
        let start = self.span().start;
        let kind = match self.bump() {
            (Token::Int(value), _) => ExprKind::Number(Number::Int(value)),
            (Token::Float(value), _) => ExprKind::Number(Number::Float(value)),
            (Token::Word(name), span) if self.eat("(") => ExprKind::Call {
                func: Ident { name, span },
                args: self.args(),
            },
            (Token::Word(name), span) => ExprKind::Name(Ident { name, span }),
            (Token::Punct("("), _) => {
                let inner = self.expr();
                self.expect(")");
                return inner;
            }
            (Token::Punct("["), _) => ExprKind::List(self.list("]")),
            other => panic!("unexpected {other:?}"),
        };
        Expr {
            kind,
            span: Span::new(start, self.last_end()),
        }
    }
}

fn leak(punct: &str) -> &'static str {
    [
        "..", "{", "}", "(", ")", "[", "]", ";", ",", ":", "=", "+", "-", "*", "/", "@", ".",
    ]
    .into_iter()
    .find(|p| *p == punct)
    .unwrap_or_else(|| panic!("unknown punctuation {punct}"))
}
