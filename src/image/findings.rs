//! Image check results as the rule engine's findings.
//!
//! The rule selection decides which checks run and at which severity, as it
//! does for Dockerfile rules. A finding whose layer or history entry maps
//! to an instruction of the Dockerfile given with `--dockerfile` is located
//! at that instruction, and the Dockerfile's `# imglint ignore=` and
//! `# hadolint ignore=` pragmas suppress it there; the others stay on the
//! image, where only the file-wide pragmas apply.

use super::checks;
use super::dockerfile::Mapping;
use crate::lint::FileReport;
use crate::rules::{self, Finding, Selection};
use crate::source::SourceFile;
use crate::suppress;

/// What [`into_reports`] needs besides the findings.
pub struct Placement<'a> {
    /// The image source as given: the name of the image's report.
    pub source: &'a str,
    pub selection: &'a Selection,
    pub mapping: Option<&'a Mapping>,
    /// History index of each layer.
    pub layer_history: &'a [Option<usize>],
    /// Ignore `# imglint ignore=` / `# hadolint ignore=` comments.
    pub disable_pragmas: bool,
}

/// Whether the selection runs a check.
pub fn is_enabled(selection: &Selection, meta: &rules::Meta) -> bool {
    rules::index_of(meta.code).is_some_and(|i| selection.is_enabled(i))
}

/// Turns check results into reports: first the image's (findings without
/// a source location), then the Dockerfile's, when one was given.
pub fn into_reports(found: Vec<checks::Finding>, place: &Placement<'_>) -> Vec<FileReport> {
    let mut on_image = Vec::new();
    let mut in_dockerfile = Vec::new();
    for f in found {
        let severity =
            rules::index_of(f.rule.code).map_or(f.rule.severity, |i| place.selection.severity(i));
        let history = f.subject.history.or_else(|| {
            f.subject
                .layer
                .and_then(|l| place.layer_history.get(l).copied().flatten())
        });
        let span = history.and_then(|h| place.mapping.and_then(|m| m.span(h)));
        let finding = Finding {
            rule: f.rule,
            severity,
            span: span.unwrap_or_default(),
            message: f.message,
            help: (!f.help.is_empty()).then_some(f.help),
            labels: Vec::new(),
            fix: None,
            subject: Some(f.subject),
        };
        match span {
            Some(_) => in_dockerfile.push(finding),
            None => on_image.push(finding),
        }
    }
    if let Some(m) = place.mapping {
        on_image = suppress::apply_at(
            &m.file,
            &m.dockerfile,
            on_image,
            place.disable_pragmas,
            |_| None,
        );
        in_dockerfile =
            suppress::apply(&m.file, &m.dockerfile, in_dockerfile, place.disable_pragmas);
    }
    // most severe first on the image; by position in the Dockerfile
    on_image.sort_by(|a, b| {
        (b.severity, a.rule.code, &a.subject).cmp(&(a.severity, b.rule.code, &b.subject))
    });
    in_dockerfile
        .sort_by(|a, b| (a.span, a.rule.code, &a.subject).cmp(&(b.span, b.rule.code, &b.subject)));
    let mut reports = vec![FileReport {
        file: SourceFile::new(place.source, String::new()),
        findings: on_image,
        errors: Vec::new(),
    }];
    if let Some(m) = place.mapping {
        reports.push(FileReport {
            file: m.file.clone(),
            findings: in_dockerfile,
            errors: Vec::new(),
        });
    }
    reports
}
