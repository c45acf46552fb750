//! What every rule declares about itself.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// How serious a finding is, hadolint's levels. Ordered: `Error` is the
/// highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        }
    }

    /// The SARIF level: `error`, `warning`, or `note` for info and style.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Style => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Ok(Severity::Error),
            "warning" | "warn" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            "style" => Ok(Severity::Style),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning, info or style)"
            )),
        }
    }
}

/// What a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The build breaks or the image behaves unexpectedly.
    Correctness,
    /// The image is easier to attack or leaks secrets.
    Security,
    /// The image is larger than it needs to be.
    Size,
    /// Layer caching is defeated and builds are slower than they need to be.
    Cache,
    /// Reproducibility, deprecations, readability.
    Maintainability,
    /// Cosmetic consistency.
    Style,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Correctness,
        Category::Security,
        Category::Size,
        Category::Cache,
        Category::Maintainability,
        Category::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Security => "security",
            Category::Size => "size",
            Category::Cache => "cache",
            Category::Maintainability => "maintainability",
            Category::Style => "style",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// What a rule inspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Dockerfile,
    Image,
}

/// A rule's metadata, written once, in the rule's file.
#[derive(Debug)]
pub struct Meta {
    /// `DL3008` for rules hadolint has, `ILnnnn` for imglint's own.
    pub code: &'static str,
    /// What is flagged, in kebab-case.
    pub name: &'static str,
    /// Other tools' names and IDs for the same check.
    pub aliases: &'static [&'static str],
    pub severity: Severity,
    pub category: Category,
    pub fix: FixAvailability,
    /// Off unless selected.
    pub default_enabled: bool,
    /// One line, for listings and SARIF's short description.
    pub summary: &'static str,
    /// The rule's page (`rules/<name>.md`).
    pub doc: &'static str,
    pub target: Target,
}

impl Meta {
    /// Whether `selector` names this rule: its code, name or an alias
    /// (case-insensitive).
    pub fn is_named(&self, selector: &str) -> bool {
        self.code.eq_ignore_ascii_case(selector)
            || self.name.eq_ignore_ascii_case(selector)
            || self
                .aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(selector))
    }

    /// The page's prose after its title line.
    pub fn page_body(&self) -> &'static str {
        match self.doc.split_once('\n') {
            Some((first, rest)) if first.starts_with("# ") => rest.trim_start_matches('\n'),
            _ => self.doc,
        }
    }

    /// The first paragraph of the "What it does" section, as plain text.
    pub fn description(&self) -> String {
        let body = self.page_body();
        let section = body
            .split("## What it does")
            .nth(1)
            .unwrap_or(body)
            .split("\n## ")
            .next()
            .unwrap_or("");
        let para = section.trim().split("\n\n").next().unwrap_or("").trim();
        para.replace('\n', " ")
    }
}
