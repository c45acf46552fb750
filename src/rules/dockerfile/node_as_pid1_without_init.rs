use super::final_image::checked_target;
use crate::graph::Build;
use crate::rules::*;
use crate::shell::process::started;

/// IL5402
pub struct NodeAsPid1WithoutInit;

const META: Meta = Meta {
    code: "IL5402",
    name: "node-as-pid1-without-init",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: false,
    summary: "`node` runs as PID 1 without an init, so `SIGTERM` does nothing unless the app handles it",
    doc: include_str!("../../../rules/node-as-pid1-without-init.md"),
    target: Target::Dockerfile,
};

impl Rule for NodeAsPid1WithoutInit {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = checked_target(cx, build, META.name) else {
            return;
        };
        let Some(s) = started(&cx.dockerfile().instructions, target) else {
            return;
        };
        if s.init.is_some() || !matches!(s.program(), "node" | "nodejs") || s.args().is_empty() {
            return;
        }
        let Some(at) = s.words.first().map(|w| w.span) else {
            return;
        };
        cx.report(
            at,
            "`node` runs as PID 1 without an init: `SIGTERM` is ignored unless the app handles it",
        )
        .help("put an init in front (`ENTRYPOINT [\"/usr/bin/tini\", \"--\"]` after installing `tini`), or run the container with `--init`");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_node_without_an_init() {
        fires(
            "IL5402",
            "FROM node:22-slim\nCOPY . /app\nCMD [\"node\", \"/app/server.js\"]\n",
            &[
                "3:6 IL5402 `node` runs as PID 1 without an init: `SIGTERM` is ignored unless the app handles it",
            ],
        );
        assert_eq!(
            spans(
                "IL5402",
                "FROM node:22\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD node \\\n  server.js\n"
            ),
            ["node"]
        );
        assert_eq!(
            spans(
                "IL5402",
                "FROM node:22\nCMD [\"sh\", \"-c\", \"exec node server.js\"]\n"
            ),
            ["node"]
        );
    }

    #[test]
    fn passes_with_an_init_or_another_program() {
        passes(
            "IL5402",
            "FROM node:22-alpine\nRUN apk add --no-cache tini\nENTRYPOINT [\"/sbin/tini\", \"--\"]\nCMD [\"node\", \"server.js\"]\n",
        );
        passes(
            "IL5402",
            "FROM node:22\nENTRYPOINT [\"dumb-init\", \"node\", \"server.js\"]\n",
        );
        passes("IL5402", "FROM node:22\nCMD [\"npm\", \"start\"]\n");
        // the REPL, or a dev target
        passes("IL5402", "FROM node:22\nCMD [\"node\"]\n");
        passes(
            "IL5402",
            "FROM node:22 AS test\nCMD [\"node\", \"test.js\"]\n",
        );
    }
}
