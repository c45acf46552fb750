//! World-writable files and directories.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};
use crate::image::layer::EntryKind;

pub const META: Meta = Meta {
    code: "IL7007",
    name: "world-writable-file",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Security,
    summary: "A file or directory in the image is writable by every user",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/world-writable-file.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str =
    "drop the write bit for others (`chmod o-w`), or set the sticky bit on shared directories";

/// Individual findings before the rest are summarised in one.
const MAX_REPORTED: usize = 20;

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut count = 0usize;
    for (path, node) in &cx.fs.nodes {
        let writable = node.mode & 0o002 != 0;
        let relevant = match node.kind {
            EntryKind::File => true,
            // the sticky bit (/tmp) keeps users from removing others' files
            EntryKind::Dir => node.mode & 0o1000 == 0,
            _ => false,
        };
        if !writable || !relevant {
            continue;
        }
        count += 1;
        if count <= MAX_REPORTED {
            let what = if node.kind == EntryKind::Dir {
                "directory"
            } else {
                "file"
            };
            out.push(
                Finding::new(
                    &META,
                    format!(
                        "{what} `/{path}` is world-writable (mode {:o})",
                        node.mode & 0o7777
                    ),
                )
                .layer(node.layer)
                .path(path),
            );
        }
    }
    if count > MAX_REPORTED {
        out.push(Finding::new(
            &META,
            format!("{} more world-writable entries", count - MAX_REPORTED),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_writable_files_and_dirs() {
        let img = TestImage::new()
            .file_mode("app/run.sh", b"x", 0o777)
            .dir("data", 0o777);
        assert_eq!(
            messages(&img.run(check)),
            [
                "file `/app/run.sh` is world-writable (mode 777)",
                "directory `/data` is world-writable (mode 777)",
            ]
        );
    }

    #[test]
    fn summarises_many() {
        let mut img = TestImage::new();
        for i in 0..25 {
            img = img.file_mode(&format!("d/f{i:02}"), b"x", 0o666);
        }
        let f = img.run(check);
        assert_eq!(f.len(), 21);
        assert_eq!(
            f.last().map(|f| f.message.as_str()),
            Some("5 more world-writable entries")
        );
    }

    #[test]
    fn quiet_on_sticky_dirs_symlinks_and_normal_modes() {
        let img = TestImage::new()
            .dir("tmp", 0o1777)
            .symlink("bin/sh", "busybox")
            .file_mode("app/x", b"x", 0o755);
        assert!(img.run(check).is_empty());
    }
}
