use crate::graph::{Base, Build, EdgeKind, EdgeTarget, ImageRef};
use crate::rules::*;
use crate::source::Span;

/// DL3026
pub struct UntrustedRegistry;

const META: Meta = Meta {
    code: "DL3026",
    name: "untrusted-registry",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "An image comes from a registry that is not trusted",
    doc: include_str!("../../../rules/untrusted-registry.md"),
    target: Target::Dockerfile,
};

/// The names of Docker Hub.
const DOCKER_HUB: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "hub.docker.com",
];

/// Whether `pattern` (with `*` standing for any text) matches `host`,
/// ignoring case.
fn glob_matches(pattern: &str, host: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let h: Vec<char> = host.to_ascii_lowercase().chars().collect();
    // classic two-pointer wildcard match
    let (mut pi, mut hi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while hi < h.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == h[hi] {
            pi += 1;
            hi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = hi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            hi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether `trusted` (hosts or patterns) allows the registry of `image`.
pub fn is_trusted(image: &ImageRef, trusted: &[String]) -> bool {
    let host = image.registry_host();
    let hosts: Vec<&str> = if DOCKER_HUB.contains(&host) {
        DOCKER_HUB.to_vec()
    } else {
        vec![host]
    };
    trusted
        .iter()
        .any(|t| hosts.iter().any(|h| glob_matches(t.trim(), h)))
}

impl Rule for UntrustedRegistry {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let trusted = &cx.options().trusted_registries;
        if trusted.is_empty() {
            return;
        }
        let mut images: Vec<(&ImageRef, Span)> = Vec::new();
        for stage in &build.stages {
            if let (Base::Image(r), Some(span)) = (&stage.base, stage.base_span) {
                images.push((r, span));
            }
        }
        for edge in &build.edges {
            if let (EdgeKind::CopyFrom | EdgeKind::MountFrom, EdgeTarget::Image(r)) =
                (edge.kind, &edge.target)
            {
                images.push((r, edge.span));
            }
        }
        images.sort_by_key(|(_, span)| span.start);
        for (image, span) in images {
            if image.is_scratch() || is_trusted(image, trusted) {
                continue;
            }
            cx.report(
                span,
                format!(
                    "`{}` comes from `{}`, which is not a trusted registry",
                    image.name(),
                    image.registry_host()
                ),
            )
            .help(format!(
                "use an image from a trusted registry ({})",
                trusted
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;
    use crate::rules::RuleOptions;
    use crate::rules::test::*;

    fn trusting(registries: &[&str]) -> RuleOptions {
        RuleOptions {
            trusted_registries: registries.iter().map(|r| r.to_string()).collect(),
            ..RuleOptions::default()
        }
    }

    #[test]
    fn fires_on_untrusted_images() {
        let o = trusting(&["docker.io", "*.gcr.io"]);
        fires_with(
            "DL3026",
            &o,
            "FROM quay.io/prometheus/node-exporter:v1 AS a\nFROM gcr.io/distroless/static\nCOPY --from=ghcr.io/acme/tool:1 /t /t\n",
            &[
                "1:6 DL3026 `quay.io/prometheus/node-exporter` comes from `quay.io`, which is not a trusted registry",
                "2:6 DL3026 `gcr.io/distroless/static` comes from `gcr.io`, which is not a trusted registry",
                "3:13 DL3026 `ghcr.io/acme/tool` comes from `ghcr.io`, which is not a trusted registry",
            ],
        );
        fires_with(
            "DL3026",
            &trusting(&["my.registry"]),
            "ARG BASE=debian:12\nFROM ${BASE}\nRUN --mount=from=alpine:3,target=/a true\n",
            &[
                "2:6 DL3026 `debian` comes from `docker.io`, which is not a trusted registry",
                "3:13 DL3026 `alpine` comes from `docker.io`, which is not a trusted registry",
            ],
        );
    }

    #[test]
    fn passes_on_trusted_images_stages_and_scratch() {
        let o = trusting(&["hub.docker.com", "eu.gcr.io", "registry.example.*"]);
        passes_with(
            "DL3026",
            &o,
            "FROM alpine:3 AS a\nFROM eu.gcr.io/p/i:1\nFROM registry.example.com/x:1\nFROM a\nFROM scratch\nCOPY --from=a /x /x\n",
        );
        // without a list every registry is fine
        passes("DL3026", "FROM quay.io/x/y:1\n");
    }

    #[test]
    fn wildcards() {
        assert!(glob_matches("*.gcr.io", "eu.gcr.io"));
        assert!(!glob_matches("*.gcr.io", "gcr.io"));
        assert!(glob_matches("x*", "xyz.example"));
        assert!(glob_matches("GHCR.io", "ghcr.io"));
        assert!(!glob_matches("ghcr.io", "ghcr.io.evil"));
    }
}
