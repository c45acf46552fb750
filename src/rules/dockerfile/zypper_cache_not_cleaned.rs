use super::yum_cache_not_cleaned::{CacheCheck, check_cache};
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::rpm::zypper;
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// DL3036
pub struct ZypperCacheNotCleaned;

const META: Meta = Meta {
    code: "DL3036",
    name: "zypper-cache-not-cleaned",
    aliases: &["DS-0020", "DS020", "docker-purge-zipper-cache"],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`zypper install` without `zypper clean` leaves the package cache in the image",
    doc: include_str!("../../../rules/zypper-cache-not-cleaned.md"),
    target: Target::Dockerfile,
};

const ZYPPER_CACHE_DIRS: &[&str] = &["/var/cache/zypp"];

fn zypper_fills(c: &SimpleCommand) -> Option<(Span, String)> {
    let pc = zypper(c)?;
    let sub = pc.subcommand?;
    matches!(sub.value.as_str(), "install" | "in")
        .then(|| (sub.span, format!("zypper {}", sub.value)))
}

fn zypper_cleans(c: &SimpleCommand) -> bool {
    zypper(c).is_some_and(|pc| pc.is("clean") || pc.is("cc"))
}

impl Rule for ZypperCacheNotCleaned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        check_cache(
            cx,
            ins,
            &CacheCheck {
                fills: &zypper_fills,
                cleans: &zypper_cleans,
                dirs: ZYPPER_CACHE_DIRS,
                clean: "zypper clean",
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_without_cleaning() {
        fires(
            "DL3036",
            "FROM opensuse/leap:15.6\nRUN zypper -n install curl=8.0.1\n",
            &["2:15 DL3036 `zypper install` without `zypper clean` leaves the cache in the layer"],
        );
        fires(
            "DL3036",
            "FROM opensuse/leap:15.6\nRUN zypper -n \\\n  # tools\n  in curl=8.0.1\n",
            &["4:3 DL3036 `zypper in` without `zypper clean` leaves the cache in the layer"],
        );
        fires(
            "DL3036",
            "FROM opensuse/leap:15.6\nRUN <<EOF\nzypper -n in curl=8.0.1\nEOF\n",
            &["3:11 DL3036 `zypper in` without `zypper clean` leaves the cache in the layer"],
        );
        fires(
            "DL3036",
            "FROM opensuse/leap:15.6\nONBUILD RUN zypper -n in curl=8.0.1\n",
            &["2:23 DL3036 `zypper in` without `zypper clean` leaves the cache in the layer"],
        );
    }

    #[test]
    fn points_at_the_subcommand() {
        assert_eq!(
            spans("DL3036", "FROM opensuse/leap\nRUN zypper -n in x=1\n"),
            ["in"]
        );
    }

    #[test]
    fn passes_with_cleanup_or_mounts() {
        for run in [
            "zypper -n in x=1 && zypper clean -a",
            "zypper -n in x=1 && zypper cc",
            "zypper -n in x=1 && rm -rf /var/cache/zypp/*",
            "--mount=type=cache,target=/var/cache/zypp zypper -n in x=1",
            "zypper refresh",
        ] {
            passes("DL3036", &format!("FROM opensuse/leap\nRUN {run}\n"));
        }
    }
}
