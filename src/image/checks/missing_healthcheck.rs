//! The image has no healthcheck.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7002",
    name: "image-without-healthcheck",
    aliases: &["CIS-DI-0006"],
    severity: Severity::Info,
    category: Category::Correctness,
    summary: "The image config has no healthcheck",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/image-without-healthcheck.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str =
    "add a `HEALTHCHECK` that probes the service, or `HEALTHCHECK NONE` to opt out";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // `HEALTHCHECK NONE` is a deliberate choice
    let present = cx
        .config
        .healthcheck
        .as_ref()
        .is_some_and(|h| !h.test.is_empty());
    if !present {
        out.push(Finding::new(&META, "the image has no healthcheck").config("Healthcheck"));
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::config::Healthcheck;
    use super::super::testing::TestImage;
    use super::*;

    #[test]
    fn fires_without_healthcheck() {
        assert_eq!(TestImage::new().run(check).len(), 1);
        let empty = TestImage::new().config(|c| c.healthcheck = Some(Healthcheck::default()));
        assert_eq!(empty.run(check).len(), 1);
    }

    #[test]
    fn quiet_with_healthcheck_or_none() {
        for test in [vec!["CMD-SHELL", "curl -f localhost"], vec!["NONE"]] {
            let img = TestImage::new().config(|c| {
                c.healthcheck = Some(Healthcheck {
                    test: test.iter().map(|s| s.to_string()).collect(),
                });
            });
            assert!(img.run(check).is_empty());
        }
    }
}
