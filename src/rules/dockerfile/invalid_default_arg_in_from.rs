use crate::graph::{Base, Build};
use crate::rules::*;

/// IL2003
pub struct InvalidDefaultArgInFrom;

const META: Meta = Meta {
    code: "IL2003",
    name: "invalid-default-arg-in-from",
    aliases: &["InvalidDefaultArgInFrom"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "With its `ARG` defaults, a `FROM` names no valid image",
    doc: include_str!("../../../rules/invalid-default-arg-in-from.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidDefaultArgInFrom {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            let (Base::Invalid { text, reason }, Some(span)) = (&stage.base, stage.base_span)
            else {
                continue;
            };
            let written = span.text(cx.text());
            // a reference the expansion could not read is not about defaults
            if !written.contains('$') || text.contains('$') {
                continue;
            }
            let shown = if text.is_empty() {
                "an empty name".to_string()
            } else {
                format!("`{text}`")
            };
            cx.report(span, format!("with the default `ARG` values `{written}` gives {shown}"))
                .help(format!(
                    "{reason}; give the arguments defaults that name an image, so a build without `--build-arg` works"
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_when_defaults_give_no_image() {
        fires(
            "IL2003",
            "ARG TAG\nFROM alpine:${TAG}\n",
            &["2:6 IL2003 with the default `ARG` values `alpine:${TAG}` gives `alpine:`"],
        );
        fires(
            "IL2003",
            "ARG IMAGE\nFROM $IMAGE\n",
            &["2:6 IL2003 with the default `ARG` values `$IMAGE` gives an empty name"],
        );
    }

    #[test]
    fn passes_for_defaults_that_name_an_image() {
        passes(
            "IL2003",
            "ARG TAG=3.20\nARG BASE=alpine\nARG S=a\nFROM ${BASE}:${TAG} AS a\nFROM $S\nFROM ${REG:-docker.io}/alpine\n",
        );
    }
}
