//! SARIF 2.1.0 for GitHub code scanning: one run, every enabled rule in
//! `tool.driver.rules` with descriptions and help, `ruleIndex`, UTF-16
//! regions, relative artifact URIs under `%SRCROOT%`, stable
//! `partialFingerprints`, and fixes.

use super::{RenderOptions, display_path, is_on_image};
use crate::fix::Applicability;
use crate::lint::{FileReport, InputError};
use crate::rules::{Category, Finding, Meta, Severity, Subject, Target};
use crate::source::{SourceFile, Span};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFO_URI: &str = "https://github.com/imglint/imglint";

fn help_uri(m: &Meta) -> String {
    format!("{INFO_URI}/blob/main/rules/{}.md", m.name)
}

fn rule_descriptor(m: &Meta) -> Value {
    let target = match m.target {
        Target::Dockerfile => "dockerfile",
        Target::Image => "image",
    };
    let mut properties = json!({
        "tags": [m.category.as_str(), target],
        "precision": "high",
    });
    if !m.aliases.is_empty() {
        properties["aliases"] = json!(m.aliases);
    }
    if m.category == Category::Security {
        let score = match m.severity {
            Severity::Error => "8.0",
            Severity::Warning => "5.0",
            Severity::Info => "3.0",
            Severity::Style => "1.0",
        };
        properties["tags"] = json!(["security", target]);
        properties["security-severity"] = json!(score);
    } else {
        properties["problem.severity"] = json!(match m.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Style => "recommendation",
        });
    }
    let full = m.description();
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": { "text": m.summary },
        "fullDescription": { "text": if full.is_empty() { m.summary.to_string() } else { truncate(&full, 1000) } },
        "help": { "text": truncate(m.page_body(), 8000), "markdown": m.doc },
        "helpUri": help_uri(m),
        "defaultConfiguration": { "level": m.severity.sarif_level() },
        "properties": properties,
    })
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// A URI reference for a path: relative paths stay relative (for
/// `%SRCROOT%`), with unsafe characters percent-encoded.
fn uri_of(path: &str) -> (String, bool) {
    let relative = !(path.starts_with('/') || path.len() > 1 && path.as_bytes()[1] == b':');
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if relative {
        (out, true)
    } else {
        (format!("file://{out}"), false)
    }
}

fn artifact(path: &str) -> Value {
    let (uri, relative) = uri_of(path);
    if relative {
        json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
    } else {
        json!({ "uri": uri })
    }
}

fn region(file: &SourceFile, span: Span) -> Value {
    let s = file.position(span.start);
    let mut e = file.position(span.end.max(span.start));
    if span.is_empty() {
        // a point: keep the region one column wide on its line
        e = s;
    }
    json!({
        "startLine": s.line,
        "startColumn": s.utf16_column,
        "endLine": e.line,
        "endColumn": if e.line == s.line { e.utf16_column.max(s.utf16_column) } else { e.utf16_column },
    })
}

/// Where a finding is: its region in the file, or, for an image finding
/// that no Dockerfile instruction was found for, the image itself; image
/// findings add logical locations (the path, the layer, the config field).
fn location(r: &FileReport, f: &Finding, path: &str) -> Value {
    let mut physical = json!({ "artifactLocation": artifact(path) });
    if !is_on_image(r, f) {
        physical["region"] = region(&r.file, f.span);
    }
    let mut loc = json!({ "physicalLocation": physical });
    if let Some(s) = &f.subject {
        let logical = logical_locations(s);
        if !logical.is_empty() {
            loc["logicalLocations"] = Value::Array(logical);
        }
    }
    loc
}

fn logical_locations(s: &Subject) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(p) = &s.path {
        out.push(json!({"fullyQualifiedName": p, "kind": "resource"}));
    }
    if let Some(l) = s.layer {
        out.push(json!({"fullyQualifiedName": format!("layer {l}"), "kind": "module"}));
    }
    if let Some(c) = s.config {
        out.push(json!({"fullyQualifiedName": format!("config.{c}"), "kind": "member"}));
    }
    if out.is_empty()
        && let Some(h) = s.history
    {
        out.push(json!({"fullyQualifiedName": format!("history[{h}]"), "kind": "element"}));
    }
    out
}

/// FNV-1a, 64 bits.
fn fnv(data: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in data.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// A fingerprint that survives moving the instruction: the rule, the text
/// of the finding's line without whitespace, and its occurrence number.
fn fingerprint(file: &SourceFile, f: &Finding, seen: &mut HashMap<u64, u32>) -> String {
    let line = file.position(f.span.start).line as usize;
    let text = file
        .lines
        .line_range(&file.text, line)
        .and_then(|r| file.text.get(r))
        .unwrap_or("");
    let normalized: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // an image finding is told apart by its path or config field
    let mut key = format!(
        "{}\u{0}{}\u{0}{}",
        f.rule.code,
        normalized,
        f.span.text(&file.text)
    );
    if let Some(s) = &f.subject {
        key.push_str(&format!(
            "\u{0}{}\u{0}{}",
            s.path.as_deref().unwrap_or(""),
            s.config.unwrap_or("")
        ));
    }
    let h = fnv(&key);
    let n = seen.entry(h).or_insert(0);
    *n += 1;
    format!("{h:016x}:{n}")
}

pub fn to_value(reports: &[FileReport], errors: &[InputError], opts: &RenderOptions) -> Value {
    let mut rules: Vec<&'static Meta> = opts.rules.clone();
    for r in reports {
        for f in &r.findings {
            if !rules.iter().any(|m| m.code == f.rule.code) {
                rules.push(f.rule);
            }
        }
    }
    rules.sort_by_key(|m| crate::rules::index_of(m.code).unwrap_or(usize::MAX));
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, m)| (m.code, i)).collect();
    let mut results = Vec::new();
    for r in reports {
        let path = display_path(&r.file);
        let mut seen = HashMap::new();
        for f in &r.findings {
            let mut result = json!({
                "ruleId": f.rule.code,
                "ruleIndex": index.get(f.rule.code).copied().unwrap_or(0),
                "level": f.severity.sarif_level(),
                "kind": "fail",
                "message": { "text": match &f.help {
                    Some(h) => format!("{}. {}", f.message, capitalize(h)),
                    None => f.message.clone(),
                } },
                "locations": [location(r, f, &path)],
                "partialFingerprints": {
                    "primaryLocationLineHash": fingerprint(&r.file, f, &mut seen),
                },
                "properties": { "severity": f.severity.as_str(), "name": f.rule.name },
            });
            if !f.labels.is_empty() {
                result["relatedLocations"] = Value::Array(
                    f.labels
                        .iter()
                        .enumerate()
                        .map(|(i, (span, text))| {
                            json!({
                                "id": i + 1,
                                "physicalLocation": {
                                    "artifactLocation": artifact(&path),
                                    "region": region(&r.file, *span),
                                },
                                "message": { "text": text },
                            })
                        })
                        .collect(),
                );
            }
            if let Some(fix) = f
                .fix
                .as_ref()
                .filter(|x| x.applicability != Applicability::DisplayOnly && !x.edits.is_empty())
            {
                result["fixes"] = json!([{
                    "description": { "text": fix.title },
                    "artifactChanges": [{
                        "artifactLocation": artifact(&path),
                        "replacements": fix.edits.iter().map(|e| json!({
                            "deletedRegion": region(&r.file, e.span),
                            "insertedContent": { "text": e.content },
                        })).collect::<Vec<_>>(),
                    }],
                    "properties": { "applicability": fix.applicability.as_str() },
                }]);
            }
            results.push(result);
        }
    }
    let notifications: Vec<Value> = errors
        .iter()
        .map(|e| {
            let path = e.path.to_string_lossy().replace('\\', "/");
            let mut loc = json!({ "physicalLocation": { "artifactLocation": artifact(&path) } });
            if let Some(l) = e.line {
                loc["physicalLocation"]["region"] =
                    json!({ "startLine": l, "startColumn": e.column.unwrap_or(1) });
            }
            json!({
                "level": "error",
                "message": { "text": e.message },
                "descriptor": { "id": e.code },
                "locations": [loc],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "imglint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFO_URI,
                "rules": rules.iter().map(|m| rule_descriptor(m)).collect::<Vec<_>>(),
            } },
            "automationDetails": { "id": "imglint/" },
            "columnKind": "utf16CodeUnits",
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => {
            let mut out: String = f.to_uppercase().collect();
            out.push_str(c.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

pub fn render(
    reports: &[FileReport],
    errors: &[InputError],
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(reports, errors, opts))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(
            uri_of("svc/my dir/Dockerfile"),
            ("svc/my%20dir/Dockerfile".to_string(), true)
        );
        assert_eq!(uri_of("./Dockerfile"), ("Dockerfile".to_string(), true));
        assert_eq!(
            uri_of("/abs/Dockerfile"),
            ("file:///abs/Dockerfile".to_string(), false)
        );
    }
}
