use crate::rules::*;
use crate::shell::{ShellWord, SimpleCommand};
use crate::syntax::{Instruction, Kind};

/// DL3004
pub struct SudoInRun;

const META: Meta = Meta {
    code: "DL3004",
    name: "sudo-in-run",
    aliases: &[
        "DS-0010",
        "DS010",
        "docker-no-sudo-run",
        "CKV2_DOCKER_1",
        "DKL-DI-0001",
    ],
    severity: Severity::Error,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`sudo` in `RUN`: switch users with `USER` instead",
    doc: include_str!("../../../rules/sudo-in-run.md"),
    target: Target::Dockerfile,
};

/// The `sudo` word of a command: its name, or a wrapper before the program
/// (`env X=1 sudo make`).
fn sudo_word(cmd: &SimpleCommand) -> Option<&ShellWord> {
    let name = cmd.name.as_ref()?;
    let is_sudo = |w: &ShellWord| w.value.rsplit('/').next() == Some("sudo");
    if is_sudo(name) {
        return Some(name);
    }
    let (program, _) = cmd.unwrapped();
    let program = program?;
    if std::ptr::eq(program, name) {
        return None;
    }
    cmd.args
        .iter()
        .take_while(|w| !std::ptr::eq(*w, program))
        .find(|w| is_sudo(w))
}

impl Rule for SudoInRun {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let found: Vec<_> = cx
            .scripts()
            .iter()
            .flat_map(|s| s.commands.iter())
            .filter_map(|c| sudo_word(c).map(|w| w.span))
            .collect();
        let Some(first) = found.first() else { return };
        let mut r = cx
            .report(*first, "`sudo` in a build step")
            .help("switch to root with `USER root` for the steps that need it, and back after");
        for span in found.iter().skip(1) {
            r = r.label(*span, "and here");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_sudo() {
        fires(
            "DL3004",
            "FROM debian\nUSER app\nRUN sudo apt-get update && sudo apt-get install -y x\n",
            &["3:5 DL3004 `sudo` in a build step"],
        );
        fires(
            "DL3004",
            "FROM debian\nRUN make \\\n  # install\n  && env DESTDIR=/o /usr/bin/sudo make install\n",
            &["4:21 DL3004 `sudo` in a build step"],
        );
        assert_eq!(
            spans("DL3004", "FROM debian\nRUN x=$(sudo cat /etc/shadow)\n"),
            ["sudo"]
        );
    }

    #[test]
    fn fires_in_heredocs_exec_form_and_onbuild() {
        fires(
            "DL3004",
            "FROM debian\nRUN <<EOF\nsudo make install\nEOF\n",
            &["3:1 DL3004 `sudo` in a build step"],
        );
        fires(
            "DL3004",
            "FROM debian\nONBUILD RUN sudo make\n",
            &["2:13 DL3004 `sudo` in a build step"],
        );
        fires(
            "DL3004",
            "FROM debian\nRUN [\"sh\", \"-c\", \"sudo make\"]\n",
            &["2:19 DL3004 `sudo` in a build step"],
        );
    }

    #[test]
    fn passes_without_running_sudo() {
        passes("DL3004", "FROM debian\nRUN apt-get install -y sudo\n");
        passes(
            "DL3004",
            "FROM debian\nRUN echo 'app ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers\n",
        );
        passes("DL3004", "FROM debian\nRUN chmod u+s /usr/bin/sudo\n");
    }
}
