//! The PromQL syntax check behind the query console: promql-parser's verdict, located.
//!
//! promql-parser reports errors as bare sentences with no position, so the position is found
//! here: unclosed brackets and quotes by a small scanner; other lexer errors by the shortest
//! prefix that fails the same way; grammar errors by the first token after which no
//! completion of the query parses; semantic errors (unknown function, wrong argument type,
//! bad duration) by the first token at which a completed prefix fails with the same sentence.

use std::ops::Range;

use promql_parser::parser::{self, Expr};

use super::scan::{Open, Scan, Token, open_brackets, scan, skeleton, too_deep};

/// Queries longer than this are refused before parsing: locating an error re-parses prefixes,
/// and nobody types a query this long into a console.
const MAX_QUERY_BYTES: usize = 64 * 1024;

/// Deeper nesting than this (brackets and chained operators) is refused before parsing: the
/// parser recurses on the tree and would overflow a worker thread's stack long before a
/// real query gets near it.
const MAX_NESTING: usize = 256;

/// Bytes re-parsed while locating one error; past it the error is reported without a position.
const SEARCH_BUDGET: usize = 2 * 1024 * 1024;

/// promql-parser's whole message for a grammar error.
const GRAMMAR_ERROR: &str = "invalid promql query";

/// Lexer messages about the end of the input: the useful position is the opener left open.
const UNCLOSED_AT_END: &[&str] = &[
    "unclosed left parenthesis",
    "unterminated quoted string",
    "escape sequence not terminated",
    "unexpected end of input inside braces",
    "unexpected end of input inside brackets",
    "'!' can not be at the end",
];

/// Why a query does not parse, and where, so the console can underline the spot while the
/// learner types.
///
/// `line` and `column` are 1-based (the column counts characters, not bytes) and describe
/// `span.start`; both are 0 when `span` is `None`: when the search for the position ran out
/// of budget, or, in theory, when the scanner here and promql-parser's lexer disagree about
/// what was left open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", at_suffix(*.line, *.column))]
pub struct SyntaxError {
    /// The reason in a sentence: promql-parser's own words, or ours where it only says
    /// "invalid promql query".
    pub message: String,
    /// Byte offsets of the offending text in the query.
    pub span: Option<Range<usize>>,
    pub line: usize,
    pub column: usize,
}

fn at_suffix(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (line {line}, column {column})")
    }
}

impl SyntaxError {
    fn new(expr: &str, message: impl Into<String>, span: Option<Range<usize>>) -> Self {
        let (line, column) = span
            .as_ref()
            .map_or((0, 0), |span| line_column(expr, span.start));
        Self {
            message: message.into(),
            span,
            line,
            column,
        }
    }
}

/// Checks a PromQL query as it is typed, so the console can say what is wrong and where
/// before anything is sent to Prometheus. Never panics, whatever the input.
pub fn check_promql(expr: &str) -> Result<(), SyntaxError> {
    parse(expr).map(|_| ())
}

/// Parses with the guards and the located error; the explain tree starts from here.
pub(super) fn parse(expr: &str) -> Result<Expr, SyntaxError> {
    parse_with_budget(expr, SEARCH_BUDGET)
}

/// [`parse`] with the budget for locating an error given, so tests can exhaust it.
pub(super) fn parse_with_budget(expr: &str, budget: usize) -> Result<Expr, SyntaxError> {
    if expr.len() > MAX_QUERY_BYTES {
        let mut cut = MAX_QUERY_BYTES;
        while !expr.is_char_boundary(cut) {
            cut -= 1;
        }
        return Err(SyntaxError::new(
            expr,
            format!(
                "the query is {} KiB; the console checks queries up to {} KiB",
                expr.len().div_ceil(1024),
                MAX_QUERY_BYTES / 1024
            ),
            Some(cut..expr.len()),
        ));
    }
    let scan = scan(expr);
    if let Some(at) = too_deep(&scan.tokens, MAX_NESTING) {
        return Err(SyntaxError::new(
            expr,
            format!(
                "the query nests more than {MAX_NESTING} levels of brackets and operators; \
                 split it up"
            ),
            Some(at),
        ));
    }
    parser::parse(expr).map_err(|message| locate(expr, &scan, message, budget))
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(expr: &str, offset: usize) -> (usize, usize) {
    let before = expr.get(..offset).unwrap_or(expr);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn locate(expr: &str, scan: &Scan, message: String, budget: usize) -> SyntaxError {
    if message.starts_with("no expression found in input") {
        return SyntaxError::new(expr, "the query is empty", Some(0..expr.len()));
    }
    let (skeleton, skeleton_ends) = skeleton(expr, &scan.tokens);
    let mut search = Search {
        expr,
        tokens: &scan.tokens,
        skeleton,
        skeleton_ends,
        budget,
        exhausted: false,
    };
    if parser::lex::lexer(expr).is_err() {
        let span = if UNCLOSED_AT_END.iter().any(|m| message.starts_with(m)) {
            scan.left_open(&message)
        } else {
            search.lexer_error(&message)
        };
        return SyntaxError::new(expr, message, span);
    }
    if message == GRAMMAR_ERROR {
        return search.grammar_error();
    }
    let span = search.semantic_error(&message);
    SyntaxError::new(expr, message, span)
}

/// Fillers tried after a prefix that ends where an expression or a modifier may continue.
const EXPRESSION_FILLERS: &[&str] = &["", " x", " (x)", " () (x)", " () x", " ()", " 5m", " 1"];
const BRACE_FILLERS: &[&str] = &["", "=\"\"", "\"\"", " a=\"\""];
const BRACKET_FILLERS: &[&str] = &["", "5m"];
const LABEL_FILLERS: &[&str] = &["", " a"];
/// What may follow a closed label list: an aggregation body, an operand, or nothing.
const AFTER_LABELS: &[&str] = &["", " (x)", " x"];

/// The prefix searches, sharing one budget of re-parsed bytes.
struct Search<'a> {
    expr: &'a str,
    tokens: &'a [Token],
    /// The query with every string literal emptied, and where each token ends in it: the
    /// grammar search only needs the shape, and regex matchers cost a compile per parse.
    skeleton: String,
    skeleton_ends: Vec<usize>,
    budget: usize,
    /// Set once a parse was skipped for lack of budget.
    exhausted: bool,
}

impl Search<'_> {
    /// Takes `bytes` from the budget; `None` (and `exhausted`) when it cannot.
    fn spend(&mut self, bytes: usize) -> Option<()> {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                Some(())
            }
            None => {
                self.exhausted = true;
                None
            }
        }
    }

    fn parse(&mut self, text: &str) -> Option<Result<Expr, String>> {
        self.spend(text.len())?;
        Some(parser::parse(text))
    }

    /// Completions of `prefix`, the query cut after token `index`: a filler for the innermost
    /// context, then closers for every open bracket.
    fn completions(&self, index: usize, prefix: &str) -> Vec<String> {
        let tokens = &self.tokens[..=index];
        let open = open_brackets(self.expr, tokens);
        let fillers = match open.last() {
            Some(Open { ch: '{', .. }) => BRACE_FILLERS,
            Some(Open { ch: '[', .. }) => BRACKET_FILLERS,
            Some(Open { labels: true, .. }) => LABEL_FILLERS,
            _ => EXPRESSION_FILLERS,
        };
        let after_labels: &[&str] = if open.iter().any(|o| o.labels) {
            AFTER_LABELS
        } else {
            &[""]
        };
        let mut out = Vec::with_capacity(fillers.len() * after_labels.len());
        for filler in fillers {
            for after in after_labels {
                let mut text = format!("{prefix}{filler}");
                for o in open.iter().rev() {
                    text.push(match o.ch {
                        '(' => ')',
                        '{' => '}',
                        _ => ']',
                    });
                    if o.labels {
                        text.push_str(after);
                    }
                }
                out.push(text);
            }
        }
        out
    }

    /// Smallest index in `0..len` for which `test` holds, assuming it holds from there on;
    /// `None` if it never holds or the budget ran out.
    fn first(
        &mut self,
        len: usize,
        test: impl Fn(&mut Self, usize) -> Option<bool>,
    ) -> Option<usize> {
        let (mut lo, mut hi) = (0, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if test(self, mid)? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        (lo < len).then_some(lo)
    }

    fn span(&self, index: usize) -> Range<usize> {
        self.tokens[index].start..self.tokens[index].end
    }

    /// A lexer error: the shortest prefix that fails with the same sentence ends at the
    /// offending character.
    fn lexer_error(&mut self, message: &str) -> Option<Range<usize>> {
        let expr = self.expr;
        let ends: Vec<usize> = expr
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .collect();
        let index = self.first(ends.len(), |search, i| {
            let prefix = &expr[..ends[i]];
            search.spend(prefix.len())?;
            Some(parser::lex::lexer(prefix).err().as_deref() == Some(message))
        })?;
        let end = ends[index];
        // "bad number or duration syntax: 5x" names the whole lexeme.
        if let Some((_, lexeme)) = message.rsplit_once(": ")
            && !lexeme.is_empty()
            && expr[..end].ends_with(lexeme)
        {
            return Some(end - lexeme.len()..end);
        }
        let start = index.checked_sub(1).map_or(0, |i| ends[i]);
        Some(start..end)
    }

    /// A grammar error: the first token after which no completion parses is unexpected; if
    /// every prefix can still be completed, the query stops too early.
    fn grammar_error(&mut self) -> SyntaxError {
        let expr = self.expr;
        let count = self.tokens.len();
        let viable = |search: &mut Self, i: usize| {
            let prefix = &search.skeleton[..search.skeleton_ends[i]];
            for text in search.completions(i, prefix) {
                match search.parse(&text)? {
                    Ok(_) => return Some(true),
                    Err(m) if m != GRAMMAR_ERROR && parser::lex::lexer(&text).is_ok() => {
                        return Some(true);
                    }
                    Err(_) => {}
                }
            }
            Some(false)
        };
        let first_bad = self.first(count, |s, i| viable(s, i).map(|ok| !ok));
        match first_bad {
            Some(i) => {
                let span = self.span(i);
                let message = format!("unexpected `{}`", shorten(&expr[span.clone()]));
                SyntaxError::new(expr, message, Some(span))
            }
            None if count > 0 && !self.exhausted => {
                let span = self.span(count - 1);
                let message = format!(
                    "the query stops too early, after `{}`",
                    shorten(&expr[span.clone()])
                );
                SyntaxError::new(expr, message, Some(span))
            }
            None => SyntaxError::new(expr, "the query does not parse", None),
        }
    }

    /// A semantic error (unknown function, wrong type, bad duration): the first token at which
    /// a completed prefix fails with the same sentence.
    fn semantic_error(&mut self, message: &str) -> Option<Range<usize>> {
        let count = self.tokens.len();
        let index = self.first(count, |search, i| {
            let prefix = &search.expr[..search.tokens[i].end];
            for text in search.completions(i, prefix) {
                if search.parse(&text)?.err().as_deref() == Some(message) {
                    return Some(true);
                }
            }
            Some(false)
        })?;
        Some(self.span(index))
    }
}

/// A token as quoted in a message: long ones cut, on a character boundary.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX_CHARS).collect();
    format!("{cut}…")
}
