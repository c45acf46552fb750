//! `pip install` in its forms: `pip`, `pip3`, `pip3.12`, `python -m pip`,
//! `python3.12 -m pip` and `uv pip`. `pipx` and `pipenv` manage their own
//! environments and are not pip.

use super::args::Args;
use super::{ShellWord, SimpleCommand};

/// Options of `pip install` (and `uv pip install`) that take a value.
pub const PIP_OPTIONS_WITH_VALUE: &[&str] = &[
    "-r",
    "--requirement",
    "--requirements",
    "-c",
    "--constraint",
    "--constraints",
    "-e",
    "--editable",
    "-t",
    "--target",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--root",
    "--prefix",
    "-b",
    "--build",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "-i",
    "--index-url",
    "--extra-index-url",
    "--index-strategy",
    "-f",
    "--find-links",
    "--trusted-host",
    "--proxy",
    "--log",
    "--log-file",
    "--cert",
    "--client-cert",
    "--cache-dir",
    "--timeout",
    "--retries",
    "--exists-action",
    "--global-option",
    "--install-option",
    "--config-settings",
    "-C",
    "--report",
    "--no-binary",
    "--only-binary",
    "--python",
    "-p",
    "--keyring-provider",
    "--root-user-action",
    "--use-feature",
    "--use-deprecated",
    "--group",
    "--extra",
    "--overrides",
    "--resolution",
    "--prerelease",
    "--exclude-newer",
    "--link-mode",
    "--reinstall-package",
    "--upgrade-package",
    "-P",
    "--no-build-isolation-package",
    "--directory",
    "--project",
    "--config-file",
];

/// Which front end runs pip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipFrontEnd {
    /// `pip`, `pip3`, `python -m pip` …
    Pip,
    /// `uv pip`
    Uv,
}

/// A `pip install` command.
#[derive(Clone, Debug)]
pub struct PipInstall<'a> {
    pub cmd: &'a SimpleCommand,
    pub front_end: PipFrontEnd,
    /// The program word (`pip3`, `python3`, `uv`).
    pub program: &'a ShellWord,
    /// The `install` word.
    pub subcommand: &'a ShellWord,
    /// The words after `install`.
    pub args: Args<'a>,
    /// How people say it: `pip3 install`, `python -m pip install`.
    pub label: String,
}

impl<'a> PipInstall<'a> {
    /// The requirement operands (options and their values skipped).
    pub fn packages(&self) -> Vec<&'a ShellWord> {
        self.args.operands(PIP_OPTIONS_WITH_VALUE)
    }

    /// Whether the packages come from requirements or constraints files
    /// (`-r`, `-c`), which pin them.
    pub fn uses_requirement_files(&self) -> bool {
        self.args.has(
            &['r', 'c'],
            &["requirement", "requirements", "constraint", "constraints"],
        )
    }
}

/// Whether `name` is pip's program name: `pip`, `pip3`, `pip3.12`.
pub fn is_pip_program(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("pip") else {
        return false;
    };
    rest.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Whether `name` is a Python interpreter: `python`, `python3`,
/// `python3.12`, `pypy3`.
pub fn is_python_program(name: &str) -> bool {
    let rest = name
        .strip_prefix("python")
        .or_else(|| name.strip_prefix("pypy"));
    rest.is_some_and(|r| r.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The `pip install` a command runs, if it runs one.
pub fn pip_install(cmd: &SimpleCommand) -> Option<PipInstall<'_>> {
    let args = Args::of(cmd)?;
    let program = args.program();
    let (front_end, prog_word, rest, label): (PipFrontEnd, &ShellWord, &[ShellWord], String) =
        if is_pip_program(program) {
            (PipFrontEnd::Pip, args.name, args.words, program.to_string())
        } else if is_python_program(program) {
            // python [-I -u …] -m pip …
            let at = python_module_pip(args.words)?;
            (
                PipFrontEnd::Pip,
                args.name,
                args.words.get(at..)?,
                format!("{program} -m pip"),
            )
        } else if program == "uv" {
            let ops = args.operands(PIP_OPTIONS_WITH_VALUE);
            let pip = *ops.first()?;
            if pip.value != "pip" {
                return None;
            }
            let at = args.words.iter().position(|w| std::ptr::eq(w, pip))?;
            (
                PipFrontEnd::Uv,
                args.name,
                args.words.get(at + 1..)?,
                "uv pip".to_string(),
            )
        } else {
            return None;
        };
    // the subcommand is the first operand (global options before it)
    let global = Args {
        name: prog_word,
        words: rest,
    };
    let sub = *global.operands(PIP_OPTIONS_WITH_VALUE).first()?;
    if sub.value != "install" {
        return None;
    }
    let at = rest.iter().position(|w| std::ptr::eq(w, sub))?;
    Some(PipInstall {
        cmd,
        front_end,
        program: prog_word,
        subcommand: sub,
        args: Args {
            name: sub,
            words: &rest[at + 1..],
        },
        label: format!("{label} install"),
    })
}

/// Where the arguments of pip start in `python … -m pip …`: the index after
/// `pip`, when the interpreter runs the pip module.
fn python_module_pip(words: &[ShellWord]) -> Option<usize> {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if v == "-m" {
            return (words.get(i + 1)?.value == "pip").then_some(i + 2);
        }
        if let Some(module) = v.strip_prefix("-m") {
            return (module == "pip").then_some(i + 1);
        }
        // a script, `-c` code or `-` (standard input): not pip
        if !v.starts_with('-') || v == "-" || v.starts_with("-c") {
            return None;
        }
        // options that take a value
        i += if matches!(v, "-W" | "-X") { 2 } else { 1 };
    }
    None
}

/// Version specifiers of PEP 440 and a direct reference (`name @ url`).
const VERSION_SYMBOLS: &[&str] = &["==", ">=", "<=", "~=", "!=", "===", "<", ">", "@"];

/// Schemes pip installs from version control.
const VCS_PREFIXES: &[&str] = &["git+", "hg+", "svn+", "bzr+", "git://"];

/// Whether a requirement names what it installs exactly enough: a version
/// specifier, a VCS URL with `@ref`, a local path, an archive or wheel.
pub fn is_pinned_requirement(req: &str) -> bool {
    let r = req.trim();
    if r.is_empty() || r.starts_with('-') {
        return true;
    }
    let lower = r.to_ascii_lowercase();
    if VCS_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        // git+https://host/repo.git@v1.2#egg=x
        let after_scheme = r.split_once("://").map_or(r, |(_, rest)| rest);
        return after_scheme.contains('@');
    }
    if VERSION_SYMBOLS.iter().any(|s| r.contains(s)) {
        return true;
    }
    // local directories, files and archives
    r.starts_with('.')
        || r.contains('/')
        || r.contains('\\')
        || [".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz"]
            .iter()
            .any(|s| lower.ends_with(s))
}

/// Whether a `PIP_NO_CACHE_DIR` value turns the cache off. pip reads it
/// as a boolean and, for compatibility, disables the cache for any valid
/// boolean, `0` and `false` included.
pub fn disables_pip_cache(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on" | "0" | "false" | "f" | "no" | "n" | "off"
    )
}

/// Whether a `UV_NO_CACHE` value turns uv's cache off.
pub fn disables_uv_cache(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on"
    )
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

    fn packages(t: &str) -> Option<(String, Vec<String>)> {
        let s = script(t);
        let p = pip_install(&s.commands[0])?;
        Some((
            p.label.clone(),
            p.packages().iter().map(|w| w.value.clone()).collect(),
        ))
    }

    #[test]
    fn recognises_every_form() {
        assert_eq!(
            packages("pip install -U flask"),
            Some(("pip install".into(), vec!["flask".into()]))
        );
        assert_eq!(
            packages("sudo pip3.11 install --index-url https://x y"),
            Some(("pip3.11 install".into(), vec!["y".into()]))
        );
        assert_eq!(
            packages("python3 -m pip install --no-cache-dir a b"),
            Some((
                "python3 -m pip install".into(),
                vec!["a".into(), "b".into()]
            ))
        );
        assert_eq!(
            packages("python -I -m pip --quiet install a"),
            Some(("python -m pip install".into(), vec!["a".into()]))
        );
        assert_eq!(
            packages("uv pip install --system ruff"),
            Some(("uv pip install".into(), vec!["ruff".into()]))
        );
    }

    #[test]
    fn other_tools_are_not_pip() {
        for t in [
            "pipx install black",
            "pipenv install flask",
            "python -m pipx install black",
            "python setup.py install",
            "python -m venv /v",
            "pip download flask",
            "pip-compile requirements.in",
            "uv tool install ruff",
        ] {
            assert!(packages(t).is_none(), "{t}");
        }
    }

    #[test]
    fn pinned_requirements() {
        for r in [
            "flask==2.0",
            "flask>=2",
            "flask[async]~=2.0",
            "x @ https://h/x.whl",
            "git+https://github.com/a/b.git@v1",
            ".",
            ".[dev,test]",
            "./pkg",
            "/tmp/x.whl",
            "dist/x-1.0.tar.gz",
            "x.whl",
        ] {
            assert!(is_pinned_requirement(r), "{r}");
        }
        for r in ["flask", "flask[async]", "git+https://github.com/a/b.git"] {
            assert!(!is_pinned_requirement(r), "{r}");
        }
    }
}
