//! Accounts without a password.

use super::accounts::records;
use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7009",
    name: "empty-password",
    aliases: &["DKL-LI-0001"],
    severity: Severity::Error,
    category: Category::Security,
    summary: "An account can log in without a password",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/empty-password.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "lock the account (`passwd -l NAME`) or set a password field of `!` or `*`";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for file in ["etc/shadow", "etc/passwd"] {
        let Some(content) = cx.file_content(file) else {
            continue;
        };
        let layer = cx.fs.resolve(file).map(|(_, n)| n.layer);
        for (line, fields) in records(content) {
            let (Some(name), Some(password)) = (fields.first(), fields.get(1)) else {
                continue;
            };
            if password.is_empty() {
                let mut f = Finding::new(
                    &META,
                    format!("`{name}` has an empty password in `/{file}` (line {line})"),
                )
                .path(file);
                if let Some(l) = layer {
                    f = f.layer(l);
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_empty_fields() {
        let img = TestImage::new()
            .file(
                "etc/shadow",
                b"root::19000:0:99999:7:::\napp:!:19000::::::\n",
            )
            .file(
                "etc/passwd",
                b"root:x:0:0::/root:/bin/sh\nguest::1001:1001::/:/bin/sh\n",
            );
        assert_eq!(
            messages(&img.run(check)),
            [
                "`root` has an empty password in `/etc/shadow` (line 1)",
                "`guest` has an empty password in `/etc/passwd` (line 2)",
            ]
        );
    }

    #[test]
    fn quiet_on_locked_accounts() {
        let img = TestImage::new()
            .file(
                "etc/shadow",
                b"root:*:19000:0:99999:7:::\napp:!:19000::::::\n",
            )
            .file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n");
        assert!(img.run(check).is_empty());
    }
}
