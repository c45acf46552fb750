//! Files copied into a new layer with unchanged content.

use std::collections::BTreeMap;

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target, human_bytes};
use crate::image::fs::WasteReason;

pub const META: Meta = Meta {
    code: "IL7018",
    name: "file-readded-unchanged",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    summary: "A layer stores files again only to change their metadata",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/file-readded-unchanged.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "set ownership and modes where the files are added (`COPY --chown --chmod`) instead of a later `RUN chown`/`chmod`";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // hiding layer -> (files, bytes, first path)
    let mut by_layer: BTreeMap<usize, (u64, u64, &str)> = BTreeMap::new();
    for w in &cx.merge.waste {
        if w.reason != WasteReason::SameContent {
            continue;
        }
        let slot = by_layer.entry(w.hidden_by).or_insert((0, 0, &w.path));
        slot.0 += 1;
        slot.1 = slot.1.saturating_add(w.bytes);
    }
    for (layer, (files, bytes, example)) in by_layer {
        let noun = if files == 1 { "file" } else { "files" };
        out.push(
            Finding::new(
                &META,
                format!(
                    "layer {layer} stores {files} {noun} again with unchanged content ({}), e.g. `/{example}`",
                    human_bytes(bytes)
                ),
            )
            .layer(layer),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_chown_style_layers() {
        let img = TestImage::new()
            .file("app/a", &[1; 3000])
            .file("app/b", &[2; 1000])
            .layer("RUN chown -R app /app")
            .file_mode("app/a", &[1; 3000], 0o600)
            .file_mode("app/b", &[2; 1000], 0o600);
        assert_eq!(
            messages(&img.run(check)),
            ["layer 1 stores 2 files again with unchanged content (4.0 kB), e.g. `/app/a`"]
        );
    }

    #[test]
    fn quiet_on_real_changes() {
        let img = TestImage::new()
            .file("app/a", &[1; 3000])
            .layer("COPY a /app/a")
            .file("app/a", &[9; 3000]);
        assert!(img.run(check).is_empty());
    }
}
