use super::final_image::checked_target;
use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::shell::process::started;

/// IL5403
pub struct UvRunAtStartup;

const META: Meta = Meta {
    code: "IL5403",
    name: "uv-run-at-startup",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "The image starts with `uv run`, which locks and syncs the environment at every start",
    doc: include_str!("../../../rules/uv-run-at-startup.md"),
    target: Target::Dockerfile,
};

fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

impl Rule for UvRunAtStartup {
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
        if s.program() != "uv" {
            return;
        }
        // `uv [options] run [options] <command>`
        let args = s.args();
        let Some(run) = args.iter().position(|w| !w.text.starts_with('-')) else {
            return;
        };
        if args[run].text != "run" {
            return;
        }
        let options_end = args[run + 1..]
            .iter()
            .position(|w| !w.text.starts_with('-'))
            .map_or(args.len(), |p| run + 1 + p);
        let skips_sync = args[..options_end].iter().any(|w| {
            let name = w.text.split('=').next().unwrap_or("");
            matches!(name, "--no-sync" | "--frozen" | "--locked")
        });
        let env_set = |name: &str| {
            s.assignments
                .iter()
                .filter_map(|a| a.split_once('='))
                .any(|(k, v)| k == name && truthy(v))
                || target
                    .config
                    .env
                    .var(name)
                    .and_then(|v| v.value.as_deref())
                    .is_some_and(truthy)
        };
        if skips_sync || env_set("UV_NO_SYNC") || env_set("UV_FROZEN") {
            return;
        }
        let run_word = &args[run];
        let quoted = cx
            .text()
            .get(run_word.span.range())
            .is_some_and(|t| t.starts_with('"'));
        let insert = if quoted {
            ", \"--no-sync\""
        } else {
            " --no-sync"
        };
        let at = s.words[0].span.cover(run_word.span);
        let head = if cx.text().get(at.range()).is_some_and(|t| !t.contains('\n')) {
            at
        } else {
            s.words[0].span
        };
        cx.report(
            head,
            "`uv run` syncs the environment at every start: it needs network and a writable `.venv`",
        )
        .help("put `.venv/bin` on `PATH` and start the program directly, or use `uv run --no-sync`")
        .fix(Fix::unsafe_(
            "add `--no-sync`",
            vec![Edit::insert(run_word.span.end, insert)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_for_uv_run_in_exec_and_shell_form() {
        fires(
            "IL5403",
            "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.8 /uv /bin/\nWORKDIR /app\nCOPY . .\nRUN uv sync --locked --no-dev\nCMD [\"uv\", \"run\", \"app.py\"]\n",
            &[
                "6:6 IL5403 `uv run` syncs the environment at every start: it needs network and a writable `.venv`",
            ],
        );
        assert_eq!(
            spans("IL5403", "FROM python:3.12\nCMD uv run --with x app.py\n"),
            ["uv run"]
        );
        assert_eq!(
            spans(
                "IL5403",
                "FROM python:3.12\nENTRYPOINT [\"sh\", \"-c\", \"uv run fastapi run\"]\n"
            ),
            ["uv run"]
        );
    }

    #[test]
    fn fixes_with_no_sync() {
        assert_eq!(
            fixed(
                "IL5403",
                "FROM python:3.12\nCMD [\"uv\", \"run\", \"app.py\"]\n",
                Applicability::Unsafe
            ),
            "FROM python:3.12\nCMD [\"uv\", \"run\", \"--no-sync\", \"app.py\"]\n"
        );
        assert_eq!(
            fixed(
                "IL5403",
                "FROM python:3.12\nCMD uv \\\n  run app.py\n",
                Applicability::Unsafe
            ),
            "FROM python:3.12\nCMD uv \\\n  run --no-sync app.py\n"
        );
    }

    #[test]
    fn passes_when_sync_is_off() {
        passes(
            "IL5403",
            "FROM python:3.12\nCMD [\"uv\", \"run\", \"--frozen\", \"app.py\"]\n",
        );
        passes(
            "IL5403",
            "FROM python:3.12\nENV UV_NO_SYNC=1\nCMD [\"uv\", \"run\", \"app.py\"]\n",
        );
        passes(
            "IL5403",
            "FROM python:3.12\nCMD UV_FROZEN=true uv run app.py\n",
        );
        passes("IL5403", "FROM python:3.12\nCMD [\"python\", \"app.py\"]\n");
        passes(
            "IL5403",
            "FROM python:3.12 AS dev\nCMD [\"uv\", \"run\", \"app.py\"]\n",
        );
        passes("IL5403", "FROM python:3.12\nCMD [\"uv\", \"sync\"]\n");
    }
}
