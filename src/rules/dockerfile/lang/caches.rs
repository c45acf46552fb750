//! Where a dependency step keeps its downloads, and the cache mounts of a
//! `RUN`.

use super::env;
use crate::graph::join_path;
use crate::rules::Context;
use crate::shell::Script;
use crate::shell::args::Args;
use crate::shell::cache::covers;
use crate::shell::deps::Tool;
use crate::source::Span;
use crate::syntax::{Instruction, Mount, MountKind};

/// A cache mount of a `RUN`, its target made absolute.
#[derive(Clone, Debug)]
pub struct CacheMount {
    pub mount: Mount,
    /// The target, expanded and absolute.
    pub target: String,
    /// The `--mount` flag.
    pub span: Span,
}

/// The `type=cache` mounts of `ins`, top-level instruction `index`.
pub fn cache_mounts(cx: &Context<'_>, ins: &Instruction, index: usize) -> Vec<CacheMount> {
    let ins = ins.onbuild_body().unwrap_or(ins);
    let workdir = cx.build().state(index).and_then(|s| s.workdir.clone());
    ins.flags_named("mount")
        .filter_map(|f| {
            let m = Mount::from_flag(f);
            if m.kind != MountKind::Cache {
                return None;
            }
            let t = cx.expand_at(index, m.target()?);
            let target = if t.starts_with(['/', '~', '$']) {
                t
            } else {
                join_path(workdir.as_deref(), &t)
            };
            Some(CacheMount {
                mount: m,
                target,
                span: f.span,
            })
        })
        .collect()
}

/// Whether one of `mounts` keeps one of `dirs`.
pub fn is_mounted(mounts: &[CacheMount], dirs: &[String]) -> bool {
    let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    mounts.iter().any(|m| covers(&m.target, &dirs))
}

/// The directories where `tool` keeps downloads for command `ci` of
/// `script`: its defaults, those its variables name (`PIP_CACHE_DIR`,
/// `GOPATH`), and its own options (`--cache-dir`).
pub fn download_dirs(
    cx: &Context<'_>,
    index: usize,
    script: &Script,
    ci: usize,
    tool: Tool,
) -> Vec<String> {
    let mut dirs: Vec<String> = tool.cache_dirs().iter().map(|d| d.to_string()).collect();
    for (var, suffix) in tool.cache_variables() {
        if let Some(v) = env::variable(cx, index, script, ci, var)
            && !v.is_empty()
        {
            // `CONDA_PKGS_DIRS` may list several directories
            for part in v.split([',', ':']).filter(|p| !p.is_empty()) {
                dirs.push(format!("{}{suffix}", part.trim_end_matches('/')));
            }
        }
    }
    if let Some(cmd) = script.commands.get(ci)
        && let Some(a) = Args::of(cmd)
    {
        let option = match tool {
            Tool::Pip | Tool::Uv | Tool::Bun => a.value(&[], &["cache-dir"]),
            Tool::Npm => a.value(&[], &["cache"]),
            Tool::Yarn => a.value(&[], &["cache-folder"]),
            Tool::Pnpm => a.value(&[], &["store-dir"]),
            Tool::Maven => a
                .words
                .iter()
                .find_map(|w| w.value.strip_prefix("-Dmaven.repo.local=")),
            Tool::Gradle => a.value(&['g'], &["gradle-user-home"]),
            _ => None,
        };
        if let Some(o) = option {
            let workdir = cx.build().state(index).and_then(|s| s.workdir.clone());
            dirs.push(join_path(workdir.as_deref(), &cx.expand_at(index, o)));
        }
    }
    dirs
}

/// The build caches that make recompiling after a source change cheap:
/// Go's build cache, Rust's and .NET's output directories (relative to
/// `workdir`).
pub fn build_dirs(
    cx: &Context<'_>,
    index: usize,
    script: &Script,
    ci: usize,
    tool: Tool,
) -> Vec<String> {
    let workdir = cx.build().state(index).and_then(|s| s.workdir.clone());
    let rel = |p: &str| join_path(workdir.as_deref(), p);
    let var = |name: &str| env::variable(cx, index, script, ci, name).filter(|v| !v.is_empty());
    match tool {
        Tool::Go => {
            let mut d = vec!["~/.cache/go-build".to_string()];
            d.extend(var("GOCACHE"));
            d
        }
        Tool::Cargo => {
            let mut d = vec![rel("target")];
            d.extend(var("CARGO_TARGET_DIR").map(|t| rel(&t)));
            d
        }
        Tool::Dotnet => vec![rel("obj"), rel("bin")],
        _ => Vec::new(),
    }
}
