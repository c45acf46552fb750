//! The exec form's JSON array, read the way BuildKit reads it: the first JSON
//! value of the text, trailing text ignored, and an array whose elements are
//! not all strings is an error rather than shell form.

/// One decoded string element with its byte range (quotes included) in the
/// text given to [`parse_array`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// The result of reading a JSON array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArrayParse {
    /// A valid array of strings; `end` is where the array ends, anything
    /// after it is ignored by BuildKit.
    Strings { elements: Vec<Element>, end: usize },
    /// Valid JSON, but an element is not a string: BuildKit rejects the file.
    NotStrings { offset: usize },
    /// Not a JSON array: BuildKit falls back to shell form.
    Invalid { offset: usize, reason: &'static str },
}

/// Go's JSON decoder stops at this nesting depth.
const MAX_DEPTH: usize = 10_000;

/// Reads a JSON array from the start of `text` (leading whitespace allowed).
pub fn parse_array(text: &str) -> ArrayParse {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return ArrayParse::Invalid {
            offset: i,
            reason: "expected `[`",
        };
    }
    // First pass: validate the whole value (Go's decoder scans it before
    // converting), remembering the top-level elements.
    let mut elements: Vec<(usize, usize, bool)> = Vec::new();
    let mut stack: Vec<u8> = Vec::new();
    let mut expect_value = true; // after `[` or `,`
    let mut after_open = true;
    stack.push(b'[');
    i += 1;
    loop {
        i = skip_ws(b, i);
        let Some(&c) = b.get(i) else {
            return ArrayParse::Invalid {
                offset: i,
                reason: "unexpected end of JSON input",
            };
        };
        let top = *stack.last().unwrap_or(&b'[');
        if expect_value {
            if c == b']' && after_open && top == b'[' {
                stack.pop();
                i += 1;
                if stack.is_empty() {
                    break;
                }
                expect_value = false;
                after_open = false;
                continue;
            }
            if c == b'}' && after_open && top == b'{' {
                stack.pop();
                i += 1;
                expect_value = false;
                after_open = false;
                continue;
            }
            if top == b'{' {
                // a key
                if c != b'"' {
                    return invalid(i, "expected a string key");
                }
                let Some(end) = scan_string(b, i) else {
                    return invalid(i, "invalid string");
                };
                i = skip_ws(b, end);
                if b.get(i) != Some(&b':') {
                    return invalid(i, "expected `:`");
                }
                i += 1;
                stack.push(b':');
                after_open = false;
                continue;
            }
            let start = i;
            let is_string = c == b'"';
            match c {
                b'"' => match scan_string(b, i) {
                    Some(end) => i = end,
                    None => return invalid(i, "invalid string"),
                },
                b'[' | b'{' => {
                    if stack.len() >= MAX_DEPTH {
                        return invalid(i, "exceeded max depth");
                    }
                    if stack.len() == 1 {
                        elements.push((start, start, false));
                    }
                    stack.push(c);
                    i += 1;
                    after_open = true;
                    continue;
                }
                b't' | b'f' | b'n' => match scan_literal(b, i) {
                    Some(end) => i = end,
                    None => return invalid(i, "invalid literal"),
                },
                b'-' | b'0'..=b'9' => match scan_number(b, i) {
                    Some(end) => i = end,
                    None => return invalid(i, "invalid number"),
                },
                _ => return invalid(i, "invalid character"),
            }
            if stack.len() == 1 {
                elements.push((start, i, is_string));
            }
            if top == b':' {
                stack.pop();
            }
            expect_value = false;
            after_open = false;
            continue;
        }
        // after a value
        let top = *stack.last().unwrap_or(&b'[');
        match (c, top) {
            (b',', b'[' | b'{') => {
                expect_value = true;
                after_open = false;
                i += 1;
            }
            (b']', b'[') => {
                stack.pop();
                i += 1;
                if stack.is_empty() {
                    break;
                }
                if stack.last() == Some(&b':') {
                    stack.pop();
                }
            }
            (b'}', b'{') => {
                stack.pop();
                i += 1;
                if stack.last() == Some(&b':') {
                    stack.pop();
                }
            }
            _ => return invalid(i, "expected `,` or the end of the array"),
        }
    }
    let end = i;
    let mut out = Vec::with_capacity(elements.len());
    for (start, stop, is_string) in elements {
        if !is_string {
            return ArrayParse::NotStrings { offset: start };
        }
        out.push(Element {
            value: decode_string(text.get(start..stop).unwrap_or("")),
            start,
            end: stop,
        });
    }
    ArrayParse::Strings { elements: out, end }
}

fn invalid(offset: usize, reason: &'static str) -> ArrayParse {
    ArrayParse::Invalid { offset, reason }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at `i` (a `"`), if valid.
fn scan_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *b.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = b.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

fn scan_literal(b: &[u8], i: usize) -> Option<usize> {
    for lit in [&b"true"[..], b"false", b"null"] {
        if b.get(i..i + lit.len()) == Some(lit) {
            return Some(i + lit.len());
        }
    }
    None
}

fn scan_number(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    Some(i)
}

/// Decodes a validated JSON string literal (quotes included).
fn decode_string(lit: &str) -> String {
    let inner = lit
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(lit);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hi = hex4(&mut chars);
                if (0xD800..0xDC00).contains(&hi) {
                    // a surrogate pair, if the next escape completes it
                    let rest = chars.as_str();
                    if let Some(lo_hex) = rest.strip_prefix("\\u") {
                        let mut lo_chars = lo_hex.chars();
                        let lo = hex4(&mut lo_chars);
                        if (0xDC00..0xE000).contains(&lo) {
                            let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            chars = lo_chars;
                            continue;
                        }
                    }
                    out.push('\u{FFFD}');
                } else {
                    out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn hex4(chars: &mut std::str::Chars<'_>) -> u32 {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        match parse_array(text) {
            ArrayParse::Strings { elements, .. } => elements.into_iter().map(|e| e.value).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_string_arrays() {
        assert_eq!(strings(r#"["a", "b c"]"#), ["a", "b c"]);
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(strings("[ ]"), Vec::<String>::new());
        assert_eq!(strings(r#"["\u00e9\n\"\\"]"#), ["é\n\"\\"]);
        assert_eq!(strings(r#"["\ud83d\ude00"]"#), ["😀"]);
    }

    #[test]
    fn trailing_text_is_ignored() {
        match parse_array(r#"["npm", "start"] # comment"#) {
            ArrayParse::Strings { elements, end } => {
                assert_eq!(elements.len(), 2);
                assert_eq!(end, 16);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_strings_are_rejected() {
        assert!(matches!(
            parse_array(r#"["a", 1]"#),
            ArrayParse::NotStrings { offset: 6 }
        ));
        assert!(matches!(
            parse_array(r#"[["a"]]"#),
            ArrayParse::NotStrings { .. }
        ));
        assert!(matches!(
            parse_array(r#"[{"a": [1]}]"#),
            ArrayParse::NotStrings { .. }
        ));
        assert!(matches!(
            parse_array("[null]"),
            ArrayParse::NotStrings { .. }
        ));
    }

    #[test]
    fn invalid_json_falls_back() {
        for text in [
            r#"["a""#,
            r#"['a']"#,
            r#"["a",]"#,
            r#"[a]"#,
            r#"["a" "b"]"#,
            "[\"a\tb\"]",
            r#"["\x"]"#,
            "[01]",
            "[",
            "",
        ] {
            assert!(
                matches!(parse_array(text), ArrayParse::Invalid { .. }),
                "{text}"
            );
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = "[".repeat(200_000);
        assert!(matches!(parse_array(&text), ArrayParse::Invalid { .. }));
    }
}
