use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3043
pub struct InvalidOnbuildTrigger;

const META: Meta = Meta {
    code: "DL3043",
    name: "invalid-onbuild-trigger",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`ONBUILD` wraps `ONBUILD`, `FROM` or `MAINTAINER`, which it may not trigger",
    doc: include_str!("../../../rules/invalid-onbuild-trigger.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidOnbuildTrigger {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Onbuild]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Some(inner) = ins.onbuild_body() else {
            return;
        };
        if matches!(inner.kind, Kind::Onbuild | Kind::From | Kind::Maintainer) {
            cx.report(
                inner.keyword.span,
                format!("`{}` cannot be an `ONBUILD` trigger", inner.kind),
            )
            .label(ins.keyword.span, "in this `ONBUILD`")
            .help(match inner.kind {
                Kind::Maintainer => "set an `org.opencontainers.image.authors` label instead",
                Kind::From => "start the child image's Dockerfile with its own `FROM`",
                _ => "remove the nested `ONBUILD`",
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_forbidden_triggers() {
        fires(
            "DL3043",
            "FROM alpine\nONBUILD ONBUILD RUN x\nonbuild from debian\nONBUILD MAINTAINER me\n",
            &[
                "2:9 DL3043 `ONBUILD` cannot be an `ONBUILD` trigger",
                "3:9 DL3043 `FROM` cannot be an `ONBUILD` trigger",
                "4:9 DL3043 `MAINTAINER` cannot be an `ONBUILD` trigger",
            ],
        );
    }

    #[test]
    fn passes_on_allowed_triggers() {
        passes(
            "DL3043",
            "FROM alpine\nONBUILD RUN x\nONBUILD COPY . /app\nONBUILD \\\n  WORKDIR /app\n",
        );
    }
}
