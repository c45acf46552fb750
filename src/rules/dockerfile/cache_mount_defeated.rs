use super::lang::caches::{CacheMount, cache_mounts, download_dirs};
use super::lang::env;
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::*;
use crate::shell::apt::{apk, apt_any};
use crate::shell::args::Args as ShellArgs;
use crate::shell::cache::covers;
use crate::shell::deps::Tool;
use crate::shell::pip::{PipFrontEnd, disables_pip_cache, disables_uv_cache, pip_install};
use crate::shell::{Connector, Script, ShellWord, SimpleCommand};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// IL3203
pub struct CacheMountDefeated;

const META: Meta = Meta {
    code: "IL3203",
    name: "cache-mount-defeated",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Cache,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A `RUN` turns off or empties the cache it mounts",
    doc: include_str!("../../../rules/cache-mount-defeated.md"),
    target: Target::Dockerfile,
};

const APT_LISTS: &str = "/var/lib/apt/lists";
const APT_CACHE: &str = "/var/cache/apt";
const APK_CACHE: &str = "/var/cache/apk";
const APK_ETC_CACHE: &str = "/etc/apk/cache";

/// Package caches of the distributions' package managers.
const OS_CACHES: &[&str] = &[
    APT_LISTS,
    APT_CACHE,
    APK_CACHE,
    APK_ETC_CACHE,
    "/var/cache/dnf",
    "/var/cache/yum",
    "/var/cache/zypp",
];

/// How pip and uv are told not to cache: flags and a variable.
struct CacheOff {
    tool: Tool,
    long: &'static [&'static str],
    short: &'static [char],
    var: &'static str,
    disables: fn(&str) -> bool,
}

const PIP_OFF: CacheOff = CacheOff {
    tool: Tool::Pip,
    long: &["no-cache-dir"],
    short: &[],
    var: "PIP_NO_CACHE_DIR",
    disables: disables_pip_cache,
};

const UV_OFF: CacheOff = CacheOff {
    tool: Tool::Uv,
    long: &["no-cache", "no-cache-dir"],
    short: &['n'],
    var: "UV_NO_CACHE",
    disables: disables_uv_cache,
};

/// The mount that keeps one of `dirs`.
fn mount_of<'m>(mounts: &'m [CacheMount], dirs: &[&str]) -> Option<&'m CacheMount> {
    mounts.iter().find(|m| covers(&m.target, dirs))
}

/// One way the step defeats its cache.
struct Defeat {
    span: Span,
    message: String,
    mount: Span,
    fix: Option<Fix>,
}

/// Deletes `word` with the blank before it.
fn delete_word(text: &str, word: &ShellWord) -> Option<Edit> {
    let start = word.span.start as usize;
    let before = text.get(..start)?;
    let blank = before.len() - before.trim_end_matches([' ', '\t']).len();
    if blank == 0 {
        return None;
    }
    Some(Edit::delete(Span::new(
        (start - blank) as u32,
        word.span.end,
    )))
}

/// Whether the text between two pipelines only separates them (`&&`,
/// `;`, newlines, continuations).
fn only_separators(text: &str) -> bool {
    let t = text.replace("&&", " ");
    t.chars()
        .all(|c| c.is_whitespace() || matches!(c, ';' | '\\' | '`'))
}

/// Deletes command `cmd` from its `&&`/`;` list: the separator before it
/// (or after it, when it comes first) goes too. `None` when that would
/// change what else runs, or remove a comment.
fn delete_command(text: &str, script: &Script, cmd: &SimpleCommand) -> Option<Edit> {
    if cmd.context != crate::shell::Context::default() {
        return None;
    }
    let pi = cmd.pipeline;
    let p = script.pipelines.get(pi)?;
    if p.commands.len() != 1 || p.negated || p.connector == Connector::Or {
        return None;
    }
    let next = script.pipelines.get(pi + 1);
    if next.is_some_and(|n| n.connector == Connector::Or) {
        return None;
    }
    let gap = |a: Span, b: Span| -> Option<Span> {
        (a.end <= b.start)
            .then(|| Span::new(a.end, b.start))
            .filter(|g| only_separators(g.text(text)))
    };
    let prev = pi.checked_sub(1).and_then(|i| script.pipelines.get(i));
    let span = if let Some(g) = prev.and_then(|prev| gap(prev.span, p.span)) {
        Span::new(g.start, p.span.end)
    } else if let Some(g) = next.and_then(|n| gap(p.span, n.span)) {
        Span::new(p.span.start, g.end)
    } else {
        return None;
    };
    Some(Edit::delete(span))
}

/// The cache a cleanup command empties: its tool's directories and how
/// people say it.
fn cleanup(cmd: &SimpleCommand) -> Option<(Vec<&'static str>, String)> {
    let a = ShellArgs::of(cmd)?;
    let prog = a.program();
    let ops: Vec<&str> = a
        .operands(&["--cache-dir", "--cache"])
        .iter()
        .map(|w| w.value.as_str())
        .collect();
    let sub = |i: usize| ops.get(i).copied().unwrap_or("");
    let (tool, label): (Option<Tool>, String) = match prog {
        "npm" if sub(0) == "cache" && sub(1) == "clean" => {
            (Some(Tool::Npm), "npm cache clean".into())
        }
        "yarn" if sub(0) == "cache" && sub(1) == "clean" => {
            (Some(Tool::Yarn), "yarn cache clean".into())
        }
        "pnpm" if sub(0) == "store" && sub(1) == "prune" => {
            (Some(Tool::Pnpm), "pnpm store prune".into())
        }
        "uv" if sub(0) == "cache" && matches!(sub(1), "clean" | "prune") => {
            (Some(Tool::Uv), format!("uv cache {}", sub(1)))
        }
        p if crate::shell::pip::is_pip_program(p)
            && sub(0) == "cache"
            && matches!(sub(1), "purge" | "remove") =>
        {
            (Some(Tool::Pip), format!("pip cache {}", sub(1)))
        }
        "poetry" if sub(0) == "cache" && sub(1) == "clear" => {
            (Some(Tool::Poetry), "poetry cache clear".into())
        }
        "composer" if matches!(sub(0), "clear-cache" | "clearcache" | "cc") => {
            (Some(Tool::Composer), format!("composer {}", sub(0)))
        }
        "go" if sub(0) == "clean" && a.has(&[], &["modcache"]) => {
            (Some(Tool::Go), "go clean -modcache".into())
        }
        "go" if sub(0) == "clean" && a.words.iter().any(|w| w.value == "-modcache") => {
            (Some(Tool::Go), "go clean -modcache".into())
        }
        "dnf" | "microdnf" | "yum" if sub(0) == "clean" => {
            return Some((
                vec!["/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"],
                format!("{prog} clean"),
            ));
        }
        "zypper" if matches!(sub(0), "clean" | "cc") => {
            return Some((vec!["/var/cache/zypp"], format!("zypper {}", sub(0))));
        }
        "conda" | "mamba" | "micromamba" if sub(0) == "clean" => {
            (Some(Tool::Conda), format!("{prog} clean"))
        }
        _ => (None, String::new()),
    };
    if let Some(t) = tool {
        return Some((t.cache_dirs().to_vec(), label));
    }
    let apt = apt_any(cmd)?;
    (apt.is("clean") || apt.is("autoclean")).then(|| {
        (
            vec![APT_CACHE],
            format!(
                "{} {}",
                apt.args.program(),
                apt.subcommand.map_or("", |s| s.value.as_str())
            ),
        )
    })
}

/// An `rm` that deletes a mounted package cache (or what is in it).
fn removes_mounted<'m>(
    cx: &Context<'_>,
    index: usize,
    cmd: &SimpleCommand,
    mounts: &'m [CacheMount],
) -> Option<&'m CacheMount> {
    let a = ShellArgs::of(cmd)?;
    if a.program() != "rm" {
        return None;
    }
    let known: Vec<&str> = Tool::ALL
        .iter()
        .flat_map(|t| t.cache_dirs().iter().copied())
        .chain(OS_CACHES.iter().copied())
        .collect();
    for w in a.operands(&[]) {
        let path = cx.expand_at(index, &w.value);
        let path = path.trim_end_matches(['*', '/']);
        if path.is_empty() {
            continue;
        }
        let path = if path.starts_with(['/', '~', '$']) {
            path.to_string()
        } else {
            let wd = cx.build().state(index).and_then(|s| s.workdir.clone());
            crate::graph::join_path(wd.as_deref(), path)
        };
        // the removed path lies in a mounted known cache
        if let Some(m) = mounts.iter().find(|m| {
            covers(&m.target, &known)
                && (path == m.target.trim_end_matches('/') || covers(&m.target, &[path.as_str()]))
        }) {
            return Some(m);
        }
    }
    None
}

impl Rule for CacheMountDefeated {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Some(index) = cx.instruction_index() else {
            return;
        };
        let mounts = cache_mounts(cx, ins, index);
        if mounts.is_empty() {
            return;
        }
        let text = cx.text();
        let mut found: Vec<Defeat> = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                // pip and uv told not to cache
                if let Some(pip) = pip_install(cmd) {
                    let CacheOff {
                        tool,
                        long,
                        short,
                        var,
                        disables,
                    } = match pip.front_end {
                        PipFrontEnd::Pip => PIP_OFF,
                        PipFrontEnd::Uv => UV_OFF,
                    };
                    let dirs = download_dirs(cx, index, script, ci, tool);
                    let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
                    if let Some(m) = mount_of(&mounts, &dirs) {
                        let all = ShellArgs::of(cmd);
                        if let Some(w) = all.and_then(|a| a.find(short, long)) {
                            found.push(Defeat {
                                span: w.span,
                                message: format!(
                                    "`{}` turns off the {} cache mounted for this `RUN`",
                                    w.value,
                                    tool.name()
                                ),
                                mount: m.span,
                                fix: delete_word(text, w)
                                    .map(|e| Fix::safe(format!("remove `{}`", w.value), vec![e])),
                            });
                            continue;
                        }
                        if env::variable(cx, index, script, ci, var).is_some_and(|v| disables(&v)) {
                            let inline = cmd
                                .assignments
                                .iter()
                                .find(|w| w.value.starts_with(&format!("{var}=")));
                            found.push(Defeat {
                                span: pip.subcommand.span,
                                message: format!(
                                    "`{var}` turns off the {} cache mounted for this `RUN`",
                                    tool.name()
                                ),
                                mount: m.span,
                                fix: inline.and_then(|w| {
                                    let e = delete_word(text, w).or_else(|| {
                                        // `VAR=1 pip …` at the start: drop the word and the blank after
                                        let after = text.get(w.span.end as usize..)?;
                                        let blank = after.len()
                                            - after.trim_start_matches([' ', '\t']).len();
                                        (blank > 0).then(|| {
                                            Edit::delete(Span::new(
                                                w.span.start,
                                                w.span.end + blank as u32,
                                            ))
                                        })
                                    })?;
                                    Some(Fix::safe(format!("remove `{var}`"), vec![e]))
                                }),
                            });
                            continue;
                        }
                    }
                }
                // apk add --no-cache under an apk cache mount
                if let Some(a) = apk(cmd)
                    && a.is("add")
                    && let Some(m) = mount_of(&mounts, &[APK_CACHE, APK_ETC_CACHE])
                    && let Some(w) = a.args.find(&[], &["no-cache"])
                {
                    // without `--no-cache` the index goes to /var/cache/apk:
                    // unchanged image only when that is mounted too
                    let applicability = if mount_of(&mounts, &[APK_CACHE]).is_some() {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    };
                    found.push(Defeat {
                        span: w.span,
                        message: "`--no-cache` turns off the apk cache mounted for this `RUN`"
                            .into(),
                        mount: m.span,
                        fix: delete_word(text, w)
                            .map(|e| Fix::new(applicability, "remove `--no-cache`", vec![e])),
                    });
                    continue;
                }
                // cleanup commands that empty a mounted cache
                if let Some((dirs, label)) = cleanup(cmd)
                    && let Some(m) = mount_of(&mounts, &dirs)
                {
                    // `apt-get clean` also empties /var/cache/apt itself: the
                    // image stays the same only when all of it is mounted
                    let whole = !label.starts_with("apt") || covers(&m.target, &[APT_CACHE]);
                    found.push(Defeat {
                        span: cmd_words(cmd),
                        message: format!("`{label}` empties the cache mounted at `{}`", m.target),
                        mount: m.span,
                        fix: delete_command(text, script, cmd)
                            .filter(|_| whole)
                            .map(|e| Fix::safe(format!("remove `{label}`"), vec![e])),
                    });
                    continue;
                }
                if let Some(m) = removes_mounted(cx, index, cmd, &mounts) {
                    found.push(Defeat {
                        span: cmd_words(cmd),
                        message: format!("`rm` empties the cache mounted at `{}`", m.target),
                        mount: m.span,
                        fix: delete_command(text, script, cmd)
                            .map(|e| Fix::safe("remove the `rm`", vec![e])),
                    });
                }
            }
        }
        let Some(first) = found.first() else { return };
        cx
            .report(first.span, first.message.clone())
            .help("drop the flag or the cleanup: the cache mount already keeps these files out of the image")
            .label(first.mount, "the cache mount")
            .maybe_fix(first.fix.clone())
            .label_each(found.iter().skip(1).map(|s| s.span), "defeats the cache mount too");
    }
}

/// The command's words without its redirections (the name to the last
/// argument).
fn cmd_words(cmd: &SimpleCommand) -> Span {
    let (name, args) = cmd.unwrapped();
    let Some(name) = name else { return cmd.span };
    args.last().map_or(name.span, |l| name.span.cover(l.span))
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_flags_that_turn_the_cache_off() {
        fires(
            "IL3203",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r r.txt\n",
            &["2:60 IL3203 `--no-cache-dir` turns off the pip cache mounted for this `RUN`"],
        );
        fires(
            "IL3203",
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add --no-cache curl\n",
            &["2:54 IL3203 `--no-cache` turns off the apk cache mounted for this `RUN`"],
        );
        fires(
            "IL3203",
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\n",
            &["3:52 IL3203 `PIP_NO_CACHE_DIR` turns off the pip cache mounted for this `RUN`"],
        );
    }

    #[test]
    fn fires_on_cleanups_of_the_mounted_cache() {
        fires(
            "IL3203",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\\n    apt-get update && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
            &["4:8 IL3203 `rm` empties the cache mounted at `/var/lib/apt/lists`"],
        );
        fires(
            "IL3203",
            "FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci && npm cache clean --force\n",
            &["2:52 IL3203 `npm cache clean` empties the cache mounted at `/root/.npm`"],
        );
    }

    #[test]
    fn passes_without_a_matching_mount() {
        passes(
            "IL3203",
            "FROM python:3.12\nRUN pip install --no-cache-dir -r r.txt\n",
        );
        passes(
            "IL3203",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.npm pip install --no-cache-dir -r r.txt\n",
        );
        passes(
            "IL3203",
            "FROM debian:12\nRUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && rm -rf /var/lib/apt/lists/*\n",
        );
        passes(
            "IL3203",
            "FROM rust:1\nRUN --mount=type=cache,target=/app/target cargo build && rm -rf target/debug/incremental\n",
        );
    }

    #[test]
    fn one_finding_per_instruction() {
        let f = findings(
            "IL3203",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \\\n  apt-get update && apt-get install -y curl && apt-get clean && rm -rf /var/lib/apt/lists/*\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].labels.len(), 2);
    }

    #[test]
    fn fixes_remove_the_flag_or_the_cleanup() {
        assert_eq!(
            fixed(
                "IL3203",
                "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r r.txt\n",
                Applicability::Safe
            ),
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\n"
        );
        assert_eq!(
            fixed(
                "IL3203",
                "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists \\\n    apt-get update && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
                Applicability::Safe
            ),
            "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists \\\n    apt-get update && apt-get install -y curl\n"
        );
        assert_eq!(
            fixed(
                "IL3203",
                "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt <<EOF\napt-get clean\napt-get update\nEOF\n",
                Applicability::Safe
            ),
            "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt <<EOF\napt-get update\nEOF\n"
        );
        // only /etc/apk/cache mounted: without --no-cache the index lands in the layer
        let etc = "FROM alpine:3.20\nRUN --mount=type=cache,target=/etc/apk/cache apk add --no-cache curl\n";
        assert_eq!(fixed("IL3203", etc, Applicability::Safe), etc);
        assert_eq!(
            fixed("IL3203", etc, Applicability::Unsafe),
            "FROM alpine:3.20\nRUN --mount=type=cache,target=/etc/apk/cache apk add curl\n"
        );
        // a cleanup with a comment in between stays
        let commented = "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists \\\n    apt-get update \\\n    # tidy up\n    && rm -rf /var/lib/apt/lists/*\n";
        assert_eq!(fixed("IL3203", commented, Applicability::Safe), commented);
    }

    #[test]
    fn fires_in_onbuild() {
        fires(
            "IL3203",
            "FROM node:22\nONBUILD RUN --mount=type=cache,target=/root/.npm npm ci && npm cache clean --force\n",
            &["2:60 IL3203 `npm cache clean` empties the cache mounted at `/root/.npm`"],
        );
    }
}
