//! Package-manager caches left in the image.

use std::collections::BTreeMap;

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target, human_bytes};
use crate::image::layer::EntryKind;

pub const META: Meta = Meta {
    code: "IL7011",
    name: "package-cache",
    aliases: &["DKL-DI-0005", "DKL-DI-0004"],
    severity: Severity::Warning,
    category: Category::Size,
    summary: "A package manager's cache is left in the image",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/package-cache.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "clean the cache in the same `RUN` that fills it (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`), or use a cache mount";

/// (directory prefix or `*/` + suffix, cache name)
const CACHES: &[(&str, &str)] = &[
    ("var/lib/apt/lists/", "apt package lists"),
    ("var/cache/apt/", "apt package cache"),
    ("var/cache/apk/", "apk package cache"),
    ("var/cache/yum/", "yum cache"),
    ("var/cache/dnf/", "dnf cache"),
    ("var/cache/zypp/", "zypper cache"),
    ("*/.cache/pip/", "pip cache"),
    ("*/.npm/_cacache/", "npm cache"),
    ("*/.cache/yarn/", "yarn cache"),
    ("*/.cache/go-build/", "Go build cache"),
    ("*/.cargo/registry/cache/", "Cargo download cache"),
];

fn cache_of(path: &str) -> Option<&'static str> {
    CACHES.iter().find_map(|(pattern, name)| {
        let hit = match pattern.strip_prefix('*') {
            Some(suffix) => {
                path.contains(suffix) || path.starts_with(suffix.trim_start_matches('/'))
            }
            None => path.starts_with(pattern),
        };
        hit.then_some(*name)
    })
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // name -> (bytes, files, bytes per layer)
    let mut found: BTreeMap<&str, (u64, u64, BTreeMap<usize, u64>)> = BTreeMap::new();
    for (path, node) in &cx.fs.nodes {
        if node.kind != EntryKind::File || node.size == 0 {
            continue;
        }
        let Some(name) = cache_of(path) else { continue };
        let slot = found.entry(name).or_default();
        slot.0 = slot.0.saturating_add(node.size);
        slot.1 += 1;
        let per_layer = slot.2.entry(node.layer).or_default();
        *per_layer = per_layer.saturating_add(node.size);
    }
    for (name, (bytes, files, per_layer)) in found {
        let top = per_layer
            .iter()
            .max_by_key(|(l, b)| (**b, std::cmp::Reverse(**l)))
            .map(|(l, _)| *l);
        let mut f = Finding::new(
            &META,
            format!(
                "{name} left in the image ({files} files, {})",
                human_bytes(bytes)
            ),
        );
        if let Some(l) = top {
            f = f.layer(l);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_per_cache_and_points_at_the_biggest_layer() {
        let img = TestImage::new()
            .file(
                "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease",
                &[1; 500],
            )
            .layer("RUN pip install x")
            .file("root/.cache/pip/http/a/b", &[2; 2000])
            .file("var/lib/apt/lists/x_Packages", &[1; 1000]);
        let f = img.run(check);
        assert_eq!(
            messages(&f),
            [
                "apt package lists left in the image (2 files, 1.5 kB)",
                "pip cache left in the image (1 files, 2.0 kB)",
            ]
        );
        assert_eq!(f.first().and_then(|f| f.subject.layer), Some(1));
    }

    #[test]
    fn quiet_when_cleaned() {
        let img = TestImage::new()
            .file("var/lib/apt/lists/x_Packages", &[1; 1000])
            .file("var/lib/apt/lists/lock", b"")
            .layer("RUN rm -rf /var/lib/apt/lists/*")
            .whiteout("var/lib/apt/lists/x_Packages");
        assert!(img.run(check).is_empty());
    }
}
