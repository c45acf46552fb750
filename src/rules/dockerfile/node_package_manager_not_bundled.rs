use super::earlier_steps::{earlier_commands, earlier_instructions};
use super::final_image::root_image;
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::apt::{apk, apt_any};
use crate::shell::args::Args;
use crate::shell::npm::npm_install;
use crate::size::system::{is_official, node_major};
use crate::syntax::{Instruction, Kind};

/// IL3402
pub struct NodePackageManagerNotBundled;

const META: Meta = Meta {
    code: "IL3402",
    name: "node-package-manager-not-bundled",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`corepack` or `yarn` runs on a `node` image that no longer ships it",
    doc: include_str!("../../../rules/node-package-manager-not-bundled.md"),
    target: Target::Dockerfile,
};

/// The first Node.js major without the tool: corepack from 25, yarn from 26.
fn missing_from(tool: &str) -> u32 {
    if tool == "corepack" { 25 } else { 26 }
}

/// Whether an earlier command provides `tool`: a global npm install, a
/// distribution package, yarn's installer, or (for yarn) `corepack enable`.
fn provides(cmd: &SimpleCommand, tool: &str) -> bool {
    if let Some(n) = npm_install(cmd) {
        return n.packages.iter().any(|p| {
            let name = p.value.split('@').next().unwrap_or(&p.value);
            name == tool || tool == "yarn" && name == "corepack"
        });
    }
    let packaged = apt_any(cmd)
        .filter(|p| p.is("install"))
        .or_else(|| apk(cmd).filter(|p| p.is("add")))
        .is_some_and(|p| p.packages.iter().any(|w| w.value.starts_with(tool)));
    if packaged {
        return true;
    }
    let Some(a) = Args::of(cmd) else { return false };
    if tool == "yarn" && a.program() == "corepack" {
        return true;
    }
    // an installer script or a download of the tool
    a.words
        .iter()
        .chain(std::iter::once(a.name))
        .any(|w| w.value.contains("yarnpkg") || w.value.contains(&format!("{tool}.js")))
}

impl Rule for NodePackageManagerNotBundled {
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
        let Some(state) = cx.state() else { return };
        let Some(image) = root_image(build, state.stage) else {
            return;
        };
        if !is_official(&image) || image.basename() != "node" {
            return;
        }
        let major = node_major(&image);
        // tools brought by an earlier COPY (a binary, `.yarn/releases`)
        let copied = |tool: &str| {
            earlier_instructions(cx).iter().any(|&i| {
                cx.instruction(i).is_some_and(|ins| {
                    matches!(ins.kind, Kind::Copy | Kind::Add)
                        && ins.logical.text.split_whitespace().any(|w| {
                            let w = w.trim_matches(|c| matches!(c, '"' | '[' | ']' | ','));
                            w.trim_end_matches('/').rsplit('/').next() == Some(tool)
                                || w.contains(".yarn/releases")
                                || w.contains("/corepack")
                        })
                })
            })
        };
        for (si, script) in cx.scripts().iter().enumerate() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(a) = Args::of(cmd) else { continue };
                let tool = a.program();
                if !matches!(tool, "corepack" | "yarn") || a.name.value.contains('/') {
                    continue;
                }
                if major.is_some_and(|m| m < missing_from(tool)) {
                    continue;
                }
                let steps = earlier_commands(cx, si, ci);
                // reported once, at the first use in the stage chain
                if steps.iter().any(|s| {
                    provides(s.cmd, tool) || Args::of(s.cmd).is_some_and(|p| p.program() == tool)
                }) || copied(tool)
                {
                    continue;
                }
                let since = missing_from(tool);
                let message = match major {
                    Some(m) => {
                        format!(
                            "`{tool}` is not shipped with Node.js {m}: the command is not found"
                        )
                    }
                    None => format!(
                        "`{tool}` is not shipped from Node.js {since}, which floating `node` tags reach"
                    ),
                };
                let help = if tool == "corepack" {
                    "install it first: `npm install -g corepack@<version> && corepack enable`"
                } else {
                    "install a pinned yarn first: `npm install -g yarn@<version>` (or corepack)"
                };
                let mut r = cx.report(a.name.span, message).help(help);
                if major.is_none() {
                    r = r.severity(Severity::Info);
                }
                let _ = r;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Severity;
    use crate::rules::test::*;

    #[test]
    fn fires_on_new_node_images() {
        fires(
            "IL3402",
            "FROM node:25-slim\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml ./\nRUN corepack enable && pnpm install --frozen-lockfile\n",
            &["4:5 IL3402 `corepack` is not shipped with Node.js 25: the command is not found"],
        );
        fires(
            "IL3402",
            "FROM node:26-alpine AS build\nCOPY package.json yarn.lock ./\nRUN \\\n    # dependencies\n    yarn install --frozen-lockfile\nRUN yarn build\n",
            &["5:5 IL3402 `yarn` is not shipped with Node.js 26: the command is not found"],
        );
        let f = findings("IL3402", "FROM node:lts\nRUN <<EOF\nyarn\nEOF\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
    }

    #[test]
    fn passes_when_installed_or_older() {
        passes(
            "IL3402",
            "FROM node:24\nRUN corepack enable && yarn install\n",
        );
        passes("IL3402", "FROM node:25\nRUN yarn install\n");
        passes(
            "IL3402",
            "FROM node:26\nRUN npm install -g corepack@0.34.0 && corepack enable && yarn install\n",
        );
        passes(
            "IL3402",
            "FROM node:26 AS base\nRUN npm i -g yarn@1.22.22\nFROM base\nRUN yarn install\n",
        );
        passes(
            "IL3402",
            "FROM node:26-alpine\nRUN apk add --no-cache yarn && yarn\n",
        );
        passes("IL3402", "FROM node:26\nONBUILD RUN yarn install\n");
        passes("IL3402", "FROM debian:13\nRUN yarn install\n");
        passes(
            "IL3402",
            "FROM node:26\nCOPY --from=deps /usr/local/bin/yarn /usr/local/bin/yarn\nRUN yarn install\n",
        );
    }
}
