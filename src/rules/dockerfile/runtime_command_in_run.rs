use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3001
pub struct RuntimeCommandInRun;

const META: Meta = Meta {
    code: "DL3001",
    name: "runtime-command-in-run",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`RUN` uses a command that only makes sense in a running container",
    doc: include_str!("../../../rules/runtime-command-in-run.md"),
    target: Target::Dockerfile,
};

/// Commands for a running system or an interactive session.
const RUNTIME_COMMANDS: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

impl Rule for RuntimeCommandInRun {
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
            .filter_map(|c| {
                let (name, _) = c.unwrapped();
                let name = name?;
                let base = name.value.rsplit('/').next().unwrap_or(&name.value);
                RUNTIME_COMMANDS
                    .contains(&base)
                    .then(|| (base.to_string(), name.span))
            })
            .collect();
        let Some((first, span)) = found.first().cloned() else {
            return;
        };
        let mut r = cx
            .report(
                span,
                format!("`{first}` makes no sense while the image is built"),
            )
            .help("run it in the container, or remove it from the build");
        for (name, span) in found.iter().skip(1) {
            r = r.label(*span, format!("`{name}` too"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_runtime_commands() {
        fires(
            "DL3001",
            "FROM debian\nRUN apt-get update && service nginx start\n",
            &["2:23 DL3001 `service` makes no sense while the image is built"],
        );
        fires(
            "DL3001",
            "FROM debian\nRUN top -b -n1 \\\n  # and stop\n  && sudo shutdown -h now\n",
            &["2:5 DL3001 `top` makes no sense while the image is built"],
        );
        assert_eq!(
            spans("DL3001", "FROM debian\nRUN true && /usr/bin/vim -c q x\n"),
            ["/usr/bin/vim"]
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3001",
            "FROM debian\nRUN <<EOF\nset -e\nps aux\nEOF\n",
            &["4:1 DL3001 `ps` makes no sense while the image is built"],
        );
        fires(
            "DL3001",
            "FROM debian\nONBUILD RUN kill -9 1\n",
            &["2:13 DL3001 `kill` makes no sense while the image is built"],
        );
    }

    #[test]
    fn passes_on_packages_and_other_commands() {
        passes("DL3001", "FROM debian\nRUN apt-get install -y vim procps\n");
        passes("DL3001", "FROM debian\nRUN ssh-keyscan github.com >> /k\n");
        passes("DL3001", "FROM debian\nRUN echo ps top\n");
        passes("DL3001", "FROM debian\nCMD [\"top\"]\n");
    }
}
