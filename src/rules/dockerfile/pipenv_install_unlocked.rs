use super::lang::inputs::{Inputs, Presence};
use super::lang::{checks_lock_discipline, env};
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::Tool;
use crate::syntax::{Instruction, Kind};

/// IL3308
pub struct PipenvInstallUnlocked;

const META: Meta = Meta {
    code: "IL3308",
    name: "pipenv-install-unlocked",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`pipenv install` can re-lock instead of installing `Pipfile.lock` as it is",
    doc: include_str!("../../../rules/pipenv-install-unlocked.md"),
    target: Target::Dockerfile,
};

impl Rule for PipenvInstallUnlocked {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let Some(index) = cx.instruction_index() else {
            return;
        };
        if !checks_lock_discipline(cx) {
            return;
        }
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(args) = ShellArgs::of(cmd) else {
                    continue;
                };
                if args.program() != "pipenv" {
                    continue;
                }
                let ops = args.operands(&["--python", "--pypi-mirror", "--categories", "-r"]);
                let Some(sub) = ops.first() else { continue };
                // `pipenv install <pkg>` adds a package: lockfile-rewritten-in-build
                if sub.value != "install" || ops.len() > 1 {
                    continue;
                }
                let on = |n: &str| env::is_on(cx, index, script, ci, n);
                let skip_lock = args.find(&[], &["skip-lock"]);
                if skip_lock.is_none()
                    && (args.has(&[], &["deploy", "ignore-pipfile"])
                        || on("PIPENV_DEPLOY")
                        || on("PIPENV_IGNORE_PIPFILE"))
                {
                    continue;
                }
                if Inputs::before(cx, index).lock(cx, Tool::Pipenv) == Presence::Absent {
                    return;
                }
                let message = if skip_lock.is_some() {
                    "`pipenv install --skip-lock` ignores `Pipfile.lock` and resolves afresh"
                } else {
                    "`pipenv install` can re-lock instead of failing when `Pipfile.lock` is stale"
                };
                let fix = match skip_lock {
                    Some(_) => None,
                    None => Some(Fix::unsafe_(
                        "add `--deploy`",
                        vec![Edit::insert(sub.span.end, " --deploy")],
                    )),
                };
                cx.report(args.name.span.cover(sub.span), message)
                    .help("use `pipenv install --deploy` (with `--system` for no virtualenv) or `pipenv sync`")
                    .maybe_fix(fix);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_deploy() {
        fires(
            "IL3308",
            "FROM python:3.12\nCOPY Pipfile Pipfile.lock ./\nRUN pipenv install --system\n",
            &[
                "3:5 IL3308 `pipenv install` can re-lock instead of failing when `Pipfile.lock` is stale",
            ],
        );
        fires(
            "IL3308",
            "FROM python:3.12\nCOPY . .\nRUN pipenv install --deploy --skip-lock\n",
            &["3:5 IL3308 `pipenv install --skip-lock` ignores `Pipfile.lock` and resolves afresh"],
        );
    }

    #[test]
    fn passes_when_the_lock_is_honoured() {
        for text in [
            "FROM python:3.12\nCOPY . .\nRUN pipenv install --deploy --system\n",
            "FROM python:3.12\nCOPY . .\nRUN pipenv install --ignore-pipfile\n",
            "FROM python:3.12\nCOPY . .\nRUN pipenv sync\n",
            "FROM python:3.12\nENV PIPENV_DEPLOY=1\nCOPY . .\nRUN pipenv install\n",
            "FROM python:3.12\nCOPY Pipfile ./\nRUN pipenv install\n",
            "FROM python:3.12\nCOPY . .\nRUN pipenv install requests\n",
        ] {
            passes("IL3308", text);
        }
    }

    #[test]
    fn fix_adds_deploy() {
        assert_eq!(
            fixed(
                "IL3308",
                "FROM python:3.12\nCOPY . .\nRUN pipenv install --system\n",
                Applicability::Unsafe
            ),
            "FROM python:3.12\nCOPY . .\nRUN pipenv install --deploy --system\n"
        );
    }
}
