use super::yum_cache_not_cleaned::{
    CacheCheck, RPM_CACHE_DIRS, RPM_FILLING, check_cache, rpm_cleans,
};
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::rpm::{dnf, dnf_action};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// DL3040
pub struct DnfCacheNotCleaned;

const META: Meta = Meta {
    code: "DL3040",
    name: "dnf-cache-not-cleaned",
    aliases: &[
        "DS-0019",
        "DS019",
        "docker-purge-dnf-package-cache",
        "DS-0027",
        "DS027",
        "docker-purge-microdnf-package-cache",
    ],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`dnf install` without `dnf clean all` leaves the package cache in the image",
    doc: include_str!("../../../rules/dnf-cache-not-cleaned.md"),
    target: Target::Dockerfile,
};

fn dnf_fills(c: &SimpleCommand) -> Option<(Span, String)> {
    let pc = dnf(c)?;
    let (action, _) = dnf_action(&pc)?;
    if !RPM_FILLING.contains(&action.as_str()) {
        return None;
    }
    Some((
        pc.subcommand?.span,
        format!("{} {action}", pc.args.program()),
    ))
}

impl Rule for DnfCacheNotCleaned {
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
                fills: &dnf_fills,
                cleans: &rpm_cleans,
                dirs: RPM_CACHE_DIRS,
                clean: "dnf clean all",
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
            "DL3040",
            "FROM fedora:40\nRUN dnf install -y nginx-1.26.1\n",
            &["2:9 DL3040 `dnf install` without `dnf clean all` leaves the cache in the layer"],
        );
        fires(
            "DL3040",
            "FROM ubi9/ubi-minimal\nRUN microdnf \\\n  # web\n  install nginx-1.22.1\n",
            &[
                "4:3 DL3040 `microdnf install` without `dnf clean all` leaves the cache in the layer",
            ],
        );
        fires(
            "DL3040",
            "FROM fedora:40\nRUN <<EOF\ndnf -y install git-2.45.2\nEOF\n",
            &["3:8 DL3040 `dnf install` without `dnf clean all` leaves the cache in the layer"],
        );
        fires(
            "DL3040",
            "FROM fedora:40\nONBUILD RUN dnf -y install git-2.45.2\n",
            &["2:20 DL3040 `dnf install` without `dnf clean all` leaves the cache in the layer"],
        );
    }

    #[test]
    fn passes_with_cleanup_or_mounts() {
        for run in [
            "dnf install -y x-1 && dnf clean all",
            "microdnf install x-1 && microdnf clean all",
            "dnf install -y x-1 && rm -rf /var/cache/dnf",
            "dnf5 install -y x-1 && rm -rf /var/cache/libdnf5*",
            "--mount=type=cache,target=/var/cache/dnf dnf install -y x-1",
            "--mount=type=cache,target=/var/cache/libdnf5 dnf5 install -y x-1",
            "dnf makecache",
        ] {
            passes("DL3040", &format!("FROM fedora:40\nRUN {run}\n"));
        }
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3040",
            "FROM fedora AS build\nRUN dnf install -y gcc-14\nFROM scratch\nCOPY --from=build /o /o\n",
        );
    }
}
