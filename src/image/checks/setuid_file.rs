//! Setuid and setgid files.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};
use crate::image::layer::EntryKind;

pub const META: Meta = Meta {
    code: "IL7006",
    name: "setuid-file",
    aliases: &["CIS-DI-0008"],
    severity: Severity::Info,
    category: Category::Security,
    summary: "A file in the image has the setuid or setgid bit",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/setuid-file.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "remove the bit where it is not needed, e.g. `RUN chmod u-s,g-s FILE`, in the layer that adds the file";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (path, node) in &cx.fs.nodes {
        if node.kind != EntryKind::File || node.mode & 0o6000 == 0 {
            continue;
        }
        let bits = match (node.mode & 0o4000 != 0, node.mode & 0o2000 != 0) {
            (true, true) => "setuid and setgid",
            (true, false) => "setuid",
            _ => "setgid",
        };
        let owner = if node.mode & 0o4000 != 0 {
            format!(" (owner uid {})", node.uid)
        } else {
            format!(" (group gid {})", node.gid)
        };
        out.push(
            Finding::new(
                &META,
                format!("`/{path}` is {bits}{owner}, mode {:o}", node.mode & 0o7777),
            )
            .layer(node.layer)
            .path(path),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_setuid_and_setgid() {
        let img = TestImage::new()
            .file_mode("usr/local/bin/su-helper", b"x", 0o4755)
            .file_mode("usr/bin/wall", b"x", 0o2755);
        assert_eq!(
            messages(&img.run(check)),
            [
                "`/usr/bin/wall` is setgid (group gid 0), mode 2755",
                "`/usr/local/bin/su-helper` is setuid (owner uid 0), mode 4755",
            ]
        );
    }

    #[test]
    fn quiet_on_plain_files_and_fixed_later() {
        let img = TestImage::new()
            .file_mode("bin/tool", b"x", 0o4755)
            .layer("RUN chmod u-s /bin/tool")
            .file_mode("bin/tool", b"x", 0o755)
            .dir("tmp", 0o1777);
        assert!(img.run(check).is_empty());
    }
}
