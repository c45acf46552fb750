use crate::graph::Build;
use crate::rules::*;
use crate::syntax::{Args, Kind};

/// DL3002
pub struct LastUserIsRoot;

const META: Meta = Meta {
    code: "DL3002",
    name: "last-user-is-root",
    aliases: &["CKV_DOCKER_8"],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The last `USER` of the image is root",
    doc: include_str!("../../../rules/last-user-is-root.md"),
    target: Target::Dockerfile,
};

/// Whether a `USER` value names root: `root`, `0`, `root:…`, `0:…`.
pub fn is_root_user(value: &str) -> bool {
    let user = value.split(':').next().unwrap_or(value).trim();
    user == "root" || user == "0"
}

impl Rule for LastUserIsRoot {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        // Only the stage that becomes the image matters: a builder stage that
        // stays root never runs anything in production.
        let Some(target) = build.target else { return };
        for si in build.chain(target) {
            let stage = &build.stages[si];
            let last_user = stage
                .instructions()
                .rev()
                .find(|&i| cx.instruction(i).is_some_and(|ins| ins.kind == Kind::User));
            let Some(i) = last_user else { continue };
            let Some(ins) = cx.instruction(i) else { return };
            let Args::Text(word) = &ins.args else { return };
            let value = cx.expand_at(i, &word.text);
            if is_root_user(&value) {
                cx.report(word.span, format!("the image runs as `{value}`: the last `USER` is root"))
                    .help("switch to an unprivileged user (`USER 10001` or a named user) after the steps that need root");
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_root_as_last_user() {
        fires(
            "DL3002",
            "FROM alpine\nUSER app\nUSER root\n",
            &["3:6 DL3002 the image runs as `root`: the last `USER` is root"],
        );
        fires(
            "DL3002",
            "FROM alpine\nUSER 0:0\n",
            &["2:6 DL3002 the image runs as `0:0`: the last `USER` is root"],
        );
        fires(
            "DL3002",
            "FROM alpine\nARG U=root\nUSER $U\n",
            &["3:6 DL3002 the image runs as `root`: the last `USER` is root"],
        );
    }

    #[test]
    fn follows_the_chain_to_the_image() {
        // root in the parent, but the image's own stage switches back
        passes(
            "DL3002",
            "FROM alpine AS base\nUSER root\nFROM base\nUSER app\n",
        );
        // the parent's root is inherited
        fires(
            "DL3002",
            "FROM alpine AS base\nUSER root\nFROM base\nRUN x\n",
            &["2:6 DL3002 the image runs as `root`: the last `USER` is root"],
        );
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3002",
            "FROM golang AS build\nUSER root\nRUN go build\nFROM scratch\nCOPY --from=build /app /app\nUSER 65532\n",
        );
    }

    #[test]
    fn passes_without_root() {
        passes(
            "DL3002",
            "FROM alpine\nUSER root\nRUN apk add x\nUSER nobody\n",
        );
        passes("DL3002", "FROM alpine\nRUN x\n");
        passes("DL3002", "FROM alpine\nUSER rooter\n");
    }
}
