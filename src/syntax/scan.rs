//! Stage one, as BuildKit's `parser.Parse` does it: parser directives, the
//! escape character, continuation lines (with comment and empty lines inside
//! them), heredoc bodies, and the line numbers BuildKit reports.

use super::instruction::{ParsedLine, parse_line};
use super::lex::{Lex, NoEnv};
use super::tree::*;
use crate::source::{Span, to_u32};

const BOM: &str = "\u{feff}";

/// One physical line: `[start, content_end)` without trailing `\r`/`\n`,
/// `end` after the line terminator.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

fn split_lines(text: &str) -> Vec<Line> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 32 + 1);
    let mut start = 0;
    while start < b.len() {
        let end = b[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| start + i + 1);
        let mut content_end = end;
        while content_end > start && matches!(b[content_end - 1], b'\n' | b'\r') {
            content_end -= 1;
        }
        out.push(Line {
            start,
            content_end,
            end,
        });
        start = end;
    }
    out
}

/// Leading whitespace as Go's `unicode.IsSpace` sees it.
fn trim_start(text: &str, lo: usize, hi: usize) -> usize {
    let s = text.get(lo..hi).unwrap_or("");
    lo + (s.len() - s.trim_start().len())
}

struct Directives {
    done: bool,
    seen: Vec<String>,
}

impl Directives {
    /// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`; returns the name and
    /// value ranges.
    fn match_line(text: &str, lo: usize, hi: usize) -> Option<((usize, usize), (usize, usize))> {
        let b = text.as_bytes();
        let go_space = |c: u8| matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | b' ');
        if b.get(lo) != Some(&b'#') {
            return None;
        }
        let mut i = lo + 1;
        while i < hi && go_space(b[i]) {
            i += 1;
        }
        let ns = i;
        if i >= hi || !b[i].is_ascii_alphabetic() {
            return None;
        }
        while i < hi && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let ne = i;
        while i < hi && go_space(b[i]) {
            i += 1;
        }
        if i >= hi || b[i] != b'=' {
            return None;
        }
        i += 1;
        while i < hi && go_space(b[i]) {
            i += 1;
        }
        let mut ve = hi;
        while ve > i && go_space(b[ve - 1]) {
            ve -= 1;
        }
        if ve <= i {
            return None;
        }
        Some(((ns, ne), (i, ve)))
    }
}

struct Scanner<'a> {
    text: &'a str,
    lines: Vec<Line>,
    escape: char,
    directives: Directives,
    out: Dockerfile,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            text,
            lines: split_lines(text),
            escape: '\\',
            directives: Directives {
                done: false,
                seen: Vec::new(),
            },
            out: Dockerfile {
                escape: '\\',
                bom: text.starts_with(BOM),
                ..Dockerfile::default()
            },
        }
    }

    /// Checks a processed line for a parser directive; true if it was one.
    fn possible_directive(&mut self, lo: usize, hi: usize) -> bool {
        if self.directives.done {
            return false;
        }
        let Some(((ns, ne), (vs, ve))) = Directives::match_line(self.text, lo, hi) else {
            self.directives.done = true;
            return false;
        };
        let name = self.text[ns..ne].to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives.done = true;
            return false;
        }
        let span = Span::from_range(lo..hi);
        if self.directives.seen.contains(&name) {
            self.out.errors.push(ParseError {
                kind: ParseErrorKind::DuplicateDirective,
                span,
                message: format!("only one {name} parser directive can be used"),
                help: Some("remove the repeated directive".to_string()),
            });
            return false;
        }
        self.directives.seen.push(name.clone());
        let value = self.text[vs..ve].to_string();
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => {
                    self.out.errors.push(ParseError {
                        kind: ParseErrorKind::InvalidEscape,
                        span: Span::from_range(vs..ve),
                        message: format!("invalid escape token '{value}' does not match ` or \\"),
                        help: Some("use `# escape=\\` or `# escape=``".to_string()),
                    });
                    return false;
                }
            }
        }
        self.out.directives.push(Directive {
            name,
            value,
            span,
            name_span: Span::from_range(ns..ne),
            value_span: Span::from_range(vs..ve),
        });
        true
    }

    /// BuildKit's continuation test on `[lo, hi)`: returns the content end
    /// with the escape removed, or `None` when the line does not continue.
    fn continuation(&self, lo: usize, hi: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut end = hi;
        while end > lo && matches!(b[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        let esc = self.escape as u8;
        if end > lo && b[end - 1] == esc && (end - 1 == lo || b[end - 2] != esc) {
            return Some(end - 1);
        }
        None
    }

    fn is_comment(&self, lo: usize, hi: usize) -> bool {
        let s = trim_start(self.text, lo, hi);
        s < hi && self.text.as_bytes()[s] == b'#'
    }

    fn comment(&mut self, lo: usize, hi: usize, in_continuation: bool) {
        let s = trim_start(self.text, lo, hi);
        self.out.comments.push(Comment {
            span: Span::from_range(s..hi),
            in_continuation,
        });
    }

    fn run(mut self) -> Dockerfile {
        let mut i = 0;
        let mut line_no: u32 = 0;
        while i < self.lines.len() {
            let line = self.lines[i];
            i += 1;
            let mut lo = line.start;
            if line_no == 0 && self.text[lo..].starts_with(BOM) {
                lo += BOM.len();
            }
            let hi = line.content_end;
            let lo = trim_start(self.text, lo, hi);
            let is_directive = self.possible_directive(lo, hi);
            line_no += 1;
            let start_line = line_no;
            if lo < hi && self.text.as_bytes()[lo] == b'#' {
                if !is_directive {
                    self.comment(lo, hi, false);
                }
                continue;
            }
            let mut logical = LogicalLine::default();
            let mut eol = true;
            let mut last_end = hi;
            match self.continuation(lo, hi) {
                Some(e) => {
                    logical.push(&self.text[lo..e], lo);
                    eol = false;
                }
                None => {
                    if lo == hi {
                        continue;
                    }
                    logical.push(&self.text[lo..hi], lo);
                }
            }
            let mut empty_lines = Vec::new();
            while !eol && i < self.lines.len() {
                let next = self.lines[i];
                i += 1;
                self.possible_directive(next.start, next.content_end);
                line_no += 1;
                if self.is_comment(next.start, next.content_end) {
                    self.comment(next.start, next.content_end, true);
                    continue;
                }
                if trim_start(self.text, next.start, next.content_end) == next.content_end {
                    empty_lines.push(Span::from_range(next.start..next.content_end));
                    continue;
                }
                last_end = next.content_end;
                match self.continuation(next.start, next.content_end) {
                    Some(e) => logical.push(&self.text[next.start..e], next.start),
                    None => {
                        logical.push(&self.text[next.start..next.content_end], next.start);
                        eol = true;
                    }
                }
            }
            let index = self.out.instructions.len();
            if !empty_lines.is_empty() {
                self.out.empty_continuations.push(EmptyContinuation {
                    instruction: index,
                    lines: empty_lines,
                });
            }
            let parsed = parse_line(&logical, 0, self.escape, &mut self.out.errors);
            let mut heredocs = Vec::new();
            let mut span_end = last_end;
            if parsed.can_contain_heredoc() && logical.text.contains("<<") {
                let found = match heredocs_from_line(&logical.text) {
                    Ok(found) => found,
                    Err(message) => {
                        self.out.errors.push(ParseError {
                            kind: ParseErrorKind::InvalidHeredoc,
                            span: logical.span(0, logical.text.len()),
                            message,
                            help: None,
                        });
                        Vec::new()
                    }
                };
                let mut marker_cursor = 0;
                for (name, fd, expand, chomp) in found {
                    let marker = find_marker(&logical, &mut marker_cursor);
                    let body_start = self.lines.get(i).map_or(self.text.len(), |l| l.start);
                    let mut content = String::new();
                    let mut terminator = None;
                    while i < self.lines.len() {
                        let l = self.lines[i];
                        i += 1;
                        line_no += 1;
                        let mut t = &self.text[l.start..l.content_end];
                        if chomp {
                            t = t.trim_start_matches('\t');
                        }
                        if t == name {
                            terminator = Some(l);
                            break;
                        }
                        content.push_str(&self.text[l.start..l.end]);
                    }
                    let Some(term) = terminator else {
                        self.out.errors.push(ParseError {
                            kind: ParseErrorKind::UnterminatedHeredoc,
                            span: marker,
                            message: format!("unterminated heredoc `{name}`"),
                            help: Some(format!(
                                "end the heredoc with a line that is exactly `{name}`"
                            )),
                        });
                        let end = self.text.len();
                        heredocs.push(Heredoc {
                            name,
                            fd,
                            expand,
                            chomp,
                            content,
                            marker,
                            body: Span::from_range(body_start.min(end)..end),
                            terminator: Span::empty(to_u32(end)),
                        });
                        span_end = trim_end_newlines(self.text, end);
                        break;
                    };
                    span_end = term.content_end;
                    heredocs.push(Heredoc {
                        name,
                        fd,
                        expand,
                        chomp,
                        content,
                        marker,
                        body: Span::from_range(body_start..term.start),
                        terminator: Span::from_range(term.start..term.content_end),
                    });
                }
            }
            let ParsedLine {
                kind,
                keyword,
                flags,
                args,
            } = parsed;
            let start = logical.to_source(0);
            self.out.instructions.push(Instruction {
                kind,
                span: Span::new(start, to_u32(span_end.max(start as usize))),
                keyword,
                start_line,
                end_line: line_no,
                logical,
                flags,
                args,
                heredocs,
            });
        }
        if self.out.instructions.is_empty() {
            let end = to_u32(self.text.len());
            self.out.errors.push(ParseError {
                kind: ParseErrorKind::NoInstructions,
                span: Span::new(0, end.min(1)),
                message: "file with no instructions".to_string(),
                help: Some("a Dockerfile needs at least a `FROM` instruction".to_string()),
            });
        }
        self.out.escape = self.escape;
        // the ONBUILD bodies share their wrapper's lines
        for ins in &mut self.out.instructions {
            let (s, e) = (ins.start_line, ins.end_line);
            if let Args::Onbuild(inner) = &mut ins.args {
                inner.start_line = s;
                inner.end_line = e;
                inner.heredocs = ins.heredocs.clone();
            }
        }
        self.out
    }
}

fn trim_end_newlines(text: &str, mut end: usize) -> usize {
    let b = text.as_bytes();
    while end > 0 && matches!(b[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// Finds the span of the next `<<` marker word in the logical line.
fn find_marker(logical: &LogicalLine, cursor: &mut usize) -> Span {
    let text = &logical.text;
    let Some(rel) = text.get(*cursor..).and_then(|t| t.find("<<")) else {
        return logical.span(text.len(), text.len());
    };
    let start = *cursor + rel;
    let mut i = start + 2;
    let b = text.as_bytes();
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\r')) {
        i += 1;
    }
    let mut quote = 0u8;
    while let Some(&c) = b.get(i) {
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'\'' || c == b'"' {
            quote = c;
        } else if c.is_ascii_whitespace() || c == b'<' {
            break;
        } else if c == b'\\' {
            i += 1;
        }
        i += 1;
    }
    let end = i.min(text.len());
    *cursor = end;
    // the file-descriptor digits before `<<` belong to the marker
    let mut s = start;
    while s > 0 && b[s - 1].is_ascii_digit() {
        s -= 1;
    }
    logical.span(s, end)
}

/// BuildKit's `heredocsFromLine`: `(name, fd, expand, chomp)` for each
/// heredoc marker, in order.
fn heredocs_from_line(line: &str) -> Result<Vec<HeredocMarker>, String> {
    let mut lex = Lex::new('\\');
    lex.raw_quotes = true;
    lex.raw_escapes = true;
    lex.skip_unset_env = true;
    let words = lex.words(line, &NoEnv).unwrap_or_default();
    let mut out = Vec::new();
    for w in &words {
        if let Some(h) = parse_heredoc_word(w)? {
            out.push(h);
        }
    }
    Ok(out)
}

/// `(name, fd, expand, chomp)`
type HeredocMarker = (String, Option<u32>, bool, bool);

/// `^(\d*)<<(-?)\s*([^<]*)$` plus BuildKit's quote check on the name.
fn parse_heredoc_word(word: &str) -> Result<Option<HeredocMarker>, String> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let Some(rest) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    let fd = if digits > 0 {
        word[..digits].parse().ok()
    } else {
        None
    };
    let mut lex = Lex::new('\\');
    lex.skip_unset_env = true;
    let words = lex.words(rest, &NoEnv).map_err(|e| e.message)?;
    if words.len() != 1 {
        return Ok(None);
    }
    lex.raw_quotes = true;
    let raw = lex.words(rest, &NoEnv).map_err(|e| e.message)?;
    if raw.len() != 1 {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let count = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
    let expand = count(&words[0]) == count(&raw[0]);
    Ok(Some((words[0].clone(), fd, expand, chomp)))
}

/// Parses a whole Dockerfile. Never fails: problems BuildKit would reject
/// are in [`Dockerfile::errors`], and what could be read is in the tree.
pub fn parse(text: &str) -> Dockerfile {
    Scanner::new(text).run()
}
