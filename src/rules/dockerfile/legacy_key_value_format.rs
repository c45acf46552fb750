use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::source::Span;
use crate::syntax::{Args, Instruction, Kind, Pair};

/// IL1008
pub struct LegacyKeyValueFormat;

const META: Meta = Meta {
    code: "IL1008",
    name: "legacy-key-value-format",
    aliases: &["LegacyKeyValueFormat"],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`ENV key value` or `LABEL key value` instead of `key=value`",
    doc: include_str!("../../../rules/legacy-key-value-format.md"),
    target: Target::Dockerfile,
};

/// Whether `v` has whitespace outside quotes (or quotes left open).
fn unquoted_whitespace(v: &str, escape: char) -> bool {
    let mut quote: Option<char> = None;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, c) if c == escape && quote != Some('\'') => {
                chars.next();
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => return true,
            _ => {}
        }
    }
    quote.is_some()
}

/// The `key=value` form of a legacy pair, when the value can be written so
/// that it means the same: as it is when it has no whitespace, in double
/// quotes when it has whitespace but no quotes or escapes.
fn modern(text: &str, pair: &Pair, escape: char) -> Option<Fix> {
    let value = &pair.value;
    // the value as written must be the value as read (one line)
    if value.span.text(text) != value.text || value.text.is_empty() {
        return None;
    }
    let v = value.text.as_str();
    let new_value = if !unquoted_whitespace(v, escape) {
        v.to_string()
    } else if !v.contains(['"', '\'', '\\', escape]) {
        format!("\"{v}\"")
    } else {
        return None;
    };
    let gap = Span::new(pair.key.span.end, value.span.start);
    let mut edits = vec![Edit::replace(gap, "=")];
    if new_value != v {
        edits.push(Edit::replace(value.span, new_value));
    }
    Some(Fix::safe("write `key=value`", edits))
}

impl Rule for LegacyKeyValueFormat {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Env, Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Pairs(pairs) = &ins.args else {
            return;
        };
        let escape = cx.dockerfile().escape;
        for pair in pairs
            .iter()
            .filter(|p| p.legacy && !p.value.text.is_empty())
        {
            let kw = ins.kind.name();
            let key = &pair.key.text;
            let fix = modern(cx.text(), pair, escape);
            cx.report(
                pair.key.span,
                format!("`{kw} {key} <value>` is the legacy form"),
            )
            .help(format!(
                "write `{kw} {key}=<value>`, quoting a value with spaces"
            ))
            .maybe_fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_the_space_form() {
        fires(
            "IL1008",
            "FROM alpine\nENV PATH /opt/bin:$PATH\n",
            &["2:5 IL1008 `ENV PATH <value>` is the legacy form"],
        );
        fires(
            "IL1008",
            "FROM alpine\nONBUILD LABEL maintainer me\n",
            &["2:15 IL1008 `LABEL maintainer <value>` is the legacy form"],
        );
    }

    #[test]
    fn fixes_values_that_keep_their_meaning() {
        let f = |t: &str| fixed("IL1008", t, Applicability::Safe);
        assert_eq!(
            f("FROM alpine\nENV A /x:$PATH\n"),
            "FROM alpine\nENV A=/x:$PATH\n"
        );
        assert_eq!(
            f("FROM alpine\nENV A  two  words\n"),
            "FROM alpine\nENV A=\"two  words\"\n"
        );
        assert_eq!(
            f("FROM alpine\nENV A \"quoted value\"\n"),
            "FROM alpine\nENV A=\"quoted value\"\n"
        );
        // quotes inside a value with spaces, or a value over several lines: not fixed
        assert_eq!(
            f("FROM alpine\nENV A it's \"x\"\n"),
            "FROM alpine\nENV A it's \"x\"\n"
        );
        assert_eq!(
            f("FROM alpine\nENV A a \\\n  b\n"),
            "FROM alpine\nENV A a \\\n  b\n"
        );
    }

    #[test]
    fn passes_for_key_value_pairs() {
        passes(
            "IL1008",
            "FROM alpine\nENV A=1 B=\"two words\"\nLABEL a=b\n",
        );
    }
}
