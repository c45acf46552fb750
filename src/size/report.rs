//! `imglint size` reports: text with a bar chart of the bases, and JSON.

use std::io::{self, Write};

use super::estimate::{BaseStatus, Estimate, render_bytes};
use super::table::Size;

const BAR: usize = 40;

fn range(s: Size) -> String {
    if s.is_exact() {
        render_bytes(s.estimate)
    } else if render_bytes(s.low) == render_bytes(s.high) {
        format!("≈ {}", render_bytes(s.estimate))
    } else {
        format!(
            "≈ {} ({} – {})",
            render_bytes(s.estimate),
            render_bytes(s.low),
            render_bytes(s.high)
        )
    }
}

fn bar(value: u64, max: u64) -> String {
    if max == 0 {
        return String::new();
    }
    let eighths = ((value as f64 / max as f64) * (BAR * 8) as f64).round() as usize;
    let full = eighths / 8;
    let part = eighths % 8;
    let mut s = "█".repeat(full);
    if part > 0 {
        s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][part - 1]);
    }
    if s.is_empty() && value > 0 {
        s.push('▏');
    }
    s
}

/// Writes the estimate as text.
pub fn render_text(e: &Estimate, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{}: compressed sizes for {} (what a pull downloads), table verified {}",
        e.file, e.platform, e.table_verified
    )?;
    for s in &e.stages {
        writeln!(out)?;
        let name = s
            .name
            .as_deref()
            .map(|n| format!("stage `{n}`"))
            .unwrap_or_else(|| format!("stage {}", s.index));
        let role = if s.in_final_image {
            "in the image"
        } else {
            "build only"
        };
        let size = match (s.base.status, s.base.size) {
            (BaseStatus::Stage, _) => format!("FROM {}", s.base.image),
            (_, Some(b)) => format!("{}  {}", s.base.image, range(b.size())),
            (_, None) => format!("{}  size unknown", s.base.image),
        };
        writeln!(out, "{name} (line {}, {role}): {size}", s.line)?;
        if let Some(n) = &s.base.note
            && s.base.status != BaseStatus::Stage
        {
            writeln!(out, "  note: {n}")?;
        }
        for l in &s.layers {
            let size = match l.size {
                Some(b) => range(b.size()),
                None => "unknown".into(),
            };
            writeln!(out, "  {:>4}  {:<44} {size}", l.line, l.instruction)?;
            writeln!(out, "        {}", l.detail)?;
        }
    }
    writeln!(out)?;
    match &e.final_image {
        None => writeln!(out, "no stage becomes the image")?,
        Some(f) => {
            match (f.size.estimated_bytes, f.size.low_bytes, f.size.high_bytes) {
                (Some(est), Some(low), Some(high)) => writeln!(
                    out,
                    "final image: {}",
                    range(Size {
                        low,
                        estimate: est,
                        high
                    })
                )?,
                _ => writeln!(
                    out,
                    "final image: unknown: the size of `{}` is not known",
                    f.base
                )?,
            }
            if !f.unknown.is_empty() {
                writeln!(
                    out,
                    "  not counted: {} layer{} of unknown size (lines {})",
                    f.unknown.len(),
                    if f.unknown.len() == 1 { "" } else { "s" },
                    f.unknown
                        .iter()
                        .map(|u| u.line.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
        }
    }
    // the bases side by side: every stage's base and the alternatives
    let mut rows: Vec<(String, u64, String)> = Vec::new();
    for s in &e.stages {
        if let (Some(b), false) = (s.base.size, s.base.status == BaseStatus::Stage) {
            let role = if s.in_final_image {
                "the image's base"
            } else {
                "build stage only"
            };
            if !rows.iter().any(|r| r.0 == s.base.image) {
                rows.push((s.base.image.clone(), b.estimated_bytes, role.to_string()));
            }
        }
    }
    for a in &e.alternatives {
        let mut what = match a.saving_bytes {
            Some(s) => format!("saves {}", render_bytes(s)),
            None => "saving unknown".to_string(),
        };
        if let Some(n) = &a.note {
            what.push_str(&format!("; {n}"));
        }
        rows.push((a.base.clone(), a.base_bytes, what));
    }
    if !rows.is_empty() {
        writeln!(out)?;
        match &e.program {
            Some(p) if !e.alternatives.is_empty() => writeln!(
                out,
                "bases (the image runs {p}; lighter bases for it below):"
            )?,
            Some(p) => writeln!(out, "bases (the image runs {p}; no lighter base known):")?,
            None => writeln!(out, "bases:")?,
        }
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
        let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        for (name, bytes, what) in &rows {
            writeln!(
                out,
                "  {name:<width$}  {:>9}  {:<bw$}  {what}",
                render_bytes(*bytes),
                bar(*bytes, max),
                bw = BAR
            )?;
        }
    }
    Ok(())
}

/// Writes the estimate as JSON.
pub fn render_json(e: &Estimate, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, e)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_and_show_small_values() {
        assert_eq!(bar(100, 100).chars().count(), BAR);
        assert_eq!(bar(1, 1_000_000), "▏");
        assert_eq!(bar(0, 100), "");
        assert_eq!(bar(50, 100), "█".repeat(BAR / 2));
    }
}
