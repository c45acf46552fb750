use super::final_image::{checked_target, root_image};
use crate::fix::{Edit, Fix};
use crate::graph::{Build, Scope};
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Ecosystem};
use crate::shell::process::started;
use crate::shell::{Script, ShellWord, SimpleCommand};
use crate::size::system::node_major;
use crate::source::Span;

/// IL5203
pub struct NodeDevDependenciesInFinalStage;

const META: Meta = Meta {
    code: "IL5203",
    name: "node-dev-dependencies-in-final-stage",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "The image installs Node.js devDependencies and keeps them",
    doc: include_str!("../../../rules/node-dev-dependencies-in-final-stage.md"),
    target: Target::Dockerfile,
};

/// A Node.js package manager's project install.
pub(crate) struct NodeInstall<'a> {
    /// `npm`, `yarn`, `pnpm`, `bun`.
    pub tool: &'static str,
    /// The program word.
    pub name: &'a ShellWord,
    /// The subcommand word (`ci`, `install`), if any.
    pub sub: Option<&'a ShellWord>,
    /// Development dependencies are left out.
    pub production: bool,
}

fn truthy(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

/// The value of `name` for a command: inline, earlier in the script, then
/// the Dockerfile's scope.
fn env_value(
    script: &Script,
    ci: usize,
    cmd: &SimpleCommand,
    scope: &Scope,
    name: &str,
) -> Option<String> {
    let prefix = format!("{name}=");
    cmd.assignments
        .iter()
        .rev()
        .find_map(|w| w.value.strip_prefix(&prefix).map(str::to_string))
        .or_else(|| {
            script
                .variables_before(ci)
                .into_iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
        })
        .or_else(|| scope.var(name).and_then(|v| v.value.clone()))
}

/// Reads an install of a project's Node.js dependencies and whether it
/// leaves the development dependencies out (flags, `NODE_ENV=production`,
/// npm's and yarn's configuration variables).
pub(crate) fn node_install<'a>(
    script: &Script,
    ci: usize,
    cmd: &'a SimpleCommand,
    scope: &Scope,
) -> Option<NodeInstall<'a>> {
    let step = deps::classify(cmd)?;
    if step.ecosystem != Ecosystem::Node || step.label == "pnpm fetch" {
        return None;
    }
    let a = ShellArgs::of(cmd)?;
    let tool: &'static str = match a.program() {
        "npm" => "npm",
        "yarn" => "yarn",
        "pnpm" => "pnpm",
        "bun" => "bun",
        _ => return None,
    };
    let sub = a.words.iter().find(|w| !w.value.starts_with('-'));
    let env = |n: &str| env_value(script, ci, cmd, scope, n);
    let node_env_prod = env("NODE_ENV").is_some_and(|v| v == "production");
    let omit = |v: Option<String>| v.is_some_and(|v| v.split([',', ' ']).any(|p| p == "dev"));
    let production = node_env_prod
        || match tool {
            "npm" => {
                a.has(&[], &["production"]) && a.value(&[], &["production"]) != Some("false")
                    || a.words.iter().any(|w| {
                        matches!(
                            w.value.as_str(),
                            "--omit=dev" | "--only=prod" | "--only=production"
                        )
                    })
                    || a.value(&[], &["omit"]) == Some("dev")
                    || a.value(&[], &["only"])
                        .is_some_and(|v| v.starts_with("prod"))
                    || env("NPM_CONFIG_PRODUCTION")
                        .or_else(|| env("npm_config_production"))
                        .is_some_and(|v| truthy(&v))
                    || omit(env("NPM_CONFIG_OMIT").or_else(|| env("npm_config_omit")))
            }
            "yarn" => {
                a.has(&[], &["production", "prod"])
                    && a.value(&[], &["production"]) != Some("false")
                    || env("YARN_PRODUCTION").is_some_and(|v| truthy(&v))
            }
            "pnpm" => a.has(&['P'], &["prod", "production"]),
            _ => a.has(&['p'], &["production"]),
        };
    Some(NodeInstall {
        tool,
        name: a.name,
        sub: if tool == "yarn"
            && sub.is_none_or(|s| s.value != "install" && s.value != "workspaces")
        {
            None
        } else {
            sub
        },
        production,
    })
}

/// Whether a command leaves only production dependencies in `node_modules`
/// afterwards: `npm prune --omit=dev`, `pnpm prune --prod`.
fn prunes(cmd: &SimpleCommand) -> bool {
    let Some(a) = ShellArgs::of(cmd) else {
        return false;
    };
    let words: Vec<&str> = a.words.iter().map(|w| w.value.as_str()).collect();
    match a.program() {
        "npm" => {
            words.first() == Some(&"prune")
                && words
                    .iter()
                    .any(|w| matches!(*w, "--production" | "--omit=dev" | "dev"))
        }
        "pnpm" => {
            words.first() == Some(&"prune")
                && words
                    .iter()
                    .any(|w| matches!(*w, "--prod" | "--production"))
        }
        _ => false,
    }
}

/// Whether a command runs a front-end or TypeScript build, which usually
/// needs devDependencies: `npm run build`, `yarn build`, `tsc`, `next build`.
pub(crate) fn is_node_build(cmd: &SimpleCommand) -> bool {
    let Some(a) = ShellArgs::of(cmd) else {
        return false;
    };
    let ops: Vec<&str> = a
        .words
        .iter()
        .map(|w| w.value.as_str())
        .filter(|w| !w.starts_with('-'))
        .collect();
    let script_is_build =
        |s: Option<&&str>| s.is_some_and(|s| *s == "build" || s.starts_with("build:"));
    match a.program() {
        "npm" | "bun" => {
            matches!(ops.first(), Some(&("run" | "run-script"))) && script_is_build(ops.get(1))
        }
        "yarn" | "pnpm" => {
            if ops.first() == Some(&"run") {
                script_is_build(ops.get(1))
            } else {
                script_is_build(ops.first())
            }
        }
        "npx" | "pnpx" => {
            matches!(ops.first(), Some(&("tsc" | "webpack"))) || ops.get(1) == Some(&"build")
        }
        "tsc" | "webpack" | "rollup" => true,
        "next" | "vite" | "nuxt" | "ng" | "nest" | "react-scripts" | "astro" | "remix" => {
            ops.first() == Some(&"build")
        }
        _ => false,
    }
}

impl Rule for NodeDevDependenciesInFinalStage {
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
        if !s.runs_application() {
            return;
        }
        // the last install that kept devDependencies, and what follows it
        let mut kept: Option<(Span, u32, &'static str, String)> = None;
        let mut built_after = false;
        for i in build.chain_instructions(target.index) {
            let Some(state) = build.state(i) else {
                continue;
            };
            for script in cx.scripts_of(i) {
                for (ci, cmd) in script.commands.iter().enumerate() {
                    if let Some(inst) = node_install(script, ci, cmd, &state.scope) {
                        if inst.production {
                            kept = None;
                        } else {
                            let end = inst.sub.unwrap_or(inst.name);
                            let label = cx
                                .text()
                                .get(inst.name.span.cover(end.span).range())
                                .unwrap_or(inst.tool)
                                .to_string();
                            kept = Some((
                                inst.name.span.cover(end.span),
                                end.span.end,
                                inst.tool,
                                label,
                            ));
                            built_after = false;
                        }
                    } else if prunes(cmd) {
                        kept = None;
                    } else if is_node_build(cmd) {
                        built_after = true;
                    }
                }
            }
        }
        let Some((span, insert_at, tool, label)) = kept else {
            return;
        };
        let label = if label.contains('\n') {
            tool.to_string()
        } else {
            label
        };
        let old_npm = root_image(build, target.index)
            .and_then(|r| node_major(&r))
            .is_some_and(|m| m < 15);
        let flag = match tool {
            "npm" if old_npm => "--production",
            "npm" => "--omit=dev",
            "pnpm" => "--prod",
            _ => "--production",
        };
        // a later build needs the devDependencies: moving it out is a
        // restructuring, not an edit
        let fix = (!built_after).then(|| {
            Fix::unsafe_(
                format!("install with `{flag}`"),
                vec![Edit::insert(insert_at, format!(" {flag}"))],
            )
        });
        cx.report(span, format!("`{label}` installs devDependencies into the image"))
            .help(format!(
                "install with `{flag}` (or `npm prune --omit=dev` after the build), or build in a separate stage and copy only production `node_modules`"
            ))
            .maybe_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const BAD: &str = "FROM node:22-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";

    #[test]
    fn fires_for_full_installs() {
        fires(
            "IL5203",
            BAD,
            &["4:5 IL5203 `npm ci` installs devDependencies into the image"],
        );
        assert_eq!(
            spans(
                "IL5203",
                "FROM node:22\nRUN yarn --frozen-lockfile\nCMD [\"node\", \"s.js\"]\n"
            ),
            ["yarn"]
        );
        assert_eq!(
            spans(
                "IL5203",
                "FROM node:22 AS base\nFROM base\nRUN <<EOF\npnpm install --frozen-lockfile\nEOF\nCMD [\"node\", \"s.js\"]\n"
            ),
            ["pnpm install"]
        );
    }

    #[test]
    fn fixes_with_the_production_flag() {
        assert_eq!(
            fixed("IL5203", BAD, Applicability::Unsafe),
            BAD.replace("npm ci", "npm ci --omit=dev")
        );
        assert_eq!(
            fixed(
                "IL5203",
                "FROM node:12\nRUN yarn install\nCMD [\"node\", \"s.js\"]\n",
                Applicability::Unsafe
            ),
            "FROM node:12\nRUN yarn install --production\nCMD [\"node\", \"s.js\"]\n"
        );
        assert_eq!(
            fixed(
                "IL5203",
                "FROM node:12\nRUN npm install\nCMD [\"node\", \"s.js\"]\n",
                Applicability::Unsafe
            ),
            "FROM node:12\nRUN npm install --production\nCMD [\"node\", \"s.js\"]\n"
        );
        // a build after the install needs the devDependencies
        let builds = "FROM node:22\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/s.js\"]\n";
        assert_eq!(fixed("IL5203", builds, Applicability::Unsafe), builds);
        assert_eq!(check("IL5203", builds).len(), 1);
    }

    #[test]
    fn passes_for_images_that_start_a_development_server() {
        passes(
            "IL5203",
            &BAD.replace(
                r#"CMD ["node", "server.js"]"#,
                r#"CMD ["npm", "run", "dev"]"#,
            ),
        );
        passes(
            "IL5203",
            &BAD.replace(r#"CMD ["node", "server.js"]"#, "CMD npx nodemon server.js"),
        );
        // unless the option asks for development targets too
        let mut o = crate::rules::RuleOptions::default();
        o.per_rule.insert(
            "node-dev-dependencies-in-final-stage".into(),
            serde_json::json!({"check-dev-targets": true}),
        );
        assert_eq!(
            findings_with(
                "IL5203",
                &o,
                &BAD.replace(
                    r#"CMD ["node", "server.js"]"#,
                    r#"CMD ["npm", "run", "dev"]"#
                )
            )
            .len(),
            1
        );
    }

    #[test]
    fn passes_for_production_installs_and_prunes() {
        passes("IL5203", &BAD.replace("npm ci", "npm ci --omit=dev"));
        passes("IL5203", &BAD.replace("npm ci", "npm ci --only=production"));
        passes(
            "IL5203",
            &BAD.replace("WORKDIR /app", "ENV NODE_ENV=production\nWORKDIR /app"),
        );
        passes(
            "IL5203",
            &BAD.replace("npm ci", "NODE_ENV=production npm ci"),
        );
        passes(
            "IL5203",
            &BAD.replace("npm ci", "npm ci && npm run build && npm prune --omit=dev"),
        );
        passes(
            "IL5203",
            "FROM node:22\nRUN pnpm install --prod\nCMD [\"node\", \"s.js\"]\n",
        );
        passes(
            "IL5203",
            "FROM node:22\nRUN yarn install --production --frozen-lockfile\nCMD [\"node\", \"s.js\"]\n",
        );
        passes(
            "IL5203",
            &BAD.replace("FROM node:22-slim", "FROM node:22-slim AS dev"),
        );
        // built elsewhere, static files served by nginx
        passes(
            "IL5203",
            "FROM node:22 AS build\nRUN npm ci && npm run build\nFROM nginx:1.27\nCOPY --from=build /dist /usr/share/nginx/html\n",
        );
        // no application
        passes("IL5203", "FROM node:22\nRUN npm ci\n");
    }
}
