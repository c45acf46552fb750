use super::earlier_steps::{Step, earlier_commands};
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::args::Args;
use crate::shell::pip::pip_install;
use crate::syntax::lex::Env;
use crate::syntax::{Instruction, Kind};

/// IL3403
pub struct PoetryRemovedCliOption;

const META: Meta = Meta {
    code: "IL3403",
    name: "poetry-removed-cli-option",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A Poetry command uses an option or command that Poetry 2.0 removed",
    doc: include_str!("../../../rules/poetry-removed-cli-option.md"),
    target: Target::Dockerfile,
};

/// What an earlier step tells about the Poetry that runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Installed {
    /// Installed without a version, or with one of 2.0 or later.
    Current,
    /// Pinned below 2.0.
    Old,
}

/// The major version a requirement such as `poetry==1.8.3`, `poetry<2` or
/// `poetry` asks for.
fn requirement(spec: &str) -> Option<Installed> {
    let lower = spec.to_ascii_lowercase();
    let rest = lower.strip_prefix("poetry")?;
    // `poetry[plugin]`, `poetry-core` is another package
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once(']')?.1,
        None => rest,
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(Installed::Current);
    }
    if !rest.starts_with(['=', '<', '>', '~', '!', '^', '@']) {
        return None;
    }
    Some(version_of(rest))
}

/// Whether a version or specifier (`==1.8.3`, `1.8.3`, `<2`, `~=1.8`)
/// keeps Poetry below 2.0.
fn version_of(spec: &str) -> Installed {
    let s = spec.trim();
    let old = |v: &str| {
        v.trim_start_matches(['=', '~', '^', 'v', ' '])
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|m| m < 2)
    };
    if s.split(',').any(|part| {
        let p = part.trim();
        p.starts_with("==") && old(p)
            || p.starts_with("~=") && old(p)
            || p.starts_with('^') && old(p)
            || p.starts_with("<=") && old(p)
            || p.strip_prefix('<').is_some_and(|v| {
                !v.starts_with('=')
                    && v.trim()
                        .split('.')
                        .map(|n| n.parse::<u32>().unwrap_or(0))
                        .collect::<Vec<_>>()
                        <= vec![2]
            })
            || p.chars().next().is_some_and(|c| c.is_ascii_digit()) && old(p)
    }) {
        Installed::Old
    } else {
        Installed::Current
    }
}

/// The Poetry an earlier step installs, if it installs one: pip or pipx,
/// or the official installer with `POETRY_VERSION` or `--version`.
fn installs(step: &Step<'_>, env: &dyn Env) -> Option<Installed> {
    let cmd = step.cmd;
    if let Some(pip) = pip_install(cmd) {
        return pip.packages().iter().find_map(|w| {
            let words = step
                .script
                .resolve_words(step.index, w, env)
                .unwrap_or_else(|| vec![w.value.clone()]);
            words.iter().find_map(|v| requirement(v))
        });
    }
    let a = Args::of(cmd)?;
    if a.program() == "pipx" && a.words.first().is_some_and(|w| w.value == "install") {
        return a.words[1..].iter().find_map(|w| requirement(&w.value));
    }
    // the official installer: `curl -sSL https://install.python-poetry.org | python3 -`
    if !a
        .words
        .iter()
        .any(|w| w.value.contains("install.python-poetry.org"))
    {
        return None;
    }
    let pipeline = step.script.pipeline_of(cmd)?;
    let mut version = None;
    for &c in &pipeline.commands {
        let Some(other) = step.script.commands.get(c) else {
            continue;
        };
        for w in other.assignments.iter().chain(other.args.iter()) {
            if let Some(v) = w.value.strip_prefix("POETRY_VERSION=") {
                version = Some(v.to_string());
            }
        }
        if let Some(oa) = Args::of(other)
            && let Some(v) = oa.value(&[], &["version"])
        {
            version = Some(v.to_string());
        }
    }
    let version = version
        .or_else(|| {
            step.script
                .variables_before(step.index)
                .into_iter()
                .rev()
                .find(|(k, _)| k == "POETRY_VERSION")
                .map(|(_, v)| v)
        })
        .or_else(|| env.get("POETRY_VERSION").map(str::to_string));
    Some(match version {
        Some(v) if !v.contains('$') && !v.is_empty() => version_of(&v),
        _ => Installed::Current,
    })
}

impl Rule for PoetryRemovedCliOption {
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
        let mut hits = Vec::new();
        for (si, script) in cx.scripts().iter().enumerate() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(a) = Args::of(cmd) else { continue };
                if a.program() != "poetry" {
                    continue;
                }
                let Some(sub) = a.words.iter().find(|w| !w.value.starts_with('-')) else {
                    continue;
                };
                let removed: Vec<_> = a
                    .words
                    .iter()
                    .filter_map(|w| {
                        let replacement = match (sub.value.as_str(), w.value.as_str()) {
                            ("install", "--no-dev") => Some("--without dev"),
                            ("install", "--remove-untracked") => Some("--sync"),
                            ("lock", "--no-update") => Some(""),
                            _ => None,
                        }?;
                        Some((w, replacement))
                    })
                    .collect();
                let export = sub.value == "export";
                if removed.is_empty() && !export {
                    continue;
                }
                // the Poetry installed earlier decides
                let steps = earlier_commands(cx, si, ci);
                let mut installed = None;
                for s in &steps {
                    let Some(state) = build.state(s.instruction) else {
                        continue;
                    };
                    if let Some(i) = installs(s, state.scope.as_ref()) {
                        installed = Some(i);
                    }
                }
                if installed != Some(Installed::Current) {
                    continue;
                }
                if export
                    && !steps.iter().any(|s| {
                        s.cmd
                            .args
                            .iter()
                            .any(|w| w.value.contains("poetry-plugin-export"))
                    })
                {
                    hits.push((
                        sub.span,
                        "`poetry export` is not part of Poetry 2.0".to_string(),
                        None,
                    ));
                }
                for (w, replacement) in removed {
                    let fix = (w.raw == w.value).then(|| {
                        let (title, edit) = if replacement.is_empty() {
                            // the option and the blank before it
                            let start = w.span.start.saturating_sub(1);
                            (
                                format!("remove `{}`", w.value),
                                Edit::replace(
                                    crate::source::Span::from_range(
                                        start as usize..w.span.end as usize,
                                    ),
                                    "",
                                ),
                            )
                        } else {
                            (
                                format!("use `{replacement}`"),
                                Edit::replace(w.span, replacement),
                            )
                        };
                        Fix::unsafe_(title, vec![edit])
                    });
                    hits.push((
                        w.span,
                        format!(
                            "`{}` was removed in Poetry 2.0: `poetry {}` fails",
                            w.value, sub.value
                        ),
                        fix,
                    ));
                }
            }
        }
        hits.sort_by_key(|h| h.0.start);
        let Some((at, message, fix)) = hits.first().cloned() else {
            return;
        };
        let mut r = cx
            .report(at, message)
            .help("use `--without dev` (or `--only main`), install `poetry-plugin-export` for `export`, or pin Poetry below 2.0")
            .maybe_fix(fix);
        for (span, _, _) in hits.iter().skip(1) {
            r = r.label(*span, "also removed in Poetry 2.0");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_for_unpinned_and_new_poetry() {
        fires(
            "IL3403",
            "FROM python:3.12-slim\nRUN pip install poetry\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-dev --no-root\n",
            &["4:20 IL3403 `--no-dev` was removed in Poetry 2.0: `poetry install` fails"],
        );
        fires(
            "IL3403",
            "FROM python:3.12-slim AS base\nENV POETRY_VERSION=2.1.3\nRUN curl -sSL https://install.python-poetry.org | python3 -\nFROM base\nRUN poetry export -f requirements.txt \\\n    # pinned\n    -o requirements.txt\n",
            &["5:12 IL3403 `poetry export` is not part of Poetry 2.0"],
        );
        assert_eq!(
            spans(
                "IL3403",
                "FROM python:3.12\nARG POETRY=poetry==2.0.1\nRUN pip install \"$POETRY\"\nRUN <<EOF\npoetry lock --no-update\nEOF\n"
            ),
            ["--no-update"]
        );
    }

    #[test]
    fn fixes_the_options() {
        assert_eq!(
            fixed(
                "IL3403",
                "FROM python:3.12\nRUN pipx install poetry && poetry install --no-dev\n",
                Applicability::Unsafe
            ),
            "FROM python:3.12\nRUN pipx install poetry && poetry install --without dev\n"
        );
        assert_eq!(
            fixed(
                "IL3403",
                "FROM python:3.12\nRUN pip install poetry && poetry lock --no-update && poetry install\n",
                Applicability::Unsafe
            ),
            "FROM python:3.12\nRUN pip install poetry && poetry lock && poetry install\n"
        );
    }

    #[test]
    fn passes_for_old_or_unknown_poetry() {
        passes(
            "IL3403",
            "FROM python:3.9\nRUN pip install poetry==1.1.6 && poetry install --no-dev && poetry export -o r.txt\n",
        );
        passes(
            "IL3403",
            "FROM python:3.9\nRUN pip install 'poetry<2' && poetry install --no-dev\n",
        );
        passes(
            "IL3403",
            "FROM python:3.9\nRUN curl -sSL https://install.python-poetry.org | POETRY_VERSION=1.8.3 python3 -\nRUN poetry install --no-dev\n",
        );
        passes(
            "IL3403",
            "FROM acme/python-poetry:1.1\nRUN poetry install --no-dev\n",
        );
        passes(
            "IL3403",
            "FROM python:3.12\nRUN pip install poetry poetry-plugin-export && poetry export -o r.txt\n",
        );
        passes(
            "IL3403",
            "FROM python:3.12\nRUN pip install poetry && poetry install --without dev --no-root\n",
        );
        passes(
            "IL3403",
            "FROM python:3.12\nRUN pip install poetry\nONBUILD RUN poetry install --no-dev\n",
        );
    }
}
