use super::layers::ships_in_image;
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::args::Args;
use crate::shell::cache::{has_cache_mount, removes};
use crate::shell::pip::{
    PipFrontEnd, disables_pip_cache, disables_uv_cache, is_pip_program, pip_install,
};
use crate::shell::{Script, SimpleCommand};
use crate::syntax::lex::Env;
use crate::syntax::{Instruction, Kind};

/// DL3042
pub struct PipInstallWithoutNoCacheDir;

const META: Meta = Meta {
    code: "DL3042",
    name: "pip-install-without-no-cache-dir",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`pip install` without `--no-cache-dir` leaves the download cache in the image",
    doc: include_str!("../../../rules/pip-install-without-no-cache-dir.md"),
    target: Target::Dockerfile,
};

/// The front end's knobs: flag, variable and cache directory.
struct Knobs {
    flag: &'static str,
    /// Every spelling of the flag: short letters and long names.
    short: &'static [char],
    long: &'static [&'static str],
    variable: &'static str,
    dir_variable: &'static str,
    dir: &'static str,
    disables: fn(&str) -> bool,
}

const PIP: Knobs = Knobs {
    flag: "--no-cache-dir",
    short: &[],
    long: &["no-cache-dir"],
    variable: "PIP_NO_CACHE_DIR",
    dir_variable: "PIP_CACHE_DIR",
    dir: "~/.cache/pip",
    disables: disables_pip_cache,
};

const UV: Knobs = Knobs {
    flag: "--no-cache",
    short: &['n'],
    long: &["no-cache", "no-cache-dir"],
    variable: "UV_NO_CACHE",
    dir_variable: "UV_CACHE_DIR",
    dir: "~/.cache/uv",
    disables: disables_uv_cache,
};

/// The value of `name` where command `ci` runs: its own assignments, then
/// the script's variables, then the build's `ARG`/`ENV`.
fn variable_at(
    script: &Script,
    ci: usize,
    cmd: &SimpleCommand,
    name: &str,
    scope: &dyn Env,
) -> Option<String> {
    let prefix = format!("{name}=");
    // `PIP_NO_CACHE_DIR=1 pip …`, `env PIP_NO_CACHE_DIR=1 pip …`
    let inline = cmd
        .assignments
        .iter()
        .chain(cmd.args.iter())
        .rev()
        .find_map(|w| w.value.strip_prefix(&prefix).map(str::to_string));
    if inline.is_some() {
        return inline;
    }
    script
        .variables_before(ci)
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .or_else(|| scope.get(name).map(str::to_string))
}

/// `pip cache purge`, `uv cache clean`, `uv cache prune`.
fn purges_cache(cmd: &SimpleCommand) -> bool {
    let Some(a) = Args::of(cmd) else { return false };
    let prog = a.program();
    if prog != "uv" && !is_pip_program(prog) {
        return false;
    }
    let ops = a.operands(&["--cache-dir"]);
    matches!(
        (ops.first(), ops.get(1)),
        (Some(c), Some(s)) if c.value == "cache" && matches!(s.value.as_str(), "purge" | "clean" | "prune")
    )
}

impl Rule for PipInstallWithoutNoCacheDir {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if !ships_in_image(cx) {
            return;
        }
        let index = cx.instruction_index().unwrap_or(0);
        let state = cx.state();
        let scope = state.map(|s| s.scope.clone()).unwrap_or_default();
        let workdir = state.and_then(|s| s.workdir.clone());
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(pip) = pip_install(cmd) else {
                    continue;
                };
                let knobs = match pip.front_end {
                    PipFrontEnd::Pip => &PIP,
                    PipFrontEnd::Uv => &UV,
                };
                let all = Args::of(cmd);
                let flagged = all.is_some_and(|a| a.has(knobs.short, knobs.long));
                if flagged {
                    continue;
                }
                if variable_at(script, ci, cmd, knobs.variable, scope.as_ref())
                    .is_some_and(|v| (knobs.disables)(&v))
                {
                    continue;
                }
                // a cache mount (also at a custom cache directory)
                let custom = variable_at(script, ci, cmd, knobs.dir_variable, scope.as_ref());
                let mut dirs = vec![knobs.dir];
                if let Some(d) = custom.as_deref() {
                    dirs.push(d);
                }
                if has_cache_mount(ins, &dirs, &|t| cx.expand_at(index, t), workdir.as_deref()) {
                    continue;
                }
                // the cache removed later in the same RUN
                let purged = script
                    .commands
                    .iter()
                    .skip(ci + 1)
                    .any(|c| removes(c, &dirs) || purges_cache(c));
                if purged {
                    continue;
                }
                let sub = pip.subcommand.span;
                cx.report(
                    sub,
                    format!(
                        "`{}` without `{}` leaves its cache in the layer",
                        pip.label, knobs.flag
                    ),
                )
                .help(format!(
                    "add `{}`, set `{}=1`, or mount a cache at `{}`",
                    knobs.flag,
                    knobs.variable,
                    knobs.dir.replace('~', "/root")
                ))
                .fix(Fix::unsafe_(
                    format!("add `{}`", knobs.flag),
                    vec![Edit::insert(sub.end, format!(" {}", knobs.flag))],
                ));
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
    fn fires_without_no_cache_dir() {
        fires(
            "DL3042",
            "FROM python:3.12\nRUN pip install -r requirements.txt\n",
            &["2:9 DL3042 `pip install` without `--no-cache-dir` leaves its cache in the layer"],
        );
        fires(
            "DL3042",
            "FROM python:3.12\nRUN python3 -m pip \\\n  # deps\n  install -r requirements.txt\n",
            &[
                "4:3 DL3042 `python3 -m pip install` without `--no-cache-dir` leaves its cache in the layer",
            ],
        );
        fires(
            "DL3042",
            "FROM python:3.12\nRUN uv pip install --system -r requirements.txt\n",
            &["2:12 DL3042 `uv pip install` without `--no-cache` leaves its cache in the layer"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3042",
            "FROM python:3.12\nRUN <<EOF\npip3 install .\nEOF\n",
            &["3:6 DL3042 `pip3 install` without `--no-cache-dir` leaves its cache in the layer"],
        );
        fires(
            "DL3042",
            "FROM python:3.12\nONBUILD RUN pip install .\n",
            &["2:17 DL3042 `pip install` without `--no-cache-dir` leaves its cache in the layer"],
        );
    }

    #[test]
    fn points_at_install() {
        assert_eq!(
            spans("DL3042", "FROM python\nRUN python -m pip install .\n"),
            ["install"]
        );
    }

    #[test]
    fn fixes_by_adding_the_flag() {
        assert_eq!(
            fixed(
                "DL3042",
                "FROM python\nRUN pip install . && uv pip install x\n",
                Applicability::Unsafe
            ),
            "FROM python\nRUN pip install --no-cache-dir . && uv pip install --no-cache x\n"
        );
    }

    #[test]
    fn passes_when_the_cache_is_off_mounted_or_removed() {
        for run in [
            "pip install --no-cache-dir .",
            "pip --no-cache-dir install .",
            "PIP_NO_CACHE_DIR=1 pip install .",
            "env PIP_NO_CACHE_DIR=off pip install .",
            "export PIP_NO_CACHE_DIR=true && pip install .",
            "--mount=type=cache,target=/root/.cache/pip pip install .",
            "--mount=type=cache,target=/root/.cache pip install .",
            "--mount=type=cache,target=/root/.cache/uv uv pip install --system .",
            "uv pip install --no-cache --system .",
            "uv pip install --no-cache-dir --system .",
            "pip install . && pip cache purge",
            "pip install . && rm -rf /root/.cache/pip",
            "pipx install black",
            "pipenv install",
        ] {
            passes("DL3042", &format!("FROM python:3.12\nRUN {run}\n"));
        }
        passes(
            "DL3042",
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install .\n",
        );
        // pip reads any boolean as "off", `0` and `false` included
        passes(
            "DL3042",
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=false\nRUN pip install .\n",
        );
        passes(
            "DL3042",
            "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install .\n",
        );
        passes(
            "DL3042",
            "FROM python:3.12\nENV PIP_CACHE_DIR=/cache/pip\nRUN --mount=type=cache,target=/cache/pip pip install .\n",
        );
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3042",
            "FROM python:3.12 AS build\nRUN pip wheel -w /w . && pip install -r r.txt\nFROM python:3.12-slim\nCOPY --from=build /w /w\n",
        );
    }
}
