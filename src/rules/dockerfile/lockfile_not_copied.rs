use super::lang::inputs::{Inputs, Origin, Presence};
use super::lang::{base_name, is_lock_maintenance};
use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Ecosystem, StepKind, Tool};
use crate::source::Span;
use crate::syntax::{Args, Kind};
use std::collections::HashSet;

/// IL3101
pub struct LockfileNotCopied;

const META: Meta = Meta {
    code: "IL3101",
    name: "lockfile-not-copied",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A manifest is copied without its lockfile before the dependencies are installed",
    doc: include_str!("../../../rules/lockfile-not-copied.md"),
    target: Target::Dockerfile,
};

/// Whether the command refuses to run without its lockfile.
fn needs_lock(step: &deps::DepStep, args: &ShellArgs<'_>) -> bool {
    match step.tool {
        Tool::Npm => matches!(
            step.label.as_str(),
            "npm ci" | "npm clean-install" | "npm install-clean"
        ),
        Tool::Pnpm => args.has(&[], &["frozen-lockfile"]),
        Tool::Yarn => args.has(&[], &["immutable"]),
        Tool::Cargo => args.has(&[], &["locked", "frozen"]),
        Tool::Uv => args.has(&[], &["locked", "frozen"]),
        _ => false,
    }
}

/// The tools whose lockfile discipline this rule checks, and which of
/// their commands install from the lockfile.
fn applies(step: &deps::DepStep) -> bool {
    match step.tool {
        Tool::Npm | Tool::Yarn | Tool::Bun | Tool::Poetry | Tool::Pipenv => true,
        Tool::Bundler | Tool::Composer | Tool::Go => true,
        // `pnpm fetch` reads only the lockfile
        Tool::Pnpm => step.label == "pnpm install",
        // cargo-chef's recipe carries the lockfile
        Tool::Cargo => step.label != "cargo chef cook",
        Tool::Uv => step.label == "uv sync",
        _ => false,
    }
}

/// Another Node tool's lockfile named in a copy: a `yarn.lock` next to
/// `npm install` is a choice, not an omission.
fn other_node_lock(inputs: &Inputs, tool: Tool) -> bool {
    tool.ecosystem() == Ecosystem::Node
        && inputs.items.iter().any(|it| {
            let name = base_name(&it.source);
            [Tool::Npm, Tool::Yarn, Tool::Pnpm, Tool::Bun]
                .iter()
                .any(|t| *t != tool && t.lockfiles().contains(&name))
        })
}

impl Rule for LockfileNotCopied {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let mut reported: HashSet<(Span, Tool)> = HashSet::new();
        for (index, ins) in cx.dockerfile().instructions.iter().enumerate() {
            if ins.kind != Kind::Run {
                continue;
            }
            let Some(state) = build.state(index) else {
                continue;
            };
            for script in cx.scripts_of(index) {
                for cmd in &script.commands {
                    let Some(step) = deps::classify(cmd) else {
                        continue;
                    };
                    if !applies(&step) || !matches!(step.kind, StepKind::Fetch | StepKind::Build) {
                        continue;
                    }
                    let Some(manifest) = step.tool.manifest() else {
                        continue;
                    };
                    let inputs = Inputs::before(cx, index);
                    if inputs.whole.is_some() {
                        continue;
                    }
                    let Some(copy) = inputs.find(&[manifest]) else {
                        continue;
                    };
                    if copy.origin == Origin::Stage {
                        continue;
                    }
                    let locks = step.tool.lockfiles();
                    if inputs.lock(cx, step.tool) != Presence::Absent
                        || other_node_lock(&inputs, step.tool)
                    {
                        continue;
                    }
                    // the repository has no lockfile to copy
                    let in_context = |n: &str| cx.context_has(n);
                    if cx.context_has(manifest) && !locks.iter().any(|l| in_context(l)) {
                        continue;
                    }
                    // a module without dependencies has no go.sum
                    if step.tool == Tool::Go && !cx.context_has("go.sum") {
                        continue;
                    }
                    if is_lock_maintenance(cx, build, state.stage)
                        || !reported.insert((copy.span, step.tool))
                    {
                        continue;
                    }
                    let lock = lock_name(cx, step.tool);
                    let Some(args) = ShellArgs::of(cmd) else {
                        continue;
                    };
                    let label = step.label.clone();
                    let manifest_name = base_name(&copy.source).to_string();
                    let (message, fatal) = if needs_lock(&step, &args) {
                        (
                            format!(
                                "`{label}` needs `{lock}`, but only `{manifest_name}` is copied"
                            ),
                            true,
                        )
                    } else {
                        (
                            format!(
                                "`{manifest_name}` is copied without `{lock}`: `{label}` resolves afresh"
                            ),
                            false,
                        )
                    };
                    let fix = if copy.origin == Origin::Context {
                        add_lock_fix(cx, copy.instruction, copy.span, &copy.source, lock)
                    } else {
                        None
                    };
                    let mut r = cx
                        .report(copy.span, message)
                        .help(format!(
                            "copy `{lock}` with `{manifest_name}` so the install uses the versions it pins"
                        ))
                        .label(step.span, "installs without a lockfile")
                        .maybe_fix(fix);
                    if fatal {
                        r = r.severity(Severity::Error);
                    }
                    let _ = r;
                }
            }
        }
    }
}

/// The lockfile to name: the one the context has, else the usual one.
fn lock_name(cx: &Context<'_>, tool: Tool) -> &'static str {
    let all = tool.lockfiles();
    all.iter()
        .copied()
        .find(|l| cx.context_has(l))
        .or_else(|| all.first().copied())
        .unwrap_or("lockfile")
}

/// Adds the lockfile next to the manifest in its `COPY`, when the
/// destination is a directory.
fn add_lock_fix(
    cx: &Context<'_>,
    instruction: usize,
    word: Span,
    source: &str,
    lock: &str,
) -> Option<Fix> {
    let ins = cx.instruction(instruction)?;
    let Args::Paths(p) = &ins.args else {
        return None;
    };
    let (dest, sources) = p.words.split_last()?;
    let dest_dir =
        dest.text.ends_with('/') || matches!(dest.text.as_str(), "." | "..") || sources.len() > 1;
    if !dest_dir || source.contains(['*', '?', '[', '$']) {
        return None;
    }
    let path = match source.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{lock}"),
        None => lock.to_string(),
    };
    let text = if p.json {
        format!(", \"{path}\"")
    } else {
        format!(" {path}")
    };
    Some(Fix::unsafe_(
        format!("copy `{lock}` too"),
        vec![Edit::insert(word.end, text)],
    ))
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_when_only_the_manifest_is_copied() {
        fires(
            "IL3101",
            "FROM node:22\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\n",
            &[
                "3:6 IL3101 `package.json` is copied without `package-lock.json`: `npm install` resolves afresh",
            ],
        );
        fires(
            "IL3101",
            "FROM rust:1.80\nWORKDIR /app\nCOPY Cargo.toml ./\nRUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release\n",
            &[
                "3:6 IL3101 `Cargo.toml` is copied without `Cargo.lock`: `cargo build` resolves afresh",
            ],
        );
        fires(
            "IL3101",
            "FROM ruby:3.3\nCOPY Gemfile /app/\nRUN bundle install\n",
            &[
                "2:6 IL3101 `Gemfile` is copied without `Gemfile.lock`: `bundle install` resolves afresh",
            ],
        );
    }

    #[test]
    fn npm_ci_without_the_lock_is_an_error() {
        let text = "FROM node:22\nCOPY package.json .\nRUN npm ci\n";
        fires(
            "IL3101",
            text,
            &["2:6 IL3101 `npm ci` needs `package-lock.json`, but only `package.json` is copied"],
        );
        assert_eq!(
            findings("IL3101", text)[0].severity,
            crate::rules::Severity::Error
        );
        assert_eq!(
            findings(
                "IL3101",
                "FROM node:22\nCOPY package.json .\nRUN npm install\n"
            )[0]
            .severity,
            crate::rules::Severity::Warning
        );
    }

    #[test]
    fn passes_with_the_lock_or_the_whole_context() {
        for copy in [
            "COPY package.json package-lock.json ./",
            "COPY package*.json ./",
            "COPY [\"package.json\", \"yarn.lock\", \"./\"]",
            "COPY . .",
            "COPY package.json ./\nCOPY frontend/ ./",
        ] {
            passes("IL3101", &format!("FROM node:22\n{copy}\nRUN npm ci\n"));
        }
        passes(
            "IL3101",
            "FROM node:22\nRUN --mount=type=bind,source=package.json,target=package.json --mount=type=bind,source=package-lock.json,target=package-lock.json npm ci\n",
        );
        // cargo-chef's recipe carries the lockfile
        passes(
            "IL3101",
            "FROM rust:1.80 AS planner\nCOPY . .\nRUN cargo chef prepare --recipe-path recipe.json\nFROM rust:1.80\nCOPY --from=planner /recipe.json recipe.json\nCOPY Cargo.toml ./\nRUN cargo chef cook --release --recipe-path recipe.json\n",
        );
        // pnpm fetch needs only the lockfile
        passes(
            "IL3101",
            "FROM node:22\nCOPY pnpm-lock.yaml ./\nRUN pnpm fetch\n",
        );
    }

    #[test]
    fn go_needs_evidence_that_go_sum_exists() {
        passes(
            "IL3101",
            "FROM golang:1.22\nCOPY go.mod ./\nRUN go mod download\n",
        );
    }

    #[test]
    fn reports_once_per_copy() {
        let found = check(
            "IL3101",
            "FROM node:22 AS base\nCOPY package.json ./\nRUN npm install\nRUN npm install --omit=dev\nFROM base\nRUN npm install\n",
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn continuation_and_heredoc() {
        fires(
            "IL3101",
            "FROM node:22\nCOPY \\\n  # manifests\n  package.json \\\n  ./\nRUN <<EOF\nyarn install\nEOF\n",
            &[
                "4:3 IL3101 `package.json` is copied without `yarn.lock`: `yarn install` resolves afresh",
            ],
        );
    }

    #[test]
    fn onbuild_instructions_are_not_checked() {
        passes(
            "IL3101",
            "FROM node:22\nONBUILD COPY package.json ./\nONBUILD RUN npm install\n",
        );
    }

    #[test]
    fn fix_adds_the_lockfile_to_the_copy() {
        assert_eq!(
            fixed(
                "IL3101",
                "FROM node:22\nCOPY package.json ./\nRUN npm ci\n",
                Applicability::Unsafe
            ),
            "FROM node:22\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
        );
        assert_eq!(
            fixed(
                "IL3101",
                "FROM python:3.12\nCOPY [\"app/pyproject.toml\", \"./\"]\nRUN poetry install --no-root\n",
                Applicability::Unsafe
            ),
            "FROM python:3.12\nCOPY [\"app/pyproject.toml\", \"app/poetry.lock\", \"./\"]\nRUN poetry install --no-root\n"
        );
        // a file destination cannot take a second source
        let text = "FROM node:22\nCOPY package.json /app/package.json\nRUN cd /app && npm ci\n";
        assert_eq!(fixed("IL3101", text, Applicability::Unsafe), text);
        assert_eq!(fixed("IL3101", text, Applicability::Safe), text);
    }
}
