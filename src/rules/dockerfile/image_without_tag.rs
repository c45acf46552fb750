use crate::graph::{Base, Build};
use crate::rules::*;

/// DL3006
pub struct ImageWithoutTag;

const META: Meta = Meta {
    code: "DL3006",
    name: "image-without-tag",
    aliases: &[
        "DS-0001",
        "DS001",
        "docker-use-specific-tags",
        "CKV_DOCKER_7",
    ],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A base image has neither a tag nor a digest",
    doc: include_str!("../../../rules/image-without-tag.md"),
    target: Target::Dockerfile,
};

impl Rule for ImageWithoutTag {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            let (Base::Image(r), Some(span)) = (&stage.base, stage.base_span) else {
                continue;
            };
            if !r.is_untagged() {
                continue;
            }
            let written = span.text(cx.text());
            let message = if written == r.original {
                format!(
                    "`{}` has no tag, so every build may get a different image",
                    r.original
                )
            } else {
                format!("`{written}` is `{}`, which has no tag", r.original)
            };
            cx.report(span, message).help(format!(
                "pin a version, e.g. `{}:<version>`, or a digest",
                r.original
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_untagged_images() {
        fires(
            "DL3006",
            "FROM debian\n",
            &["1:6 DL3006 `debian` has no tag, so every build may get a different image"],
        );
        fires(
            "DL3006",
            "FROM --platform=$BUILDPLATFORM ghcr.io/acme/tool AS t\n",
            &[
                "1:32 DL3006 `ghcr.io/acme/tool` has no tag, so every build may get a different image",
            ],
        );
        fires(
            "DL3006",
            "ARG BASE=ubuntu\nFROM ${BASE}\n",
            &["2:6 DL3006 `${BASE}` is `ubuntu`, which has no tag"],
        );
    }

    #[test]
    fn passes_for_tags_digests_stages_and_scratch() {
        passes("DL3006", "FROM debian:12\nFROM scratch\n");
        passes(
            "DL3006",
            "FROM alpine@sha256:1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef\n",
        );
        passes("DL3006", "FROM golang:1.22 AS build\nFROM build\n");
        passes("DL3006", "ARG BASE\nFROM ${BASE}\n");
        passes("DL3006", "ARG TAG=3.20\nFROM alpine:${TAG}\n");
    }
}
