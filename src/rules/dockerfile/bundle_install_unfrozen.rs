use super::lang::inputs::{Inputs, Presence};
use super::lang::{env, is_lock_maintenance};
use crate::fix::{Edit, Fix};
use crate::graph::{Base, Build};
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Tool};
use crate::syntax::Kind;

/// IL3309
pub struct BundleInstallUnfrozen;

const META: Meta = Meta {
    code: "IL3309",
    name: "bundle-install-unfrozen",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`bundle install` runs without frozen mode although `Gemfile.lock` is part of the build",
    doc: include_str!("../../../rules/bundle-install-unfrozen.md"),
    target: Target::Dockerfile,
};

/// `bundle config [set] [--local|--global] deployment|frozen true`.
fn sets_frozen(cmd: &SimpleCommand) -> bool {
    let Some(a) = ShellArgs::of(cmd) else {
        return false;
    };
    if !matches!(a.program(), "bundle" | "bundler") {
        return false;
    }
    let ops: Vec<&str> = a.operands(&[]).iter().map(|w| w.value.as_str()).collect();
    if ops.first() != Some(&"config") {
        return false;
    }
    let rest: Vec<&str> = ops[1..].iter().copied().filter(|w| *w != "set").collect();
    match rest.as_slice() {
        [key, value, ..] => {
            matches!(key.to_ascii_lowercase().as_str(), "deployment" | "frozen")
                && env::is_truthy(value)
        }
        _ => false,
    }
}

impl Rule for BundleInstallUnfrozen {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        // (frozen, no fix offered yet) after each stage: a stage starts
        // from its parent's, so each stage is read once
        let mut after: Vec<(bool, bool)> = Vec::with_capacity(build.stages.len());
        for stage in &build.stages {
            let (frozen, first) = match stage.base {
                Base::Stage(p) if p < stage.index => after[p],
                _ => (false, true),
            };
            let own = !is_lock_maintenance(cx, build, stage.index);
            after.push(walk_stage(cx, build, stage.index, own, frozen, first));
        }
    }
}

/// Reads the bundler installs of stage `si`, reporting them when `own`;
/// returns the state after the stage.
fn walk_stage(
    cx: &mut Context<'_>,
    build: &Build,
    si: usize,
    own: bool,
    mut frozen: bool,
    mut first: bool,
) -> (bool, bool) {
    for i in build.stages[si].instructions() {
        let Some(ins) = cx.instruction(i) else {
            continue;
        };
        if ins.kind != Kind::Run {
            continue;
        }
        for script in cx.scripts_of(i) {
            for (ci, cmd) in script.commands.iter().enumerate() {
                if sets_frozen(cmd) {
                    frozen = true;
                    continue;
                }
                let Some(step) = deps::classify(cmd) else {
                    continue;
                };
                if step.tool != Tool::Bundler || frozen {
                    continue;
                }
                let on = |n: &str| env::is_on(cx, i, script, ci, n);
                let flagged =
                    ShellArgs::of(cmd).is_some_and(|a| a.has(&[], &["deployment", "frozen"]));
                if flagged || on("BUNDLE_DEPLOYMENT") || on("BUNDLE_FROZEN") {
                    continue;
                }
                let Presence::Copied(lock) = Inputs::before(cx, i).lock(cx, Tool::Bundler) else {
                    continue;
                };
                let fix = first.then(|| {
                    let text = cx.text();
                    let start = ins.keyword.span.start as usize;
                    let line_start = text
                        .get(..start)
                        .and_then(|t| t.rfind('\n'))
                        .map_or(0, |n| n + 1);
                    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
                    Fix::unsafe_(
                        "set `BUNDLE_FROZEN=1` before the install",
                        vec![Edit::insert(
                            line_start as u32,
                            format!("ENV BUNDLE_FROZEN=1{eol}"),
                        )],
                    )
                });
                first = false;
                if own {
                    cx.report(
                        step.span,
                        format!(
                            "`{}` can rewrite `Gemfile.lock` instead of failing on a mismatch",
                            step.label
                        ),
                    )
                    .help("set `BUNDLE_FROZEN=1` (or `BUNDLE_DEPLOYMENT=1`) before installing")
                    .label(lock, "the lockfile is part of the build")
                    .maybe_fix(fix);
                }
            }
        }
    }
    (frozen, first)
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_frozen_mode() {
        fires(
            "IL3309",
            "FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install --jobs 4\n",
            &[
                "4:5 IL3309 `bundle install` can rewrite `Gemfile.lock` instead of failing on a mismatch",
            ],
        );
    }

    #[test]
    fn passes_in_frozen_mode_or_without_a_lock() {
        for text in [
            "FROM ruby:3.3\nENV BUNDLE_DEPLOYMENT=1\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\n",
            "FROM ruby:3.3\nCOPY Gemfile* ./\nRUN BUNDLE_FROZEN=true bundle install\n",
            "FROM ruby:3.3\nCOPY Gemfile* ./\nRUN bundle config set --local frozen true && bundle install\n",
            "FROM ruby:3.3\nRUN bundle config --global frozen 1\nCOPY Gemfile* ./\nRUN bundle install\n",
            "FROM ruby:3.3\nCOPY Gemfile* ./\nRUN bundle install --deployment\n",
            "FROM ruby:3.3\nCOPY Gemfile ./\nRUN bundle install\n",
            "FROM ruby:3.3\nCOPY . .\nRUN bundle install\n",
            "FROM ruby:3.3\nCOPY Gemfile* ./\nRUN bundle exec rake assets:precompile\n",
        ] {
            passes("IL3309", text);
        }
    }

    #[test]
    fn fix_sets_frozen_once_per_chain() {
        assert_eq!(
            fixed(
                "IL3309",
                "FROM ruby:3.3 AS base\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nFROM base\nRUN bundle install --without test\n",
                Applicability::Unsafe
            ),
            "FROM ruby:3.3 AS base\nCOPY Gemfile Gemfile.lock ./\nENV BUNDLE_FROZEN=1\nRUN bundle install\nFROM base\nRUN bundle install --without test\n"
        );
    }
}
