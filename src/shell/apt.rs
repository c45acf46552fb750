//! `apt-get` and `apk` invocations: subcommand, options and packages.

use super::args::Args;
use super::{ShellWord, SimpleCommand};

/// Options of `apt-get` that take a value.
pub const APT_OPTIONS_WITH_VALUE: &[&str] = &[
    "-o",
    "--option",
    "-c",
    "--config-file",
    "-t",
    "--target-release",
    "--default-release",
    "-a",
    "--host-architecture",
];

/// Options of `apk` that take a value.
pub const APK_OPTIONS_WITH_VALUE: &[&str] = &[
    "-X",
    "--repository",
    "-t",
    "--virtual",
    "-p",
    "--root",
    "--arch",
    "--cache-dir",
    "--keys-dir",
    "--repositories-file",
    "--cache-max-age",
    "--timeout",
];

/// A package manager invocation.
#[derive(Clone, Debug)]
pub struct PackageCommand<'a> {
    pub cmd: &'a SimpleCommand,
    pub args: Args<'a>,
    /// `install`, `update`, `add` …
    pub subcommand: Option<&'a ShellWord>,
    /// The operands after the subcommand.
    pub packages: Vec<&'a ShellWord>,
}

impl PackageCommand<'_> {
    pub fn is(&self, sub: &str) -> bool {
        self.subcommand.is_some_and(|s| s.value == sub)
    }
}

fn invocation<'a>(
    cmd: &'a SimpleCommand,
    programs: &[&str],
    with_value: &[&str],
) -> Option<PackageCommand<'a>> {
    let args = Args::of(cmd)?;
    if !programs.contains(&args.program()) {
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

/// An `apt-get` command.
pub fn apt_get(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    invocation(cmd, &["apt-get"], APT_OPTIONS_WITH_VALUE)
}

/// An `apt-get` or `apt` command.
pub fn apt_any(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    invocation(cmd, &["apt-get", "apt"], APT_OPTIONS_WITH_VALUE)
}

/// An `apk` command.
pub fn apk(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    invocation(cmd, &["apk"], APK_OPTIONS_WITH_VALUE)
}

/// Whether an `apt-get install` package operand names a local `.deb` file
/// or a path rather than a package from a repository.
pub fn is_local_package(word: &str) -> bool {
    word.contains('/') || word.ends_with(".deb") || word.ends_with(".apk") || word.ends_with(".rpm")
}

/// The package names an operand stands for: its words after expanding the
/// script's and the Dockerfile's variables. An operand that stays unknown
/// counts only when it has literal text that shows it names one package
/// without a version (`postgresql-${PG_MAJOR}`); a bare `$PACKAGES` whose
/// value is unknown is skipped.
pub fn package_names(
    script: &super::Script,
    index: usize,
    word: &ShellWord,
    env: &dyn crate::syntax::lex::Env,
) -> Vec<String> {
    if let Some(words) = script.resolve_words(index, word, env) {
        return words;
    }
    let raw = word.raw.trim_matches('"');
    let only_variable = raw.starts_with('$')
        && (raw[1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            || (raw.starts_with("${") && raw.ends_with('}') && raw.matches('$').count() == 1));
    if only_variable || raw.contains('=') || raw.contains("$(") || raw.contains('`') {
        return Vec::new();
    }
    vec![word.raw.clone()]
}
