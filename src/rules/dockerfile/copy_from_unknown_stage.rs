use crate::graph::{Build, EdgeKind, EdgeTarget};
use crate::rules::*;

/// DL3022
pub struct CopyFromUnknownStage;

const META: Meta = Meta {
    code: "DL3022",
    name: "copy-from-unknown-stage",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`COPY --from` names no stage of the Dockerfile",
    doc: include_str!("../../../rules/copy-from-unknown-stage.md"),
    target: Target::Dockerfile,
};

impl Rule for CopyFromUnknownStage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for edge in &build.edges {
            if !matches!(edge.kind, EdgeKind::CopyFrom | EdgeKind::MountFrom) {
                continue;
            }
            let written = edge.span.text(cx.text());
            // a mount's span is its whole `from=…` option
            let written = match edge.kind {
                EdgeKind::MountFrom => written.split_once('=').map_or(written, |(_, v)| v),
                _ => written,
            };
            let value = cx.expand_at(edge.instruction, written);
            // a variable nobody can know from the Dockerfile
            if value.contains('$') || value.is_empty() {
                continue;
            }
            let what = match edge.kind {
                EdgeKind::MountFrom => "`--mount` `from`",
                _ => "`COPY --from`",
            };
            let message = match &edge.target {
                EdgeTarget::Stage(_) => continue,
                // an image reference with a registry, path, tag or digest is
                // meant as an image
                EdgeTarget::Image(r)
                    if r.registry.is_some()
                        || r.repository.contains('/')
                        || r.tag.is_some()
                        || r.digest.is_some() =>
                {
                    continue;
                }
                EdgeTarget::Image(_) => format!(
                    "{what} names `{value}`, which is no stage, so it is pulled as an image"
                ),
                EdgeTarget::Invalid(_) if value.bytes().all(|b| b.is_ascii_digit()) => {
                    format!(
                        "{what} names stage {value}, but there are {} stages",
                        build.stages.len()
                    )
                }
                EdgeTarget::Invalid(_) => format!("{what} names `{value}`, which is no stage"),
            };
            let names = build.stages.iter().filter_map(|s| s.name.as_deref());
            let help = match crate::suggest::closest(&value, names) {
                Some(name) => format!("did you mean the stage `{name}`?"),
                None => "name a stage of this Dockerfile, or an image with its tag".to_string(),
            };
            cx.report(edge.span, message).help(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_names_that_are_no_stage() {
        fires(
            "DL3022",
            "FROM golang AS build\nFROM alpine\nCOPY --from=biuld /app /app\n",
            &[
                "3:13 DL3022 `COPY --from` names `biuld`, which is no stage, so it is pulled as an image",
            ],
        );
        fires(
            "DL3022",
            "FROM alpine\nCOPY --from=3 /a /a\n",
            &["2:13 DL3022 `COPY --from` names stage 3, but there are 1 stages"],
        );
        fires(
            "DL3022",
            "FROM alpine AS a\nFROM alpine\nRUN --mount=type=bind,from=templates,target=/t true\n",
            &[
                "3:23 DL3022 `--mount` `from` names `templates`, which is no stage, so it is pulled as an image",
            ],
        );
    }

    #[test]
    fn passes_on_stages_images_and_variables() {
        passes(
            "DL3022",
            "FROM golang AS Build\nFROM alpine\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\n",
        );
        // later stages can be referenced too
        passes(
            "DL3022",
            "FROM alpine\nCOPY --from=later /a /a\nFROM alpine AS later\n",
        );
        for from in [
            "nginx:1.27",
            "docker/buildx-bin",
            "ghcr.io/acme/tool",
            "alpine@sha256:0123456789012345678901234567890123456789012345678901234567890123",
            "$UNKNOWN",
        ] {
            passes(
                "DL3022",
                &format!("FROM alpine\nCOPY --from={from} /a /a\n"),
            );
        }
        // the build argument names a stage
        passes(
            "DL3022",
            "ARG SRC=a\nFROM busybox AS a\nFROM alpine AS b\nFROM scratch\nARG SRC=b\nCOPY --from=$SRC /x /\n",
        );
    }
}
