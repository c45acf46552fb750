//! The JSON report: `{"version": 1, "findings": [...], "errors": [...]}`.
//! Lines and columns are 1-based; columns count characters and `end_column`
//! is the column just after the span. Image findings add a `subject`.

use super::{display_path, is_on_image, range};
use crate::lint::{FileReport, InputError};
use crate::rules::Finding;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

/// A finding as the JSON report writes it. Fields are in alphabetical
/// order, the order the report has always had.
#[derive(Serialize)]
struct JsonFinding<'a> {
    category: &'static str,
    code: &'static str,
    column: Option<u32>,
    end_column: Option<u32>,
    end_line: Option<u32>,
    file: String,
    fix: Option<JsonFix<'a>>,
    help: &'a Option<String>,
    labels: Vec<JsonLabel<'a>>,
    line: Option<u32>,
    message: &'a str,
    name: &'static str,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<Value>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    column: u32,
    line: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
    title: &'a str,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    column: u32,
    content: &'a str,
    end_column: u32,
    end_line: u32,
    line: u32,
}

#[derive(Serialize)]
struct JsonError<'a> {
    code: &'static str,
    column: Option<u32>,
    file: String,
    help: &'a Option<String>,
    line: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: Vec<JsonError<'a>>,
    findings: Vec<JsonFinding<'a>>,
    version: u32,
}

/// One finding as JSON. An image finding has a `subject` (layer, path,
/// history entry, config field); one without a place in the Dockerfile
/// has `null` positions and the image as its `file`.
fn json_finding<'a>(r: &FileReport, f: &'a Finding) -> JsonFinding<'a> {
    let on_image = is_on_image(r, f);
    let (s, e) = range(&r.file, f);
    let position = |n: u32| (!on_image).then_some(n);
    JsonFinding {
        category: f.rule.category.as_str(),
        code: f.rule.code,
        column: position(s.char_column),
        end_column: position(e.char_column),
        end_line: position(e.line),
        file: display_path(&r.file),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability.as_str(),
            edits: fix
                .edits
                .iter()
                .map(|ed| {
                    let a = r.file.position(ed.span.start);
                    let b = r.file.position(ed.span.end);
                    JsonEdit {
                        column: a.char_column,
                        content: &ed.content,
                        end_column: b.char_column,
                        end_line: b.line,
                        line: a.line,
                    }
                })
                .collect(),
            title: &fix.title,
        }),
        help: &f.help,
        labels: f
            .labels
            .iter()
            .map(|(span, text)| {
                let p = r.file.position(span.start);
                JsonLabel {
                    column: p.char_column,
                    line: p.line,
                    message: text,
                }
            })
            .collect(),
        line: position(s.line),
        message: &f.message,
        name: f.rule.name,
        severity: f.severity.as_str(),
        subject: f.subject.as_ref().map(|s| json!(s)),
    }
}

/// One finding as a JSON value.
pub fn finding_value(r: &FileReport, f: &Finding) -> Value {
    json!(json_finding(r, f))
}

/// Every finding of `reports`, in order.
pub fn findings_value(reports: &[FileReport]) -> Vec<Value> {
    reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| finding_value(r, f)))
        .collect()
}

fn report<'a>(reports: &'a [FileReport], errors: &'a [InputError]) -> JsonReport<'a> {
    JsonReport {
        errors: errors
            .iter()
            .map(|e| JsonError {
                code: e.code,
                column: e.column,
                file: e.path.to_string_lossy().replace('\\', "/"),
                help: &e.help,
                line: e.line,
                message: &e.message,
            })
            .collect(),
        findings: reports
            .iter()
            .flat_map(|r| r.findings.iter().map(move |f| json_finding(r, f)))
            .collect(),
        version: 1,
    }
}

pub fn render(
    reports: &[FileReport],
    errors: &[InputError],
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &report(reports, errors))?;
    writeln!(out)
}
