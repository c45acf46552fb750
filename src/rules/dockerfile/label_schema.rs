//! The label schema (`label-schema` in the configuration): which labels an
//! image must carry and what their values must look like. Shared by the
//! label rules DL3049–DL3058.

use crate::rules::Context;
use crate::syntax::{Args, Instruction, Word};

/// One `key=value` of a `LABEL`, expanded.
pub(super) struct Label<'a> {
    /// The key, `None` when it holds a variable nobody can know.
    pub key: Option<String>,
    pub key_word: &'a Word,
    /// The value, `None` when it holds a variable nobody can know.
    pub value: Option<String>,
    pub value_word: &'a Word,
}

/// The labels of a `LABEL` instruction.
pub(super) fn labels<'a>(cx: &Context<'_>, ins: &'a Instruction) -> Vec<Label<'a>> {
    let Args::Pairs(pairs) = &ins.args else {
        return Vec::new();
    };
    let Some(i) = cx.instruction_index() else {
        return Vec::new();
    };
    let known = |word: &str| match cx.build().expand(i, word) {
        Ok(p) if p.unmatched.is_empty() => Some(p.result),
        _ => None,
    };
    pairs
        .iter()
        .map(|p| Label {
            key: known(&p.key.text),
            key_word: &p.key,
            value: known(&p.value.text),
            value_word: &p.value,
        })
        .collect()
}

/// The schema type of `key`, lower-cased, if the schema names it.
pub(super) fn schema_type(cx: &Context<'_>, key: &str) -> Option<String> {
    cx.options()
        .label_schema
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, t)| t.trim().to_ascii_lowercase())
}

/// Reports every label of type `ty` whose known, non-empty value fails
/// `valid`, saying it is not `what`.
pub(super) fn check_values(
    cx: &mut Context<'_>,
    ins: &Instruction,
    ty: &str,
    what: &str,
    valid: fn(&str) -> bool,
) {
    if cx.options().label_schema.is_empty() {
        return;
    }
    for label in labels(cx, ins) {
        let (Some(key), Some(value)) = (&label.key, &label.value) else {
            continue;
        };
        if value.is_empty() || schema_type(cx, key).as_deref() != Some(ty) || valid(value) {
            continue;
        }
        cx.report(
            label.value_word.span,
            format!("the label `{key}` is not {what}: `{value}`"),
        )
        .label(
            label.key_word.span,
            format!("the schema makes `{key}` a `{ty}` label"),
        );
    }
}

/// An absolute URI (RFC 3986): a scheme, `:`, then URI characters.
pub fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.matches('#').count() > 1 {
        return false;
    }
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let hex = |x: Option<&u8>| x.is_some_and(|h| h.is_ascii_hexdigit());
            if !hex(b.get(i + 1)) || !hex(b.get(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        let ok = c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&c);
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// An RFC 3339 date and time: `2024-05-01T12:30:00Z`,
/// `2024-05-01T12:30:00.5+02:00`.
pub fn is_rfc3339(value: &str) -> bool {
    let Some(sep) = value.find(['T', 't', ' ']) else {
        return false;
    };
    let (date, time) = (&value[..sep], &value[sep + 1..]);
    let mut d = date.split('-');
    let (Some(y), Some(m), Some(day), None) = (d.next(), d.next(), d.next(), d.next()) else {
        return false;
    };
    let (Some(y), Some(m), Some(day)) = (digits(y, 4), digits(m, 2), digits(day, 2)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    // time offset: `Z` or `±hh:mm`
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, None)
    } else {
        match time.rfind(['+', '-']) {
            Some(at) => (&time[..at], Some(&time[at + 1..])),
            None => return false,
        }
    };
    if let Some(o) = offset {
        let Some((h, mi)) = o.split_once(':') else {
            return false;
        };
        match (digits(h, 2), digits(mi, 2)) {
            (Some(h), Some(mi)) if h < 24 && mi < 60 => {}
            _ => return false,
        }
    }
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (clock, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut t = hms.split(':');
    let (Some(h), Some(mi), Some(s), None) = (t.next(), t.next(), t.next(), t.next()) else {
        return false;
    };
    matches!(
        (digits(h, 2), digits(mi, 2), digits(s, 2)),
        (Some(h), Some(mi), Some(s)) if h < 24 && mi < 60 && s <= 60
    )
}

/// A Git object name: 7 to 40 hexadecimal digits (abbreviated or full
/// SHA-1), or 64 (SHA-256).
pub fn is_git_hash(value: &str) -> bool {
    ((7..=40).contains(&value.len()) || value.len() == 64)
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A semantic version (semver.org 2.0.0), without a leading `v`.
pub fn is_semver(value: &str) -> bool {
    let (rest, build) = match value.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (value, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let mut parts = core.split('.');
    let core_ok = (0..3).all(|_| parts.next().is_some_and(numeric)) && parts.next().is_none();
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|id| ident(id) && (id.bytes().any(|b| !b.is_ascii_digit()) || numeric(id)))
    });
    let build_ok = build.is_none_or(|b| b.split('.').all(ident));
    core_ok && pre_ok && build_ok
}

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|part| !part.is_empty() && part.chars().all(is_atext))
}

/// An e-mail address (RFC 5322 `addr-spec`): `local@domain`.
pub fn is_email(value: &str) -> bool {
    let Some(at) = value.rfind('@') else {
        return false;
    };
    let (local, domain) = (&value[..at], &value[at + 1..]);
    let local_ok = if let Some(inner) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
        // quoted string: printable characters, `\` escapes the next one
        let mut chars = inner.chars();
        let mut ok = true;
        while let Some(c) = chars.next() {
            match c {
                '\\' => ok &= chars.next().is_some_and(|n| !n.is_control()),
                '"' => ok = false,
                c => ok &= !c.is_control(),
            }
        }
        ok
    } else {
        is_dot_atom(local)
    };
    let domain_ok = if let Some(lit) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        !lit.is_empty() && !lit.contains(['[', ']', '\\']) && !lit.chars().any(char::is_whitespace)
    } else {
        is_dot_atom(domain)
    };
    local_ok && domain_ok && local.len() <= 64 && domain.len() <= 255
}

const LICENSES: &str = include_str!("../../../data/spdx-licenses.txt");
const EXCEPTIONS: &str = include_str!("../../../data/spdx-exceptions.txt");

fn listed(list: &str, id: &str) -> bool {
    list.lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.eq_ignore_ascii_case(id))
}

fn is_idstring(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
}

/// A license identifier of an SPDX expression: a listed license (with `+`
/// for "or later"), `LicenseRef-…` or `DocumentRef-…:LicenseRef-…`.
fn is_license_term(term: &str) -> bool {
    if let Some(r) = term.strip_prefix("LicenseRef-") {
        return is_idstring(r);
    }
    if let Some(r) = term.strip_prefix("DocumentRef-") {
        return r
            .split_once(":LicenseRef-")
            .is_some_and(|(d, l)| is_idstring(d) && is_idstring(l));
    }
    listed(LICENSES, term.strip_suffix('+').unwrap_or(term))
}

/// An SPDX license expression: `MIT`, `Apache-2.0 OR MIT`,
/// `GPL-2.0-only WITH Classpath-exception-2.0`, with parentheses.
pub fn is_spdx(value: &str) -> bool {
    let spaced = value.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    expression(&tokens, &mut pos) && pos == tokens.len()
}

fn is_op(token: &str, op: &str) -> bool {
    token == op || token == op.to_ascii_lowercase()
}

/// `term ((AND|OR) term)*`
fn expression(tokens: &[&str], pos: &mut usize) -> bool {
    if !term(tokens, pos) {
        return false;
    }
    while let Some(t) = tokens.get(*pos) {
        if !(is_op(t, "AND") || is_op(t, "OR")) {
            break;
        }
        *pos += 1;
        if !term(tokens, pos) {
            return false;
        }
    }
    true
}

/// `( expression ) | license [WITH exception]`
fn term(tokens: &[&str], pos: &mut usize) -> bool {
    let Some(t) = tokens.get(*pos) else {
        return false;
    };
    if *t == "(" {
        *pos += 1;
        if !expression(tokens, pos) || tokens.get(*pos) != Some(&")") {
            return false;
        }
        *pos += 1;
        return true;
    }
    if !is_license_term(t) {
        return false;
    }
    *pos += 1;
    if tokens.get(*pos).is_some_and(|w| is_op(w, "WITH")) {
        *pos += 1;
        let Some(e) = tokens.get(*pos) else {
            return false;
        };
        if !listed(EXCEPTIONS, e) {
            return false;
        }
        *pos += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://github.com/acme/app",
            "http://example.com/a?b=c#d",
            "mailto:ops@example.com",
            "urn:isbn:0451450523",
            "https://example.com/%20x",
        ] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in [
            "github.com/acme",
            "",
            "http://a b",
            "1http://x",
            "https://x/%zz",
            "a#b#c:",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn times() {
        for ok in [
            "2024-05-01T12:30:00Z",
            "2024-02-29T23:59:60.123+02:00",
            "2024-05-01t12:30:00z",
            "2024-05-01 12:30:00-05:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2024-05-01",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:30:00",
            "2024-05-01T12:30Z",
            "yesterday",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn hashes_and_versions() {
        assert!(is_git_hash("abc1234"));
        assert!(is_git_hash("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_git_hash("abc123"));
        assert!(!is_git_hash("ABC1234"));
        assert!(!is_git_hash("main"));
        for ok in [
            "1.2.3",
            "0.0.0",
            "1.0.0-rc.1",
            "1.0.0-alpha-1+build.5",
            "10.20.30+x",
        ] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in [
            "v1.2.3", "1.2", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "latest",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in [
            "ops@example.com",
            "a.b+c@sub.example.org",
            "\"a b\"@example.com",
            "x@[127.0.0.1]",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "ops",
            "Ops <ops@example.com>",
            "a..b@example.com",
            "@example.com",
            "a@",
            "a@b..c",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn spdx_expressions() {
        for ok in [
            "MIT",
            "apache-2.0",
            "Apache-2.0 OR MIT",
            "(MIT AND BSD-3-Clause) or GPL-2.0-only",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "GPL-2.0+",
            "LicenseRef-acme-1",
        ] {
            assert!(is_spdx(ok), "{ok}");
        }
        for bad in [
            "",
            "MIT License",
            "GPLv2",
            "MIT OR",
            "(MIT",
            "MIT WITH Nope",
            "Proprietary",
        ] {
            assert!(!is_spdx(bad), "{bad}");
        }
    }
}
