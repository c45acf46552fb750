use crate::graph::Build;
use crate::rules::*;
use crate::shell::nested::{is_inside, nested_shell_scripts};
use crate::shell::{Dialect, Script};
use crate::syntax::{Command, Instruction, Kind};
use std::sync::Arc;

/// DL3059
pub struct ConsecutiveRunInstructions;

const META: Meta = Meta {
    code: "DL3059",
    name: "consecutive-run-instructions",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Cache,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "Short consecutive `RUN` instructions that could be one",
    doc: include_str!("../../../rules/consecutive-run-instructions.md"),
    target: Target::Dockerfile,
};

/// A `RUN` that chains more commands than this is a deliberate step of its
/// own.
const SMALL: usize = 1;

/// A `RUN` as this rule sees it: its build flags and how many commands it
/// runs.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Step {
    flags: Vec<(String, String)>,
    commands: usize,
}

fn step(cx: &Context<'_>, index: usize, ins: &Instruction) -> Step {
    let mut flags: Vec<(String, String)> = ins
        .flags
        .iter()
        .map(|f| (f.name.clone(), f.value_or_empty().to_string()))
        .collect();
    flags.sort();
    let mut scripts = cx.scripts_of(index).to_vec();
    let parsed = |s: &Script| matches!(s.dialect, Some(Dialect::Sh | Dialect::Bash));
    if !scripts.iter().all(parsed) {
        // PowerShell and `cmd` separate commands much like sh does: read the
        // text as sh to count them
        if let Some(state) = cx.build().state(index) {
            let mut sh = state.clone();
            sh.shell = Arc::from(vec!["/bin/sh".to_string(), "-c".to_string()]);
            scripts = crate::shell::scripts(cx.text(), ins, Some(&sh));
        }
    }
    let commands = if scripts.is_empty() && matches!(ins.command(), Some(Command::Exec { .. })) {
        // exec form without a shell: one program
        1
    } else if scripts.is_empty() || !scripts.iter().all(parsed) {
        usize::MAX
    } else {
        // the commands the RUN's own shell runs: `[ … ]` is read as a test
        // rather than a command, and nested `sh -c` scripts are one command
        scripts
            .iter()
            .map(|s| {
                let nested = nested_shell_scripts(s);
                s.commands
                    .iter()
                    .filter(|c| c.name.is_some() && !c.is("[") && !is_inside(c.span, &nested))
                    .count()
            })
            .sum()
    };
    Step { flags, commands }
}

impl Rule for ConsecutiveRunInstructions {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        // Merging saves layers in the image only; a builder stage's layers
        // are thrown away.
        let Some(target) = build.target else { return };
        for si in build.chain(target) {
            let stage = &build.stages[si];
            // the RUN the chain started with, and the RUN just before
            let mut prev: Option<Step> = None;
            let mut last: Option<usize> = None;
            for i in stage.instructions().skip(1) {
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                // a heredoc is a script written as one on purpose
                if ins.kind != Kind::Run || !ins.heredocs.is_empty() {
                    prev = None;
                    last = None;
                    continue;
                }
                let cur = step(cx, i, ins);
                let before = last.replace(i);
                let Some(p) = &prev else {
                    prev = Some(cur);
                    continue;
                };
                if p.flags != cur.flags || p.commands > SMALL || cur.commands > SMALL {
                    prev = Some(cur);
                    continue;
                }
                let before = before
                    .and_then(|b| cx.instruction(b))
                    .map(|x| x.keyword.span);
                let mut r = cx
                    .report(
                        ins.keyword.span,
                        "this `RUN` and the one before it could be one layer",
                    )
                    .help("join the commands with `&&` in one `RUN`");
                if let Some(b) = before {
                    r = r.label(b, "the `RUN` before");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    const MSG: &str = "DL3059 this `RUN` and the one before it could be one layer";

    #[test]
    fn fires_on_short_consecutive_runs() {
        fires(
            "DL3059",
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n",
            &[&format!("3:1 {MSG}")],
        );
        fires(
            "DL3059",
            "FROM debian\nRUN a\n# comment\n\nRUN b\nRUN c\n",
            &[&format!("5:1 {MSG}"), &format!("6:1 {MSG}")],
        );
        fires(
            "DL3059",
            "FROM debian\nRUN --mount=type=cache,target=/c a\nrun --mount=type=cache,target=/c b\n",
            &[&format!("3:1 {MSG}")],
        );
    }

    #[test]
    fn points_at_the_keyword() {
        assert_eq!(spans("DL3059", "FROM debian\nRUN a\nrun b\n"), ["run"]);
    }

    #[test]
    fn passes_when_runs_are_separate_for_a_reason() {
        // another instruction between them
        passes("DL3059", "FROM debian\nRUN a\nENV X=1\nRUN b\n");
        // PowerShell and cmd commands are counted as sh would
        passes(
            "DL3059",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir; echo x\nRUN echo y\n",
        );
        fires(
            "DL3059",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\nRUN echo y\n",
            &[&format!("3:1 {MSG}")],
        );
        // different mounts
        passes(
            "DL3059",
            "FROM debian\nRUN --mount=type=cache,target=/c a\nRUN b\n",
        );
        // tests and nested shells do not count as commands
        fires(
            "DL3059",
            "FROM debian\nRUN [ -d /x ] && echo x\nRUN sh -c 'a && b'\n",
            &[&format!("3:1 {MSG}")],
        );
        // chained commands are deliberate steps
        passes("DL3059", "FROM debian\nRUN a && b\nRUN c\n");
        passes("DL3059", "FROM debian\nRUN a\nRUN b | c\n");
        // heredocs are scripts on purpose
        passes("DL3059", "FROM debian\nRUN <<EOF\na\nEOF\nRUN b\n");
        passes("DL3059", "FROM debian\nRUN a\nRUN <<EOF\nb\nEOF\n");
        passes("DL3059", "FROM debian\nONBUILD RUN a\nONBUILD RUN b\n");
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3059",
            "FROM golang AS build\nRUN go mod download\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\n",
        );
        fires(
            "DL3059",
            "FROM debian AS base\nRUN a\nRUN b\nFROM base\n",
            &[&format!("3:1 {MSG}")],
        );
    }
}
