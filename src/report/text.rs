//! The human report: a code frame per finding, the span underlined, labels
//! for related places, and the help line; then a summary.

use super::{RenderOptions, display_path, is_on_image, subject_suffix};
use crate::fix::Applicability;
use crate::lint::{FileReport, InputError};
use crate::rules::{Finding, Severity};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

/// A source text under a name, borrowed.
struct Named<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let c = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            *c.span(),
            c.line(),
            c.column(),
            c.line_count(),
        )))
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    /// `None` for an image finding without a place in a file.
    source: Option<Named<'a>>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)?;
        match &self.source {
            // an image finding says where in the image it is
            None => f.write_str(&subject_suffix(self.finding)),
            Some(_) => Ok(()),
        }
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{} ({}, {})",
            self.finding.rule.code, self.finding.rule.name, self.finding.severity
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info | Severity::Style => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let f = self.finding;
        // an image finding located at an instruction names its subject there
        let label = f
            .subject
            .as_ref()
            .map(|s| s.describe())
            .filter(|d| !d.is_empty());
        let primary = LabeledSpan::new_primary_with_span(label, f.span);
        let others = f
            .labels
            .iter()
            .map(|(span, text)| LabeledSpan::new_with_span(Some(text.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

/// What [`render_findings`] wrote.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    /// Findings per severity, indexed by `Severity as usize`.
    pub counts: [usize; 4],
    pub fixable: usize,
    pub unsafe_fixable: usize,
    /// Reports with at least one finding.
    pub files_with: usize,
}

impl Tally {
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// `1 error, 2 warnings, 3 info`
    pub fn by_severity(&self) -> String {
        let mut parts = Vec::new();
        for sev in Severity::ALL {
            let n = self.counts[sev as usize];
            if n > 0 {
                let plural = if n > 1 && matches!(sev, Severity::Error | Severity::Warning) {
                    "s"
                } else {
                    ""
                };
                parts.push(format!("{n} {}{plural}", sev.as_str()));
            }
        }
        parts.join(", ")
    }
}

/// Writes one diagnostic per finding (a code frame when it has a place in
/// a file) and counts them.
pub fn render_findings(
    reports: &[FileReport],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<Tally> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let mut tally = Tally::default();
    for r in reports {
        if !r.findings.is_empty() {
            tally.files_with += 1;
        }
        let name = display_path(&r.file);
        for f in &r.findings {
            let on_image = is_on_image(r, f);
            let diag = FindingDiagnostic {
                finding: f,
                source: (!on_image).then(|| Named {
                    name: &name,
                    text: &r.file.text,
                }),
            };
            let mut s = String::new();
            if handler.render_report(&mut s, &diag).is_err() {
                s = if on_image {
                    format!("{name}: {} {}\n", f.rule.code, diag)
                } else {
                    let pos = r.file.position(f.span.start);
                    format!(
                        "{name}:{}:{}: {} {}\n",
                        pos.line, pos.char_column, f.rule.code, f.message
                    )
                };
            }
            write!(out, "{s}")?;
            writeln!(out)?;
            tally.counts[f.severity as usize] += 1;
            match f.fix.as_ref().map(|x| x.applicability) {
                Some(Applicability::Safe) => tally.fixable += 1,
                Some(Applicability::Unsafe) => tally.unsafe_fixable += 1,
                _ => {}
            }
        }
    }
    Ok(tally)
}

pub fn render(
    reports: &[FileReport],
    errors: &[InputError],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let tally = render_findings(reports, opts, out)?;
    let Tally {
        fixable,
        unsafe_fixable,
        files_with,
        ..
    } = tally;
    let total = tally.total();
    if total == 0 && errors.is_empty() {
        writeln!(
            out,
            "No problems found in {} file{}.",
            opts.files_checked,
            if opts.files_checked == 1 { "" } else { "s" }
        )?;
        return Ok(());
    }
    let mut line = format!(
        "Found {total} problem{} ({}) in {files_with} of {} file{}",
        if total == 1 { "" } else { "s" },
        tally.by_severity(),
        opts.files_checked,
        if opts.files_checked == 1 { "" } else { "s" }
    );
    if total == 0 {
        line = format!(
            "Found no problems in {} file{}",
            opts.files_checked,
            if opts.files_checked == 1 { "" } else { "s" }
        );
    }
    if !errors.is_empty() {
        line.push_str(&format!(
            "; {} input error{} (reported on standard error)",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ));
    }
    line.push('.');
    if fixable > 0 {
        line.push_str(&format!(" {fixable} fixable with `--fix`."));
    }
    if unsafe_fixable > 0 {
        line.push_str(&format!(
            " {unsafe_fixable} more with `--fix --unsafe-fixes`."
        ));
    }
    writeln!(out, "{line}")
}
