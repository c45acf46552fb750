use crate::graph::{Build, EdgeKind, EdgeTarget};
use crate::rules::*;

/// DL3023
pub struct CopyFromOwnStage;

const META: Meta = Meta {
    code: "DL3023",
    name: "copy-from-own-stage",
    aliases: &["DS-0006", "DS006", "docker-no-self-referencing-copy-from"],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`COPY --from` names the stage it is in",
    doc: include_str!("../../../rules/copy-from-own-stage.md"),
    target: Target::Dockerfile,
};

impl Rule for CopyFromOwnStage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for edge in &build.edges {
            if !matches!(edge.kind, EdgeKind::CopyFrom | EdgeKind::MountFrom)
                || edge.target != EdgeTarget::Stage(edge.stage)
            {
                continue;
            }
            let Some(stage) = build.stages.get(edge.stage) else {
                continue;
            };
            let what = match edge.kind {
                EdgeKind::MountFrom => "`--mount` `from`",
                _ => "`COPY --from`",
            };
            let mut report = cx
                .report(
                    edge.span,
                    format!("{what} names `{}`, the stage it is in", stage.label()),
                )
                .help("copy from an earlier stage; a stage cannot read its own result");
            if let Some(name) = stage.name_span {
                report = report.label(name, "the stage");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_its_own_stage() {
        fires(
            "DL3023",
            "FROM alpine AS build\nCOPY --from=Build /a /b\n",
            &["2:13 DL3023 `COPY --from` names `build`, the stage it is in"],
        );
        fires(
            "DL3023",
            "FROM alpine\nCOPY --from=0 /a /b\n",
            &["2:13 DL3023 `COPY --from` names `0`, the stage it is in"],
        );
        fires(
            "DL3023",
            "FROM alpine AS x\nRUN --mount=from=x,target=/x true\n",
            &["2:13 DL3023 `--mount` `from` names `x`, the stage it is in"],
        );
    }

    #[test]
    fn passes_on_other_stages() {
        passes(
            "DL3023",
            "FROM alpine AS build\nFROM alpine AS run\nCOPY --from=build /a /b\nCOPY --from=nginx:1 /c /d\n",
        );
    }
}
