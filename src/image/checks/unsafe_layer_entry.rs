//! Layer entries that could write outside the root when extracted.

use std::collections::{HashMap, HashSet};

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};
use crate::image::layer::{EntryIssue, EntryKind, normalize_entry_name};

pub const META: Meta = Meta {
    code: "IL7017",
    name: "unsafe-layer-entry",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Security,
    summary: "A layer entry's name or link target escapes the image root",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/unsafe-layer-entry.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str =
    "rebuild the layer with a standard tool; do not run images whose layers were crafted by hand";

fn describe(issue: &EntryIssue) -> &'static str {
    match issue {
        EntryIssue::AbsolutePath => "has an absolute name",
        EntryIssue::DotDot => "has `..` in its name",
        EntryIssue::EscapesRoot => "climbs out of the root and was skipped",
        EntryIssue::SymlinkEscapes => "is a symlink whose target climbs out of the root",
        EntryIssue::HardLinkEscapes => "is a hard link whose target climbs out of the root",
    }
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // non-link paths present so far, and hard links so far
    let mut present: HashSet<&str> = HashSet::new();
    let mut hard: HashMap<&str, String> = HashMap::new();
    for layer in cx.layers {
        for e in &layer.entries {
            let shown = e.raw_name.as_deref().unwrap_or(&e.path);
            if let Some(issue) = &e.issue {
                out.push(
                    Finding::new(
                        &META,
                        format!("layer {} entry `{shown}` {}", layer.index, describe(issue)),
                    )
                    .layer(layer.index),
                );
                continue;
            }
            if e.is_marker() {
                continue;
            }
            if e.kind == EntryKind::HardLink {
                let target = normalize_entry_name(e.link.as_deref().unwrap_or_default()).0;
                hard.insert(&e.path, target);
            } else {
                present.insert(&e.path);
            }
        }
        for e in layer
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::HardLink && e.issue.is_none())
        {
            let problem = follow(&e.path, &present, &hard);
            if let Some(problem) = problem {
                out.push(
                    Finding::new(
                        &META,
                        format!("layer {} hard link `/{}` {problem}", layer.index, e.path),
                    )
                    .layer(layer.index)
                    .path(&e.path),
                );
            }
        }
    }
}

/// Follows a chain of hard links; `None` when it ends at a real entry.
fn follow(
    start: &str,
    present: &HashSet<&str>,
    hard: &HashMap<&str, String>,
) -> Option<&'static str> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut current = start;
    seen.insert(current);
    for _ in 0..64 {
        let target = hard.get(current)?;
        if present.contains(target.as_str()) {
            return None;
        }
        let Some((key, _)) = hard.get_key_value(target.as_str()) else {
            return Some("points at a missing file");
        };
        if !seen.insert(key) {
            return Some("is part of a hard-link loop");
        }
        current = key;
    }
    Some("is part of a hard-link loop")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_unsafe_names_and_links() {
        let img = TestImage::new()
            .with_issue("etc/cron.d/x", EntryIssue::AbsolutePath)
            .hardlink("a", "b")
            .hardlink("b", "a")
            .hardlink("c", "missing");
        assert_eq!(
            messages(&img.run(check)),
            [
                "layer 0 entry `/etc/cron.d/x` has an absolute name",
                "layer 0 hard link `/a` is part of a hard-link loop",
                "layer 0 hard link `/b` is part of a hard-link loop",
                "layer 0 hard link `/c` points at a missing file",
            ]
        );
    }

    #[test]
    fn quiet_on_normal_links() {
        let img = TestImage::new()
            .file("usr/bin/perl5.36", b"x")
            .hardlink("usr/bin/perl", "usr/bin/perl5.36")
            .layer("RUN ln")
            .hardlink("usr/bin/perl2", "/usr/bin/perl")
            .symlink("bin/sh", "../usr/bin/perl");
        assert!(img.run(check).is_empty());
    }
}
