//! A small PromQL tokenizer for locating errors: close enough to promql-parser's lexer to
//! cut a query at token ends and to know which brackets and quotes are still open.

use std::ops::Range;

/// What the scanner saw: tokens (close to promql-parser's), plus what was left open.
pub(super) struct Scan {
    pub(super) tokens: Vec<Token>,
    /// Brackets never closed, outermost first.
    open: Vec<Open>,
    /// Start of a string never closed.
    open_quote: Option<usize>,
    /// Start of a `!` that ends the query.
    trailing_bang: Option<usize>,
}

impl Scan {
    /// Where the unclosed thing the lexer complains about begins.
    pub(super) fn left_open(&self, message: &str) -> Option<Range<usize>> {
        let one = |at: usize| Some(at..at + 1);
        if message.starts_with("unterminated") || message.starts_with("escape") {
            return self.open_quote.and_then(one);
        }
        if message.starts_with("'!'") {
            return self.trailing_bang.and_then(one);
        }
        let wanted = match message {
            m if m.contains("braces") => '{',
            m if m.contains("brackets") => '[',
            _ => '(',
        };
        self.open
            .iter()
            .rev()
            .find(|open| open.ch == wanted)
            .and_then(|open| one(open.at))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    Word,
    Number,
    Str,
    Open(char),
    Close(char),
    /// Operators, including `@` and the word operators (and, or, unless, atan2, offset, bool).
    Op,
    /// `,` and `:`.
    Punct,
    /// A character promql-parser's lexer would refuse.
    Other,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) start: usize,
    pub(super) end: usize,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Open {
    pub(super) ch: char,
    pub(super) at: usize,
    /// `(` after by, without, on, ignoring, group_left or group_right: labels, not an expression.
    pub(super) labels: bool,
}

const LABEL_LIST_KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

const WORD_OPERATORS: &[&str] = &["and", "or", "unless", "atan2", "offset", "bool"];

/// Tokenizes the way promql-parser's lexer does, closely enough to cut the query at token
/// ends and to know which brackets and quotes are open.
pub(super) fn scan(expr: &str) -> Scan {
    let mut tokens = Vec::new();
    let mut open_quote = None;
    let mut trailing_bang = None;
    let mut chars = expr.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        let kind = match c {
            c if c.is_ascii_whitespace() => continue,
            '#' => {
                eat(&mut chars, &mut end, |c| c != '\n' && c != '\r');
                continue;
            }
            '"' | '\'' | '`' => {
                let mut escaped = false;
                let mut closed = false;
                for (at, next) in chars.by_ref() {
                    end = at + next.len_utf8();
                    if escaped {
                        escaped = false;
                    } else if next == '\\' {
                        escaped = true;
                    } else if next == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    open_quote = Some(start);
                }
                TokenKind::Str
            }
            c if c.is_ascii_digit()
                || (c == '.' && expr[end..].starts_with(|d: char| d.is_ascii_digit())) =>
            {
                loop {
                    eat(&mut chars, &mut end, |c| {
                        c.is_ascii_alphanumeric() || c == '_' || c == '.'
                    });
                    let number = &expr[start..end];
                    let exponent = number.ends_with(['e', 'E'])
                        && !number.starts_with("0x")
                        && !number.starts_with("0X")
                        && expr[end..].starts_with(['+', '-']);
                    if !exponent {
                        break;
                    }
                    chars.next();
                    end += 1;
                }
                TokenKind::Number
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                eat(&mut chars, &mut end, |c| {
                    c.is_ascii_alphanumeric() || c == '_' || c == ':'
                });
                let word = &expr[start..end];
                if WORD_OPERATORS.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                    TokenKind::Op
                } else {
                    TokenKind::Word
                }
            }
            '(' | '{' | '[' => TokenKind::Open(c),
            ')' | '}' | ']' => TokenKind::Close(c),
            '=' | '!' | '<' | '>' => {
                if let Some(&(at, next)) = chars.peek()
                    && (next == '=' || (next == '~' && (c == '=' || c == '!')))
                {
                    end = at + next.len_utf8();
                    chars.next();
                } else if c == '!' && chars.peek().is_none() {
                    trailing_bang = Some(start);
                }
                TokenKind::Op
            }
            '+' | '-' | '*' | '/' | '%' | '^' | '@' => TokenKind::Op,
            ',' | ':' => TokenKind::Punct,
            _ => TokenKind::Other,
        };
        tokens.push(Token { kind, start, end });
    }
    let open = open_brackets(expr, &tokens);
    Scan {
        tokens,
        open,
        open_quote,
        trailing_bang,
    }
}

/// Brackets left open at the end of `tokens`, outermost first. A closer that does not match
/// is ignored: the lexer reports those itself.
pub(super) fn open_brackets(expr: &str, tokens: &[Token]) -> Vec<Open> {
    let mut open: Vec<Open> = Vec::new();
    let mut previous: Option<&Token> = None;
    for token in tokens {
        match token.kind {
            TokenKind::Open(ch) => {
                let labels = ch == '('
                    && previous.is_some_and(|p| {
                        p.kind == TokenKind::Word
                            && LABEL_LIST_KEYWORDS
                                .iter()
                                .any(|k| k.eq_ignore_ascii_case(&expr[p.start..p.end]))
                    });
                open.push(Open {
                    ch,
                    at: token.start,
                    labels,
                });
            }
            TokenKind::Close(ch) => {
                let opener = match ch {
                    ')' => '(',
                    '}' => '{',
                    _ => '[',
                };
                if open.last().is_some_and(|o| o.ch == opener) {
                    open.pop();
                }
            }
            _ => {}
        }
        previous = Some(token);
    }
    open
}

/// The first token at which nesting passes `limit`: each bracket counts two levels
/// and each operator one, an upper bound on the depth of the tree the parser builds.
pub(super) fn too_deep(tokens: &[Token], limit: usize) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut saved: Vec<usize> = Vec::new();
    for token in tokens {
        match token.kind {
            TokenKind::Open(_) => {
                saved.push(depth);
                depth += 2;
            }
            TokenKind::Close(_) => depth = saved.pop().unwrap_or(0),
            TokenKind::Op => depth += 1,
            _ => {}
        }
        if depth > limit {
            return Some(token.start..token.end);
        }
    }
    None
}

/// Consumes characters while `keep` holds, moving `end` past them.
fn eat(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    end: &mut usize,
    keep: impl Fn(char) -> bool,
) {
    while let Some(&(at, next)) = chars.peek() {
        if !keep(next) {
            break;
        }
        *end = at + next.len_utf8();
        chars.next();
    }
}

/// The query with each string literal replaced by `""`, and each token's end in the result.
pub(super) fn skeleton(expr: &str, tokens: &[Token]) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(expr.len());
    let mut ends = Vec::with_capacity(tokens.len());
    let mut copied = 0;
    for token in tokens {
        out.push_str(&expr[copied..token.start]);
        if token.kind == TokenKind::Str {
            out.push_str("\"\"");
        } else {
            out.push_str(&expr[token.start..token.end]);
        }
        copied = token.end;
        ends.push(out.len());
    }
    (out, ends)
}
