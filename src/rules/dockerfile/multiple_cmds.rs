use super::overridden;
use crate::graph::Build;
use crate::rules::*;
use crate::syntax::Kind;

/// DL4003
pub struct MultipleCmds;

const META: Meta = Meta {
    code: "DL4003",
    name: "multiple-cmds",
    aliases: &[
        "DS-0016",
        "DS016",
        "docker-only-one-cmd",
        "MultipleInstructionsDisallowed",
    ],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "A stage has more than one `CMD`; only the last one counts",
    doc: include_str!("../../../rules/multiple-cmds.md"),
    target: Target::Dockerfile,
};

impl Rule for MultipleCmds {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        overridden::check(cx, build, Kind::Cmd);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_the_overridden_cmd() {
        fires(
            "DL4003",
            "FROM alpine\nCMD [\"a\"]\nRUN true\ncmd b\n",
            &["2:1 DL4003 this `CMD` has no effect: a later `CMD` in the stage replaces it"],
        );
        assert_eq!(spans("DL4003", "FROM alpine\n  CMD a\nCMD b\n"), ["CMD"]);
    }

    #[test]
    fn one_cmd_per_stage_passes() {
        passes(
            "DL4003",
            "FROM alpine AS build\nCMD [\"make\"]\nFROM build\nCMD [\"run\"]\n",
        );
        passes("DL4003", "FROM alpine\nONBUILD CMD a\nCMD b\n");
    }

    #[test]
    fn fix_removes_the_overridden_cmd() {
        assert_eq!(
            fixed(
                "DL4003",
                "FROM alpine\nCMD [\"a\"]\n# the real one\nCMD [\"b\"]\n",
                Applicability::Unsafe
            ),
            "FROM alpine\n# the real one\nCMD [\"b\"]\n"
        );
    }
}
