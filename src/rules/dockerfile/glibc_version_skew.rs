use super::built_programs::{Linking, shipped};
use super::final_image::{root_base_span, root_image};
use super::rust_glibc_binary_on_static_base::command_text;
use crate::graph::Build;
use crate::rules::*;
use crate::size::system::glibc;
use std::collections::BTreeSet;

/// IL5303
pub struct GlibcVersionSkew;

const META: Meta = Meta {
    code: "IL5303",
    name: "glibc-version-skew",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A program built against a newer glibc than the runtime image has",
    doc: include_str!("../../../rules/glibc-version-skew.md"),
    target: Target::Dockerfile,
};

impl Rule for GlibcVersionSkew {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let mut reported = BTreeSet::new();
        for sh in shipped(cx, build) {
            let p = &sh.program;
            let (Some(have), Some(builder)) = (glibc(&sh.runtime), root_image(build, sh.builder))
            else {
                continue;
            };
            let Some(built) = glibc(&builder) else {
                continue;
            };
            if built.version <= have.version
                || p.linking != Linking::Glibc
                || !reported.insert((p.span.start, sh.leaf))
            {
                continue;
            }
            // glibc 2.34 merged libpthread and re-versioned symbols
            let certain = built.exact && have.exact;
            let across_234 = built.version >= (2, 34) && have.version < (2, 34);
            let labels = sh.labels(
                cx,
                build,
                format!("`{}` is {}", sh.runtime.original, have.suite),
            );
            let mut r = cx
                .report(
                    p.span,
                    format!(
                        "`{}` links glibc {} ({}), but the image runs it on glibc {} ({})",
                        command_text(cx.text(), p.span),
                        built.render(),
                        built.suite,
                        have.render(),
                        have.suite
                    ),
                )
                .help(format!(
                    "build on the runtime's release (a `{}` tag of the builder image), or run on a release at least as new as the builder's",
                    have.suite
                ));
            if !(certain && across_234) {
                r = r.severity(Severity::Info);
            }
            if let Some(span) = root_base_span(build, sh.builder) {
                let how = if built.exact { "" } else { " by default" };
                r = r.label(
                    span,
                    format!("`{}` is {}{how}", builder.original, built.suite),
                );
            }
            for (span, text) in labels {
                r = r.label(span, text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Severity;
    use crate::rules::test::*;

    const BAD: &str = "FROM rust:1.85-bookworm AS build\nWORKDIR /src\nCOPY . .\nRUN cargo build --release --locked\nFROM debian:bullseye-slim\nCOPY --from=build /src/target/release/app /usr/local/bin/app\nCMD [\"app\"]\n";

    #[test]
    fn fires_for_a_newer_builder() {
        fires(
            "IL5303",
            BAD,
            &[
                "4:5 IL5303 `cargo build` links glibc 2.36 (bookworm), but the image runs it on glibc 2.31 (bullseye)",
            ],
        );
        let f = findings("IL5303", BAD);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].labels.len(), 3);
    }

    #[test]
    fn floating_tags_and_small_gaps_are_info() {
        let floating = "FROM golang:1.25 AS build\nRUN go build -o /app .\nFROM debian:bookworm-slim\nCOPY --from=build /app /app\n";
        let f = findings("IL5303", floating);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        let small = BAD.replace("debian:bullseye-slim", "ubuntu:22.04");
        assert_eq!(findings("IL5303", &small)[0].severity, Severity::Info);
    }

    #[test]
    fn passes_for_static_programs_and_same_or_newer_runtimes() {
        passes(
            "IL5303",
            &BAD.replace("debian:bullseye-slim", "debian:bookworm-slim"),
        );
        passes(
            "IL5303",
            &BAD.replace("debian:bullseye-slim", "gcr.io/distroless/cc-debian13"),
        );
        passes(
            "IL5303",
            "FROM golang:1.25 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM debian:bookworm-slim\nCOPY --from=build /app /app\n",
        );
        passes(
            "IL5303",
            &BAD.replace(
                "cargo build --release",
                "cargo build --release --target x86_64-unknown-linux-musl",
            ),
        );
        // unknown releases
        passes(
            "IL5303",
            &BAD.replace("rust:1.85-bookworm", "ghcr.io/acme/rust:1"),
        );
    }
}
