use crate::rules::*;
use crate::source::Span;
use crate::syntax::lex::{Lex, NoEnv};
use crate::syntax::{Args, Instruction, Kind, Word};

/// DL3044
pub struct EnvSameInstructionReference;

const META: Meta = Meta {
    code: "DL3044",
    name: "env-same-instruction-reference",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "An `ENV` value uses a variable the same `ENV` instruction sets",
    doc: include_str!("../../../rules/env-same-instruction-reference.md"),
    target: Target::Dockerfile,
};

/// The span of the first `$name` / `${name…}` in `value`, when the value is
/// written on one piece of the file.
fn reference_span(text: &str, value: &Word, name: &str) -> Span {
    let written = value.span.text(text);
    if written != value.text {
        return value.span;
    }
    let bytes = written.as_bytes();
    let mut from = 0;
    while let Some(pos) = written[from..].find('$') {
        let at = from + pos;
        let rest = &written[at + 1..];
        let braced = rest.strip_prefix('{');
        let after = braced.unwrap_or(rest);
        if let Some(tail) = after.strip_prefix(name) {
            let ends = tail
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            if ends {
                let len = if braced.is_some() {
                    // through the closing brace
                    rest.find('}').map_or(rest.len(), |i| i + 1)
                } else {
                    name.len()
                };
                let start = value.span.start + at as u32;
                return Span::new(start, start + 1 + len as u32);
            }
        }
        from = at + 1;
        if from >= bytes.len() {
            break;
        }
    }
    value.span
}

impl Rule for EnvSameInstructionReference {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Env]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Pairs(pairs) = &ins.args else {
            return;
        };
        if pairs.len() < 2 {
            return;
        }
        let lex = Lex::new(cx.dockerfile().escape);
        let keys: Vec<String> = pairs
            .iter()
            .map(|p| {
                lex.expand(&p.key.text, &NoEnv)
                    .unwrap_or_else(|_| p.key.text.clone())
            })
            .collect();
        // variables already set keep their old value, which may be meant
        let declared = |name: &str| cx.state().is_some_and(|st| st.scope.is_declared(name));
        let mut found: Vec<(Span, usize, String, usize)> = Vec::new();
        for (j, pair) in pairs.iter().enumerate() {
            let Ok(p) = lex.process(&pair.value.text, &NoEnv) else {
                continue;
            };
            for name in &p.unmatched {
                let Some(k) = keys.iter().position(|key| key == name) else {
                    continue;
                };
                if k == j || declared(name) {
                    continue;
                }
                let span = reference_span(cx.text(), &pair.value, name);
                found.push((span, j, name.clone(), k));
            }
        }
        found.sort_by_key(|f| f.0.start);
        let Some((span, j, name, k)) = found.first().cloned() else {
            return;
        };
        let user = &keys[j];
        let mut report = cx
            .report(
                span,
                format!("`{user}` uses `${name}` before this `ENV` sets `{name}`"),
            )
            .label(
                pairs[k].key.span,
                format!("`{name}` is set here, after the values are read"),
            )
            .help(format!("set `{name}` in an earlier `ENV` instruction"));
        for (s, _, other, _) in found.iter().skip(1) {
            report = report.label(*s, format!("`${other}` is read too early too"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_variables_set_by_the_same_env() {
        fires(
            "DL3044",
            "FROM alpine\nENV JAVA_HOME=/usr/lib/jvm \\\n    PATH=$JAVA_HOME/bin:$PATH\n",
            &["3:10 DL3044 `PATH` uses `$JAVA_HOME` before this `ENV` sets `JAVA_HOME`"],
        );
        fires(
            "DL3044",
            "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nENV ProgramFiles=\"C:\\Program Files\" `\n    # comment\n    PSCORE=\"$ProgramFiles\\PowerShell\\pwsh.exe\"\n",
            &["5:13 DL3044 `PSCORE` uses `$ProgramFiles` before this `ENV` sets `ProgramFiles`"],
        );
        assert_eq!(
            spans("DL3044", "FROM alpine\nENV A=1 B=${A:-x}/y\n"),
            ["${A:-x}"]
        );
        fires(
            "DL3044",
            "FROM alpine\nONBUILD ENV A=1 B=$A\n",
            &["2:19 DL3044 `B` uses `$A` before this `ENV` sets `A`"],
        );
    }

    #[test]
    fn passes_on_own_and_earlier_variables() {
        for env in [
            "ENV PATH=/opt/bin:$PATH",
            "ENV A=1\nENV B=$A",
            "ENV A=1 B=2 C=$ABC",
            "ENV A=1 B='$A'",
            "ENV A=1 B=\\$A",
            "ARG A=0\nENV A=1 B=$A",
            "ENV A 1 $A",
        ] {
            passes("DL3044", &format!("FROM alpine\n{env}\n"));
        }
    }
}
