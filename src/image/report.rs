//! Rendering an [`Analysis`]: a text report with a layer table and size
//! bars, and the stable JSON report.

use std::io::{self, Write};

use super::checks::human_bytes;
use super::{Analysis, DockerfileLocation};

/// How many waste entries and inefficient files the text report lists.
const TOP: usize = 10;
const BAR_WIDTH: usize = 20;

/// Writes the JSON report (`version`, `image`, `layers`, `waste`, `dive`,
/// `gates`, `findings`).
pub fn render_json(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, analysis).map_err(io::Error::other)?;
    writeln!(out)
}

/// Writes the findings as SARIF 2.1.0: one run, the checks that fired as
/// rules, results located in the Dockerfile when `--dockerfile` mapped them
/// and in the image (layer, path, config field) otherwise. Gate results go
/// to the run's properties.
pub fn render_sarif(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    use serde_json::{Value, json};
    let mut rule_ids: Vec<&str> = Vec::new();
    let mut rules: Vec<Value> = Vec::new();
    for f in &analysis.findings {
        if rule_ids.contains(&f.code) {
            continue;
        }
        rule_ids.push(f.code);
        let meta = super::checks::ALL.iter().find(|c| c.meta.code == f.code);
        let summary = meta.map_or("", |c| c.meta.summary);
        let aliases: Vec<&str> = meta.map_or(Vec::new(), |c| c.meta.aliases.to_vec());
        rules.push(json!({
            "id": f.code,
            "name": f.name,
            "shortDescription": {"text": summary},
            "help": {"text": f.help},
            "defaultConfiguration": {"level": f.severity.sarif_level()},
            "properties": {"category": f.category.as_str(), "aliases": aliases},
        }));
    }
    let results: Vec<Value> = analysis
        .findings
        .iter()
        .map(|f| {
            let mut logical = Vec::new();
            if let Some(p) = &f.subject.path {
                logical.push(json!({"fullyQualifiedName": p, "kind": "resource"}));
            }
            if let Some(l) = f.subject.layer {
                logical.push(json!({"fullyQualifiedName": format!("layer {l}"), "kind": "module"}));
            }
            if let Some(c) = f.subject.config {
                logical
                    .push(json!({"fullyQualifiedName": format!("config.{c}"), "kind": "member"}));
            }
            let mut location = serde_json::Map::new();
            if let Some(d) = &f.dockerfile {
                location.insert(
                    "physicalLocation".into(),
                    json!({
                        "artifactLocation": {"uri": d.path},
                        "region": {
                            "startLine": d.start_line,
                            "endLine": d.end_line,
                            "charOffset": d.span.0,
                            "charLength": d.span.1.saturating_sub(d.span.0),
                        }
                    }),
                );
            }
            if !logical.is_empty() {
                location.insert("logicalLocations".into(), Value::Array(logical));
            }
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": rule_ids.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": f.severity.sarif_level(),
                "message": {"text": f.message},
            });
            if !location.is_empty()
                && let Some(obj) = result.as_object_mut()
            {
                obj.insert("locations".into(), json!([Value::Object(location)]));
            }
            result
        })
        .collect();
    let gates: Vec<Value> = analysis
        .gates
        .iter()
        .map(|g| json!({"name": g.name, "limit": g.limit, "actual": g.actual, "passed": g.passed}))
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "imglint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "image": analysis.image.source,
                "reclaimableBytes": analysis.waste.reclaimable_bytes,
                "efficiency": analysis.dive.efficiency,
                "wastedBytes": analysis.dive.wasted_bytes,
                "gates": gates,
            },
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif).map_err(io::Error::other)?;
    writeln!(out)
}

fn bar(value: u64, max: u64) -> String {
    if max == 0 {
        return " ".repeat(BAR_WIDTH);
    }
    // eighths of a cell
    let eighths = ((value as u128 * (BAR_WIDTH as u128 * 8)) / max as u128) as usize;
    let full = eighths / 8;
    let part = eighths % 8;
    let mut s = "█".repeat(full);
    if part > 0 && full < BAR_WIDTH {
        const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
        s.push(PARTS.get(part).copied().unwrap_or(' '));
    }
    let used = s.chars().count();
    s.push_str(&" ".repeat(BAR_WIDTH.saturating_sub(used)));
    s
}

fn where_in_dockerfile(loc: &Option<DockerfileLocation>) -> String {
    match loc {
        Some(l) if l.start_line == l.end_line => format!("{}:{}", l.path, l.start_line),
        Some(l) => format!("{}:{}-{}", l.path, l.start_line, l.end_line),
        None => String::new(),
    }
}

fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Writes the text report.
pub fn render_text(a: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let img = &a.image;
    let format = serde_json::to_value(img.format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    writeln!(out, "image {} ({format}, {})", img.source, img.platform)?;
    if !img.names.is_empty() {
        writeln!(out, "  names: {}", img.names.join(", "))?;
    }
    if let Some(d) = &img.manifest_digest {
        writeln!(out, "  manifest: {d}")?;
    }
    let share = if a.waste.total_content_bytes == 0 {
        0.0
    } else {
        a.waste.reclaimable_bytes as f64 * 100.0 / a.waste.total_content_bytes as f64
    };
    writeln!(
        out,
        "  {} layers, {} in blobs, {} content, {} reclaimable ({share:.1}%)",
        a.layers.len(),
        human_bytes(img.compressed_bytes),
        human_bytes(img.content_bytes),
        human_bytes(a.waste.reclaimable_bytes),
    )?;

    writeln!(out)?;
    writeln!(
        out,
        "  #  {:>9}  {:<w$}  {:>9}  {:>9}  {:>6} {:>6} {:>6}  created by",
        "content",
        "",
        "blob",
        "wasted",
        "+add",
        "~chg",
        "-del",
        w = BAR_WIDTH
    )?;
    let max = a.layers.iter().map(|l| l.content_bytes).max().unwrap_or(0);
    for l in &a.layers {
        let created = l
            .created_by
            .as_deref()
            .map(|c| one_line(c, 60))
            .unwrap_or_default();
        let place = where_in_dockerfile(&l.dockerfile);
        let created = if place.is_empty() {
            created
        } else {
            format!("{place}  {created}")
        };
        writeln!(
            out,
            "{:>3}  {:>9}  {}  {:>9}  {:>9}  {:>6} {:>6} {:>6}  {created}",
            l.index,
            human_bytes(l.content_bytes),
            bar(l.content_bytes, max),
            human_bytes(l.compressed_bytes),
            human_bytes(l.wasted_bytes),
            l.files_added,
            l.files_changed,
            l.files_deleted,
        )?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "waste: {} reclaimable of {} content ({} visible)",
        human_bytes(a.waste.reclaimable_bytes),
        human_bytes(a.waste.total_content_bytes),
        human_bytes(a.waste.visible_content_bytes)
    )?;
    for (reason, bytes) in &a.waste.by_reason {
        writeln!(out, "  {:<13} {:>9}", reason.as_str(), human_bytes(*bytes))?;
    }
    if !a.waste.entries.is_empty() {
        writeln!(out, "  largest:")?;
        for w in a.waste.entries.iter().take(TOP) {
            let hider = a
                .layers
                .get(w.hidden_by)
                .map(|l| where_in_dockerfile(&l.dockerfile))
                .filter(|s| !s.is_empty())
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:>9}  /{}  {} in layer {} by layer {}{hider}",
                human_bytes(w.bytes),
                w.path,
                w.reason.as_str(),
                w.added_in,
                w.hidden_by
            )?;
        }
        if a.waste.entries.len() > TOP {
            writeln!(out, "  … and {} more", a.waste.entries.len() - TOP)?;
        }
    }

    writeln!(out)?;
    writeln!(
        out,
        "dive-compatible: efficiency {:.4}%, wasted {} ({} B), user wasted ratio {:.4}",
        a.dive.efficiency * 100.0,
        human_bytes(a.dive.wasted_bytes),
        a.dive.wasted_bytes,
        a.dive.user_wasted_ratio
    )?;
    for g in &a.gates {
        let verdict = if g.passed { "pass" } else { "FAIL" };
        writeln!(
            out,
            "  gate {}: {verdict} (limit {}, actual {})",
            g.name, g.limit, g.actual
        )?;
    }

    if !a.findings.is_empty() {
        writeln!(out)?;
        for f in &a.findings {
            let mut subject = Vec::new();
            if let Some(l) = f.subject.layer {
                subject.push(format!("layer {l}"));
            }
            if let Some(p) = &f.subject.path {
                subject.push(p.clone());
            }
            if let Some(c) = f.subject.config {
                subject.push(format!("config {c}"));
            }
            let place = where_in_dockerfile(&f.dockerfile);
            if !place.is_empty() {
                subject.push(place);
            }
            let subject = if subject.is_empty() {
                String::new()
            } else {
                format!(" [{}]", subject.join(", "))
            };
            writeln!(
                out,
                "{} {} {}: {}{subject}",
                f.code,
                f.severity.as_str(),
                f.name,
                f.message
            )?;
            writeln!(out, "  help: {}", f.help)?;
        }
    }
    let errors = a.findings.len();
    let failed = a.gates.iter().filter(|g| !g.passed).count();
    writeln!(out)?;
    writeln!(out, "{errors} findings, {failed} gates failed")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale() {
        assert_eq!(bar(10, 10).chars().count(), BAR_WIDTH);
        assert_eq!(bar(10, 10), "█".repeat(BAR_WIDTH));
        assert_eq!(bar(0, 10).trim(), "");
        assert_eq!(bar(5, 10).trim_end(), "█".repeat(BAR_WIDTH / 2));
        assert_eq!(bar(1, 0).chars().count(), BAR_WIDTH);
    }

    #[test]
    fn one_line_truncates() {
        assert_eq!(one_line("a\n  b", 10), "a b");
        assert_eq!(one_line("abcdefghijk", 5), "abcd…");
    }
}
