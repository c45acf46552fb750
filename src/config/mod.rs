//! Configuration: what decides how each file is linted, from four sources
//! in increasing order of precedence:
//!
//! 1. the defaults (every rule's own severity and whether it is on);
//! 2. a configuration file: the nearest `.imglint.toml` (or
//!    `.hadolint.yaml`/`.hadolint.yml`) above the linted file, or the one
//!    `--config` names;
//! 3. the environment: hadolint's `HADOLINT_*` variables;
//! 4. the command line.
//!
//! Each source is read into a [`Layer`]: the settings it sets, nothing else.
//! [`resolve`] applies the layers in order: a later layer's scalar settings
//! replace earlier ones, its rule selection is applied after theirs, and its
//! lists (trusted registries, label schema, build arguments, rule options)
//! extend theirs.

mod discover;
mod env;
mod hadolint;
mod imglint;
mod yaml;

pub use discover::{ConfigFile, ConfigKind, Discovery, Found, Mode, load};
pub use env::{ENV_CONFIG, Environment, from_environment};
pub use hadolint::parse_hadolint;
pub use imglint::parse_toml;

use crate::lint::{InputError, LintSettings};
use crate::report::Format;
use crate::rules::{Selection, SelectionError, Severity, all, by_selector};
use crate::source::SourceFile;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The value types a label schema may give a label.
pub const LABEL_TYPES: [&str; 7] = ["text", "url", "semver", "hash", "rfc3339", "spdx", "email"];

/// Where a layer comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    #[default]
    CommandLine,
    Environment,
    /// A configuration file, as displayed.
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::CommandLine => f.write_str("the command line"),
            Origin::Environment => f.write_str("the environment"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A rule selector (code, name, alias, category, code prefix or `ALL`)
/// known to name at least one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector(String);

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, SelectionError> {
        Selection::resolve(text)?;
        Ok(Selector(text.trim().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How many rules the selector names: broader selectors are applied
    /// first, so the more specific ones win.
    fn breadth(&self) -> usize {
        Selection::resolve(&self.0).map_or(0, |v| v.len())
    }
}

/// Parses a comma-separated list of selectors (the command line's form).
pub fn parse_selectors(values: &[String]) -> Result<Vec<Selector>, SelectionError> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(Selector::parse)
        .collect()
}

/// The canonical name of the one rule `key` names (code, name or alias).
pub fn rule_name(key: &str) -> Option<&'static str> {
    by_selector(key.trim()).map(|r| r.meta().name)
}

/// Parses a label type of a label schema.
pub fn parse_label_type(ty: &str) -> Option<&'static str> {
    let ty = ty.trim().to_ascii_lowercase();
    LABEL_TYPES.iter().copied().find(|t| *t == ty)
}

/// Parses a failure threshold: a severity, or `none`/`ignore` (fail on any
/// finding, as hadolint means them).
pub fn parse_threshold(s: &str) -> Option<Severity> {
    match s.trim().to_ascii_lowercase().as_str() {
        "none" | "ignore" => Some(Severity::Style),
        other => other.parse().ok(),
    }
}

/// hadolint's output formats imglint does not write.
const HADOLINT_ONLY_FORMATS: [&str; 6] = [
    "checkstyle",
    "codeclimate",
    "gitlab_codeclimate",
    "codacy",
    "sonarqube",
    "junit",
];

/// Parses an output format name, imglint's or hadolint's; the error says
/// which formats exist.
pub fn parse_format(name: &str) -> Result<Format, String> {
    if let Some(f) = Format::parse(name.trim()) {
        return Ok(f);
    }
    let supported =
        "text, compact, json, sarif or github (hadolint's `tty` is `text`, `gnu` is `compact`)";
    if HADOLINT_ONLY_FORMATS.contains(&name.trim().to_ascii_lowercase().as_str()) {
        Err(format!("imglint has no `{name}` format; use {supported}"))
    } else {
        Err(format!("unknown format `{name}`; use {supported}"))
    }
}

/// Rules to ignore in the files a glob matches.
#[derive(Clone, Debug)]
pub struct PerFileIgnore {
    /// The glob as written.
    pub pattern: String,
    /// The directory the glob is relative to (the configuration file's).
    pub base: PathBuf,
    pub rules: Vec<Selector>,
    matcher: globset::GlobMatcher,
    /// A glob without `/` matches the file name in any directory.
    name_only: bool,
}

impl PerFileIgnore {
    pub fn new(pattern: &str, base: &Path, rules: Vec<Selector>) -> Result<PerFileIgnore, String> {
        let trimmed = pattern.trim().trim_start_matches("./");
        let name_only = !trimmed.contains('/');
        // `dir/` means everything below `dir`
        let glob = if let Some(dir) = trimmed.strip_suffix('/') {
            format!("{dir}/**")
        } else {
            trimmed.to_string()
        };
        let matcher = globset::GlobBuilder::new(&glob)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("invalid glob `{pattern}`: {}", glob_error(&e)))?
            .compile_matcher();
        Ok(PerFileIgnore {
            pattern: pattern.to_string(),
            base: base.to_path_buf(),
            rules,
            matcher,
            name_only,
        })
    }

    /// Whether the glob matches `file` (an absolute, normalised path).
    pub fn matches(&self, file: &Path) -> bool {
        if self.name_only {
            return file.file_name().is_some_and(|n| self.matcher.is_match(n));
        }
        file.strip_prefix(&self.base)
            .is_ok_and(|rel| self.matcher.is_match(rel))
    }
}

fn glob_error(e: &globset::Error) -> String {
    e.kind().to_string()
}

/// The settings one source sets; `None` and empty lists leave the settings
/// of earlier layers as they are.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    pub origin: Origin,
    /// Run only these rules (replaces what earlier layers enabled).
    pub select: Option<Vec<Selector>>,
    /// Also run these rules.
    pub extend_select: Vec<Selector>,
    /// Do not run these rules.
    pub ignore: Vec<Selector>,
    /// Report these rules at this severity (and run them).
    pub severity: Vec<(Selector, Severity)>,
    pub failure_threshold: Option<Severity>,
    pub no_fail: Option<bool>,
    pub format: Option<Format>,
    pub no_color: Option<bool>,
    pub verbose: Option<bool>,
    pub trusted_registries: Vec<String>,
    /// Label name and type; a later layer's type for a label wins.
    pub label_schema: Vec<(String, String)>,
    pub strict_labels: Option<bool>,
    pub disable_ignore_pragma: Option<bool>,
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// Options of individual rules, by canonical rule name; a later layer's
    /// keys replace earlier ones key by key.
    pub rule_options: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
    pub build_args: Vec<(String, String)>,
    pub target: Option<String>,
    pub platform: Option<String>,
}

/// Everything one file is linted with.
#[derive(Clone, Debug)]
pub struct FileSettings {
    pub lint: LintSettings,
    /// The lowest severity that fails the run.
    pub failure_threshold: Severity,
    pub no_fail: bool,
    /// The per-file-ignores globs that matched the file.
    pub per_file_ignores: Vec<String>,
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings {
            lint: LintSettings::default(),
            failure_threshold: Severity::Info,
            no_fail: false,
            per_file_ignores: Vec::new(),
        }
    }
}

/// Settings for the whole run rather than one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSettings {
    pub format: Option<Format>,
    pub no_color: bool,
    pub verbose: bool,
}

fn texts(selectors: &[Selector]) -> Vec<String> {
    selectors.iter().map(|s| s.0.clone()).collect()
}

/// Applies `layers` (lowest precedence first) to the defaults, for the file
/// at `file` (absolute and normalised; `None` for no particular file).
pub fn resolve(layers: &[&Layer], file: Option<&Path>) -> FileSettings {
    let mut out = FileSettings::default();
    let selection = &mut out.lint.selection;
    let options = &mut out.lint.options;
    let build = &mut out.lint.build;
    for layer in layers {
        // the selectors were checked when the layer was read
        if let Some(select) = &layer.select
            && let Ok(s) = Selection::only(&texts(select))
        {
            *selection = s;
        }
        let _ = selection.enable(&texts(&layer.extend_select));
        let mut severity: Vec<&(Selector, Severity)> = layer.severity.iter().collect();
        severity.sort_by_key(|(s, _)| std::cmp::Reverse(s.breadth()));
        for (s, sev) in severity {
            // naming a rule turns it on, as hadolint's overrides do; a
            // category, prefix or `ALL` only re-levels the rules that are on
            let off: Vec<String> = if rule_name(&s.0).is_some() {
                Vec::new()
            } else {
                Selection::resolve(&s.0)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|i| !selection.is_enabled(*i))
                    .filter_map(|i| all().get(i).map(|r| r.meta().code.to_string()))
                    .collect()
            };
            let _ = selection.set_severity(std::slice::from_ref(&s.0), *sev);
            let _ = selection.disable(&off);
        }
        let _ = selection.disable(&texts(&layer.ignore));

        if let Some(t) = layer.failure_threshold {
            out.failure_threshold = t;
        }
        if let Some(b) = layer.no_fail {
            out.no_fail = b;
        }
        for r in &layer.trusted_registries {
            if !options.trusted_registries.contains(r) {
                options.trusted_registries.push(r.clone());
            }
        }
        for (label, ty) in &layer.label_schema {
            options.label_schema.retain(|(l, _)| l != label);
            options.label_schema.push((label.clone(), ty.clone()));
        }
        if let Some(b) = layer.strict_labels {
            options.strict_labels = b;
        }
        if let Some(b) = layer.disable_ignore_pragma {
            out.lint.disable_pragmas = b;
        }
        for (rule, opts) in &layer.rule_options {
            let entry = options
                .per_rule
                .entry(rule.clone())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let serde_json::Value::Object(map) = entry {
                for (k, v) in opts {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        for (name, value) in &layer.build_args {
            build.build_args.retain(|(n, _)| n != name);
            build.build_args.push((name.clone(), value.clone()));
        }
        if let Some(t) = &layer.target {
            build.target = Some(t.clone());
        }
        if let Some(p) = &layer.platform {
            build.target_platform = Some(p.clone());
        }
    }
    if let Some(file) = file {
        for layer in layers {
            for pfi in &layer.per_file_ignores {
                if pfi.matches(file) {
                    let _ = selection.disable(&texts(&pfi.rules));
                    out.per_file_ignores.push(pfi.pattern.clone());
                }
            }
        }
    }
    out
}

/// The run-wide settings of `layers`.
pub fn resolve_run(layers: &[&Layer]) -> RunSettings {
    let mut out = RunSettings::default();
    for layer in layers {
        if let Some(f) = layer.format {
            out.format = Some(f);
        }
        if let Some(b) = layer.no_color {
            out.no_color = b;
        }
        if let Some(b) = layer.verbose {
            out.verbose = b;
        }
    }
    out
}

/// An error in a configuration file at a byte offset of its text.
pub(crate) fn error_at(
    path: &Path,
    text: &str,
    offset: usize,
    code: &'static str,
    message: String,
    help: Option<String>,
) -> InputError {
    let file = SourceFile::new(path, text);
    let pos = file.position(u32::try_from(offset).unwrap_or(u32::MAX));
    InputError {
        path: path.to_path_buf(),
        code,
        message,
        help,
        span: None,
        line: Some(pos.line),
        column: Some(pos.char_column),
    }
}

/// An error in a configuration file at a line and column (1-based).
pub(crate) fn error_at_line(
    path: &Path,
    line: u32,
    column: u32,
    code: &'static str,
    message: String,
    help: Option<String>,
) -> InputError {
    InputError {
        path: path.to_path_buf(),
        code,
        message,
        help,
        span: None,
        line: Some(line),
        column: Some(column),
    }
}

/// `path` made absolute (against `cwd`) with `.` and `..` resolved
/// lexically; symbolic links are left alone.
pub fn normalize(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `cwd` when it is below it, else as it is.
pub fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    fn index(code: &str) -> usize {
        crate::rules::index_of(code).unwrap()
    }

    #[test]
    fn later_layers_win_and_ignore_beats_select_within_a_layer() {
        let file = Layer {
            ignore: vec![sel("DL3008")],
            failure_threshold: Some(Severity::Warning),
            no_fail: Some(true),
            ..Layer::default()
        };
        let cli = Layer {
            extend_select: vec![sel("DL3008")],
            failure_threshold: Some(Severity::Error),
            ..Layer::default()
        };
        let s = resolve(&[&file], None);
        assert!(!s.lint.selection.is_enabled(index("DL3008")));
        assert_eq!(s.failure_threshold, Severity::Warning);
        assert!(s.no_fail);
        let s = resolve(&[&file, &cli], None);
        assert!(s.lint.selection.is_enabled(index("DL3008")));
        assert_eq!(s.failure_threshold, Severity::Error);
        assert!(s.no_fail);
        let both = Layer {
            extend_select: vec![sel("DL3008")],
            ignore: vec![sel("DL3008")],
            ..Layer::default()
        };
        assert!(
            !resolve(&[&both], None)
                .lint
                .selection
                .is_enabled(index("DL3008"))
        );
    }

    #[test]
    fn select_replaces_what_earlier_layers_enabled() {
        let file = Layer {
            select: Some(vec![sel("DL3008"), sel("DL3007")]),
            ..Layer::default()
        };
        let cli = Layer {
            select: Some(vec![sel("DL3007")]),
            ..Layer::default()
        };
        let s = resolve(&[&file], None);
        assert!(s.lint.selection.is_enabled(index("DL3008")));
        assert!(!s.lint.selection.is_enabled(index("DL3002")));
        let s = resolve(&[&file, &cli], None);
        assert!(!s.lint.selection.is_enabled(index("DL3008")));
        assert!(s.lint.selection.is_enabled(index("DL3007")));
    }

    #[test]
    fn specific_severities_win_over_categories_whatever_the_order() {
        let layer = Layer {
            severity: vec![
                (sel("DL3008"), Severity::Style),
                (sel("ALL"), Severity::Error),
            ],
            ..Layer::default()
        };
        let s = resolve(&[&layer], None);
        assert_eq!(s.lint.selection.severity(index("DL3008")), Severity::Style);
        assert_eq!(s.lint.selection.severity(index("DL3007")), Severity::Error);
    }

    #[test]
    fn severities_turn_on_named_rules_but_not_whole_categories() {
        let off = crate::rules::all()
            .iter()
            .map(|r| r.meta())
            .find(|m| !m.default_enabled)
            .unwrap();
        let i = index(off.code);
        let broad = Layer {
            severity: vec![(sel(off.category.as_str()), Severity::Error)],
            ..Layer::default()
        };
        assert!(!resolve(&[&broad], None).lint.selection.is_enabled(i));
        let named = Layer {
            severity: vec![(sel(off.name), Severity::Error)],
            ..Layer::default()
        };
        let s = resolve(&[&named], None);
        assert!(s.lint.selection.is_enabled(i));
        assert_eq!(s.lint.selection.severity(i), Severity::Error);
    }

    #[test]
    fn lists_extend_and_labels_are_replaced_by_name() {
        let a = Layer {
            trusted_registries: vec!["docker.io".into()],
            label_schema: vec![("maintainer".into(), "text".into())],
            build_args: vec![("A".into(), "1".into())],
            ..Layer::default()
        };
        let b = Layer {
            trusted_registries: vec!["ghcr.io".into(), "docker.io".into()],
            label_schema: vec![("maintainer".into(), "email".into())],
            build_args: vec![("A".into(), "2".into()), ("B".into(), "3".into())],
            ..Layer::default()
        };
        let s = resolve(&[&a, &b], None);
        assert_eq!(s.lint.options.trusted_registries, ["docker.io", "ghcr.io"]);
        assert_eq!(
            s.lint.options.label_schema,
            [("maintainer".to_string(), "email".to_string())]
        );
        assert_eq!(
            s.lint.build.build_args,
            [("A".into(), "2".into()), ("B".into(), "3".into())]
        );
    }

    #[test]
    fn rule_options_merge_key_by_key() {
        let mut a = Layer::default();
        let mut m = serde_json::Map::new();
        m.insert("x".into(), 1.into());
        m.insert("y".into(), 2.into());
        a.rule_options.insert("apt-get-unpinned".into(), m);
        let mut b = Layer::default();
        let mut m = serde_json::Map::new();
        m.insert("y".into(), 3.into());
        b.rule_options.insert("apt-get-unpinned".into(), m);
        let s = resolve(&[&a, &b], None);
        assert_eq!(
            s.lint.options.get("apt-get-unpinned", "x"),
            Some(&serde_json::json!(1))
        );
        assert_eq!(
            s.lint.options.get("apt-get-unpinned", "y"),
            Some(&serde_json::json!(3))
        );
    }

    #[test]
    fn per_file_globs_are_relative_to_the_config_directory() {
        let base = Path::new("/repo");
        let deep = PerFileIgnore::new("legacy/**", base, vec![sel("DL3008")]).unwrap();
        assert!(deep.matches(Path::new("/repo/legacy/a/Dockerfile")));
        assert!(!deep.matches(Path::new("/repo/src/legacy/Dockerfile")));
        assert!(!deep.matches(Path::new("/other/legacy/Dockerfile")));
        let one = PerFileIgnore::new("svc/*.Dockerfile", base, vec![]).unwrap();
        assert!(one.matches(Path::new("/repo/svc/api.Dockerfile")));
        assert!(!one.matches(Path::new("/repo/svc/x/api.Dockerfile")));
        let name = PerFileIgnore::new("*.dev.Dockerfile", base, vec![]).unwrap();
        assert!(name.matches(Path::new("/repo/a/b/app.dev.Dockerfile")));
        let dir = PerFileIgnore::new("./tools/", base, vec![]).unwrap();
        assert!(dir.matches(Path::new("/repo/tools/x/Dockerfile")));
        assert!(PerFileIgnore::new("a/[b", base, vec![]).is_err());

        let layer = Layer {
            per_file_ignores: vec![deep],
            ..Layer::default()
        };
        let s = resolve(&[&layer], Some(Path::new("/repo/legacy/Dockerfile")));
        assert!(!s.lint.selection.is_enabled(index("DL3008")));
        assert_eq!(s.per_file_ignores, ["legacy/**"]);
        let s = resolve(&[&layer], Some(Path::new("/repo/Dockerfile")));
        assert!(s.lint.selection.is_enabled(index("DL3008")));
    }

    #[test]
    fn formats_and_thresholds_accept_hadolint_names() {
        assert_eq!(parse_format("tty"), Ok(Format::Text));
        assert_eq!(parse_format("gnu"), Ok(Format::Compact));
        assert_eq!(parse_format("sarif"), Ok(Format::Sarif));
        let e = parse_format("checkstyle").unwrap_err();
        assert!(e.contains("no `checkstyle` format"), "{e}");
        assert!(e.contains("text, compact, json, sarif or github"), "{e}");
        assert!(
            parse_format("xml")
                .unwrap_err()
                .starts_with("unknown format")
        );
        assert_eq!(parse_threshold("none"), Some(Severity::Style));
        assert_eq!(parse_threshold("Warning"), Some(Severity::Warning));
        assert_eq!(parse_threshold("fatal"), None);
    }

    #[test]
    fn paths_are_normalised_lexically() {
        let cwd = Path::new("/a/b");
        assert_eq!(normalize(Path::new("../c/./d"), cwd), Path::new("/a/c/d"));
        assert_eq!(normalize(Path::new("/x/../y"), cwd), Path::new("/y"));
        assert_eq!(display_path(Path::new("/a/b/c"), cwd), Path::new("c"));
        assert_eq!(display_path(Path::new("/z"), cwd), Path::new("/z"));
    }
}
