//! Users or groups sharing a numeric ID or a name.

use std::collections::BTreeMap;

use super::accounts::records;
use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7008",
    name: "duplicate-account-id",
    aliases: &["DKL-LI-0002"],
    severity: Severity::Warning,
    category: Category::Security,
    summary: "Two users or two groups share an ID or a name",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/duplicate-account-id.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "give every user and group its own ID and name";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (file, what, id) in [("etc/passwd", "UID", 2usize), ("etc/group", "GID", 2)] {
        let Some(content) = cx.file_content(file) else {
            continue;
        };
        let layer = cx.fs.resolve(file).map(|(_, n)| n.layer);
        let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
        for (_, fields) in records(content) {
            let (Some(name), Some(num)) = (fields.first(), fields.get(id)) else {
                continue;
            };
            by_id.entry(num.clone()).or_default().push(name.clone());
            *by_name.entry(name.clone()).or_default() += 1;
        }
        let mut push = |message: String| {
            let mut f = Finding::new(&META, message).path(file);
            if let Some(l) = layer {
                f = f.layer(l);
            }
            out.push(f);
        };
        for (num, names) in &by_id {
            if names.len() > 1 {
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                push(format!(
                    "{what} {num} is shared by {} in `/{file}`",
                    list.join(", ")
                ));
            }
        }
        for (name, count) in &by_name {
            if *count > 1 {
                push(format!("`{name}` is listed {count} times in `/{file}`"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_shared_ids_and_names() {
        let img = TestImage::new()
            .file(
                "etc/passwd",
                b"root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
            )
            .file("etc/group", b"root:x:0:\nstaff:x:50:\nstaff:x:51:\n");
        assert_eq!(
            messages(&img.run(check)),
            [
                "UID 0 is shared by `root`, `toor` in `/etc/passwd`",
                "`staff` is listed 2 times in `/etc/group`",
            ]
        );
    }

    #[test]
    fn quiet_on_unique_accounts_and_reads_the_final_file() {
        let img = TestImage::new()
            .file(
                "etc/passwd",
                b"root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
            )
            .layer("RUN fix")
            .file(
                "etc/passwd",
                b"root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n",
            );
        assert!(img.run(check).is_empty());
    }
}
