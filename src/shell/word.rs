//! Quote removal for shell words, keeping expansions as written.

/// Removes quotes and escapes from a shell word. Parameter expansions,
/// command substitutions and arithmetic are kept as written; the flag says
/// whether there were any.
pub fn unquote(raw: &str) -> (String, bool) {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut dynamic = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                let end = raw[i + 1..].find('\'').map_or(raw.len(), |j| i + 1 + j);
                out.push_str(&raw[i + 1..end]);
                i = (end + 1).min(raw.len().max(end));
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    match b[i] {
                        b'\\'
                            if matches!(b.get(i + 1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n')) =>
                        {
                            if b[i + 1] != b'\n' {
                                out.push(b[i + 1] as char);
                            }
                            i += 2;
                        }
                        b'$' | b'`' => {
                            let end = expansion_end(raw, i);
                            out.push_str(&raw[i..end]);
                            dynamic |= end > i + 1 || b[i] == b'`';
                            i = end;
                        }
                        _ => {
                            let ch = raw[i..].chars().next().unwrap_or('\u{fffd}');
                            out.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                i += 1;
            }
            b'\\' => match raw[i + 1..].chars().next() {
                Some('\n') => i += 2,
                Some(c) => {
                    out.push(c);
                    i += 1 + c.len_utf8();
                }
                None => i += 1,
            },
            b'$' if b.get(i + 1) == Some(&b'\'') => {
                // ANSI-C quoting: keep the text, escapes untouched
                let end = raw[i + 2..].find('\'').map_or(raw.len(), |j| i + 2 + j);
                out.push_str(&raw[i + 2..end]);
                i = (end + 1).min(raw.len().max(end));
            }
            b'$' | b'`' => {
                let end = expansion_end(raw, i);
                out.push_str(&raw[i..end]);
                dynamic |= end > i + 1 || b[i] == b'`';
                i = end;
            }
            _ => {
                let ch = raw[i..].chars().next().unwrap_or('\u{fffd}');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    (out, dynamic)
}

/// The end of the expansion starting at `raw[i]` (`$` or a backquote).
fn expansion_end(raw: &str, i: usize) -> usize {
    let b = raw.as_bytes();
    if b[i] == b'`' {
        let mut j = i + 1;
        while j < b.len() && b[j] != b'`' {
            j += if b[j] == b'\\' { 2 } else { 1 };
        }
        return (j + 1).min(b.len());
    }
    match b.get(i + 1) {
        Some(b'{') => matching(raw, i + 1, b'{', b'}'),
        Some(b'(') => matching(raw, i + 1, b'(', b')'),
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            j
        }
        Some(c) if c.is_ascii_digit() || b"@*#?-$!".contains(c) => i + 2,
        _ => i + 1,
    }
}

/// The index after the bracket matching the one at `open_at`, skipping
/// quoted text.
pub(crate) fn matching(raw: &str, open_at: usize, open: u8, close: u8) -> usize {
    let b = raw.as_bytes();
    let mut depth = 0usize;
    let mut j = open_at;
    while j < b.len() {
        match b[j] {
            c if c == open => depth += 1,
            c if c == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            b'\\' => j += 1,
            b'\'' if open == b'(' => {
                j = raw[j + 1..].find('\'').map_or(b.len(), |k| j + 1 + k);
            }
            b'"' => {
                let mut k = j + 1;
                while k < b.len() && b[k] != b'"' {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                j = k;
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_quotes_and_escapes() {
        assert_eq!(unquote("'a b'"), ("a b".to_string(), false));
        assert_eq!(unquote("\"a\\\"b\""), ("a\"b".to_string(), false));
        assert_eq!(unquote("a\\ b"), ("a b".to_string(), false));
        assert_eq!(unquote("pkg=1.2*"), ("pkg=1.2*".to_string(), false));
        assert_eq!(unquote("\"x\\n\""), ("x\\n".to_string(), false));
    }

    #[test]
    fn keeps_expansions() {
        assert_eq!(unquote("$HOME/x"), ("$HOME/x".to_string(), true));
        assert_eq!(unquote("\"${V:-a b}\""), ("${V:-a b}".to_string(), true));
        assert_eq!(unquote("$(cat f)"), ("$(cat f)".to_string(), true));
        assert_eq!(unquote("`date`"), ("`date`".to_string(), true));
        assert_eq!(unquote("a$"), ("a$".to_string(), false));
    }
}
