use super::lang::base_name;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Tool};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// IL3312
pub struct CondaEnvUnlocked;

const META: Meta = Meta {
    code: "IL3312",
    name: "conda-env-unlocked",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: false,
    summary: "A conda environment is resolved from a specification during the build, not installed from a lock",
    doc: include_str!("../../../rules/conda-env-unlocked.md"),
    target: Target::Dockerfile,
};

/// Whether a file is a lock or an explicit specification: `conda-lock.yml`,
/// `*.lock`, `explicit*.txt`, or a text file starting with `@EXPLICIT`.
fn is_locked(cx: &Context<'_>, file: &str) -> bool {
    let name = base_name(file).to_ascii_lowercase();
    if name.contains("lock") || name.contains("explicit") {
        return true;
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return false;
    }
    // a text spec: explicit when it says so; unread ones are left alone
    cx.context_read(file.trim_start_matches("./"))
        .is_none_or(|t| t.lines().any(|l| l.trim() == "@EXPLICIT"))
}

impl Rule for CondaEnvUnlocked {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let mut hits: Vec<(Span, String)> = Vec::new();
        for script in cx.scripts() {
            for cmd in &script.commands {
                let Some(step) = deps::classify(cmd) else {
                    continue;
                };
                if step.tool != Tool::Conda {
                    continue;
                }
                let Some(args) = ShellArgs::of(cmd) else {
                    continue;
                };
                let file = args
                    .words
                    .iter()
                    .position(|w| matches!(w.value.as_str(), "-f" | "--file"))
                    .and_then(|i| args.words.get(i + 1))
                    .map(|w| (w.span, w.value.clone()))
                    .or_else(|| {
                        args.words.iter().find_map(|w| {
                            w.value
                                .strip_prefix("--file=")
                                .map(|f| (w.span, f.to_string()))
                        })
                    });
                let (span, file) = match file {
                    Some(f) => f,
                    // `conda env create` reads environment.yml by default
                    None => (step.span, "environment.yml".to_string()),
                };
                if is_locked(cx, &file) {
                    continue;
                }
                hits.push((span, file));
            }
        }
        let Some((span, file)) = hits.first() else {
            return;
        };
        let mut r = cx
            .report(
                *span,
                format!(
                    "`{}` is resolved during the build: each build can get other packages",
                    base_name(file)
                ),
            )
            .help("lock the environment with `conda-lock` outside the build and install the lock (`conda-lock install` or an explicit spec)");
        for (s, _) in hits.iter().skip(1) {
            r = r.label(*s, "resolved during the build too");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_environment_specs() {
        fires(
            "IL3312",
            "FROM continuumio/miniconda3\nCOPY environment.yml .\nRUN conda env create -f environment.yml\n",
            &[
                "3:25 IL3312 `environment.yml` is resolved during the build: each build can get other packages",
            ],
        );
        fires(
            "IL3312",
            "FROM mambaorg/micromamba:1.5\nCOPY env.yaml /tmp/\nRUN micromamba install -y -n base --file /tmp/env.yaml\n",
            &[
                "3:42 IL3312 `env.yaml` is resolved during the build: each build can get other packages",
            ],
        );
        fires(
            "IL3312",
            "FROM continuumio/miniconda3\nCOPY . .\nRUN conda env create\n",
            &[
                "3:5 IL3312 `environment.yml` is resolved during the build: each build can get other packages",
            ],
        );
    }

    #[test]
    fn passes_on_locks() {
        for run in [
            "conda-lock install -n app conda-lock.yml",
            "micromamba install -y -n base -f conda-lock.yml",
            "conda create -n app --file explicit-linux-64.txt",
            "conda install -y numpy",
            "mamba env create -f app.conda-lock.yml",
        ] {
            passes(
                "IL3312",
                &format!("FROM continuumio/miniconda3\nRUN {run}\n"),
            );
        }
    }
}
