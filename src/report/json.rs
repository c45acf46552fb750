//! The JSON report: `{"version": 1, "findings": [...], "errors": [...]}`.
//! Lines and columns are 1-based; columns count characters and `end_column`
//! is the column just after the span. Image findings add a `subject`.

use super::{display_path, is_on_image, range};
use crate::lint::{FileReport, InputError};
use crate::rules::Finding;
use serde_json::{Value, json};
use std::io::{self, Write};

/// One finding as JSON. An image finding has a `subject` (layer, path,
/// history entry, config field); one without a place in the Dockerfile
/// has `null` positions and the image as its `file`.
pub fn finding_value(r: &FileReport, f: &Finding) -> Value {
    let file = display_path(&r.file);
    let on_image = is_on_image(r, f);
    let (s, e) = range(&r.file, f);
    let labels: Vec<Value> = f
        .labels
        .iter()
        .map(|(span, text)| {
            let p = r.file.position(span.start);
            json!({"line": p.line, "column": p.char_column, "message": text})
        })
        .collect();
    let fix = f.fix.as_ref().map(|fix| {
        json!({
            "title": fix.title,
            "applicability": fix.applicability.as_str(),
            "edits": fix.edits.iter().map(|ed| {
                let a = r.file.position(ed.span.start);
                let b = r.file.position(ed.span.end);
                json!({
                    "line": a.line, "column": a.char_column,
                    "end_line": b.line, "end_column": b.char_column,
                    "content": ed.content,
                })
            }).collect::<Vec<_>>(),
        })
    });
    let position = |n: u32| if on_image { Value::Null } else { json!(n) };
    let mut v = json!({
        "code": f.rule.code,
        "name": f.rule.name,
        "severity": f.severity.as_str(),
        "category": f.rule.category.as_str(),
        "message": f.message,
        "help": f.help,
        "file": file,
        "line": position(s.line),
        "column": position(s.char_column),
        "end_line": position(e.line),
        "end_column": position(e.char_column),
        "labels": labels,
        "fix": fix,
    });
    if let Some(subject) = &f.subject {
        v["subject"] = json!(subject);
    }
    v
}

/// Every finding of `reports`, in order.
pub fn findings_value(reports: &[FileReport]) -> Vec<Value> {
    reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| finding_value(r, f)))
        .collect()
}

pub fn to_value(reports: &[FileReport], errors: &[InputError]) -> Value {
    let findings = findings_value(reports);
    let errors: Vec<Value> = errors
        .iter()
        .map(|e| {
            json!({
                "file": e.path.to_string_lossy().replace('\\', "/"),
                "code": e.code,
                "message": e.message,
                "help": e.help,
                "line": e.line,
                "column": e.column,
            })
        })
        .collect();
    json!({ "version": 1, "findings": findings, "errors": errors })
}

pub fn render(
    reports: &[FileReport],
    errors: &[InputError],
    out: &mut dyn Write,
) -> io::Result<()> {
    let v = to_value(reports, errors);
    serde_json::to_writer_pretty(&mut *out, &v)?;
    writeln!(out)
}
