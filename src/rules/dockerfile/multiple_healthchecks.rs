use super::overridden;
use crate::graph::Build;
use crate::rules::*;
use crate::syntax::Kind;

/// DL3012
pub struct MultipleHealthchecks;

const META: Meta = Meta {
    code: "DL3012",
    name: "multiple-healthchecks",
    aliases: &[
        "DS-0023",
        "DS023",
        "docker-only-one-healthcheck",
        "MultipleInstructionsDisallowed",
    ],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "A stage has more than one `HEALTHCHECK`; only the last one counts",
    doc: include_str!("../../../rules/multiple-healthchecks.md"),
    target: Target::Dockerfile,
};

impl Rule for MultipleHealthchecks {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        overridden::check(cx, build, Kind::Healthcheck);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_each_overridden_healthcheck() {
        fires(
            "DL3012",
            "FROM alpine\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\nHEALTHCHECK CMD curl -f http://localhost/\n",
            &[
                "2:1 DL3012 this `HEALTHCHECK` has no effect: a later `HEALTHCHECK` in the stage replaces it",
                "3:1 DL3012 this `HEALTHCHECK` has no effect: a later `HEALTHCHECK` in the stage replaces it",
            ],
        );
    }

    #[test]
    fn stages_are_separate_and_onbuild_does_not_count() {
        passes(
            "DL3012",
            "FROM alpine AS a\nHEALTHCHECK CMD true\nFROM a\nHEALTHCHECK CMD false\n",
        );
        passes(
            "DL3012",
            "FROM alpine\nONBUILD HEALTHCHECK CMD true\nHEALTHCHECK CMD false\n",
        );
    }

    #[test]
    fn fix_removes_the_overridden_lines() {
        assert_eq!(
            fixed(
                "DL3012",
                "FROM alpine\nHEALTHCHECK --interval=5s \\\n  CMD true\nHEALTHCHECK CMD false\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nHEALTHCHECK CMD false\n"
        );
        // a comment inside the instruction is kept: no fix
        let text = "FROM alpine\nHEALTHCHECK \\\n# probe\n  CMD true\nHEALTHCHECK CMD false\n";
        assert_eq!(fixed("DL3012", text, Applicability::Unsafe), text);
        // safe fixes only: nothing changes
        let text = "FROM alpine\nHEALTHCHECK CMD true\nHEALTHCHECK CMD false\n";
        assert_eq!(fixed("DL3012", text, Applicability::Safe), text);
    }
}
