use super::layers::ships_in_image;
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::apt::apk;
use crate::shell::cache::{has_cache_mount, removes};
use crate::syntax::{Instruction, Kind};

/// DL3019
pub struct ApkAddWithoutNoCache;

const META: Meta = Meta {
    code: "DL3019",
    name: "apk-add-without-no-cache",
    aliases: &[
        "DS-0025",
        "DS025",
        "docker-purge-apk-package-cache",
        "DKL-DI-0004",
    ],
    severity: Severity::Info,
    category: Category::Size,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`apk add` without `--no-cache` leaves the package index in the image",
    doc: include_str!("../../../rules/apk-add-without-no-cache.md"),
    target: Target::Dockerfile,
};

/// Where apk keeps its index and packages.
pub const APK_CACHE_DIRS: &[&str] = &["/var/cache/apk", "/etc/apk/cache"];

impl Rule for ApkAddWithoutNoCache {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if !ships_in_image(cx) {
            return;
        }
        let index = cx.instruction_index().unwrap_or(0);
        let workdir = cx.state().and_then(|s| s.workdir.clone());
        if has_cache_mount(
            ins,
            APK_CACHE_DIRS,
            &|t| cx.expand_at(index, t),
            workdir.as_deref(),
        ) {
            return;
        }
        let scripts = cx.scripts();
        let commands = || scripts.iter().flat_map(|s| s.commands.iter());
        let Some((sub, add_at)) = commands().find_map(|c| {
            let pc = apk(c)?;
            (pc.is("add") && !pc.args.has(&[], &["no-cache", "no-network"]))
                .then(|| (pc.subcommand.map(|s| s.span), c.span.start))
        }) else {
            return;
        };
        let Some(sub) = sub else { return };
        // removing the cache later in the same RUN keeps it out too
        if commands().any(|c| c.span.start > add_at && removes(c, APK_CACHE_DIRS)) {
            return;
        }
        cx.report(
            sub,
            "`apk add` without `--no-cache` keeps the package index in the layer",
        )
        .help("add `--no-cache`, or mount a cache at `/var/cache/apk`")
        .fix(Fix::unsafe_(
            "add `--no-cache`",
            vec![Edit::insert(sub.end, " --no-cache")],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_no_cache() {
        fires(
            "DL3019",
            "FROM alpine:3.20\nRUN apk update && apk add curl=8.9.1-r1\n",
            &["2:23 DL3019 `apk add` without `--no-cache` keeps the package index in the layer"],
        );
        fires(
            "DL3019",
            "FROM alpine:3.20\nRUN apk upgrade \\\n  # tools\n  && apk add --virtual .deps gcc\n",
            &["4:10 DL3019 `apk add` without `--no-cache` keeps the package index in the layer"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3019",
            "FROM alpine:3.20\nRUN <<EOF\napk add git\nEOF\n",
            &["3:5 DL3019 `apk add` without `--no-cache` keeps the package index in the layer"],
        );
        fires(
            "DL3019",
            "FROM alpine:3.20\nONBUILD RUN apk add git\n",
            &["2:17 DL3019 `apk add` without `--no-cache` keeps the package index in the layer"],
        );
    }

    #[test]
    fn points_at_the_subcommand() {
        assert_eq!(
            spans("DL3019", "FROM alpine\nRUN sudo apk -U add git\n"),
            ["add"]
        );
    }

    #[test]
    fn fixes_by_adding_no_cache() {
        assert_eq!(
            fixed(
                "DL3019",
                "FROM alpine\nRUN apk add git\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nRUN apk add --no-cache git\n"
        );
        assert_eq!(
            fixed(
                "DL3019",
                "FROM alpine\nRUN apk add git\n",
                Applicability::Safe
            ),
            "FROM alpine\nRUN apk add git\n"
        );
    }

    #[test]
    fn passes_with_no_cache_mounts_or_cleanup() {
        for run in [
            "apk add --no-cache git",
            "apk --no-cache add git",
            "--mount=type=cache,target=/var/cache/apk apk add git",
            "--mount=type=cache,target=/etc/apk/cache apk add git",
            "--mount=type=tmpfs,target=/var/cache apk add git",
            "apk add git && rm -rf /var/cache/apk/*",
            "apk del git",
        ] {
            passes("DL3019", &format!("FROM alpine\nRUN {run}\n"));
        }
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3019",
            "FROM alpine AS build\nRUN apk add gcc\nFROM scratch\nCOPY --from=build /out /out\n",
        );
    }
}
