use super::earlier_steps::earlier_commands;
use super::node_dev_dependencies_in_final_stage::{is_node_build, node_install};
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::args::Args;
use crate::shell::npm::npm_install;
use crate::syntax::{Instruction, Kind};

/// IL3401
pub struct NodeBuildAfterDevDependenciesOmitted;

const META: Meta = Meta {
    code: "IL3401",
    name: "node-build-after-dev-dependencies-omitted",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A Node.js build runs after the dependencies were installed without devDependencies",
    doc: include_str!("../../../rules/node-build-after-dev-dependencies-omitted.md"),
    target: Target::Dockerfile,
};

/// Whether a command adds named packages or global tools:
/// `npm install -g typescript`, `yarn add`, `yarn global add`, `pnpm add`.
fn adds_packages(cmd: &SimpleCommand) -> bool {
    if let Some(n) = npm_install(cmd) {
        return !n.packages.is_empty() || n.args.has(&['g'], &["global"]);
    }
    let Some(a) = Args::of(cmd) else { return false };
    let first = a.words.iter().find(|w| !w.value.starts_with('-'));
    matches!(a.program(), "yarn" | "pnpm" | "bun")
        && first.is_some_and(|w| matches!(w.value.as_str(), "add" | "global"))
}

/// The package a build command's tool comes from, by the command or the
/// `package.json` script it runs.
fn tool_package(cmd: &SimpleCommand, scripts: Option<&serde_json::Value>) -> Option<String> {
    let a = Args::of(cmd)?;
    let ops: Vec<&str> = a
        .words
        .iter()
        .map(|w| w.value.as_str())
        .filter(|w| !w.starts_with('-'))
        .collect();
    let tool = match a.program() {
        "npm" | "bun" | "yarn" | "pnpm" => {
            let script = if ops.first() == Some(&"run") || ops.first() == Some(&"run-script") {
                ops.get(1)?
            } else {
                ops.first()?
            };
            let body = scripts?.get(*script)?.as_str()?;
            body.split_whitespace().next()?.to_string()
        }
        "npx" | "pnpx" => ops.first()?.to_string(),
        p => p.to_string(),
    };
    Some(
        match tool.as_str() {
            "tsc" => "typescript",
            "nest" => "@nestjs/cli",
            "ng" => "@angular/cli",
            t => t,
        }
        .to_string(),
    )
}

impl Rule for NodeBuildAfterDevDependenciesOmitted {
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
        let manifest: Option<serde_json::Value> = cx
            .context_text("package.json")
            .and_then(|t| serde_json::from_str(&t).ok());
        // nothing to omit
        if manifest.as_ref().is_some_and(|m| {
            m.get("devDependencies")
                .and_then(|d| d.as_object())
                .is_none_or(|d| d.is_empty())
        }) {
            return;
        }
        let copies_yarnrc = super::earlier_steps::earlier_instructions(cx)
            .iter()
            .any(|&i| {
                cx.instruction(i).is_some_and(|ins| {
                    matches!(ins.kind, Kind::Copy | Kind::Add)
                        && (ins.logical.text.contains(".yarnrc.yml")
                            || ins.logical.text.contains(".yarn/"))
                })
            });
        for (si, script) in cx.scripts().iter().enumerate() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                if !is_node_build(cmd) {
                    continue;
                }
                let mut last = None;
                let mut added = false;
                for s in earlier_commands(cx, si, ci) {
                    let Some(state) = build.state(s.instruction) else {
                        continue;
                    };
                    if let Some(n) = node_install(s.script, s.index, s.cmd, &state.scope) {
                        // Yarn 2 and later ignore `NODE_ENV`: only flags count
                        let berry = n.tool == "yarn"
                            && (s.cmd.args.iter().any(|w| w.value == "--immutable")
                                || copies_yarnrc);
                        let flagged = s.cmd.args.iter().any(|w| {
                            matches!(
                                w.value.as_str(),
                                "--production" | "--prod" | "--production=true"
                            )
                        });
                        last = Some((
                            n.production && (!berry || flagged),
                            n.name.span.cover(n.sub.map_or(n.name.span, |w| w.span)),
                        ));
                        added = false;
                    } else if adds_packages(s.cmd) {
                        added = true;
                    }
                }
                let Some((true, install)) = last else {
                    continue;
                };
                if added {
                    continue;
                }
                // the build tool is a runtime dependency
                if let Some(m) = &manifest
                    && let Some(p) = tool_package(cmd, m.get("scripts"))
                    && m.get("dependencies").and_then(|d| d.get(&p)).is_some()
                {
                    continue;
                }
                let Some(name) = cmd.name.as_ref() else {
                    continue;
                };
                let shown = cmd
                    .span
                    .text(cx.text())
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ");
                let _ = cx
                    .report(
                        name.span,
                        format!("`{shown}` runs after an install that left out devDependencies"),
                    )
                    .help("install all dependencies for the build, and `npm ci --omit=dev` (or `npm prune --omit=dev`) in a separate production stage")
                    .label(install, "installs without devDependencies");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_after_a_production_install() {
        fires(
            "IL3401",
            "FROM node:22 AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nRUN npm run build\n",
            &["6:5 IL3401 `npm run build` runs after an install that left out devDependencies"],
        );
        fires(
            "IL3401",
            "FROM node:22 AS base\nENV NODE_ENV=production\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\nFROM base\nCOPY . .\nRUN \\\n    # compile\n    yarn build\n",
            &["9:5 IL3401 `yarn build` runs after an install that left out devDependencies"],
        );
        assert_eq!(
            spans(
                "IL3401",
                "FROM node:22\nCOPY . .\nRUN <<EOF\npnpm install --prod\nnpx tsc -p .\nEOF\n"
            ),
            ["npx"]
        );
    }

    #[test]
    fn passes_with_dev_dependencies() {
        for text in [
            "FROM node:22\nCOPY . .\nRUN npm ci && npm run build && npm prune --omit=dev\n",
            "FROM node:22\nCOPY . .\nRUN npm ci --omit=dev\nRUN npm ci\nRUN npm run build\n",
            "FROM node:22\nCOPY . .\nRUN npm ci --omit=dev && npm install -g typescript && tsc\n",
            "FROM node:22\nCOPY . .\nRUN npm run build && npm ci --omit=dev\n",
            "FROM node:22\nCOPY . .\nRUN npm ci --production=false && npm run build\n",
            "FROM node:22 AS deps\nRUN npm ci --omit=dev\nFROM node:22\nRUN npm ci && npm run build\n",
            "FROM node:22\nRUN npm ci --omit=dev\nONBUILD RUN npm run build\n",
            "FROM node:22\nRUN npm ci --omit=dev && npm start\n",
            "FROM node:22\nENV NODE_ENV=production\nCOPY package.json yarn.lock .yarnrc.yml ./\nRUN yarn install\nCOPY . .\nRUN yarn build\n",
            "FROM node:22\nENV NODE_ENV=production\nCOPY . .\nRUN yarn install --immutable && yarn build\n",
        ] {
            passes("IL3401", text);
        }
    }
}
