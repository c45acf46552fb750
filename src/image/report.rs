//! Rendering an [`Analysis`]: the image's own sections (a layer table with
//! size bars, the largest waste, the dive-compatible numbers and gates) and
//! its findings through the shared reporters of [`crate::report`], so image
//! and Dockerfile findings look the same in every format.

use std::io::{self, Write};

use serde::Serialize;

use super::checks::human_bytes;
use super::{Analysis, DockerfileLocation};
use crate::report::{self, Format, RenderOptions};

/// How many waste entries and inefficient files the text report lists.
const TOP: usize = 10;
const BAR_WIDTH: usize = 20;

/// Renders `analysis` in `format`: text, JSON and SARIF carry the layers,
/// waste and gates; compact and GitHub list the findings only.
pub fn render(
    format: Format,
    analysis: &Analysis,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => render_text(analysis, opts, out),
        Format::Json => render_json(analysis, out),
        Format::Sarif => render_sarif(analysis, opts, out),
        Format::Compact | Format::Github => {
            report::render(format, &analysis.reports, &[], opts, out)
        }
    }
}

/// Plain options: no colour, 100 columns.
pub fn plain_options() -> RenderOptions {
    RenderOptions {
        color: false,
        width: 100,
        rules: Vec::new(),
        files_checked: 1,
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    analysis: &'a Analysis,
    findings: Vec<serde_json::Value>,
}

/// Writes the JSON report (`version`, `image`, `layers`, `waste`, `dive`,
/// `gates`, `findings`); findings have the shape of the Dockerfile report's.
pub fn render_json(analysis: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    let doc = JsonReport {
        analysis,
        findings: report::json::findings_value(&analysis.reports),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// Writes the findings as SARIF 2.1.0, as for Dockerfiles: results located
/// in the Dockerfile when `--dockerfile` mapped them and on the image (with
/// logical locations) otherwise. The run's properties carry the image, the
/// waste and the gate results.
pub fn render_sarif(
    analysis: &Analysis,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    use serde_json::json;
    let mut sarif = report::sarif::to_value(&analysis.reports, &[], opts);
    let gates: Vec<serde_json::Value> = analysis
        .gates
        .iter()
        .map(|g| json!({"name": g.name, "limit": g.limit, "actual": g.actual, "passed": g.passed}))
        .collect();
    if let Some(run) = sarif.pointer_mut("/runs/0") {
        run["automationDetails"] = json!({ "id": "imglint/image/" });
        run["properties"] = json!({
            "image": analysis.image.source,
            "reclaimableBytes": analysis.waste.reclaimable_bytes,
            "efficiency": analysis.dive.efficiency,
            "wastedBytes": analysis.dive.wasted_bytes,
            "userWastedRatio": analysis.dive.user_wasted_ratio,
            "gates": gates,
        });
    }
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
pub fn render_text(a: &Analysis, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
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

    writeln!(out)?;
    let tally = report::text::render_findings(&a.reports, opts, out)?;
    let failed = a.gates.iter().filter(|g| !g.passed).count();
    let findings = match tally.total() {
        0 => "no findings".to_string(),
        1 => format!("1 finding ({})", tally.by_severity()),
        n => format!("{n} findings ({})", tally.by_severity()),
    };
    let gates = match a.gates.len() {
        0 => String::new(),
        n => format!(", {failed} of {n} gates failed"),
    };
    writeln!(out, "{findings}{gates}")
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
