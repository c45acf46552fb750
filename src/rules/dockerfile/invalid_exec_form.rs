use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::syntax::json::{ArrayParse, parse_array};
use crate::syntax::{Args, Command, Healthcheck, Instruction, Kind, Word};

/// IL1003
pub struct InvalidExecForm;

const META: Meta = Meta {
    code: "IL1003",
    name: "invalid-exec-form",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A JSON array that is not valid JSON runs through a shell, or has text after it",
    doc: include_str!("../../../rules/invalid-exec-form.md"),
    target: Target::Dockerfile,
};

/// Whether `text` was meant as an exec-form array rather than a shell
/// command starting with `[` (the `test` builtin: `[ -f x ] && …`): it
/// opens with a quote, closes with `]` and separates elements by commas.
fn meant_as_array(text: &str) -> bool {
    let t = text.trim();
    // an array never closed: `["a", "b"`
    let opened = t.strip_prefix('[').map(str::trim_start);
    if !t.ends_with(']')
        && opened.is_some_and(|o| o.starts_with('"'))
        && (t.contains("\",") || t.contains("\" ,"))
    {
        return true;
    }
    let Some(inner) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
        return false;
    };
    let inner = inner.trim();
    let quote = |c: char| {
        matches!(
            c,
            '"' | '\'' | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}'
        )
    };
    // `[ "$A" = b ]` is a test: `[` and `]` stand apart and there are
    // no commas
    let spaced = inner.len() < t.len() - 2;
    inner.starts_with(quote) && inner.len() > 1 && (inner.contains(',') || !spaced)
}

/// The array with single or typographic quotes turned into JSON's double
/// quotes and a trailing comma dropped, when that gives a valid array of
/// strings.
fn repaired(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut in_single = false;
    for c in text.chars() {
        match c {
            '\'' | '\u{2018}' | '\u{2019}' => {
                in_single = !in_single;
                out.push('"');
            }
            '\u{201C}' | '\u{201D}' => out.push('"'),
            '"' | '\\' if in_single => return None,
            _ => out.push(c),
        }
    }
    // `"a", ]` → `"a"]`
    let trimmed = out.trim_end();
    let body = trimmed.strip_suffix(']')?.trim_end();
    let fixed = match body.strip_suffix(',') {
        Some(b) => format!("{}]", b.trim_end()),
        None => trimmed.to_string(),
    };
    match parse_array(&fixed) {
        ArrayParse::Strings { end, .. } if fixed[end..].trim().is_empty() => Some(fixed),
        _ => None,
    }
}

fn check_command(cx: &mut Context<'_>, kw: &str, command: &Command) {
    match command {
        Command::Shell {
            text,
            json_error: Some((_, reason)),
            ..
        } if meant_as_array(&text.text) => {
            let fix = repaired(&text.text).map(|json| {
                Fix::unsafe_(
                    "write the array as JSON",
                    vec![Edit::replace(text.span, json)],
                )
            });
            cx.report(
                text.span,
                format!("`{kw}` is not a valid JSON array, so it runs through a shell"),
            )
            .help(format!(
                "{reason}: write exec form as JSON, with double quotes, no trailing comma and `\\\\` for a backslash"
            ))
            .maybe_fix(fix);
        }
        Command::Exec {
            trailing: Some(t), ..
        } => {
            cx.report(
                t.span,
                format!("text after the JSON array of `{kw}` is ignored"),
            )
            .help("move it into the array or remove it");
        }
        _ => {}
    }
}

fn check_paths(cx: &mut Context<'_>, kw: &str, words: &[Word]) {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return;
    };
    let span = first.span.cover(last.span);
    let text = span.text(cx.text());
    if !meant_as_array(text) || text.contains('\n') {
        return;
    }
    let fix = repaired(text)
        .map(|json| Fix::unsafe_("write the array as JSON", vec![Edit::replace(span, json)]));
    cx.report(
        span,
        format!("`{kw}` is not a valid JSON array, so its words are read as paths"),
    )
    .help("write the array as JSON: double quotes and no trailing comma")
    .maybe_fix(fix);
}

impl Rule for InvalidExecForm {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[
            Kind::Run,
            Kind::Cmd,
            Kind::Entrypoint,
            Kind::Shell,
            Kind::Healthcheck,
            Kind::Copy,
            Kind::Add,
            Kind::Volume,
        ]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let kw = ins.kind.name();
        match &ins.args {
            Args::Command(c) => check_command(cx, kw, c),
            Args::Healthcheck(Healthcheck::Cmd { command, .. }) => {
                check_command(cx, "HEALTHCHECK CMD", command)
            }
            Args::Paths(p) if !p.json && ins.heredocs.is_empty() => check_paths(cx, kw, &p.words),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_arrays_that_are_not_json() {
        fires(
            "IL1003",
            "FROM alpine\nCMD ['node', 'app.js']\n",
            &["2:5 IL1003 `CMD` is not a valid JSON array, so it runs through a shell"],
        );
        assert_eq!(
            spans("IL1003", "FROM alpine\nENTRYPOINT [\"a\", \"b\",]\n"),
            ["[\"a\", \"b\",]"]
        );
        assert_eq!(
            spans("IL1003", "FROM alpine\nONBUILD RUN [\"a\" \"b\"]\n").len(),
            1
        );
        assert_eq!(
            spans(
                "IL1003",
                "FROM alpine\nHEALTHCHECK CMD ['curl', '-f', 'http://x']\n"
            )
            .len(),
            1
        );
        assert_eq!(spans("IL1003", "FROM alpine\nCMD [\"a\", \"b\"\n").len(), 1);
        assert_eq!(
            spans("IL1003", "FROM alpine\nCOPY ['a', 'b', '/c/']\n"),
            ["['a', 'b', '/c/']"]
        );
        assert_eq!(
            spans(
                "IL1003",
                "FROM alpine\nCMD [\u{201C}a\u{201D}, \u{201C}b\u{201D}]\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn fires_on_text_after_the_array() {
        fires(
            "IL1003",
            "FROM alpine\nCMD [\"a\"] --verbose\n",
            &["2:11 IL1003 text after the JSON array of `CMD` is ignored"],
        );
    }

    #[test]
    fn repairs_quotes_and_trailing_commas() {
        assert_eq!(
            fixed(
                "IL1003",
                "FROM alpine\nCMD ['node', 'app.js']\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nCMD [\"node\", \"app.js\"]\n"
        );
        assert_eq!(
            fixed(
                "IL1003",
                "FROM alpine\nCMD [\"a\", \"b\", ]\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nCMD [\"a\", \"b\"]\n"
        );
        // a backslash that is not a JSON escape is left to the author
        let f = findings("IL1003", "FROM alpine\nCMD [\"C:\\app\\run.exe\"]\n");
        assert_eq!(f.len(), 1);
        assert!(f[0].fix.is_none());
    }

    #[test]
    fn passes_for_shell_tests_and_valid_arrays() {
        passes(
            "IL1003",
            "FROM alpine\nRUN [ -f /etc/os-release ] && cat /etc/os-release\nRUN [ \"$A\" = \"b\" ]\nCMD [\"node\", \"app.js\"]\nCOPY [\"a b\", \"/c/\"]\nENTRYPOINT []\nRUN [[ -d /x ]] || mkdir /x\n",
        );
    }
}
