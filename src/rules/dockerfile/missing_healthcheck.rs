use crate::graph::Build;
use crate::rules::*;
use crate::syntax::Kind;

/// DL3057
pub struct MissingHealthcheck;

const META: Meta = Meta {
    code: "DL3057",
    name: "missing-healthcheck",
    aliases: &[
        "DS-0026",
        "DS026",
        "docker-no-healthcheck",
        "CKV_DOCKER_2",
        "CIS-DI-0006",
    ],
    severity: Severity::Info,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: false,
    summary: "The image has no `HEALTHCHECK`",
    doc: include_str!("../../../rules/missing-healthcheck.md"),
    target: Target::Dockerfile,
};

impl Rule for MissingHealthcheck {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        // only the image counts, with what it inherits through `FROM <stage>`
        let Some(target) = build.target else { return };
        for si in build.chain(target) {
            let Some(stage) = build.stages.get(si) else {
                return;
            };
            // `HEALTHCHECK NONE` is a decision too
            if stage.instructions().any(|i| {
                cx.instruction(i)
                    .is_some_and(|ins| ins.kind == Kind::Healthcheck)
            }) {
                return;
            }
        }
        let Some(stage) = build.stages.get(target) else {
            return;
        };
        let Some(from) = cx.instruction(stage.from) else {
            return;
        };
        cx.report(from.keyword.span, "the image has no `HEALTHCHECK`")
            .help("add a `HEALTHCHECK CMD …` that tells whether the service works");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_when_the_image_has_no_healthcheck() {
        fires(
            "DL3057",
            "FROM golang AS build\nHEALTHCHECK CMD true\nFROM alpine\nCOPY --from=build /app /app\n",
            &["3:1 DL3057 the image has no `HEALTHCHECK`"],
        );
        fires(
            "DL3057",
            "FROM alpine\nONBUILD HEALTHCHECK CMD true\n",
            &["1:1 DL3057 the image has no `HEALTHCHECK`"],
        );
    }

    #[test]
    fn passes_with_a_healthcheck_in_the_image() {
        passes("DL3057", "FROM alpine\nHEALTHCHECK CMD wget -q localhost\n");
        passes(
            "DL3057",
            "FROM alpine AS base\nHEALTHCHECK CMD true\nFROM base\nRUN x\n",
        );
        passes("DL3057", "FROM alpine\nHEALTHCHECK NONE\n");
    }
}
