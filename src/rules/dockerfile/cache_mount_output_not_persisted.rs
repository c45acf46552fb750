use super::lang::base_name;
use super::lang::caches::{CacheMount, cache_mounts};
use super::lang::env;
use crate::graph::{Build, EdgeKind, EdgeTarget, join_path};
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Ecosystem, Tool};
use crate::shell::{Script, SimpleCommand};
use crate::source::Span;
use crate::syntax::{Args, Kind};

/// IL3202
pub struct CacheMountOutputNotPersisted;

const META: Meta = Meta {
    code: "IL3202",
    name: "cache-mount-output-not-persisted",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "What a `RUN` writes into a cache mount is needed later, but never reaches the image",
    doc: include_str!("../../../rules/cache-mount-output-not-persisted.md"),
    target: Target::Dockerfile,
};

/// Whether `path` is `dir` or inside it.
fn is_under(path: &str, dir: &str) -> bool {
    let p = path.trim_end_matches('/');
    let d = dir.trim_end_matches('/');
    !d.is_empty() && (p == d || p.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
}

/// Whether the `RUN` copies something out of `target` before it ends
/// (`cp target/release/app /usr/local/bin/`, `cp -ar /srv/vendor .`).
fn copies_out(cx: &Context<'_>, index: usize, scripts: &[Script], target: &str) -> bool {
    let workdir = cx.build().state(index).and_then(|s| s.workdir.clone());
    scripts.iter().flat_map(|s| s.commands.iter()).any(|c| {
        let Some(a) = ShellArgs::of(c) else {
            return false;
        };
        if !matches!(
            a.program(),
            "cp" | "mv" | "install" | "rsync" | "tar" | "ln" | "find"
        ) {
            return false;
        }
        a.operands(&["-t", "--target-directory", "-m", "--mode", "-C", "-f"])
            .iter()
            .any(|w| {
                let p = join_path(workdir.as_deref(), &cx.expand_at(index, &w.value));
                is_under(&p, target)
            })
    })
}

/// An install destination a `RUN` fills: what installs there.
struct Install {
    label: String,
    ecosystem: Ecosystem,
}

/// The install destination `mount` is, for the commands of the `RUN`.
fn install_into(
    cx: &Context<'_>,
    index: usize,
    scripts: &[Script],
    mount: &CacheMount,
) -> Option<Install> {
    let t = mount.target.trim_end_matches('/');
    let name = base_name(t);
    for script in scripts {
        for (ci, cmd) in script.commands.iter().enumerate() {
            let var = |n: &str| env::variable(cx, index, script, ci, n);
            if let Some(step) = deps::classify(cmd) {
                let hit = match step.tool {
                    Tool::Npm | Tool::Yarn | Tool::Pnpm | Tool::Bun => name == "node_modules",
                    Tool::Uv | Tool::Poetry | Tool::Pipenv | Tool::Pip => {
                        matches!(name, ".venv" | "venv")
                            || (step.tool == Tool::Poetry
                                && is_under(t, "/root/.cache/pypoetry")
                                && !var("POETRY_VIRTUALENVS_IN_PROJECT")
                                    .is_some_and(|v| env::is_truthy(&v))
                                && !var("POETRY_VIRTUALENVS_CREATE").is_some_and(|v| {
                                    matches!(v.to_ascii_lowercase().as_str(), "false" | "0")
                                }))
                    }
                    Tool::Bundler => {
                        t.ends_with("vendor/bundle")
                            || t == "/usr/local/bundle"
                            || var("BUNDLE_PATH").is_some_and(|p| p.trim_end_matches('/') == t)
                    }
                    _ => false,
                };
                if hit {
                    return Some(Install {
                        label: step.label,
                        ecosystem: step.ecosystem,
                    });
                }
            }
            if is_go_install(cmd) {
                let gobin = var("GOBIN")
                    .or_else(|| var("GOPATH").map(|p| format!("{}/bin", p.trim_end_matches('/'))))
                    .unwrap_or_else(|| "/go/bin".into());
                if gobin.trim_end_matches('/') == t {
                    return Some(Install {
                        label: "go install".into(),
                        ecosystem: Ecosystem::Go,
                    });
                }
            }
        }
    }
    None
}

fn is_go_install(cmd: &SimpleCommand) -> bool {
    ShellArgs::of(cmd).is_some_and(|a| {
        a.program() == "go"
            && a.operands(&["-o", "-ldflags", "-tags"])
                .first()
                .is_some_and(|w| w.value == "install")
    })
}

/// Programs that use what an ecosystem installed.
fn uses(ecosystem: Ecosystem, cmd: &SimpleCommand) -> bool {
    let Some(p) = cmd.program() else { return false };
    match ecosystem {
        Ecosystem::Node => matches!(
            p,
            "npm" | "npx" | "node" | "yarn" | "pnpm" | "bun" | "bunx" | "tsc" | "next" | "vite"
        ),
        Ecosystem::Python => {
            crate::shell::pip::is_python_program(p)
                || matches!(
                    p,
                    "uv" | "poetry" | "pipenv" | "pytest" | "gunicorn" | "uvicorn"
                )
        }
        Ecosystem::Ruby => matches!(p, "bundle" | "bundler" | "ruby" | "rake" | "rails"),
        _ => false,
    }
}

impl Rule for CacheMountOutputNotPersisted {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            for i in stage.instructions() {
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                if ins.kind != Kind::Run {
                    continue;
                }
                let mounts = cache_mounts(cx, ins, i);
                if mounts.is_empty() {
                    continue;
                }
                let scripts = cx.scripts_of(i);
                for m in &mounts {
                    if copies_out(cx, i, scripts, &m.target) {
                        continue;
                    }
                    let at = m
                        .mount
                        .option(&["target", "dst", "destination"])
                        .map_or(m.span, |o| o.span);
                    // a later stage copies from the mount's directory
                    if let Some(copy) = copied_from(cx, build, stage.index, i, &m.target) {
                        cx.report(
                            at,
                            format!(
                                "`{}` is a cache mount: what is built there never reaches the image",
                                m.target
                            ),
                        )
                        .help("copy the result out of the mount in the same `RUN`, or build into a directory that is not mounted")
                        .label(copy, "copies from the mounted directory, which is empty in the image");
                        continue;
                    }
                    // an install destination that is used later
                    let Some(install) = install_into(cx, i, scripts, m) else {
                        continue;
                    };
                    if let Some(used) = used_later(cx, build, stage.index, i, m, install.ecosystem)
                    {
                        cx.report(
                            at,
                            format!(
                                "`{}` is a cache mount: what `{}` installs there never reaches the image",
                                base_name(&m.target),
                                install.label
                            ),
                        )
                        .help("install into a directory that is not mounted, or copy it out in the same `RUN`")
                        .label(used, "needs what was installed");
                    }
                }
            }
        }
    }
}

/// Later instructions of stage `stage` after `index` that write into
/// `target` without mounting it, so the layer may hold the files after all.
fn refilled(cx: &Context<'_>, build: &Build, stage: usize, index: usize, target: &str) -> bool {
    let Some(s) = build.stages.get(stage) else {
        return true;
    };
    let name = base_name(target);
    s.instructions().filter(|&j| j > index).any(|j| {
        let Some(ins) = cx.instruction(j) else {
            return false;
        };
        match (&ins.kind, &ins.args) {
            (Kind::Copy | Kind::Add, Args::Paths(p)) => p.words.last().is_some_and(|d| {
                let wd = build.state(j).and_then(|st| st.workdir.clone());
                is_under(&join_path(wd.as_deref(), &cx.expand_at(j, &d.text)), target)
            }),
            (Kind::Run, _) => {
                let mounted = cache_mounts(cx, ins, j)
                    .iter()
                    .any(|m| m.target.trim_end_matches('/') == target.trim_end_matches('/'));
                !mounted && ins.logical.text.contains(name)
            }
            _ => false,
        }
    })
}

/// A `COPY --from` of this stage (or one built on it) whose source lies
/// in the mounted directory.
fn copied_from(
    cx: &Context<'_>,
    build: &Build,
    stage: usize,
    index: usize,
    target: &str,
) -> Option<Span> {
    let copy = copy_from_mount(cx, build, stage, target)?;
    // checked last: it reads every later instruction of the stage
    (!refilled(cx, build, stage, index, target)).then_some(copy)
}

fn copy_from_mount(cx: &Context<'_>, build: &Build, stage: usize, target: &str) -> Option<Span> {
    for e in &build.edges {
        let EdgeTarget::Stage(from) = e.target else {
            continue;
        };
        if e.kind != EdgeKind::CopyFrom || from != stage {
            continue;
        }
        let ins = cx.instruction(e.instruction)?;
        let Args::Paths(p) = &ins.args else { continue };
        let Some((_, sources)) = p.words.split_last() else {
            continue;
        };
        let workdir = build
            .stages
            .get(from)
            .and_then(|s| s.config.workdir.as_ref())
            .map(|(w, _)| w.clone());
        for s in sources {
            let src = cx.expand_at(e.instruction, &s.text);
            let abs = join_path(workdir.as_deref(), &src);
            if is_under(&abs, target) {
                return Some(s.span);
            }
        }
    }
    None
}

/// Where an installed tree is needed later: a later `RUN` of the stage
/// (or one built on it) that uses the ecosystem without mounting the
/// directory, a `COPY --from` that takes it, or the image itself.
fn used_later(
    cx: &Context<'_>,
    build: &Build,
    stage: usize,
    index: usize,
    mount: &CacheMount,
    ecosystem: Ecosystem,
) -> Option<Span> {
    if refilled(cx, build, stage, index, &mount.target) {
        return None;
    }
    let target = mount.target.trim_end_matches('/');
    for s in &build.stages {
        if !build.chain(s.index).contains(&stage) {
            continue;
        }
        for j in s.instructions().filter(|&j| j > index) {
            let Some(ins) = cx.instruction(j) else {
                continue;
            };
            match (&ins.kind, &ins.args) {
                (Kind::Run, _) => {
                    let mounted = cache_mounts(cx, ins, j)
                        .iter()
                        .any(|m| m.target.trim_end_matches('/') == target);
                    if mounted {
                        continue;
                    }
                    if let Some(c) = cx
                        .scripts_of(j)
                        .iter()
                        .flat_map(|sc| sc.commands.iter())
                        .find(|c| uses(ecosystem, c))
                    {
                        return Some(c.span);
                    }
                }
                (Kind::Copy | Kind::Add, Args::Paths(p)) => {
                    let from = ins
                        .flag("from")
                        .map(|f| cx.expand_at(j, f.value_or_empty()));
                    let Some(EdgeTarget::Stage(src)) = from.map(|f| build.resolve_from(&f)) else {
                        continue;
                    };
                    if src != s.index {
                        continue;
                    }
                    let wd = s.config.workdir.as_ref().map(|(w, _)| w.clone());
                    if let Some((_, sources)) = p.words.split_last()
                        && let Some(w) = sources.iter().find(|w| {
                            let abs = join_path(wd.as_deref(), &cx.expand_at(j, &w.text));
                            is_under(&abs, target) || is_under(target, &abs)
                        })
                    {
                        return Some(w.span);
                    }
                }
                _ => {}
            }
        }
    }
    // the image runs with the installed tree missing
    let target_chain = build.target.map(|t| build.chain(t)).unwrap_or_default();
    if target_chain.contains(&stage) {
        let config = build.target_stage().map(|s| &s.config)?;
        let run = config.cmd.or(config.entrypoint)?;
        return cx.instruction(run).map(|i| i.keyword.span);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_when_a_later_copy_reads_the_mount() {
        fires(
            "IL3202",
            "FROM rust:1.80 AS build\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/app/target cargo build --release\nFROM debian:12-slim\nCOPY --from=build /app/target/release/app /usr/local/bin/app\n",
            &[
                "4:24 IL3202 `/app/target` is a cache mount: what is built there never reaches the image",
            ],
        );
    }

    #[test]
    fn passes_when_the_result_is_copied_out() {
        passes(
            "IL3202",
            "FROM rust:1.80 AS build\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/app/target cargo build --release && cp target/release/app /usr/local/bin/\nFROM debian:12-slim\nCOPY --from=build /usr/local/bin/app /usr/local/bin/app\n",
        );
        passes(
            "IL3202",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nWORKDIR /source\nCOPY . .\nRUN --mount=type=cache,target=/root/.nuget/packages --mount=type=cache,target=/source/bin --mount=type=cache,target=/source/obj dotnet publish -o /app\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY --from=build /app .\n",
        );
    }

    #[test]
    fn fires_for_install_destinations_used_later() {
        fires(
            "IL3202",
            "FROM node:22 AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN --mount=type=cache,target=/app/node_modules npm ci\nCOPY . .\nRUN npm run build\n",
            &[
                "4:24 IL3202 `node_modules` is a cache mount: what `npm ci` installs there never reaches the image",
            ],
        );
        fires(
            "IL3202",
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/app/.venv uv sync --locked\nCMD [\"/app/.venv/bin/python\", \"app.py\"]\n",
            &[
                "4:24 IL3202 `.venv` is a cache mount: what `uv sync` installs there never reaches the image",
            ],
        );
    }

    #[test]
    fn passes_when_the_install_is_used_in_the_same_run() {
        passes(
            "IL3202",
            "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/app/node_modules npm ci && npm run build\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        );
        // poetry keeps its virtualenv in the project
        passes(
            "IL3202",
            "FROM python:3.12\nENV POETRY_VIRTUALENVS_IN_PROJECT=true\nRUN --mount=type=cache,target=/root/.cache/pypoetry poetry install\nCMD [\"poetry\", \"run\", \"app\"]\n",
        );
        // download caches are meant to stay out of the image
        passes(
            "IL3202",
            "FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci\nCMD [\"node\", \"index.js\"]\n",
        );
    }

    #[test]
    fn poetry_default_virtualenv_in_the_cache() {
        fires(
            "IL3202",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pypoetry poetry install\nCMD [\"poetry\", \"run\", \"app\"]\n",
            &[
                "2:24 IL3202 `pypoetry` is a cache mount: what `poetry install` installs there never reaches the image",
            ],
        );
    }
}
