use crate::graph::Build;
use crate::rules::*;
use crate::syntax::Kind;

/// DL3061
pub struct InstructionBeforeFrom;

const META: Meta = Meta {
    code: "DL3061",
    name: "instruction-before-from",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "An instruction other than `ARG` comes before the first `FROM`",
    doc: include_str!("../../../rules/instruction-before-from.md"),
    target: Target::Dockerfile,
};

impl Rule for InstructionBeforeFrom {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, _build: &Build) {
        let df = cx.dockerfile();
        for ins in &df.instructions {
            match ins.kind {
                Kind::From => return,
                Kind::Arg => {}
                _ => {
                    cx.report(
                        ins.keyword.span,
                        format!("`{}` comes before the first `FROM`", ins.kind),
                    )
                    .help("start with `FROM`; only `ARG` may come before it");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_before_the_first_from() {
        fires(
            "DL3061",
            "# comment\nARG V=1\nLABEL a=b\nRUN true\nFROM alpine:$V\nRUN x\n",
            &[
                "3:1 DL3061 `LABEL` comes before the first `FROM`",
                "4:1 DL3061 `RUN` comes before the first `FROM`",
            ],
        );
        fires(
            "DL3061",
            "ENV A=1\n",
            &["1:1 DL3061 `ENV` comes before the first `FROM`"],
        );
    }

    #[test]
    fn passes_with_directives_comments_and_args() {
        passes(
            "DL3061",
            "# syntax=docker/dockerfile:1\n# hello\nARG BASE=alpine\nFROM $BASE\nRUN x\n",
        );
    }
}
