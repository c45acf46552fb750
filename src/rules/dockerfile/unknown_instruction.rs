use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// IL1001
pub struct UnknownInstruction;

const META: Meta = Meta {
    code: "IL1001",
    name: "unknown-instruction",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "An instruction BuildKit does not know: the build fails",
    doc: include_str!("../../../rules/unknown-instruction.md"),
    target: Target::Dockerfile,
};

impl Rule for UnknownInstruction {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Unknown]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let word = &ins.keyword.text;
        if word.is_empty() {
            return;
        }
        let names = Kind::ALL.map(|k| k.name());
        let suggestion = crate::suggest::closest(&word.to_ascii_uppercase(), names.iter().copied());
        // a command after a RUN line that lost its trailing `\`
        let previous = cx
            .instruction_index()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| cx.instruction(i));
        let lost_continuation = !cx.in_onbuild()
            && previous.is_some_and(|p| p.kind == Kind::Run && p.end_line + 1 == ins.start_line)
            && word.chars().all(|c| !c.is_ascii_uppercase());
        let help = if lost_continuation {
            "the previous `RUN` line probably lacks a `\\` at its end".to_string()
        } else if let Some(s) = suggestion {
            format!("did you mean `{s}`?")
        } else {
            "use one of the Dockerfile instructions (`RUN`, `COPY`, `ENV` …)".to_string()
        };
        let fix = match (lost_continuation, suggestion) {
            (false, Some(s)) => Some(crate::fix::Fix::unsafe_(
                format!("replace with `{s}`"),
                vec![crate::fix::Edit::replace(ins.keyword.span, s)],
            )),
            _ => None,
        };
        cx.report(
            ins.keyword.span,
            format!("`{word}` is not a Dockerfile instruction"),
        )
        .help(help)
        .maybe_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_unknown_keywords() {
        fires(
            "IL1001",
            "FROM alpine\nRUNN echo\n",
            &["2:1 IL1001 `RUNN` is not a Dockerfile instruction"],
        );
        fires(
            "IL1001",
            "FROM alpine\nONBUILD COPPY . /app\n",
            &["2:9 IL1001 `COPPY` is not a Dockerfile instruction"],
        );
    }

    #[test]
    fn suggests_the_closest_instruction() {
        assert_eq!(
            fixed(
                "IL1001",
                "FROM alpine\nWORKDRI /app\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nWORKDIR /app\n"
        );
        let f = findings(
            "IL1001",
            "FROM alpine\nRUN apt-get install \\\n  curl\n  git\n",
        );
        assert!(f[0].help.as_deref().unwrap().contains("lacks a `\\`"));
    }

    #[test]
    fn passes_for_known_instructions_in_any_case() {
        passes(
            "IL1001",
            "from alpine\nrun echo\nHealthCheck NONE\nstopsignal SIGTERM\n",
        );
    }
}
