use super::lang::inputs::{Inputs, Presence};
use super::lang::{checks_lock_discipline, env};
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Tool};
use crate::syntax::{Instruction, Kind};

/// IL3307
pub struct UvSyncUnlocked;

const META: Meta = Meta {
    code: "IL3307",
    name: "uv-sync-unlocked",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`uv sync` or `uv run` can re-lock the project during the build",
    doc: include_str!("../../../rules/uv-sync-unlocked.md"),
    target: Target::Dockerfile,
};

impl Rule for UvSyncUnlocked {
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
        let mut hits = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(args) = ShellArgs::of(cmd) else {
                    continue;
                };
                if args.program() != "uv" {
                    continue;
                }
                let ops = args.operands(deps::UV_OPTIONS);
                let Some(sub) = ops.first() else { continue };
                let on = |n: &str| env::is_on(cx, index, script, ci, n);
                let skip = match sub.value.as_str() {
                    "sync" => false,
                    "run" => {
                        args.has(&[], &["no-sync", "no-project", "script", "isolated"])
                            || on("UV_NO_SYNC")
                            || on("UV_NO_PROJECT")
                    }
                    _ => true,
                };
                if skip
                    || args.has(&[], &["locked", "frozen"])
                    || on("UV_LOCKED")
                    || on("UV_FROZEN")
                {
                    continue;
                }
                hits.push((args.name.span.cover(sub.span), sub.value.clone(), sub.span));
            }
        }
        let Some((span, sub, _)) = hits.first() else {
            return;
        };
        let inputs = Inputs::before(cx, index);
        let project = inputs.find(&["pyproject.toml", "uv.lock"]).is_some()
            || inputs.whole.is_some()
            || inputs.opaque;
        if !project || inputs.lock(cx, Tool::Uv) == Presence::Absent {
            return;
        }
        let mut r = cx
            .report(
                *span,
                format!("`uv {sub}` can rewrite `uv.lock` instead of failing when it is stale"),
            )
            .help("add `--locked` (or `--frozen` for a first sync without the workspace members)")
            .fix(Fix::unsafe_(
                "add `--locked`",
                hits.iter()
                    .map(|(_, _, s)| Edit::insert(s.end, " --locked"))
                    .collect(),
            ));
        for (s, _, _) in hits.iter().skip(1) {
            r = r.label(*s, "not locked either");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_locked_or_frozen() {
        fires(
            "IL3307",
            "FROM python:3.12\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --no-dev\n",
            &["3:5 IL3307 `uv sync` can rewrite `uv.lock` instead of failing when it is stale"],
        );
        fires(
            "IL3307",
            "FROM python:3.12\nCOPY . .\nRUN uv run python -m compileall .\n",
            &["3:5 IL3307 `uv run` can rewrite `uv.lock` instead of failing when it is stale"],
        );
    }

    #[test]
    fn passes_when_locked() {
        for text in [
            "FROM python:3.12\nCOPY . .\nRUN uv sync --locked\n",
            "FROM python:3.12\nCOPY . .\nRUN uv sync --frozen --no-install-workspace\n",
            "FROM python:3.12\nENV UV_LOCKED=1\nCOPY . .\nRUN uv sync\n",
            "FROM python:3.12\nCOPY . .\nRUN uv run --no-sync python app.py\n",
            "FROM python:3.12\nCOPY . .\nRUN uv pip sync requirements.txt\n",
            "FROM python:3.12\nCOPY pyproject.toml ./\nRUN uv sync\n",
            "FROM python:3.12\nRUN uv tool install ruff\n",
            "FROM python:3.12\nONBUILD COPY . .\nONBUILD RUN uv sync\n",
        ] {
            passes("IL3307", text);
        }
    }

    #[test]
    fn bind_mounts_and_fix() {
        let text = "FROM python:3.12\nRUN --mount=type=bind,source=uv.lock,target=uv.lock \\\n    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n    uv sync --no-install-project\n";
        assert_eq!(
            fixed("IL3307", text, Applicability::Unsafe),
            text.replace("uv sync --no", "uv sync --locked --no")
        );
    }
}
