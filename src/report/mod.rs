//! Reports: one module per output format. A reporter gets the results,
//! sorted by file and position, and a writer.

mod compact;
mod github;
pub mod json;
pub mod sarif;
pub mod text;

use crate::lint::{FileReport, InputError};
use crate::rules::{Finding, Meta};
use crate::source::{Position, SourceFile};
use std::io::{self, Write};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Code frames with the span underlined (miette style).
    Text,
    /// `path:line:col: CODE severity: message`, one per line.
    Compact,
    Json,
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "text" | "tty" | "full" => Format::Text,
            "compact" | "concise" | "gnu" => Format::Compact,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            _ => return None,
        })
    }
}

/// What a report is rendered with.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub color: bool,
    /// Terminal width for code frames.
    pub width: usize,
    /// Rules SARIF lists besides the reported ones.
    pub rules: Vec<&'static Meta>,
    /// Number of files checked (for the summary).
    pub files_checked: usize,
}

/// Renders `reports` and `errors` in `format`.
pub fn render(
    format: Format,
    reports: &[FileReport],
    errors: &[InputError],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(reports, errors, opts, out),
        Format::Compact => compact::render(reports, errors, out),
        Format::Json => json::render(reports, errors, out),
        Format::Sarif => sarif::render(reports, errors, opts, out),
        Format::Github => github::render(reports, errors, out),
    }
}

/// Start and end (exclusive) positions of a finding.
pub(crate) fn range(file: &SourceFile, f: &Finding) -> (Position, Position) {
    let start = file.position(f.span.start);
    let end = file.position(f.span.end.max(f.span.start));
    (start, end)
}

/// Whether a finding has no place in its report's file: an image finding
/// that no Dockerfile instruction was found for (its report is the image's,
/// with no text). Such findings have no line or column; the subject says
/// where in the image they are.
pub(crate) fn is_on_image(report: &FileReport, finding: &Finding) -> bool {
    finding.subject.is_some() && report.file.text.is_empty()
}

/// ` [layer 1, `/etc/shadow`]` for an image finding, or empty.
pub(crate) fn subject_suffix(finding: &Finding) -> String {
    match finding.subject.as_ref().map(|s| s.describe()) {
        Some(d) if !d.is_empty() => format!(" [{d}]"),
        _ => String::new(),
    }
}

/// A path for reports: as given, with `/` separators.
pub(crate) fn display_path(file: &SourceFile) -> String {
    file.path.to_string_lossy().replace('\\', "/")
}

/// `path:line:col: message` for an input error.
pub fn error_line(e: &InputError) -> String {
    let path = e.path.to_string_lossy();
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{path}:{l}:{c}: {}", e.message),
        (Some(l), None) => format!("{path}:{l}: {}", e.message),
        _ => format!("{path}: {}", e.message),
    }
}
