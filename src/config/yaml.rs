//! A small YAML tree with positions, built from `saphyr-parser`'s events:
//! enough to read `.hadolint.yaml` and point at the node that is wrong.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use std::collections::HashMap;

/// Deeper nesting than this is refused (hostile input must not exhaust the
/// stack).
const MAX_DEPTH: usize = 64;

/// A node and where it starts (1-based line and column, in characters).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A scalar; `plain` when unquoted (so `true`, `null` and `~` are not
    /// strings, as in YAML 1.2's core schema).
    Scalar {
        value: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar's text when it is a string (not null, not a boolean).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, plain }
                if !*plain || (!self.is_null() && self.as_bool().is_none()) =>
            {
                Some(value)
            }
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Scalar { value, plain: true } => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, plain: true }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// What the node is, for error messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
            Kind::Scalar { .. } if self.is_null() => "nothing (null)",
            Kind::Scalar { .. } if self.as_bool().is_some() => "a boolean",
            Kind::Scalar { .. } => "a string",
        }
    }
}

/// A syntax error: line, column (1-based) and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

fn at(span: &Span, message: impl Into<String>) -> YamlError {
    YamlError {
        line: to_u32(span.start.line()),
        column: to_u32(span.start.col() + 1),
        message: message.into(),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn scan_error(e: &ScanError) -> YamlError {
    YamlError {
        line: to_u32(e.marker().line()),
        column: to_u32(e.marker().col() + 1),
        message: e.info().to_string(),
    }
}

type Events<'a> = Parser<'a, saphyr_parser::StrInput<'a>>;

struct Builder<'a> {
    events: Events<'a>,
    anchors: HashMap<usize, Node>,
    last: Span,
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.events.next() {
            Some(Ok((ev, span))) => {
                self.last = span;
                Ok((ev, span))
            }
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err(at(&self.last, "unexpected end of the file")),
        }
    }

    fn node(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Node, YamlError> {
        if depth > MAX_DEPTH {
            return Err(at(&span, "nested too deeply"));
        }
        let line = to_u32(span.start.line());
        let column = to_u32(span.start.col() + 1);
        let (kind, anchor) = match ev {
            Event::Scalar(value, style, anchor, _) => (
                Kind::Scalar {
                    value: value.into_owned(),
                    plain: style == ScalarStyle::Plain,
                },
                anchor,
            ),
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(ev, span, depth + 1)?);
                }
                (Kind::Seq(items), anchor)
            }
            Event::MappingStart(anchor, _) => {
                let mut entries = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let key = self.node(ev, span, depth + 1)?;
                    let (ev, span) = self.next()?;
                    let value = self.node(ev, span, depth + 1)?;
                    entries.push((key, value));
                }
                (Kind::Map(entries), anchor)
            }
            Event::Alias(id) => {
                return self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| at(&span, "unknown alias"));
            }
            _ => return Err(at(&span, "unexpected YAML event")),
        };
        let node = Node { kind, line, column };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

/// Parses one YAML document; `None` for a file without one (empty, or
/// comments only).
pub fn parse(text: &str) -> Result<Option<Node>, YamlError> {
    let start = saphyr_parser::Marker::new(0, 1, 0);
    let mut b = Builder {
        events: Parser::new_from_str(text),
        anchors: HashMap::new(),
        last: Span::new(start, start),
    };
    let mut doc: Option<Node> = None;
    loop {
        let (ev, span) = b.next()?;
        match ev {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => return Ok(doc),
            Event::DocumentStart(_) => {
                if doc.is_some() {
                    return Err(at(&span, "more than one YAML document"));
                }
                let (ev, span) = b.next()?;
                doc = Some(b.node(ev, span, 0)?);
            }
            _ => return Err(at(&span, "unexpected YAML event")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(n: &Node) -> (&str, u32, u32) {
        match &n.kind {
            Kind::Scalar { value, .. } => (value.as_str(), n.line, n.column),
            _ => panic!("not a scalar: {n:?}"),
        }
    }

    #[test]
    fn builds_maps_and_lists_with_positions() {
        let doc = parse("ignored:\n  - DL3008\n  - 'SC2086'\nno-fail: true\n")
            .unwrap()
            .unwrap();
        let Kind::Map(entries) = &doc.kind else {
            panic!()
        };
        assert_eq!(scalar(&entries[0].0), ("ignored", 1, 1));
        let Kind::Seq(items) = &entries[0].1.kind else {
            panic!()
        };
        assert_eq!(scalar(&items[0]), ("DL3008", 2, 5));
        assert_eq!(scalar(&items[1]), ("SC2086", 3, 5));
        assert_eq!(entries[1].1.as_bool(), Some(true));
        assert_eq!(entries[1].1.as_str(), None);
    }

    #[test]
    fn quoted_scalars_are_strings() {
        let doc = parse("a: 'true'\nb: ~\nc:\n").unwrap().unwrap();
        let Kind::Map(e) = &doc.kind else { panic!() };
        assert_eq!(e[0].1.as_str(), Some("true"));
        assert!(e[1].1.is_null());
        assert!(e[2].1.is_null());
        assert_eq!(e[2].1.describe(), "nothing (null)");
    }

    #[test]
    fn aliases_copy_their_anchor() {
        let doc = parse("a: &x [DL3008]\nb: *x\n").unwrap().unwrap();
        let Kind::Map(e) = &doc.kind else { panic!() };
        assert_eq!(e[0].1.kind, e[1].1.kind);
    }

    #[test]
    fn empty_files_have_no_document() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("# only a comment\n").unwrap(), None);
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("ignored:\n  - DL3008\n - DL3009\n").unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        let e = parse("a: [b, c\n").unwrap_err();
        assert!(e.line >= 1, "{e:?}");
        let e = parse("a: *nope\n").unwrap_err();
        assert!(
            e.message.contains("alias") || e.message.contains("anchor"),
            "{e:?}"
        );
        let e = parse("---\na: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(e.message, "more than one YAML document");
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
    }
}
