use super::final_image::root_image;
use crate::rules::*;
use crate::shell::apt::{apk, package_names};
use crate::size::system::{Libc, libc};
use crate::syntax::{Instruction, Kind};

/// IL5306
pub struct GlibcCompatShimOnAlpine;

const META: Meta = Meta {
    code: "IL5306",
    name: "glibc-compat-shim-on-alpine",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The image installs a glibc compatibility shim on Alpine: a glibc program runs on musl",
    doc: include_str!("../../../rules/glibc-compat-shim-on-alpine.md"),
    target: Target::Dockerfile,
};

const SHIMS: &[&str] = &["libc6-compat", "gcompat"];

impl Rule for GlibcCompatShimOnAlpine {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        let build = cx.build();
        let (Some(state), Some(target)) = (cx.state(), build.target) else {
            return;
        };
        // the image's own chain, on a musl base
        if !build.chain(target).contains(&state.stage)
            || root_image(build, state.stage).and_then(|r| libc(&r)) != Some(Libc::Musl)
        {
            return;
        }
        let mut hits = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(pc) = apk(cmd) else { continue };
                if !pc.is("add") {
                    continue;
                }
                for w in &pc.packages {
                    let names = package_names(script, ci, w, state.scope.as_ref());
                    if let Some(n) = names.iter().find(|n| {
                        let base = n.split(['=', '<', '>', '~']).next().unwrap_or(n);
                        SHIMS.contains(&base)
                    }) {
                        let base = n
                            .split(['=', '<', '>', '~'])
                            .next()
                            .unwrap_or(n)
                            .to_string();
                        hits.push((w.span, base));
                    }
                }
            }
        }
        let Some((at, name)) = hits.first().cloned() else {
            return;
        };
        let mut r = cx
            .report(
                at,
                format!("`{name}` lets glibc programs run on musl, which covers only part of glibc"),
            )
            .help("build the program for musl (or statically), or use a glibc-based runtime image such as `debian:bookworm-slim`");
        for (span, _) in hits.iter().skip(1) {
            r = r.label(*span, "another shim");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_the_shims_on_alpine() {
        fires(
            "IL5306",
            "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates libc6-compat\nCOPY app /app\nCMD [\"/app\"]\n",
            &[
                "2:40 IL5306 `libc6-compat` lets glibc programs run on musl, which covers only part of glibc",
            ],
        );
        assert_eq!(
            spans(
                "IL5306",
                "FROM node:22-alpine AS base\nFROM base\nARG SHIM=gcompat\nRUN apk add \\\n    # for the prebuilt binary\n    $SHIM\n"
            ),
            ["$SHIM"]
        );
    }

    #[test]
    fn passes_elsewhere() {
        passes(
            "IL5306",
            "FROM alpine:3.20 AS build\nRUN apk add gcompat\nFROM scratch\nCOPY --from=build /app /app\n",
        );
        passes(
            "IL5306",
            "FROM debian:bookworm\nRUN apt-get install -y libc6\n",
        );
        passes("IL5306", "FROM alpine:3.20\nRUN apk add curl\n");
        passes("IL5306", "FROM alpine:3.20\nONBUILD RUN apk add gcompat\n");
    }
}
