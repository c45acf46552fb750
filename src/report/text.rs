//! The human report: a code frame per finding, the span underlined, labels
//! for related places, and the help line; then a summary.

use super::{RenderOptions, display_path};
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
    source: Named<'a>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
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
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(None, f.span);
        let others = f
            .labels
            .iter()
            .map(|(span, text)| LabeledSpan::new_with_span(Some(text.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

pub fn render(
    reports: &[FileReport],
    errors: &[InputError],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false);
    let mut counts = [0usize; 4];
    let mut fixable = 0;
    let mut unsafe_fixable = 0;
    let mut files_with = 0;
    for r in reports {
        if !r.findings.is_empty() {
            files_with += 1;
        }
        let name = display_path(&r.file);
        for f in &r.findings {
            let pos = r.file.position(f.span.start);
            let diag = FindingDiagnostic {
                finding: f,
                source: Named {
                    name: &name,
                    text: &r.file.text,
                },
            };
            let mut s = String::new();
            if handler.render_report(&mut s, &diag).is_err() {
                s = format!(
                    "{name}:{}:{}: {} {}\n",
                    pos.line, pos.char_column, f.rule.code, f.message
                );
            }
            write!(out, "{s}")?;
            writeln!(out)?;
            counts[f.severity as usize] += 1;
            match f.fix.as_ref().map(|x| x.applicability) {
                Some(Applicability::Safe) => fixable += 1,
                Some(Applicability::Unsafe) => unsafe_fixable += 1,
                _ => {}
            }
        }
    }
    let total: usize = counts.iter().sum();
    if total == 0 && errors.is_empty() {
        writeln!(
            out,
            "No problems found in {} file{}.",
            opts.files_checked,
            if opts.files_checked == 1 { "" } else { "s" }
        )?;
        return Ok(());
    }
    let mut parts = Vec::new();
    for sev in Severity::ALL {
        let n = counts[sev as usize];
        if n > 0 {
            let word = match sev {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
                Severity::Style => "style",
            };
            let plural = if n > 1 && matches!(sev, Severity::Error | Severity::Warning) {
                "s"
            } else {
                ""
            };
            parts.push(format!("{n} {word}{plural}"));
        }
    }
    let mut line = format!(
        "Found {total} problem{} ({}) in {files_with} of {} file{}",
        if total == 1 { "" } else { "s" },
        parts.join(", "),
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
