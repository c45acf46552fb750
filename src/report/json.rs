//! The JSON report: `{"version": 1, "findings": [...], "errors": [...]}`.
//! Lines and columns are 1-based; columns count characters and `end_column`
//! is the column just after the span.

use super::{display_path, range};
use crate::lint::{FileReport, InputError};
use serde_json::{Value, json};
use std::io::{self, Write};

pub fn to_value(reports: &[FileReport], errors: &[InputError]) -> Value {
    let mut findings = Vec::new();
    for r in reports {
        let file = display_path(&r.file);
        for f in &r.findings {
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
            findings.push(json!({
                "code": f.rule.code,
                "name": f.rule.name,
                "severity": f.severity.as_str(),
                "category": f.rule.category.as_str(),
                "message": f.message,
                "help": f.help,
                "file": file,
                "line": s.line,
                "column": s.char_column,
                "end_line": e.line,
                "end_column": e.char_column,
                "labels": labels,
                "fix": fix,
            }));
        }
    }
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
