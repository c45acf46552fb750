//! The image runs as root.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7001",
    name: "root-user",
    aliases: &["CIS-DI-0001"],
    severity: Severity::Warning,
    category: Category::Security,
    summary: "The image's default user is root",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/root-user.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "create an unprivileged user and switch to it with `USER`";

/// Is the config's `User` root (empty, `root`, `0`, with any group)?
pub fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    name.is_empty() || name == "root" || name == "0"
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let user = cx.config.user.as_str();
    if !is_root(user) {
        return;
    }
    let message = if user.trim().is_empty() {
        "no `User` is set, so containers run as root".to_string()
    } else {
        format!("`User` is `{user}`, so containers run as root")
    };
    out.push(Finding::new(&META, message).config("User"));
}

#[cfg(test)]
mod tests {
    use super::super::testing::TestImage;
    use super::*;

    #[test]
    fn fires_without_user_or_for_root() {
        for user in ["", "root", "0", "0:0", "root:wheel"] {
            let f = TestImage::new().config(|c| c.user = user.into()).run(check);
            assert_eq!(f.len(), 1, "user {user:?}");
        }
    }

    #[test]
    fn quiet_for_other_users() {
        for user in ["app", "1000", "1000:1000", "nobody:nogroup"] {
            assert!(
                TestImage::new()
                    .config(|c| c.user = user.into())
                    .run(check)
                    .is_empty()
            );
        }
    }
}
