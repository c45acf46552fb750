use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// IL3002
pub struct OrphanPackageIndexUpdate;

const META: Meta = Meta {
    code: "IL3002",
    name: "orphan-package-index-update",
    aliases: &[
        "DS-0017",
        "DS017",
        "docker-no-orphan-package-update",
        "CKV_DOCKER_5",
        "CIS-DI-0007",
    ],
    severity: Severity::Warning,
    category: Category::Cache,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A package index update with no install after it in the same `RUN`",
    doc: include_str!("../../../rules/orphan-package-index-update.md"),
    target: Target::Dockerfile,
};

/// The package manager whose index the command refreshes, if it does.
fn index_update(cmd: &SimpleCommand) -> Option<&'static str> {
    let args = Args::of(cmd)?;
    let sub = args
        .operands(&["-o", "-c", "-t", "-X"])
        .first()
        .map(|w| w.value.as_str())?;
    match (args.program(), sub) {
        ("apt-get", "update") => Some("apt-get"),
        ("apt", "update") => Some("apt"),
        ("apk", "update") => Some("apk"),
        ("zypper", "refresh" | "ref") => Some("zypper"),
        ("dnf" | "yum" | "microdnf" | "tdnf", "makecache") => Some("dnf"),
        _ => None,
    }
}

/// Commands that cannot be using the refreshed index: clean-up and file
/// shuffling. Anything else after the update may install something.
fn harmless(cmd: &SimpleCommand) -> bool {
    let Some(program) = cmd.program() else {
        return true;
    };
    let verb = Args::of(cmd)
        .and_then(|a| a.operands(&["-o", "-c"]).first().map(|w| w.value.clone()))
        .unwrap_or_default();
    match program {
        "rm" | "echo" | "printf" | "true" | ":" | "mkdir" | "ln" | "cp" | "mv" | "chmod"
        | "chown" | "touch" | "set" | "export" | "cd" | "ls" | "cat" | "find" | "sed"
        | "apt-cache" | "apt-mark" | "date" | "sleep" => true,
        "apt-get" | "apt" => matches!(verb.as_str(), "clean" | "autoclean" | "update"),
        "apk" => matches!(verb.as_str(), "update" | "info" | "search" | "cache"),
        _ => false,
    }
}

impl Rule for OrphanPackageIndexUpdate {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let commands: Vec<&SimpleCommand> = cx
            .scripts()
            .iter()
            .flat_map(|s| s.commands.iter())
            .filter(|c| !c.context.substitution)
            .collect();
        let Some(at) = commands.iter().position(|c| index_update(c).is_some()) else {
            return;
        };
        if commands[at + 1..].iter().any(|c| !harmless(c)) {
            return;
        }
        let cmd = commands[at];
        let pm = index_update(cmd).unwrap_or("apt-get");
        // an index kept in a cache mount is not frozen in a layer
        let index_dirs: &[&str] = match pm {
            "apk" => &["/etc/apk/cache", "/var/cache/apk"],
            "zypper" => &["/var/cache/zypp"],
            "dnf" => &["/var/cache/dnf", "/var/cache/yum", "/var/cache/tdnf"],
            _ => &["/var/lib/apt/lists"],
        };
        let i = cx.instruction_index().unwrap_or(0);
        let workdir = cx
            .state()
            .and_then(|s| s.workdir.as_deref().map(str::to_string));
        if crate::shell::cache::has_cache_mount(
            ins,
            index_dirs,
            &|t| cx.expand_at(i, t),
            workdir.as_deref(),
        ) {
            return;
        }
        let verb = match pm {
            "zypper" => "refresh",
            "dnf" => "makecache",
            _ => "update",
        };
        let install = match pm {
            "apk" => "add",
            _ => "install",
        };
        cx.report(cmd.span, format!("`{pm} {verb}` with no install after it in this `RUN`"))
            .help(format!(
                "run `{pm} {verb}` and `{pm} {install}` in the same `RUN`: a cached update layer leaves later installs with a stale index"
            ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_updates_alone() {
        fires(
            "IL3002",
            "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n",
            &["2:5 IL3002 `apt-get update` with no install after it in this `RUN`"],
        );
        fires(
            "IL3002",
            "FROM alpine\nRUN apk update && rm -rf /tmp/*\n",
            &["2:5 IL3002 `apk update` with no install after it in this `RUN`"],
        );
        assert_eq!(
            spans(
                "IL3002",
                "FROM fedora\nRUN <<EOF\nset -e\ndnf makecache\nEOF\n"
            ),
            ["dnf makecache"]
        );
        assert_eq!(
            spans("IL3002", "FROM opensuse/leap\nONBUILD RUN zypper ref\n").len(),
            1
        );
    }

    #[test]
    fn passes_when_something_may_install() {
        passes(
            "IL3002",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN apt-get update \\\n  # then\n  && ./install-deps.sh\nRUN apk update && apk add git\nRUN apt update && apt full-upgrade -y && apt-get clean\nRUN yum update -y\nRUN --mount=type=cache,target=/var/cache/tdnf tdnf install -y x && tdnf makecache\n",
        );
    }
}
