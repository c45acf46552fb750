use super::overridden;
use crate::graph::Build;
use crate::rules::*;
use crate::syntax::Kind;

/// DL4004
pub struct MultipleEntrypoints;

const META: Meta = Meta {
    code: "DL4004",
    name: "multiple-entrypoints",
    aliases: &[
        "DS-0007",
        "DS007",
        "docker-only-one-entrypoint",
        "MultipleInstructionsDisallowed",
    ],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "A stage has more than one `ENTRYPOINT`; only the last one counts",
    doc: include_str!("../../../rules/multiple-entrypoints.md"),
    target: Target::Dockerfile,
};

impl Rule for MultipleEntrypoints {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        overridden::check(cx, build, Kind::Entrypoint);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_the_overridden_entrypoint() {
        fires(
            "DL4004",
            "FROM alpine\nENTRYPOINT [\"a\"]\nCMD [\"x\"]\nENTRYPOINT [\"b\"]\n",
            &[
                "2:1 DL4004 this `ENTRYPOINT` has no effect: a later `ENTRYPOINT` in the stage replaces it",
            ],
        );
    }

    #[test]
    fn one_entrypoint_per_stage_passes() {
        passes(
            "DL4004",
            "FROM alpine AS a\nENTRYPOINT [\"a\"]\nFROM a\nENTRYPOINT [\"b\"]\n",
        );
    }

    #[test]
    fn fix_removes_the_overridden_entrypoint() {
        assert_eq!(
            fixed(
                "DL4004",
                "FROM alpine\nENTRYPOINT a\nENTRYPOINT [\"b\"]",
                Applicability::Unsafe
            ),
            "FROM alpine\nENTRYPOINT [\"b\"]"
        );
    }
}
