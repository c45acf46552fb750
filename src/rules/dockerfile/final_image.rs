//! The image a build produces, as the runtime rules see it: the target
//! stage (unless it is a development or test target), the image its `FROM`
//! chain starts from, what was copied into it, and rule options shared by
//! these rules.

use crate::graph::{Base, Build, CopyDest, EdgeTarget, ImageRef, Stage, roles};
use crate::rules::Context;
use crate::shell::process::started;
use crate::size::facts;

/// The target stage, unless it is a development, test or CI target and the
/// rule's `check-dev-targets` option is off.
pub fn checked_target<'b>(cx: &Context<'_>, build: &'b Build, rule: &str) -> Option<&'b Stage> {
    let target = build.target_stage()?;
    if target.windows {
        return None;
    }
    if !option_bool(cx, rule, "check-dev-targets") && is_dev_image(cx, target) {
        return None;
    }
    Some(target)
}

/// Whether the image of `stage` is for development, tests or CI: by the
/// stage's name, the Dockerfile's path, or a development server it starts.
pub fn is_dev_image(cx: &Context<'_>, stage: &Stage) -> bool {
    roles::is_dev_target(&cx.file().path, stage)
        || started(&cx.dockerfile().instructions, stage).is_some_and(|s| s.runs_dev_server())
}

/// A boolean rule option (`false` when unset).
pub fn option_bool(cx: &Context<'_>, rule: &str, key: &str) -> bool {
    cx.options()
        .get(rule, key)
        .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
}

/// A list rule option: a JSON array of strings, or one comma-separated
/// string.
pub fn option_list(cx: &Context<'_>, rule: &str, key: &str) -> Vec<String> {
    match cx.options().get(rule, key) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// The external image stage `i` is built on (following `FROM <stage>`);
/// `scratch` included.
pub fn root_image(build: &Build, i: usize) -> Option<ImageRef> {
    match build.root_base(i)? {
        Base::Image(r) => Some(r.clone()),
        Base::Scratch => ImageRef::parse("scratch").ok(),
        _ => None,
    }
}

/// The base image word of the first stage of `i`'s chain.
pub fn root_base_span(build: &Build, i: usize) -> Option<crate::source::Span> {
    let root = *build.chain(i).last()?;
    build.stages.get(root)?.base_span
}

/// Whether copies into a stage bring a root file system to `/`: an archive
/// unpacked there, or a whole file system copied from a stage (`/`, a
/// `rootfs` directory, a directory's contents). A single program copied to
/// `/` is not one.
pub fn has_root_filesystem(copies: &[CopyDest]) -> bool {
    copies.iter().any(|c| {
        c.dest == "/"
            && c.sources.iter().any(|s| {
                let archive = [
                    ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tar.zst",
                ]
                .iter()
                .any(|e| s.ends_with(e));
                let tree = s.trim_end_matches('.').trim_end_matches('/');
                archive
                    || c.from.is_some()
                        && (tree.is_empty()
                            || s.ends_with('/')
                            || tree
                                .rsplit('/')
                                .next()
                                .is_some_and(|b| b.contains("root") || b == "fs"))
            })
    })
}

/// Whether a copy brings a shell: busybox, `/bin/sh` or a `bin` directory.
fn copies_shell(c: &CopyDest) -> bool {
    let from_busybox =
        matches!(&c.from, Some(EdgeTarget::Image(r)) if r.name().contains("busybox"));
    let shellish = |p: &str| {
        let p = p.trim_end_matches('/');
        p.contains("busybox")
            || p.ends_with("/sh")
            || p.ends_with("/bash")
            || p.ends_with("/ash")
            || p.ends_with("/bin")
            || p == "sh"
            || p == "bash"
    };
    from_busybox || shellish(&c.dest) || c.sources.iter().any(|s| shellish(s))
}

/// Whether stage `i`'s image has a shell: its base has one, or a shell or a
/// root file system was copied in. `None` when the base is unknown.
pub fn has_shell(build: &Build, i: usize) -> Option<bool> {
    let stage = build.stages.get(i)?;
    let base = root_image(build, i)?;
    if facts(&base).shell? {
        return Some(true);
    }
    Some(brings_shell(&stage.config.copies))
}

/// Whether copies bring a shell or a root file system.
pub fn brings_shell(copies: &[CopyDest]) -> bool {
    has_root_filesystem(copies) || copies.iter().any(copies_shell)
}

/// Whether a `COPY --from` source path brings the file at `path` (the same
/// path, or a directory holding it). Relative sources are relative to the
/// source stage's root.
pub fn source_brings(source: &str, path: &str) -> bool {
    let norm = |p: &str| {
        let p = p.trim_end_matches("/.").trim_end_matches('/');
        let p = p.strip_prefix("./").unwrap_or(p);
        if p.starts_with('/') {
            p.to_string()
        } else {
            format!("/{p}")
        }
    };
    let (s, p) = (norm(source), norm(path));
    if s == "/" || s == p {
        return true;
    }
    if p.starts_with(&s) && p.as_bytes().get(s.len()) == Some(&b'/') {
        return true;
    }
    // a glob in the source (`/out/*`)
    s.contains(['*', '?'])
        && crate::shell::deps::glob_match(&s, &p)
        && s.matches('/').count() == p.matches('/').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_filesystems() {
        let copy = |from: bool, src: &str| CopyDest {
            instruction: 1,
            dest: "/".into(),
            sources: vec![src.into()],
            from: from.then_some(EdgeTarget::Stage(0)),
        };
        assert!(has_root_filesystem(&[copy(false, "rootfs.tar.xz")]));
        assert!(has_root_filesystem(&[copy(true, "/")]));
        assert!(has_root_filesystem(&[copy(true, "/rootfs/")]));
        assert!(!has_root_filesystem(&[copy(
            true,
            "/build/target/release/api"
        )]));
        assert!(!has_root_filesystem(&[copy(false, "app")]));
    }

    #[test]
    fn sources_bring_paths() {
        assert!(source_brings("/app", "/app"));
        assert!(source_brings("/out/", "/out/app"));
        assert!(source_brings("out/app", "/out/app"));
        assert!(source_brings("/out/*", "/out/app"));
        assert!(!source_brings("/out/a", "/out/app"));
        assert!(!source_brings("/etc/ssl", "/out/app"));
        assert!(source_brings("/", "/out/app"));
    }
}
