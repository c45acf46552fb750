//! Package caches a `RUN` can leave in its layer: the mounts that keep them
//! out (`--mount=type=cache` or `tmpfs`) and the commands that remove them.
//!
//! A cache directory is written as an absolute path (`/var/cache/apk`) or
//! relative to a home directory (`~/.cache/pip`), which matches any home
//! (`/root/.cache/pip`, `/home/app/.cache/pip`, `$HOME/.cache/pip`).

use super::SimpleCommand;
use super::args::Args;
use crate::graph::join_path;
use crate::syntax::{Instruction, Mount};

/// `path` with trailing `/`, `*` and `/.` removed.
fn normalize(path: &str) -> &str {
    let mut p = path.trim();
    loop {
        let q = p
            .strip_suffix("/*")
            .or_else(|| p.strip_suffix("/."))
            .or_else(|| p.strip_suffix('*'))
            .or_else(|| {
                if p.len() > 1 {
                    p.strip_suffix('/')
                } else {
                    None
                }
            });
        match q {
            Some(q) => p = q,
            None => return p,
        }
    }
}

/// The part of `path` after a home directory prefix, if it has one.
fn home_relative(path: &str) -> Option<&str> {
    ["~/", "$HOME/", "${HOME}/", "/root/"]
        .iter()
        .find_map(|p| path.strip_prefix(p))
        .or_else(|| {
            // /home/<user>/…
            let rest = path.strip_prefix("/home/")?;
            rest.split_once('/').map(|(_, r)| r)
        })
}

/// How `path` relates to the cache directory `dir`.
fn relation(path: &str, dir: &str) -> Relation {
    let path = normalize(path);
    let (path, dir) = match dir.strip_prefix("~/") {
        Some(rel) => match home_relative(path) {
            Some(p) => (p, rel),
            None => {
                if path == "~" || path == "$HOME" || path == "${HOME}" || path == "/root" {
                    return Relation::Parent;
                }
                return Relation::None;
            }
        },
        None => (path, dir),
    };
    if path == dir {
        Relation::Same
    } else if dir.starts_with(path) && dir.as_bytes().get(path.len()) == Some(&b'/') {
        Relation::Parent
    } else if path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/') {
        Relation::Inside
    } else {
        Relation::None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    Same,
    /// The path holds the directory.
    Parent,
    /// The path is inside the directory.
    Inside,
    None,
}

/// Whether a mount at `target` keeps writes to one of `dirs` out of the
/// layer: it is the directory or one of its parents (but not `/`).
pub fn covers(target: &str, dirs: &[&str]) -> bool {
    let t = normalize(target);
    t != "/"
        && !t.is_empty()
        && dirs
            .iter()
            .any(|d| matches!(relation(t, d), Relation::Same | Relation::Parent))
}

/// Whether `ins` mounts a cache or tmpfs over one of `dirs`. Targets are
/// expanded with `expand` and made absolute with `workdir`.
pub fn has_cache_mount(
    ins: &Instruction,
    dirs: &[&str],
    expand: &dyn Fn(&str) -> String,
    workdir: Option<&str>,
) -> bool {
    ins.flags_named("mount").any(|f| {
        let m = Mount::from_flag(f);
        m.discards_writes()
            && m.target().is_some_and(|t| {
                let t = expand(t);
                let abs = if t.starts_with(['/', '~', '$']) {
                    t
                } else {
                    join_path(workdir, &t)
                };
                covers(&abs, dirs)
            })
    })
}

/// Whether a command deletes one of `dirs`, something inside it, or a
/// parent: `rm -rf /var/cache/apk/*`, `find /var/cache/yum -delete`.
pub fn removes(cmd: &SimpleCommand, dirs: &[&str]) -> bool {
    let Some(args) = Args::of(cmd) else {
        return false;
    };
    let hits = |p: &str| {
        let n = normalize(p);
        n != "/" && dirs.iter().any(|d| relation(n, d) != Relation::None)
    };
    match args.program() {
        "rm" => args.operands(&[]).iter().any(|w| hits(&w.value)),
        "find" => {
            args.words
                .iter()
                .take_while(|w| !w.value.starts_with('-'))
                .any(|w| hits(&w.value))
                && args
                    .words
                    .iter()
                    .any(|w| matches!(w.value.as_str(), "-delete" | "rm"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_cover_the_directory_or_a_parent() {
        assert!(covers("/var/cache/apk", &["/var/cache/apk"]));
        assert!(covers("/var/cache/apk/", &["/var/cache/apk"]));
        assert!(covers("/var/cache", &["/var/cache/apk"]));
        assert!(!covers("/var/cache/apk/x", &["/var/cache/apk"]));
        assert!(!covers("/", &["/var/cache/apk"]));
        assert!(covers("/root/.cache/pip", &["~/.cache/pip"]));
        assert!(covers("/root/.cache", &["~/.cache/pip"]));
        assert!(covers("/home/app/.cache/pip", &["~/.cache/pip"]));
        assert!(covers("$HOME/.cache/pip", &["~/.cache/pip"]));
        assert!(!covers("/app/.cache/pip", &["~/.cache/pip"]));
    }

    #[test]
    fn removal_inside_counts() {
        use crate::shell::{Dialect, Script};
        use crate::source::Span;
        let t = "rm -rf /var/cache/yum/* && rm -rf /tmp/x && find /var/cache/apk -type f -delete";
        let s = Script::from_text(
            t.into(),
            vec![(0, 0)],
            Span::new(0, t.len() as u32),
            Dialect::Sh,
        );
        assert!(removes(&s.commands[0], &["/var/cache/yum"]));
        assert!(!removes(&s.commands[1], &["/var/cache/yum"]));
        assert!(removes(&s.commands[2], &["/var/cache/apk"]));
    }
}
