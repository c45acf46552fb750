//! `npm` and `yarn`: installing packages and the package cache.

use super::args::Args;
use super::{ShellWord, SimpleCommand};

/// Options of `npm` that take a value when written apart from it.
pub const NPM_OPTIONS_WITH_VALUE: &[&str] = &[
    "--prefix",
    "-C",
    "-w",
    "--workspace",
    "--omit",
    "--include",
    "--registry",
    "--cache",
    "--tag",
    "--save-prefix",
    "--loglevel",
    "--userconfig",
    "--globalconfig",
    "--install-strategy",
    "--before",
    "--fetch-retries",
    "--fetch-timeout",
    "--network-concurrency",
    "--maxsockets",
    "--only",
    "--also",
    "--target_arch",
    "--target_platform",
    "--arch",
    "--platform",
    "--libc",
    "--os",
    "--cpu",
];

/// Options of `yarn` that take a value when written apart from it.
pub const YARN_OPTIONS_WITH_VALUE: &[&str] = &[
    "--cwd",
    "--network-timeout",
    "--mutex",
    "--cache-folder",
    "--modules-folder",
    "--registry",
    "--global-folder",
    "--link-folder",
    "--network-concurrency",
    "--mode",
];

/// An `npm install <packages>` command.
#[derive(Clone, Debug)]
pub struct NpmInstall<'a> {
    pub cmd: &'a SimpleCommand,
    pub args: Args<'a>,
    /// The `install` word (or `i`, `add`).
    pub subcommand: &'a ShellWord,
    pub packages: Vec<&'a ShellWord>,
}

/// The `npm install` a command runs, if any (`install`, `i`, `add`, `isntall`).
pub fn npm_install(cmd: &SimpleCommand) -> Option<NpmInstall<'_>> {
    let args = Args::of(cmd)?;
    if args.program() != "npm" {
        return None;
    }
    let ops = args.operands(NPM_OPTIONS_WITH_VALUE);
    let (sub, packages) = ops.split_first()?;
    if !matches!(
        sub.value.as_str(),
        "install" | "i" | "add" | "isntall" | "in"
    ) {
        return None;
    }
    Some(NpmInstall {
        cmd,
        args,
        subcommand: sub,
        packages: packages.to_vec(),
    })
}

/// Whether an npm package spec names a version, tag or fixed source:
/// `pkg@1.2`, `@scope/pkg@^1`, `pkg@latest`, a git URL with `#ref`, a
/// tarball, a folder or a `file:` spec.
pub fn is_npm_pinned(spec: &str) -> bool {
    let s = spec.trim();
    let lower = s.to_ascii_lowercase();
    let git = ["git:", "git+", "github:", "gitlab:", "bitbucket:", "gist:"];
    if git.iter().any(|p| lower.starts_with(p)) {
        return s.contains('#');
    }
    if [".tar", ".tar.gz", ".tgz"]
        .iter()
        .any(|x| lower.ends_with(x))
        || ["/", "./", "../", "~/", "file:", "link:"]
            .iter()
            .any(|p| lower.starts_with(p))
        || s == "."
        || s == ".."
    {
        return true;
    }
    // `user/repo` is a GitHub shorthand: pinned with `#ref`
    let unscoped = match s.strip_prefix('@') {
        Some(rest) => rest.split_once('/').map_or(rest, |(_, name)| name),
        None => {
            if s.contains('/') && !s.contains('@') {
                return s.contains('#');
            }
            s
        }
    };
    unscoped.contains('@')
}

/// A `yarn` command that installs a project's dependencies: `yarn install`
/// or a bare `yarn` (which means the same).
pub fn yarn_install(cmd: &SimpleCommand) -> Option<&ShellWord> {
    let args = Args::of(cmd)?;
    if args.program() != "yarn" {
        return None;
    }
    let ops = args.operands(YARN_OPTIONS_WITH_VALUE);
    match ops.first() {
        Some(w) if w.value == "install" => Some(w),
        None if !args.words.iter().any(|w| {
            matches!(
                w.value.as_str(),
                "--version" | "-v" | "-V" | "--help" | "-h"
            )
        }) =>
        {
            Some(args.name)
        }
        _ => None,
    }
}

/// Whether a command cleans yarn's cache: `yarn cache clean`.
pub fn is_yarn_cache_clean(cmd: &SimpleCommand) -> bool {
    let Some(args) = Args::of(cmd) else {
        return false;
    };
    if args.program() != "yarn" {
        return false;
    }
    let ops = args.operands(YARN_OPTIONS_WITH_VALUE);
    matches!(
        (ops.first(), ops.get(1)),
        (Some(a), Some(b)) if a.value == "cache" && b.value == "clean"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_pins() {
        for s in [
            "express@4.18.2",
            "@angular/cli@17",
            "typescript@latest",
            "git+https://github.com/a/b.git#v1",
            "./local",
            "pkg.tgz",
            "file:../x",
            "user/repo#abc",
        ] {
            assert!(is_npm_pinned(s), "{s}");
        }
        for s in [
            "express",
            "@angular/cli",
            "git+https://github.com/a/b.git",
            "user/repo",
        ] {
            assert!(!is_npm_pinned(s), "{s}");
        }
    }
}
