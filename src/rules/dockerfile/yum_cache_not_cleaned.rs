use super::layers::ships_in_image;
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::cache::{has_cache_mount, removes};
use crate::shell::rpm::{dnf_action, yum, yum_or_dnf};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// DL3032
pub struct YumCacheNotCleaned;

const META: Meta = Meta {
    code: "DL3032",
    name: "yum-cache-not-cleaned",
    aliases: &["DS-0015", "DS015", "docker-purge-yum-package-cache"],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`yum install` without `yum clean all` leaves the package cache in the image",
    doc: include_str!("../../../rules/yum-cache-not-cleaned.md"),
    target: Target::Dockerfile,
};

/// Where yum and dnf keep metadata and packages.
pub const RPM_CACHE_DIRS: &[&str] = &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"];

/// A package manager's cache, as a cleanup rule sees it.
pub struct CacheCheck<'a> {
    /// The word to report and how to say the command, for a command that
    /// fills the cache.
    pub fills: &'a dyn Fn(&SimpleCommand) -> Option<(Span, String)>,
    /// Whether a command empties the cache.
    pub cleans: &'a dyn Fn(&SimpleCommand) -> bool,
    /// The cache directories.
    pub dirs: &'a [&'a str],
    /// The cleaning command to suggest.
    pub clean: &'a str,
}

/// Reports the first command of the instruction that fills the cache with
/// no cleanup after it in the same `RUN` and no cache mount.
pub fn check_cache(cx: &mut Context<'_>, ins: &Instruction, check: &CacheCheck<'_>) {
    if !ships_in_image(cx) {
        return;
    }
    let index = cx.instruction_index().unwrap_or(0);
    let workdir = cx.state().and_then(|s| s.workdir.clone());
    if has_cache_mount(
        ins,
        check.dirs,
        &|t| cx.expand_at(index, t),
        workdir.as_deref(),
    ) {
        return;
    }
    let commands: Vec<&SimpleCommand> = cx
        .scripts()
        .iter()
        .flat_map(|s| s.commands.iter())
        .collect();
    let last_clean = commands
        .iter()
        .filter(|c| (check.cleans)(c) || removes(c, check.dirs))
        .map(|c| c.span.start)
        .max();
    let uncleaned = commands
        .iter()
        .filter(|c| last_clean.is_none_or(|at| c.span.start > at))
        .find_map(|c| (check.fills)(c));
    let Some((span, label)) = uncleaned else {
        return;
    };
    let dir = check.dirs.first().copied().unwrap_or_default();
    cx.report(
        span,
        format!(
            "`{label}` without `{}` leaves the cache in the layer",
            check.clean
        ),
    )
    .help(format!(
        "end the same `RUN` with `{}`, or mount a cache at `{dir}`",
        check.clean
    ));
}

/// yum/dnf actions that download metadata and packages.
pub const RPM_FILLING: &[&str] = &[
    "install",
    "groupinstall",
    "localinstall",
    "reinstall",
    "module install",
];

fn yum_fills(c: &SimpleCommand) -> Option<(Span, String)> {
    let pc = yum(c)?;
    let (action, _) = dnf_action(&pc)?;
    if !RPM_FILLING.contains(&action.as_str()) {
        return None;
    }
    Some((pc.subcommand?.span, format!("yum {action}")))
}

/// `yum clean …`, `dnf clean …`, `microdnf clean …`.
pub fn rpm_cleans(c: &SimpleCommand) -> bool {
    yum_or_dnf(c).is_some_and(|pc| pc.is("clean"))
}

impl Rule for YumCacheNotCleaned {
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
                fills: &yum_fills,
                cleans: &rpm_cleans,
                dirs: RPM_CACHE_DIRS,
                clean: "yum clean all",
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
            "DL3032",
            "FROM centos:7\nRUN yum install -y httpd-2.4.6\n",
            &["2:9 DL3032 `yum install` without `yum clean all` leaves the cache in the layer"],
        );
        // cleaning first does not remove what is downloaded after
        fires(
            "DL3032",
            "FROM centos:7\nRUN yum clean all \\\n  # then\n  && yum -y install httpd-2.4.6\n",
            &["4:13 DL3032 `yum install` without `yum clean all` leaves the cache in the layer"],
        );
        fires(
            "DL3032",
            "FROM centos:7\nRUN <<EOF\nyum -y groupinstall x\nEOF\n",
            &[
                "3:8 DL3032 `yum groupinstall` without `yum clean all` leaves the cache in the layer",
            ],
        );
        fires(
            "DL3032",
            "FROM centos:7\nONBUILD RUN yum install -y x-1\n",
            &["2:17 DL3032 `yum install` without `yum clean all` leaves the cache in the layer"],
        );
    }

    #[test]
    fn passes_with_cleanup_or_mounts() {
        for run in [
            "yum install -y x-1 && yum clean all",
            "yum install -y x-1 && yum clean packages",
            "yum install -y x-1 && rm -rf /var/cache/yum",
            "yum install -y x-1 && rm -rf /var/cache/yum/*",
            "--mount=type=cache,target=/var/cache/yum yum install -y x-1",
            "--mount=type=tmpfs,target=/var/cache yum install -y x-1",
            "yum makecache",
        ] {
            passes("DL3032", &format!("FROM centos:7\nRUN {run}\n"));
        }
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3032",
            "FROM centos:7 AS build\nRUN yum install -y gcc-4.8\nFROM scratch\nCOPY --from=build /o /o\n",
        );
    }
}
