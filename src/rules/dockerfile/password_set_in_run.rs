use crate::rules::*;
use crate::shell::args::Args;
use crate::shell::{ShellWord, SimpleCommand};
use crate::syntax::{Instruction, Kind};

/// IL4005
pub struct PasswordSetInRun;

const META: Meta = Meta {
    code: "IL4005",
    name: "password-set-in-run",
    aliases: &["CKV2_DOCKER_17"],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A password set in a build step (`chpasswd`, `usermod -p`)",
    doc: include_str!("../../../rules/password-set-in-run.md"),
    target: Target::Dockerfile,
};

/// Values of `-p` that lock the account rather than set a password.
fn locks(value: &str) -> bool {
    value.is_empty() || value.starts_with('!') || value == "*" || value == "x"
}

fn sets_password(cmd: &SimpleCommand) -> Option<(&ShellWord, String)> {
    let args = Args::of(cmd)?;
    match args.program() {
        "chpasswd" => Some((
            args.name,
            "`chpasswd` sets a password in a build step".to_string(),
        )),
        p @ ("usermod" | "useradd" | "adduser") => {
            let value = args.value(&['p'], &["password"])?;
            if locks(value) {
                return None;
            }
            let word = args.find(&['p'], &["password"])?;
            Some((word, format!("`{p} -p` sets a password in a build step")))
        }
        "passwd" if args.has(&[], &["stdin"]) => Some((
            args.name,
            "`passwd --stdin` sets a password in a build step".to_string(),
        )),
        _ => None,
    }
}

impl Rule for PasswordSetInRun {
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
            .filter_map(|c| sets_password(c).map(|(w, m)| (w.span, m)))
            .collect();
        for (span, message) in found {
            cx.report(span, message).help(
                "a password written in the Dockerfile stays in the image history: lock the account or set it when the container starts, from a secret",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_passwords() {
        fires(
            "IL4005",
            "FROM debian\nRUN echo 'root:secret' | chpasswd\n",
            &["2:26 IL4005 `chpasswd` sets a password in a build step"],
        );
        assert_eq!(
            spans(
                "IL4005",
                "FROM debian\nRUN useradd -m -p \"$(openssl passwd -1 pw)\" app\n"
            ),
            ["-p"]
        );
        assert_eq!(
            spans("IL4005", "FROM centos\nRUN echo pw | passwd --stdin root\n"),
            ["passwd"]
        );
    }

    #[test]
    fn passes_for_locked_accounts() {
        passes(
            "IL4005",
            "FROM debian\nRUN useradd -m app && usermod -p '!' app && passwd -l root && usermod -p '*' x\n",
        );
    }
}
