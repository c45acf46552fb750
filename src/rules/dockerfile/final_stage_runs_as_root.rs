use crate::graph::{Base, Build};
use crate::rules::*;
use crate::size::{DefaultUser, facts};
use crate::syntax::{Args, Kind};

use super::last_user_is_root::is_root_user;

/// IL4001
pub struct FinalStageRunsAsRoot;

const META: Meta = Meta {
    code: "IL4001",
    name: "final-stage-runs-as-root",
    aliases: &[
        "DS-0002",
        "DS002",
        "docker-least-privilege-user",
        "CKV_DOCKER_3",
        "CIS-DI-0001",
    ],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The image runs as root, by its last `USER` or its base image's default",
    doc: include_str!("../../../rules/final-stage-runs-as-root.md"),
    target: Target::Dockerfile,
};

impl Rule for FinalStageRunsAsRoot {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = build.target_stage() else {
            return;
        };
        if target.windows {
            return;
        }
        let chain = build.chain(target.index);
        // the last USER along the FROM chain decides
        for &si in &chain {
            let stage = &build.stages[si];
            let last = stage
                .instructions()
                .rev()
                .find(|&i| cx.instruction(i).is_some_and(|x| x.kind == Kind::User));
            if let Some(i) = last {
                let Some(ins) = cx.instruction(i) else { return };
                let Args::Text(word) = &ins.args else { return };
                let value = cx.expand_at(i, &word.text);
                if is_root_user(&value) {
                    cx.report(
                        word.span,
                        format!("the image runs as root: its last `USER` is `{value}`"),
                    )
                    .help("add `USER <non-root user or UID>` after the steps that need root");
                }
                return;
            }
        }
        // no USER: the base image's default user
        let Some(&root) = chain.last() else { return };
        let root_stage = &build.stages[root];
        let (base_name, default) = match &root_stage.base {
            Base::Scratch => ("scratch".to_string(), Some(DefaultUser::Root)),
            Base::Image(r) => (r.original.clone(), facts(r).user),
            _ => return,
        };
        if default != Some(DefaultUser::Root) {
            return;
        }
        let Some(at) = target.base_span else { return };
        let mut r = cx
            .report(at, format!("the image runs as root: `{base_name}` defaults to root and no `USER` changes it"))
            .help("create an unprivileged user (or use a UID such as 10001) and add `USER` before `CMD`/`ENTRYPOINT`");
        if root != target.index
            && let Some(span) = root_stage.base_span
        {
            r = r.label(span, "the base image");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_root_bases_without_user() {
        fires(
            "IL4001",
            "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
            &[
                "1:6 IL4001 the image runs as root: `python:3.12-slim` defaults to root and no `USER` changes it",
            ],
        );
        fires(
            "IL4001",
            "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\n",
            &[
                "3:6 IL4001 the image runs as root: `scratch` defaults to root and no `USER` changes it",
            ],
        );
    }

    #[test]
    fn fires_for_an_explicit_root_user() {
        fires(
            "IL4001",
            "FROM alpine\nUSER root\n",
            &["2:6 IL4001 the image runs as root: its last `USER` is `root`"],
        );
    }

    #[test]
    fn follows_from_chains() {
        passes(
            "IL4001",
            "FROM alpine AS base\nUSER 10001\nFROM base\nRUN true\n",
        );
        fires(
            "IL4001",
            "FROM node:22 AS base\nFROM base\nCMD [\"node\", \"s.js\"]\n",
            &[
                "2:6 IL4001 the image runs as root: `node:22` defaults to root and no `USER` changes it",
            ],
        );
    }

    #[test]
    fn passes_for_non_root_bases_and_users() {
        passes(
            "IL4001",
            "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n",
        );
        passes("IL4001", "FROM cgr.dev/chainguard/static\nCOPY app /app\n");
        passes("IL4001", "FROM node:22\nUSER node\n");
        passes("IL4001", "FROM ghcr.io/acme/base:1\nCMD [\"x\"]\n");
        // builder stages do not matter
        passes(
            "IL4001",
            "FROM golang AS build\nRUN go build\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /a /a\n",
        );
    }
}
