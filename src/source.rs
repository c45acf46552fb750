//! Source files, byte spans and the line/column index.
//!
//! Every location in imglint is a [`Span`]: a half-open byte range into the
//! original text of a file (BOM included). [`LineIndex`] turns a byte offset
//! into a 1-based line and a column counted in bytes, in Unicode scalar values
//! or in UTF-16 code units (what SARIF's `utf16CodeUnits` expects).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A half-open byte range `[start, end)` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    pub fn from_range(range: Range<usize>) -> Self {
        Span::new(to_u32(range.start), to_u32(range.end))
    }

    pub const fn empty(at: u32) -> Self {
        Span { start: at, end: at }
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span that covers both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The text of this span, or `""` when it does not fall on character
    /// boundaries of `text`.
    pub fn text(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or("")
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new((span.start as usize).into(), span.len())
    }
}

/// Converts a length or offset to `u32`, saturating. Inputs are capped far
/// below 4 GiB before they reach the parser, so saturation never shows.
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A 1-based position in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line number; lines are separated by `\n` only, as BuildKit
    /// counts them.
    pub line: u32,
    /// 1-based column in bytes.
    pub byte_column: u32,
    /// 1-based column in Unicode scalar values.
    pub char_column: u32,
    /// 1-based column in UTF-16 code units.
    pub utf16_column: u32,
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr_iter(b'\n', text.as_bytes()).map(|i| to_u32(i + 1)));
        LineIndex { line_starts }
    }

    /// Number of lines; a final line without a newline counts, an empty one
    /// after the last newline counts too.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line that holds `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<u32> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    /// The byte range of 1-based `line`, without its line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> Option<Range<usize>> {
        let start = self.line_start(line)? as usize;
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |&next| next as usize);
        let bytes = text.as_bytes();
        let mut stop = end.min(bytes.len());
        while stop > start && matches!(bytes.get(stop - 1), Some(b'\n' | b'\r')) {
            stop -= 1;
        }
        Some(start..stop)
    }

    /// The position of `offset` in `text` (clamped to the text; an offset
    /// inside a multi-byte character counts as that character's start).
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let offset = offset.min(to_u32(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let mut end = offset as usize;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let prefix = text.get(start..end).unwrap_or("");
        let chars = prefix.chars().count();
        let utf16: usize = prefix.chars().map(char::len_utf16).sum();
        Position {
            line: to_u32(line + 1),
            byte_column: to_u32(offset as usize - start + 1),
            char_column: to_u32(chars + 1),
            utf16_column: to_u32(utf16 + 1),
        }
    }
}

fn memchr_iter(needle: u8, haystack: &[u8]) -> impl Iterator<Item = usize> + '_ {
    haystack
        .iter()
        .enumerate()
        .filter(move |(_, b)| **b == needle)
        .map(|(i, _)| i)
}

/// A file's text with its name and line index.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or the `--stdin-filename`).
    pub path: PathBuf,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            text,
            lines,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn position(&self, offset: u32) -> Position {
        self.lines.position(&self.text, offset)
    }

    pub fn slice(&self, span: Span) -> &str {
        span.text(&self.text)
    }
}

/// Why bytes could not be read as a Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A NUL byte: the file is binary.
    Binary { offset: usize },
    /// Not valid UTF-8 at `offset`.
    InvalidUtf8 { offset: usize },
}

impl DecodeError {
    pub fn offset(&self) -> usize {
        match *self {
            DecodeError::Binary { offset } | DecodeError::InvalidUtf8 { offset } => offset,
        }
    }
}

/// Decodes file bytes as UTF-8 text, rejecting binary content.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary { offset });
    }
    String::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_bytes_chars_and_utf16() {
        let text = "FROM a\nRUN é😀x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        let p = idx.position(text, x);
        assert_eq!(p.line, 2);
        assert_eq!(p.byte_column, 11);
        assert_eq!(p.char_column, 7);
        assert_eq!(p.utf16_column, 8);
        assert_eq!(idx.position(text, 0).line, 1);
        assert_eq!(idx.position(text, 7).line, 2);
        assert_eq!(idx.position(text, 7).byte_column, 1);
    }

    #[test]
    fn carriage_returns_do_not_start_lines() {
        let text = "a\rb\r\nc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 2);
        assert_eq!(idx.position(text, 5).line, 2);
        assert_eq!(idx.line_range(text, 1), Some(0..3));
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let text = "ab";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 99).byte_column, 3);
    }

    #[test]
    fn decode_rejects_binary_and_bad_utf8() {
        assert_eq!(
            decode(vec![b'a', 0, b'b']),
            Err(DecodeError::Binary { offset: 1 })
        );
        assert_eq!(
            decode(vec![b'a', 0xff]),
            Err(DecodeError::InvalidUtf8 { offset: 1 })
        );
        assert_eq!(decode(b"ok".to_vec()).unwrap(), "ok");
    }
}
