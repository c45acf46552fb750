//! Version-control data, editor folders and OS junk in the image.

use std::collections::BTreeMap;

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target, human_bytes};

pub const META: Meta = Meta {
    code: "IL7010",
    name: "unnecessary-file",
    aliases: &["DKL-LI-0003"],
    severity: Severity::Info,
    category: Category::Size,
    summary: "The image contains files that are never needed at run time",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/unnecessary-file.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "exclude them from the build context with `.dockerignore`";

/// Directory names whose whole subtree is unnecessary.
const DIRS: &[(&str, &str)] = &[
    (".git", "Git repository data"),
    (".svn", "Subversion data"),
    (".hg", "Mercurial data"),
    (".idea", "IDE settings"),
    (".vscode", "editor settings"),
];
/// File names that are unnecessary.
const FILES: &[(&str, &str)] = &[
    (".DS_Store", "macOS folder metadata"),
    ("Thumbs.db", "Windows thumbnail cache"),
    (".gitlab-ci.yml", "CI configuration"),
];

fn classify(path: &str) -> Option<(String, &'static str)> {
    let mut prefix = String::new();
    for part in path.split('/') {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        if let Some((_, what)) = DIRS.iter().find(|(d, _)| *d == part) {
            return Some((prefix, what));
        }
    }
    let base = path.rsplit('/').next().unwrap_or(path);
    if let Some((_, what)) = FILES.iter().find(|(f, _)| *f == base) {
        return Some((path.to_string(), what));
    }
    if base.ends_with(".swp") || base.ends_with(".swo") {
        return Some((path.to_string(), "editor swap file"));
    }
    None
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // root -> (what, bytes, entries, layer of the root)
    let mut found: BTreeMap<String, (&'static str, u64, u64, usize)> = BTreeMap::new();
    for (path, node) in &cx.fs.nodes {
        if path.starts_with("usr/") || path.starts_with("proc/") {
            continue;
        }
        if let Some((root, what)) = classify(path) {
            let slot = found.entry(root).or_insert((what, 0, 0, node.layer));
            slot.1 = slot.1.saturating_add(node.size);
            slot.2 += 1;
        }
    }
    for (root, (what, bytes, entries, layer)) in found {
        out.push(
            Finding::new(
                &META,
                format!(
                    "`/{root}` is {what} ({entries} entries, {})",
                    human_bytes(bytes)
                ),
            )
            .layer(layer)
            .path(&root),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_once_per_root() {
        let img = TestImage::new()
            .dir("app/.git", 0o755)
            .file("app/.git/HEAD", b"ref: refs/heads/main\n")
            .file("app/.git/objects/ab/cdef", &[0u8; 100])
            .file("app/.DS_Store", b"junk")
            .file("app/.main.py.swp", b"x");
        assert_eq!(
            messages(&img.run(check)),
            [
                "`/app/.DS_Store` is macOS folder metadata (1 entries, 4 B)",
                "`/app/.git` is Git repository data (3 entries, 121 B)",
                "`/app/.main.py.swp` is editor swap file (1 entries, 1 B)",
            ]
        );
    }

    #[test]
    fn quiet_on_application_files_and_system_paths() {
        let img = TestImage::new()
            .file("app/main.py", b"print()")
            .file("app/.gitignore", b"*.pyc")
            .file("usr/lib/python3/site-packages/x/.git/HEAD", b"x");
        assert!(img.run(check).is_empty());
    }
}
