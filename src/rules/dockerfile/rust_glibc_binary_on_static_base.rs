use super::built_programs::{Lang, Linking, shipped};
use crate::graph::Build;
use crate::rules::*;
use crate::size::system::{Libc, libc};
use std::collections::BTreeSet;

/// IL5302
pub struct RustGlibcBinaryOnStaticBase;

const META: Meta = Meta {
    code: "IL5302",
    name: "rust-glibc-binary-on-static-base",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A Rust program linked against glibc is copied onto an image without glibc: it cannot start",
    doc: include_str!("../../../rules/rust-glibc-binary-on-static-base.md"),
    target: Target::Dockerfile,
};

/// The command's words as written, on one line (`cargo build`).
pub(crate) fn command_text(text: &str, span: crate::source::Span) -> String {
    text.get(span.range())
        .unwrap_or("")
        .split_whitespace()
        .filter(|w| *w != "\\")
        .collect::<Vec<_>>()
        .join(" ")
}

impl Rule for RustGlibcBinaryOnStaticBase {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let mut reported = BTreeSet::new();
        for sh in shipped(cx, build) {
            let p = &sh.program;
            let Some(runtime_libc) = libc(&sh.runtime) else {
                continue;
            };
            // busybox's glibc variant has no libgcc_s, which Rust programs need
            let lacks = matches!(runtime_libc, Libc::None | Libc::Musl)
                || sh.runtime.basename() == "busybox";
            let fails = match p.linking {
                Linking::Glibc => lacks,
                Linking::Musl => runtime_libc == Libc::None,
                _ => false,
            };
            if p.lang != Lang::Rust || !fails || !reported.insert(p.span.start) {
                continue;
            }
            let linked = if p.linking == Linking::Glibc {
                "glibc"
            } else {
                "musl"
            };
            let labels = sh.labels(
                cx,
                build,
                format!("`{}` has {}", sh.runtime.original, runtime_libc.name()),
            );
            let mut r = cx
                .report(
                    p.span,
                    format!(
                        "`{}` links against {linked}, which the image it is copied into lacks",
                        command_text(cx.text(), p.span),
                    ),
                )
                .help("build for `x86_64-unknown-linux-musl` (`--target`, after `rustup target add`), or run the program on `gcr.io/distroless/cc-debian12`");
            for (span, text) in labels {
                r = r.label(span, text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    const BAD: &str = "FROM rust:1.85 AS build\nWORKDIR /src\nCOPY . .\nRUN cargo build --release --locked\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /src/target/release/app /app\nENTRYPOINT [\"/app\"]\n";

    #[test]
    fn fires_for_a_gnu_build_on_a_static_base() {
        fires(
            "IL5302",
            BAD,
            &[
                "4:5 IL5302 `cargo build` links against glibc, which the image it is copied into lacks",
            ],
        );
        // copied on inside the build step
        fires(
            "IL5302",
            "FROM rust:1.85-slim AS build\nWORKDIR /app\nRUN --mount=type=cache,target=/app/target cargo build --release && cp target/release/app /usr/local/bin/app\nFROM alpine:3.20\nCOPY --from=build /usr/local/bin/app /usr/local/bin/app\n",
            &[
                "3:43 IL5302 `cargo build` links against glibc, which the image it is copied into lacks",
            ],
        );
        fires(
            "IL5302",
            "FROM rust:1.85 AS build\nRUN cargo install --path .\nFROM scratch\nCOPY --from=build /usr/local/cargo/bin/app /app\n",
            &[
                "2:5 IL5302 `cargo install` links against glibc, which the image it is copied into lacks",
            ],
        );
    }

    #[test]
    fn passes_for_musl_static_and_glibc_runtimes() {
        passes(
            "IL5302",
            &BAD.replace(
                "cargo build --release",
                "cargo build --release --target x86_64-unknown-linux-musl",
            )
            .replace("target/release", "target/x86_64-unknown-linux-musl/release"),
        );
        passes(
            "IL5302",
            &BAD.replace(
                "WORKDIR /src",
                "ENV RUSTFLAGS=\"-C target-feature=+crt-static\"\nWORKDIR /src",
            ),
        );
        passes("IL5302", &BAD.replace("rust:1.85", "rust:1.85-alpine"));
        passes("IL5302", &BAD.replace("rust:1.85", "clux/muslrust:stable"));
        passes(
            "IL5302",
            &BAD.replace(
                "gcr.io/distroless/static-debian12",
                "gcr.io/distroless/cc-debian12",
            ),
        );
        // WebAssembly
        passes(
            "IL5302",
            "FROM rust:1.85 AS build\nRUN cargo build --target wasm32-wasip1 --release\nFROM scratch\nCOPY --from=build /target/wasm32-wasip1/release/app.wasm /app.wasm\n",
        );
    }
}
