use super::lang::caches::cache_mounts;
use crate::fix::{Edit, Fix};
use crate::graph::Stage;
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::apt::apk;
use crate::shell::args::Args as ShellArgs;
use crate::shell::cache::covers;
use crate::syntax::Kind;

/// IL3206
pub struct ApkCacheMountIneffective;

const META: Meta = Meta {
    code: "IL3206",
    name: "apk-cache-mount-ineffective",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Cache,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A cache mount on `/var/cache/apk` keeps no packages unless `/etc/apk/cache` links to it",
    doc: include_str!("../../../rules/apk-cache-mount-ineffective.md"),
    target: Target::Dockerfile,
};

const LINK: &str = "ln -sf /var/cache/apk /etc/apk/cache && ";

/// Whether a command makes `/etc/apk/cache` exist: a link, a directory,
/// `setup-apkcache`.
fn enables_cache(cmd: &SimpleCommand) -> bool {
    let Some(a) = ShellArgs::of(cmd) else {
        return false;
    };
    match a.program() {
        "ln" | "mkdir" => a
            .operands(&["-m", "--mode", "-t", "--target-directory"])
            .iter()
            .any(|w| w.value.trim_end_matches('/') == "/etc/apk/cache"),
        "setup-apkcache" => true,
        _ => false,
    }
}

impl Rule for ApkCacheMountIneffective {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        let build = cx.build();
        let mut chain = build.chain(stage.index);
        chain.reverse();
        let mut enabled = false;
        let mut first = true;
        for si in chain {
            let own = si == stage.index;
            for i in build.stages[si].instructions() {
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                if ins.kind != Kind::Run {
                    continue;
                }
                let mounts = cache_mounts(cx, ins, i);
                let on_var = mounts
                    .iter()
                    .find(|m| covers(&m.target, &["/var/cache/apk"]));
                let on_etc = mounts
                    .iter()
                    .any(|m| covers(&m.target, &["/etc/apk/cache"]));
                for script in cx.scripts_of(i) {
                    for cmd in &script.commands {
                        if enables_cache(cmd) {
                            enabled = true;
                            continue;
                        }
                        let Some(add) = apk(cmd) else { continue };
                        if !add.is("add") || enabled || on_etc {
                            continue;
                        }
                        let Some(m) = on_var else { continue };
                        // `--no-cache` is reported by cache-mount-defeated;
                        // `--cache-dir` names the cache itself
                        if add.args.has(&[], &["no-cache", "cache-dir"]) {
                            continue;
                        }
                        let fix = first.then(|| {
                            Fix::unsafe_(
                                "link `/etc/apk/cache` to the mounted cache",
                                vec![Edit::insert(cmd.span.start, LINK)],
                            )
                        });
                        first = false;
                        if own {
                            let at = m
                                .mount
                                .option(&["target", "dst", "destination"])
                                .map_or(m.span, |o| o.span);
                            cx.report(
                                at,
                                "apk keeps no packages in this cache: `/etc/apk/cache` does not link to it",
                            )
                            .help("run `ln -s /var/cache/apk /etc/apk/cache` before `apk add`, or mount the cache at `/etc/apk/cache`")
                            .label(add.subcommand.map_or(cmd.span, |s| s.span), "downloads packages it then throws away")
                            .maybe_fix(fix);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const TEXT: &str =
        "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n";

    #[test]
    fn fires_without_the_link() {
        fires(
            "IL3206",
            TEXT,
            &[
                "2:24 IL3206 apk keeps no packages in this cache: `/etc/apk/cache` does not link to it",
            ],
        );
    }

    #[test]
    fn passes_with_the_link_or_an_etc_mount() {
        passes(
            "IL3206",
            "FROM alpine:3.20\nRUN ln -s /var/cache/apk /etc/apk/cache\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
        );
        passes(
            "IL3206",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk \\\n  ln -vs /var/cache/apk /etc/apk/cache && apk add curl\n",
        );
        passes(
            "IL3206",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/etc/apk/cache apk add curl\n",
        );
        passes(
            "IL3206",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add --no-cache curl\n",
        );
        passes("IL3206", "FROM alpine:3.20\nRUN apk add curl\n");
    }

    #[test]
    fn follows_the_stage_chain() {
        passes(
            "IL3206",
            "FROM alpine:3.20 AS base\nRUN ln -s /var/cache/apk /etc/apk/cache\nFROM base\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
        );
    }

    #[test]
    fn fix_links_the_cache() {
        assert_eq!(
            fixed("IL3206", TEXT, Applicability::Unsafe),
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk ln -sf /var/cache/apk /etc/apk/cache && apk add curl\n"
        );
    }
}
