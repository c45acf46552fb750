use crate::graph::{Base, Build, EdgeKind, EdgeTarget};
use crate::rules::*;

/// DL3007
pub struct ImageTaggedLatest;

const META: Meta = Meta {
    code: "DL3007",
    name: "image-tagged-latest",
    aliases: &["DKL-DI-0006"],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "An image is pinned to the moving `latest` tag",
    doc: include_str!("../../../rules/image-tagged-latest.md"),
    target: Target::Dockerfile,
};

impl Rule for ImageTaggedLatest {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            let (Base::Image(r), Some(span)) = (&stage.base, stage.base_span) else {
                continue;
            };
            if r.tag.as_deref() == Some("latest") && r.digest.is_none() {
                cx.report(
                    span,
                    format!(
                        "`{}` uses the `latest` tag, which moves with every release",
                        r.original
                    ),
                )
                .help("pin the version the image was tested with, e.g. `name:1.2.3`");
            }
        }
        // images copied from
        for e in &build.edges {
            if e.kind == EdgeKind::From {
                continue;
            }
            if let EdgeTarget::Image(r) = &e.target
                && r.tag.as_deref() == Some("latest")
                && r.digest.is_none()
            {
                cx.report(
                    e.span,
                    format!(
                        "`{}` uses the `latest` tag, which moves with every release",
                        r.original
                    ),
                )
                .help("pin the version the image was tested with, e.g. `name:1.2.3`");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_latest() {
        fires(
            "DL3007",
            "FROM node:latest\n",
            &["1:6 DL3007 `node:latest` uses the `latest` tag, which moves with every release"],
        );
        fires(
            "DL3007",
            "ARG V=latest\nFROM nginx:${V}\n",
            &["2:6 DL3007 `nginx:latest` uses the `latest` tag, which moves with every release"],
        );
        fires(
            "DL3007",
            "FROM alpine:3\nCOPY --from=busybox:latest /bin/sh /sh\n",
            &["2:13 DL3007 `busybox:latest` uses the `latest` tag, which moves with every release"],
        );
    }

    #[test]
    fn passes_for_pinned_images() {
        passes("DL3007", "FROM node:22\n");
        passes(
            "DL3007",
            "FROM node:latest@sha256:1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef\n",
        );
        passes("DL3007", "FROM node\n");
    }
}
