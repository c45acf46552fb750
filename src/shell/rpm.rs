//! The RPM package managers: `yum`, `dnf`, `microdnf` and `zypper`, their
//! subcommands, options and packages.

use super::apt::PackageCommand;
use super::args::Args;
use super::{ShellWord, SimpleCommand};

/// Options of `yum`, `dnf` and `microdnf` that take a value (when written
/// apart from it).
pub const DNF_OPTIONS_WITH_VALUE: &[&str] = &[
    "-c",
    "--config",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "-R",
    "--randomwait",
    "-x",
    "--exclude",
    "--excludepkgs",
    "--installroot",
    "--enablerepo",
    "--disablerepo",
    "--repo",
    "--repoid",
    "--repofrompath",
    "--releasever",
    "--setopt",
    "--forcearch",
    "--color",
    "--comment",
    "--downloaddir",
    "--destdir",
    "--rpmverbosity",
    "--enableplugin",
    "--disableplugin",
    "--platform-id",
    "--use-host-config",
];

/// Options of `zypper` that take a value (global and of `install`).
pub const ZYPPER_OPTIONS_WITH_VALUE: &[&str] = &[
    "-c",
    "--config",
    "-R",
    "--root",
    "--installroot",
    "-D",
    "--reposd-dir",
    "-C",
    "--cache-dir",
    "--raw-cache-dir",
    "--solv-cache-dir",
    "--pkg-cache-dir",
    "-r",
    "--repo",
    "-t",
    "--type",
    "--from",
    "-p",
    "--plus-repo",
    "--plus-content",
    "--releasever",
];

/// The package managers of the dnf family.
pub const DNF_PROGRAMS: &[&str] = &["dnf", "dnf5", "dnf4", "dnf-3", "microdnf", "tdnf"];

fn invocation<'a>(
    cmd: &'a SimpleCommand,
    accept: impl Fn(&str) -> bool,
    with_value: &[&str],
) -> Option<PackageCommand<'a>> {
    let args = Args::of(cmd)?;
    if !accept(args.program()) {
        return None;
    }
    let ops = args.operands(with_value);
    let (subcommand, packages) = match ops.split_first() {
        Some((s, rest)) => (Some(*s), rest.to_vec()),
        None => (None, Vec::new()),
    };
    Some(PackageCommand {
        cmd,
        args,
        subcommand,
        packages,
    })
}

/// A `yum` command.
pub fn yum(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    invocation(cmd, |p| p == "yum", DNF_OPTIONS_WITH_VALUE)
}

/// A `dnf` or `microdnf` command (`dnf5`, `tdnf` too).
pub fn dnf(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    invocation(cmd, |p| DNF_PROGRAMS.contains(&p), DNF_OPTIONS_WITH_VALUE)
}

/// A `yum`, `dnf` or `microdnf` command.
pub fn yum_or_dnf(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    invocation(
        cmd,
        |p| p == "yum" || DNF_PROGRAMS.contains(&p),
        DNF_OPTIONS_WITH_VALUE,
    )
}

/// A `zypper` command.
pub fn zypper(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    invocation(cmd, |p| p == "zypper", ZYPPER_OPTIONS_WITH_VALUE)
}

/// The subcommand of a yum/dnf command, with `group install` and
/// `module install` read as one: (`groupinstall`, packages) or
/// (`module install`, modules).
pub fn dnf_action<'a>(pc: &PackageCommand<'a>) -> Option<(String, Vec<&'a ShellWord>)> {
    let sub = pc.subcommand?;
    let s = sub.value.as_str();
    match s {
        "group" | "groups" | "module" => {
            let (second, rest) = pc.packages.split_first()?;
            let action = if s == "module" {
                format!("module {}", second.value)
            } else {
                format!("group{}", second.value)
            };
            Some((action, rest.to_vec()))
        }
        _ => Some((s.to_string(), pc.packages.clone())),
    }
}

/// Whether a yum/dnf package operand names a version: `name-1.2.3`,
/// `name-1.2-3.el9`, `name-0:1.2`, an `.rpm` file, or a path or URL.
/// A part after a dash counts as a version when it starts with a digit and
/// holds only version characters (`java-11-openjdk` reads as one, as
/// hadolint reads it).
pub fn is_dnf_versioned(pkg: &str) -> bool {
    let lower = pkg.to_ascii_lowercase();
    if lower.ends_with(".rpm") || pkg.contains('/') {
        return true;
    }
    let mut parts = pkg.split('-');
    parts.next();
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && rest.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".~^_:+*".contains(c))
        })
        && rest
            .iter()
            .any(|p| p.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Whether a `zypper install` operand names a version: `name=1.2`,
/// `name>=1.2`, `name<2`, an `.rpm` file, or a path or URL.
pub fn is_zypper_versioned(pkg: &str) -> bool {
    pkg.contains(['=', '<', '>']) || pkg.to_ascii_lowercase().ends_with(".rpm") || pkg.contains('/')
}

/// Whether `yum`/`dnf`/`zypper` was told not to ask: `-y`, `--assumeyes`,
/// and for zypper `-n`, `--non-interactive`, `--no-confirm`.
pub fn assumes_yes(pc: &PackageCommand<'_>) -> bool {
    let a = &pc.args;
    if pc.args.program() == "zypper" {
        // `-n` is global (before the subcommand); after `install` it means
        // `--name`
        let before_sub = pc.subcommand.map_or(a.words.len(), |s| {
            a.words
                .iter()
                .position(|w| std::ptr::eq(w, s))
                .unwrap_or(a.words.len())
        });
        let global = Args {
            name: a.name,
            words: &a.words[..before_sub],
        };
        let local = Args {
            name: a.name,
            words: a.words.get(before_sub..).unwrap_or(&[]),
        };
        return global.has(&['n'], &["non-interactive", "no-confirm"])
            || local.has(&['y'], &["no-confirm", "non-interactive"]);
    }
    a.has(&['y'], &["assumeyes", "assume-yes"])
}

/// The yum/dnf actions that ask for confirmation.
pub const DNF_PROMPTING: &[&str] = &[
    "install",
    "groupinstall",
    "localinstall",
    "reinstall",
    "remove",
    "erase",
    "update",
    "upgrade",
    "update-minimal",
    "upgrade-minimal",
    "downgrade",
    "distro-sync",
    "distrosync",
    "dist-upgrade",
    "autoremove",
    "groupupdate",
    "groupupgrade",
    "groupremove",
    "swap",
    "module install",
    "module enable",
    "module disable",
    "module reset",
    "module remove",
    "module switch-to",
];

/// The zypper subcommands that ask for confirmation.
pub const ZYPPER_PROMPTING: &[&str] = &[
    "install",
    "in",
    "remove",
    "rm",
    "source-install",
    "si",
    "patch",
    "update",
    "up",
    "dist-upgrade",
    "dup",
    "install-new-recommends",
    "inr",
];

/// The word of a yum/dnf command after which options of its action go
/// (`install`, or `install` in `group install`).
pub fn action_word<'a>(pc: &PackageCommand<'a>) -> Option<&'a ShellWord> {
    let sub = pc.subcommand?;
    match sub.value.as_str() {
        "group" | "groups" | "module" => pc.packages.first().copied(),
        _ => Some(sub),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{Dialect, Script};
    use crate::source::Span;

    fn script(t: &str) -> Script {
        Script::from_text(
            t.into(),
            vec![(0, 0)],
            Span::new(0, t.len() as u32),
            Dialect::Sh,
        )
    }

    #[test]
    fn reads_subcommands_and_packages() {
        let s = script("dnf --setopt install_weak_deps=0 -y install nginx-1.20 git");
        let pc = dnf(&s.commands[0]).unwrap();
        let (action, pkgs) = dnf_action(&pc).unwrap();
        assert_eq!(action, "install");
        let pkgs: Vec<_> = pkgs.iter().map(|w| w.value.as_str()).collect();
        assert_eq!(pkgs, ["nginx-1.20", "git"]);
        assert!(assumes_yes(&pc));
        let s = script("yum group install -y 'Development Tools'");
        let pc = yum(&s.commands[0]).unwrap();
        assert_eq!(dnf_action(&pc).unwrap().0, "groupinstall");
    }

    #[test]
    fn zypper_yes_forms() {
        for (t, yes) in [
            ("zypper -n install x", true),
            ("zypper --non-interactive in x", true),
            ("zypper install -y x", true),
            ("zypper install --no-confirm x", true),
            ("zypper install -n x", false),
            ("zypper install x", false),
        ] {
            let s = script(t);
            let pc = zypper(&s.commands[0]).unwrap();
            assert_eq!(assumes_yes(&pc), yes, "{t}");
        }
    }

    #[test]
    fn versions() {
        for p in [
            "nginx-1.20.1",
            "httpd-2.4.37-43.module_el8",
            "x-0:1.2",
            "/tmp/x.rpm",
            "https://h/x.noarch.rpm",
            "java-11-openjdk",
        ] {
            assert!(is_dnf_versioned(p), "{p}");
        }
        for p in ["nginx", "python3-devel", "epel-release", "gcc-c++"] {
            assert!(!is_dnf_versioned(p), "{p}");
        }
        assert!(is_zypper_versioned("curl=8.0"));
        assert!(!is_zypper_versioned("curl"));
    }
}
