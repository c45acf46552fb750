use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::{Dialect, Script};
use crate::syntax::{Command, Instruction, Kind};

/// DL3025
pub struct ShellFormCommand;

const META: Meta = Meta {
    code: "DL3025",
    name: "shell-form-command",
    aliases: &["JSONArgsRecommended"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "Shell-form `CMD`/`ENTRYPOINT`: signals never reach the program",
    doc: include_str!("../../../rules/shell-form-command.md"),
    target: Target::Dockerfile,
};

/// The exec form of a shell command, when it is a single plain command
/// whose words need no shell.
pub(crate) fn exec_form(text: &str) -> Option<String> {
    let script = Script::from_text(
        text.to_string(),
        vec![(0, 0)],
        crate::source::Span::new(0, text.len() as u32),
        Dialect::Sh,
    );
    if script.error.is_some() || script.commands.len() != 1 || script.pipelines.len() != 1 {
        return None;
    }
    let cmd = &script.commands[0];
    if !cmd.assignments.is_empty() || !cmd.redirects.is_empty() || cmd.context != Default::default()
    {
        return None;
    }
    let words: Vec<&crate::shell::ShellWord> = cmd.name.iter().chain(cmd.args.iter()).collect();
    if words
        .iter()
        .any(|w| w.dynamic || w.value.contains(['*', '?', '[', '~']))
    {
        return None;
    }
    let parts: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(&w.value).unwrap_or_default())
        .collect();
    Some(format!("[{}]", parts.join(", ")))
}

impl Rule for ShellFormCommand {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Cmd, Kind::Entrypoint]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Some(Command::Shell {
            text, json_error, ..
        }) = ins.command()
        else {
            return;
        };
        if let Some(st) = cx.state() {
            // Windows images (and PowerShell or cmd shells) have no POSIX
            // signals; any POSIX shell as PID 1 swallows them, a `SHELL`
            // changed to bash included
            let windows = cx
                .build()
                .stage_of(cx.instruction_index().unwrap_or(0))
                .is_some_and(|s| s.windows);
            if windows
                || crate::shell::dialect_of_shell(&st.shell) == crate::shell::Dialect::NonPosix
            {
                return;
            }
        }
        let body = text.text.trim_start();
        // `exec prog` replaces the shell, so the program is PID 1
        if body.starts_with("exec ") {
            return;
        }
        // a broken JSON array is invalid-exec-form's to fix
        let fix = (json_error.is_none())
            .then(|| exec_form(&text.text))
            .flatten()
            .map(|json| Fix::unsafe_("use the exec form", vec![Edit::replace(text.span, json)]));
        let kw = ins.kind.name();
        cx.report(
            text.span,
            format!("shell-form `{kw}` runs under a shell, so signals never reach the program"),
        )
        .help(format!(
            "use the exec form `{kw} [\"program\", \"arg\"]`, or start with `exec` so the program replaces the shell"
        ))
        .maybe_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_shell_form() {
        // bash as PID 1 does not pass signals on either
        fires(
            "DL3025",
            "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nCMD \"/setup.sh\"\n",
            &["3:5 DL3025 shell-form `CMD` runs under a shell, so signals never reach the program"],
        );
        fires(
            "DL3025",
            "FROM nginx:1\nCMD nginx -g 'daemon off;'\n",
            &["2:5 DL3025 shell-form `CMD` runs under a shell, so signals never reach the program"],
        );
        fires(
            "DL3025",
            "FROM alpine\nENTRYPOINT /app/run.sh \\\n  --port 80\n",
            &[
                "2:12 DL3025 shell-form `ENTRYPOINT` runs under a shell, so signals never reach the program",
            ],
        );
    }

    #[test]
    fn fixes_simple_commands_to_exec_form() {
        assert_eq!(
            fixed(
                "DL3025",
                "FROM nginx:1\nCMD nginx -g 'daemon off;'\n",
                Applicability::Unsafe
            ),
            "FROM nginx:1\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
        );
        // variables need the shell: no fix offered
        let text = "FROM alpine\nCMD app --port $PORT\n";
        assert_eq!(fixed("DL3025", text, Applicability::Unsafe), text);
    }

    #[test]
    fn passes_for_exec_form_exec_and_custom_shells() {
        passes(
            "DL3025",
            "FROM alpine\nCMD [\"app\"]\nENTRYPOINT [\"tini\", \"--\"]\n",
        );
        passes("DL3025", "FROM alpine\nCMD exec app --port $PORT\n");
        passes(
            "DL3025",
            "FROM alpine\nSHELL [\"pwsh\", \"-Command\"]\nCMD app\n",
        );
        passes(
            "DL3025",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD app.exe\n",
        );
    }
}
