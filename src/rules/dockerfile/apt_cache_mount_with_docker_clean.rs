use super::lang::caches::cache_mounts;
use super::lang::images::is_apt_based;
use crate::fix::{Edit, Fix};
use crate::graph::{Base, Stage};
use crate::rules::*;
use crate::shell::cache::covers;
use crate::syntax::{Args, Kind};

/// IL3204
pub struct AptCacheMountWithDockerClean;

const META: Meta = Meta {
    code: "IL3204",
    name: "apt-cache-mount-with-docker-clean",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Cache,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "An apt cache mount stays empty because the image's `docker-clean` hook deletes the packages",
    doc: include_str!("../../../rules/apt-cache-mount-with-docker-clean.md"),
    target: Target::Dockerfile,
};

const KEEP_CACHE: &str = "RUN rm -f /etc/apt/apt.conf.d/docker-clean; echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache";

/// Whether instruction `i` removes or replaces the `docker-clean` hook.
fn handles_hook(cx: &Context<'_>, i: usize) -> bool {
    let Some(ins) = cx.instruction(i) else {
        return false;
    };
    match (&ins.kind, &ins.args) {
        (Kind::Copy | Kind::Add, Args::Paths(p)) => p.words.iter().any(|w| {
            w.text.contains("docker-clean")
                || w.text
                    .trim_end_matches('/')
                    .ends_with("/etc/apt/apt.conf.d")
        }),
        (Kind::Run, _) => cx.scripts_of(i).iter().any(|s| {
            s.commands.iter().any(|c| {
                c.args.iter().any(|w| w.value.contains("docker-clean"))
                    || c.redirects.iter().any(|r| {
                        r.target
                            .as_ref()
                            .is_some_and(|t| t.value.contains("docker-clean"))
                    })
            })
        }),
        _ => false,
    }
}

/// Inserts the hook removal on the line after the `FROM` at `from`.
fn hook_fix(cx: &Context<'_>, from: usize) -> Option<Fix> {
    let text = cx.text();
    let ins = cx.instruction(from)?;
    let end = ins.span.end as usize;
    let at = end + text.get(end..)?.find('\n')? + 1;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(Fix::unsafe_(
        "remove the `docker-clean` hook after `FROM`",
        vec![Edit::insert(at as u32, format!("{KEEP_CACHE}{eol}"))],
    ))
}

impl Rule for AptCacheMountWithDockerClean {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        let build = cx.build();
        let Some(Base::Image(base)) = build.root_base(stage.index) else {
            return;
        };
        if is_apt_based(base) != Some(true) {
            return;
        }
        let mut chain = build.chain(stage.index);
        chain.reverse();
        let Some(root_from) = chain
            .first()
            .and_then(|&r| build.stages.get(r))
            .map(|s| s.from)
        else {
            return;
        };
        let mut first = true;
        for si in chain {
            let own = si == stage.index;
            for i in build.stages[si].instructions() {
                if handles_hook(cx, i) {
                    return;
                }
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                if ins.kind != Kind::Run {
                    continue;
                }
                let mounts = cache_mounts(cx, ins, i);
                // the mount is for apt whether or not apt is visible here
                // (a script the RUN calls may run it)
                let Some(m) = mounts
                    .iter()
                    .find(|m| covers(&m.target, &["/var/cache/apt/archives"]))
                else {
                    continue;
                };
                // once, right after the `FROM` of the image: every stage
                // built on it benefits
                let fix = first.then(|| hook_fix(cx, root_from)).flatten();
                first = false;
                if !own {
                    continue;
                }
                let at = m
                    .mount
                    .option(&["target", "dst", "destination"])
                    .map_or(m.span, |o| o.span);
                cx.report(
                    at,
                    format!(
                        "the image's `docker-clean` hook empties this `{}` cache after every install",
                        m.target
                    ),
                )
                .help("remove `/etc/apt/apt.conf.d/docker-clean` and set `Keep-Downloaded-Packages` in an earlier `RUN`")
                .maybe_fix(fix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const CACHED: &str = "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y curl\n";

    #[test]
    fn fires_on_debian_and_ubuntu_bases() {
        fires(
            "IL3204",
            CACHED,
            &[
                "2:24 IL3204 the image's `docker-clean` hook empties this `/var/cache/apt` cache after every install",
            ],
        );
        assert_eq!(
            check("IL3204", &CACHED.replace("debian:12", "ubuntu:24.04")).len(),
            1
        );
        assert_eq!(
            check("IL3204", &CACHED.replace("debian:12", "python:3.12-slim")).len(),
            1
        );
    }

    #[test]
    fn passes_once_the_hook_is_removed() {
        passes(
            "IL3204",
            &CACHED.replace(
                "FROM debian:12\n",
                "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n",
            ),
        );
        passes(
            "IL3204",
            &CACHED.replace(
                "apt-get update",
                "rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update",
            ),
        );
        passes(
            "IL3204",
            &CACHED.replace(
                "FROM debian:12\n",
                "FROM debian:12 AS base\nRUN echo > /etc/apt/apt.conf.d/docker-clean\nFROM base\n",
            ),
        );
    }

    #[test]
    fn passes_on_other_bases_and_lists_only_mounts() {
        passes("IL3204", &CACHED.replace("debian:12", "example/base:1"));
        passes(
            "IL3204",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n",
        );
    }

    #[test]
    fn reports_each_stage_once() {
        let text = format!(
            "{CACHED}FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get install -y git\n"
        );
        assert_eq!(check("IL3204", &text).len(), 2);
    }

    #[test]
    fn fix_goes_to_the_shared_base_stage() {
        let text = "FROM debian:12 AS base\nRUN echo base\nFROM base AS a\nRUN --mount=type=cache,target=/var/cache/apt apt-get install -y git\nFROM base AS b\nRUN --mount=type=cache,target=/var/cache/apt apt-get install -y curl\n";
        assert_eq!(
            fixed("IL3204", text, Applicability::Unsafe),
            text.replacen(
                "FROM debian:12 AS base\n",
                &format!("FROM debian:12 AS base\n{}\n", super::KEEP_CACHE),
                1
            )
        );
    }

    #[test]
    fn fix_removes_the_hook_first() {
        assert_eq!(
            fixed("IL3204", CACHED, Applicability::Unsafe),
            format!(
                "FROM debian:12\n{}\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n    apt-get update && apt-get install -y curl\n",
                super::KEEP_CACHE
            )
        );
    }
}
