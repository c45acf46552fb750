use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::nested::{is_inside, nested_shell_scripts};
use crate::shell::{Pipeline, Script, SimpleCommand};
use crate::source::Span;
use crate::syntax::{Args, Command, Instruction, Kind, Word};

/// DL4006
pub struct PipeWithoutPipefail;

const META: Meta = Meta {
    code: "DL4006",
    name: "pipe-without-pipefail",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A pipe in `RUN` hides the failure of every command but the last",
    doc: include_str!("../../../rules/pipe-without-pipefail.md"),
    target: Target::Dockerfile,
};

/// What is known about the shell that runs a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Support {
    /// The shell has `-o pipefail` and it is on.
    On,
    /// The shell has `-o pipefail` and it is off.
    Off,
    /// The shell has no `pipefail` (or is not a POSIX shell).
    Unsupported,
}

/// The shell's base name: `/bin/bash` -> `bash`.
fn base(program: &str) -> String {
    let b = program.rsplit(['/', '\\']).next().unwrap_or(program);
    b.strip_suffix(".exe").unwrap_or(b).to_ascii_lowercase()
}

/// Whether a shell invocation's options turn `pipefail` on: `-o pipefail`,
/// `-eo pipefail`, `-opipefail`.
fn sets_pipefail<'a>(words: impl IntoIterator<Item = &'a str>) -> bool {
    let mut prev_wants_value = false;
    for w in words {
        if prev_wants_value && w == "pipefail" {
            return true;
        }
        prev_wants_value = false;
        if let Some(short) = w.strip_prefix('-')
            && !short.starts_with('-')
        {
            if short.ends_with('o') {
                prev_wants_value = true;
            } else if short.split_once('o').is_some_and(|(_, v)| v == "pipefail") {
                return true;
            }
        }
    }
    false
}

/// How a shell command line (`["/bin/bash", "-o", "pipefail", "-c"]`)
/// treats pipe failures.
fn support_of(shell: &[String]) -> Support {
    let Some(program) = shell.first() else {
        return Support::Off;
    };
    match base(program).as_str() {
        "bash" | "zsh" | "ksh" | "ksh93" | "mksh" | "ash" | "sh" | "busybox" | "yash" => {
            if sets_pipefail(shell.iter().skip(1).map(String::as_str)) {
                Support::On
            } else {
                Support::Off
            }
        }
        // dash has no `pipefail`; PowerShell and cmd are not POSIX shells
        _ => Support::Unsupported,
    }
}

/// Whether a top-level `set -o pipefail` runs before `at`.
fn set_before(script: &Script, at: u32) -> bool {
    script.commands.iter().any(|c: &SimpleCommand| {
        c.span.start < at
            && c.is("set")
            && !c.context.subshell
            && !c.context.in_function
            && sets_pipefail(c.args.iter().map(|w| w.value.as_str()))
    })
}

/// Whether a pipeline cannot hide a failure that matters: every command
/// before the last is `yes`, which `pipefail` would turn into a failure.
fn is_harmless(script: &Script, p: &Pipeline) -> bool {
    let Some((_, before)) = p.commands.split_last() else {
        return true;
    };
    before
        .iter()
        .all(|&c| script.commands.get(c).is_some_and(|x| x.is("yes")))
}

/// The `|` between the first two commands of a pipeline.
fn pipe_operator(text: &str, script: &Script, p: &Pipeline) -> Span {
    let (Some(a), Some(b)) = (
        p.commands.first().and_then(|&c| script.commands.get(c)),
        p.commands.get(1).and_then(|&c| script.commands.get(c)),
    ) else {
        return p.span;
    };
    let (lo, hi) = (a.span.end as usize, b.span.start as usize);
    text.get(lo..hi)
        .and_then(|between| between.find('|'))
        .map_or(p.span, |off| {
            let at = (lo + off) as u32;
            Span::new(at, at + 1)
        })
}

/// The `"-c"` element of an exec-form shell list, where `"-o",
/// "pipefail",` goes, when the shell surely has `pipefail` (`/bin/sh` may
/// be dash, which has not).
fn c_word(args: &[Word]) -> Option<&Word> {
    let shell = base(&args.first()?.text);
    if !matches!(
        shell.as_str(),
        "bash" | "zsh" | "ksh" | "ksh93" | "mksh" | "ash"
    ) {
        return None;
    }
    args.iter().skip(1).find(|w| w.text == "-c")
}

impl Rule for PipeWithoutPipefail {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let scripts = cx.scripts();
        let Some(script) = scripts.first() else {
            return;
        };
        // which shell runs the script, and where its options are written
        let mut fix_at: Option<&Word> = None;
        let support = match ins.command() {
            Some(Command::Exec { args, .. }) => {
                let texts: Vec<String> = args.iter().map(|a| a.text.clone()).collect();
                let c = texts
                    .iter()
                    .position(|t| t.starts_with('-') && t.ends_with('c'));
                fix_at = c_word(args);
                support_of(&texts[..c.unwrap_or(texts.len())])
            }
            _ => {
                let shebang = ins.heredocs.len() == 1
                    && script.span.start == ins.heredocs[0].body.start
                    && ins.heredocs[0].content.starts_with("#!");
                if shebang {
                    let line = ins.heredocs[0].content.lines().next().unwrap_or("");
                    let words: Vec<String> = line[2..]
                        .split_whitespace()
                        .map(str::to_string)
                        .filter(|w| !w.ends_with("/env") && w != "env")
                        .collect();
                    support_of(&words)
                } else {
                    let Some(state) = cx.state() else { return };
                    if !state.default_shell {
                        fix_at = self.shell_instruction(cx).and_then(c_word);
                    }
                    support_of(&state.shell)
                }
            }
        };
        if support != Support::Off {
            return;
        }
        let nested = nested_shell_scripts(script);
        let pipe = script.pipelines.iter().find(|p| {
            p.commands.len() > 1
                && !is_inside(p.span, &nested)
                && !set_before(script, p.span.start)
                && !is_harmless(script, p)
        });
        let Some(pipe) = pipe else { return };
        let span = pipe_operator(cx.text(), script, pipe);
        let fix = fix_at.map(|w| {
            Fix::unsafe_(
                "turn on `pipefail` in the shell",
                vec![Edit::insert(w.span.start, "\"-o\", \"pipefail\", ")],
            )
        });
        cx.report(span, "a failure before this pipe is hidden: only the last command's status counts")
            .help("set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this `RUN`, or start the script with `set -o pipefail`")
            .maybe_fix(fix);
    }
}

impl PipeWithoutPipefail {
    /// The `SHELL` exec-form arguments in force at the instruction being
    /// checked, searched back through its stage and parent stages.
    fn shell_instruction<'a>(&self, cx: &Context<'a>) -> Option<&'a [Word]> {
        let build = cx.build();
        let index = cx.instruction_index()?;
        let stage = cx.state()?.stage;
        for si in build.chain(stage) {
            let st = build.stages.get(si)?;
            let end = if si == stage { index } else { st.end };
            for i in (st.from..end).rev() {
                let ins = cx.instruction(i)?;
                if ins.kind == Kind::Shell {
                    return match &ins.args {
                        Args::Command(Command::Exec { args, .. }) => Some(args),
                        _ => None,
                    };
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const MSG: &str =
        "DL4006 a failure before this pipe is hidden: only the last command's status counts";

    #[test]
    fn fires_on_pipes_without_pipefail() {
        fires(
            "DL4006",
            "FROM debian\nRUN curl -fsSL https://e/install.sh | sh\n",
            &[&format!("2:37 {MSG}")],
        );
        fires(
            "DL4006",
            "FROM debian\nRUN set -e \\\n  # fetch\n  && wget -qO- https://e/k \\\n  | gpg --dearmor > /k.gpg\n",
            &[&format!("5:3 {MSG}")],
        );
        // the pipefail of the shell reaches command substitutions
        fires(
            "DL4006",
            "FROM debian\nRUN V=$(curl -s https://e/v | jq -r .v) && echo $V\n",
            &[&format!("2:29 {MSG}")],
        );
        fires(
            "DL4006",
            "FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN a | b\n",
            &[&format!("3:7 {MSG}")],
        );
    }

    #[test]
    fn points_at_the_pipe() {
        assert_eq!(
            spans("DL4006", "FROM debian\nRUN a \\\n  # b\n  | b\n"),
            ["|"]
        );
    }

    #[test]
    fn fires_in_exec_form_heredocs_and_onbuild() {
        fires(
            "DL4006",
            "FROM debian\nRUN [\"sh\", \"-c\", \"a | b\"]\n",
            &[&format!("2:21 {MSG}")],
        );
        fires(
            "DL4006",
            "FROM debian\nRUN <<EOF\na | b\nEOF\n",
            &[&format!("3:3 {MSG}")],
        );
        fires(
            "DL4006",
            "FROM debian\nRUN <<EOF\n#!/bin/bash\nset -e\na | b\nEOF\n",
            &[&format!("5:3 {MSG}")],
        );
        fires(
            "DL4006",
            "FROM debian\nONBUILD RUN a | b\n",
            &[&format!("2:15 {MSG}")],
        );
    }

    #[test]
    fn passes_with_pipefail() {
        for shell in [
            "[\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
            "[\"/bin/bash\", \"-euxo\", \"pipefail\", \"-c\"]",
            "[\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]",
            "[\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]",
            "[\"zsh\", \"-o\", \"pipefail\", \"-c\"]",
            "[\"pwsh\", \"-Command\"]",
            "[\"cmd\", \"/S\", \"/C\"]",
            "[\"/bin/dash\", \"-c\"]",
        ] {
            passes(
                "DL4006",
                &format!("FROM debian\nSHELL {shell}\nRUN a | b\n"),
            );
        }
        // inherited from the parent stage
        passes(
            "DL4006",
            "FROM debian AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN a | b\n",
        );
        for run in [
            "set -o pipefail && a | b",
            "set -euxo pipefail; a | b",
            "set -eu -o pipefail; a | b",
            "[\"bash\", \"-o\", \"pipefail\", \"-c\", \"a | b\"]",
            "<<EOF\n#!/bin/bash\nset -eo pipefail\na | b\nEOF",
            "<<EOF\n#!/usr/bin/env python3\nprint('a | b')\nEOF",
            "yes | apt-get install x",
            "bash -c 'a | b'",
            "echo 'a | b' && a || b",
        ] {
            passes("DL4006", &format!("FROM debian\nRUN {run}\n"));
        }
        // windows images run `cmd`
        passes(
            "DL4006",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir | findstr x\n",
        );
    }

    #[test]
    fn fixes_the_shell_instruction() {
        assert_eq!(
            fixed(
                "DL4006",
                "FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\nRUN a | b\nRUN c | d\n",
                Applicability::Unsafe
            ),
            "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\nRUN c | d\n"
        );
        assert_eq!(
            fixed(
                "DL4006",
                "FROM debian\nRUN [\"bash\", \"-c\", \"a | b\"]\n",
                Applicability::Unsafe
            ),
            "FROM debian\nRUN [\"bash\", \"-o\", \"pipefail\", \"-c\", \"a | b\"]\n"
        );
        // the default shell may not be bash: no fix
        assert_eq!(
            fixed("DL4006", "FROM debian\nRUN a | b\n", Applicability::Unsafe),
            "FROM debian\nRUN a | b\n"
        );
    }
}
