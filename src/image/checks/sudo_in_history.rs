//! `sudo` in the image history.

use std::sync::LazyLock;

use regex::Regex;

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7014",
    name: "sudo-in-history",
    aliases: &["DKL-DI-0001"],
    severity: Severity::Warning,
    category: Category::Security,
    summary: "A build step ran `sudo`",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/sudo-in-history.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "build steps already run as the `USER` in effect; switch with `USER` instead of `sudo`, and keep `sudo` out of the image";

static SUDO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[\s;&|(`])sudo(\s|$)").unwrap_or_else(|_| unreachable!("valid pattern"))
});

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (h, entry) in cx.config.history.iter().enumerate() {
        let ins = entry.instruction();
        if ins.keyword != "RUN" || !SUDO.is_match(&ins.text) {
            continue;
        }
        let mut f = Finding::new(&META, format!("history entry {h} runs `sudo`")).history(h);
        if let Some(l) = cx.layer_of_history(h) {
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
    fn fires_on_sudo_commands() {
        let img = TestImage::new()
            .layer("/bin/sh -c sudo apt-get install -y git")
            .layer("RUN /bin/sh -c make && sudo make install # buildkit");
        assert_eq!(
            messages(&img.run(check)),
            ["history entry 1 runs `sudo`", "history entry 2 runs `sudo`"]
        );
    }

    #[test]
    fn quiet_on_sudo_as_a_word_part() {
        let img = TestImage::new()
            .layer("/bin/sh -c apt-get install -y sudoku pseudo")
            .empty_history("/bin/sh -c #(nop)  LABEL note=sudo");
        assert!(img.run(check).is_empty());
    }
}
