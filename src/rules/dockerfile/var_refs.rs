//! Where a word refers to variables: `$NAME` and `${NAME…}`, with their
//! spans, as BuildKit's expansion reads them (the escape character and single
//! quotes stop expansion). Shared by the rules on undefined variables.

use crate::source::Span;
use crate::syntax::Word;

/// One reference to a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct VarRef {
    pub name: String,
    /// From `$` to the end of the name, or to the closing `}`.
    pub span: Span,
    /// `${NAME:-x}`, `${NAME-x}`, `${NAME:+x}`, `${NAME+x}`, `${NAME:?x}` or
    /// `${NAME?x}`: the author expected it may be unset.
    pub guarded: bool,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The references in `word`. Offsets are mapped to the file through the
/// word's span when the word is written as one piece; otherwise the whole
/// word's span is used.
pub(super) fn var_refs(word: &Word, source: &str, escape: char) -> Vec<VarRef> {
    let text = word.text.as_str();
    let exact = word.span.text(source) == text;
    let b = text.as_bytes();
    let esc = escape as u32 as u8;
    let mut out = Vec::new();
    let mut i = 0;
    let mut single = false;
    while i < b.len() {
        let c = b[i];
        if single {
            if c == b'\'' {
                single = false;
            }
            i += 1;
            continue;
        }
        if escape.is_ascii() && c == esc {
            i += 2;
            continue;
        }
        if c == b'\'' {
            single = true;
            i += 1;
            continue;
        }
        if c != b'$' || i + 1 >= b.len() {
            i += 1;
            continue;
        }
        let start = i;
        let (name_start, braced) = if b[i + 1] == b'{' {
            (i + 2, true)
        } else {
            (i + 1, false)
        };
        if name_start >= b.len() || !is_name_start(b[name_start]) {
            i += 1;
            continue;
        }
        let mut j = name_start;
        while j < b.len() && is_name(b[j]) {
            j += 1;
        }
        let name = text[name_start..j].to_string();
        let mut end = j;
        let mut guarded = false;
        if braced {
            let rest = &text[j..];
            guarded = [":-", ":+", ":?", "-", "+", "?"]
                .iter()
                .any(|p| rest.starts_with(p));
            // to the matching `}`
            let mut depth = 1;
            let mut k = j;
            while k < b.len() && depth > 0 {
                match b[k] {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    _ => {}
                }
                k += 1;
            }
            end = k;
        }
        let span = if exact {
            Span::new(word.span.start + start as u32, word.span.start + end as u32)
        } else {
            word.span
        };
        out.push((
            start,
            end,
            VarRef {
                name,
                span,
                guarded,
            },
        ));
        i = j;
    }
    // a reference inside a guarded one's alternative is guarded too
    let ranges: Vec<(usize, usize)> = out
        .iter()
        .filter(|(_, _, r)| r.guarded)
        .map(|(s, e, _)| (*s, *e))
        .collect();
    out.into_iter()
        .map(|(s, e, mut r)| {
            if ranges.iter().any(|&(gs, ge)| gs < s && e <= ge) {
                r.guarded = true;
            }
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(t: &str) -> Vec<(String, String, bool)> {
        let w = Word::new(t, Span::new(0, t.len() as u32));
        var_refs(&w, t, '\\')
            .into_iter()
            .map(|r| (r.name, r.span.text(t).to_string(), r.guarded))
            .collect()
    }

    #[test]
    fn finds_references() {
        assert_eq!(
            refs("a$A/${B}/${C:-x${D}}/\\$E/'$F'/$1/${G%%.*}"),
            vec![
                ("A".into(), "$A".into(), false),
                ("B".into(), "${B}".into(), false),
                ("C".into(), "${C:-x${D}}".into(), true),
                ("D".into(), "${D}".into(), true),
                ("G".into(), "${G%%.*}".into(), false),
            ]
        );
    }
}
