use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::source::Span;
use crate::syntax::{Args, Instruction, Kind, Word};

/// DL3048
pub struct InvalidLabelKey;

const META: Meta = Meta {
    code: "DL3048",
    name: "invalid-label-key",
    aliases: &[],
    severity: Severity::Style,
    category: Category::Style,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A label key does not follow Docker's key format",
    doc: include_str!("../../../rules/invalid-label-key.md"),
    target: Target::Dockerfile,
};

/// Namespaces Docker reserves for itself.
const RESERVED: [&str; 3] = ["com.docker.", "io.docker.", "org.dockerproject."];

/// Why `key` breaks Docker's label key format, if it does.
pub fn key_problem(key: &str) -> Option<String> {
    if let Some(ns) = RESERVED.iter().find(|ns| key.starts_with(*ns)) {
        return Some(format!("uses the reserved namespace `{ns}`"));
    }
    if key.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("has upper-case letters".into());
    }
    if let Some(c) = key.chars().find(|c| {
        !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/'))
    }) {
        return Some(format!("has the character `{c}`"));
    }
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("does not start with a letter".into());
    }
    if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("does not end with a letter or digit".into());
    }
    if key.contains("..") || key.contains("--") {
        return Some("has two separators in a row".into());
    }
    None
}

/// The span of the key's text inside its quotes.
fn unquoted_span(text: &str, key: &Word) -> Option<Span> {
    let written = key.span.text(text);
    if written != key.text {
        return None;
    }
    let b = written.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        return Some(Span::new(key.span.start + 1, key.span.end - 1));
    }
    if written.contains(['"', '\'', '\\', '$']) {
        return None;
    }
    Some(key.span)
}

impl Rule for InvalidLabelKey {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Pairs(pairs) = &ins.args else {
            return;
        };
        let Some(i) = cx.instruction_index() else {
            return;
        };
        let mut bad: Vec<(&Word, String, String)> = Vec::new();
        for p in pairs {
            let key = cx.expand_at(i, &p.key.text);
            // a variable nobody can know from the Dockerfile
            if key.contains('$') {
                continue;
            }
            if let Some(problem) = key_problem(&key) {
                bad.push((&p.key, key, problem));
            }
        }
        let Some((word, key, problem)) = bad.first() else {
            return;
        };
        let lower = key.to_ascii_lowercase();
        let fix = unquoted_span(cx.text(), word)
            .filter(|_| key_problem(&lower).is_none() && lower != *key)
            .map(|span| {
                Fix::unsafe_(
                    format!("rename the label to `{lower}`"),
                    vec![Edit::replace(span, lower.clone())],
                )
            });
        let mut report = cx
            .report(word.span, format!("the label key `{key}` {problem}"))
            .help(
                "use lower-case letters, digits, `.`, `-`, `_` and `/`, in a namespace of your own",
            )
            .maybe_fix(fix);
        for (w, k, p) in bad.iter().skip(1) {
            report = report.label(w.span, format!("`{k}` {p} too"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::key_problem;
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_once_per_instruction() {
        fires(
            "DL3048",
            "FROM alpine\nLABEL \"Maintainer\"=\"me\" \\\n  Vendor=acme\n",
            &["2:7 DL3048 the label key `Maintainer` has upper-case letters"],
        );
        fires(
            "DL3048",
            "FROM alpine\nLABEL com.docker.thing=x\nLABEL RUN /usr/bin/docker run x\n",
            &[
                "2:7 DL3048 the label key `com.docker.thing` uses the reserved namespace `com.docker.`",
                "3:7 DL3048 the label key `RUN` has upper-case letters",
            ],
        );
        fires(
            "DL3048",
            "FROM alpine\nONBUILD LABEL a..b=1\n",
            &["2:15 DL3048 the label key `a..b` has two separators in a row"],
        );
    }

    #[test]
    fn passes_on_valid_keys() {
        passes(
            "DL3048",
            "FROM alpine\nLABEL maintainer=me org.opencontainers.image.source=x build_id=1 \\\n  operators.io/project_layout=go version-2=a\nLABEL $KEY=x\n",
        );
    }

    #[test]
    fn problems() {
        assert!(key_problem("1abc").is_some());
        assert!(key_problem("abc.").is_some());
        assert!(key_problem("a b").is_some());
        assert!(key_problem("a--b").is_some());
        assert!(key_problem("io.docker.x").is_some());
        assert!(key_problem("a.b-c_d/e9").is_none());
    }

    #[test]
    fn fix_lowercases_the_key() {
        assert_eq!(
            fixed(
                "DL3048",
                "FROM alpine\nLABEL \"Maintainer\"=me\nLABEL Vendor=acme\nLABEL Bad_Key.=x\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nLABEL \"maintainer\"=me\nLABEL vendor=acme\nLABEL Bad_Key.=x\n"
        );
        let text = "FROM alpine\nLABEL Vendor=acme\n";
        assert_eq!(fixed("DL3048", text, Applicability::Safe), text);
    }
}
