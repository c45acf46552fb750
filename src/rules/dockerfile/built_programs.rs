//! What a `COPY --from` brings out of a build stage: the Go and Rust
//! programs built there (where they were written and how they link the C
//! library), and trees of installed packages (`node_modules`, virtual
//! environments, `site-packages`).

use super::final_image::{root_base_span, root_image, source_brings};
use crate::graph::{Build, CopyDest, ImageRef, join_path};
use crate::rules::Context;
use crate::shell::args::Args as ShellArgs;
use crate::shell::linking::{cargo_build, go_build, is_static_or_foreign_target};
use crate::shell::{Script, SimpleCommand, deps};
use crate::size::facts;
use crate::size::system::{Libc, libc};
use crate::source::Span;
use crate::syntax::{Args as InsArgs, Instruction};

/// The language of a built program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Go,
    Rust,
}

/// How a program uses the C library at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linking {
    /// Needs no C library (static, or cgo off).
    Static,
    /// Linked against the builder's glibc.
    Glibc,
    /// Linked against musl dynamically.
    Musl,
    /// Not for Linux (`wasm32-*`, Windows …).
    Foreign,
    Unknown,
}

/// A program a build command writes.
#[derive(Clone, Debug)]
pub struct Program {
    pub lang: Lang,
    /// The build command's words (`go build`, `cargo build`).
    pub span: Span,
    /// Where the command starts (to put a variable in front of it).
    pub start: u32,
    /// Paths the program ends up at: files, or directories ending in `/`
    /// whose files are all outputs.
    pub outputs: Vec<String>,
    pub linking: Linking,
    /// `CGO_ENABLED` is set on the command line or in the file.
    pub cgo_set: bool,
}

/// The value a command sees for variable `name`: its own assignments, an
/// `env` wrapper, the script's earlier assignments, then `ARG`/`ENV`.
/// `None`: not set; `Some(None)`: set to something unknown.
pub fn var_at(
    build: &Build,
    i: usize,
    script: &Script,
    ci: usize,
    cmd: &SimpleCommand,
    name: &str,
) -> Option<Option<String>> {
    let resolve = |v: &str| -> Option<String> {
        let v = if v.contains('$') {
            build.expand_keep_unset(i, v)
        } else {
            v.to_string()
        };
        (!v.contains('$')).then_some(v)
    };
    let prefix = format!("{name}=");
    let wrapper: Vec<&str> = if cmd.is("env") {
        cmd.args
            .iter()
            .map(|w| w.value.as_str())
            .take_while(|v| v.starts_with('-') || v.contains('='))
            .collect()
    } else {
        Vec::new()
    };
    for w in cmd
        .assignments
        .iter()
        .map(|w| w.value.as_str())
        .chain(wrapper)
        .rev()
    {
        if let Some(v) = w.strip_prefix(&prefix) {
            return Some(resolve(v));
        }
    }
    if let Some((_, v)) = script
        .variables_before(ci)
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
    {
        return Some(resolve(&v));
    }
    let st = build.state(i)?;
    let var = st.scope.var(name)?;
    Some(var.value.clone().filter(|v| !v.contains('$')))
}

/// `go env -w NAME=value` before command `ci` of instruction `i`, in the
/// stage chain.
fn go_env_written(
    cx: &Context<'_>,
    chain: &[usize],
    i: usize,
    ci: usize,
    name: &str,
) -> Option<String> {
    let mut found = None;
    for &j in chain.iter().filter(|&&j| j <= i) {
        for script in cx.scripts_of(j) {
            for (k, c) in script.commands.iter().enumerate() {
                if j == i && k >= ci {
                    break;
                }
                let Some(a) = ShellArgs::of(c) else { continue };
                if a.program() != "go" {
                    continue;
                }
                let v: Vec<&str> = a.words.iter().map(|w| w.value.as_str()).collect();
                if v.first() == Some(&"env") && v.contains(&"-w") {
                    let prefix = format!("{name}=");
                    if let Some(val) = v.iter().find_map(|w| w.strip_prefix(&prefix)) {
                        found = Some(val.to_string());
                    }
                }
            }
        }
    }
    found
}

/// Whether the chain installs a C compiler before instruction `i`
/// (`apk add gcc`, `build-base`, `musl-dev`, `clang` …).
fn compiler_installed(cx: &Context<'_>, chain: &[usize], i: usize) -> bool {
    const COMPILERS: &[&str] = &[
        "gcc",
        "g++",
        "clang",
        "build-base",
        "musl-dev",
        "alpine-sdk",
        "build-essential",
        "libc6-dev",
        "libc-dev",
    ];
    chain.iter().filter(|&&j| j < i).any(|&j| {
        cx.scripts_of(j).iter().any(|s| {
            s.commands.iter().any(|c| {
                let Some(a) = ShellArgs::of(c) else {
                    return false;
                };
                matches!(a.program(), "apk" | "apt-get" | "apt" | "dnf" | "yum")
                    && a.words
                        .iter()
                        .any(|w| COMPILERS.contains(&w.value.as_str()))
            })
        })
    })
}

/// Copies of the build's output made later in the same script (`cp app
/// /usr/local/bin/`): their destinations.
fn copied_on(
    script: &Script,
    from: usize,
    outputs: &[String],
    workdir: Option<&str>,
) -> Vec<String> {
    let mut more = Vec::new();
    for c in script.commands.iter().skip(from + 1) {
        let Some(a) = ShellArgs::of(c) else { continue };
        if !matches!(a.program(), "cp" | "mv" | "install") {
            continue;
        }
        let ops = a.operands(&["-m", "--mode", "-o", "-g", "-t", "--target-directory"]);
        let Some((dest, sources)) = ops.split_last() else {
            continue;
        };
        let dest = join_path(workdir, &dest.value);
        for s in sources {
            let src = join_path(workdir, &s.value);
            let hit = outputs.iter().any(|o| {
                o == &src
                    || (o.ends_with('/') && src.starts_with(o.as_str()))
                    || source_brings(&src, o.trim_end_matches('/'))
            });
            if hit {
                let name = src.rsplit('/').next().unwrap_or("");
                more.push(dest.clone());
                more.push(format!("{}/{name}", dest.trim_end_matches('/')));
            }
        }
    }
    more
}

/// The Go and Rust programs built in stage `s` and its `FROM` parents.
pub fn programs(cx: &Context<'_>, build: &Build, s: usize) -> Vec<Program> {
    let mut out = Vec::new();
    let chain = build.chain_instructions(s);
    let Some(builder) = root_image(build, s) else {
        return out;
    };
    let builder_libc = libc(&builder);
    let is_golang = facts(&builder).toolchain == Some("Go");
    for &i in &chain {
        let workdir = build.state(i).and_then(|st| st.workdir.clone());
        let wd = workdir.as_deref();
        for script in cx.scripts_of(i) {
            for (ci, cmd) in script.commands.iter().enumerate() {
                if let Some(b) = go_build(cmd) {
                    let mut outputs = Vec::new();
                    if let Some(o) = b.value("o") {
                        let p = join_path(wd, o);
                        outputs.push(if o.ends_with('/') { format!("{p}/") } else { p });
                    } else if b.is_install() {
                        let gobin = build
                            .state(i)
                            .and_then(|st| st.scope.var("GOBIN").and_then(|v| v.value.clone()));
                        outputs.push(format!(
                            "{}/",
                            gobin.unwrap_or_else(|| "/go/bin".to_string())
                        ));
                    } else {
                        // named after the package, in the working directory
                        outputs.push(format!("{}/", wd.unwrap_or("/").trim_end_matches('/')));
                    }
                    let more = copied_on(script, ci, &outputs, wd);
                    outputs.extend(more);
                    let cgo = var_at(build, i, script, ci, cmd, "CGO_ENABLED")
                        .or_else(|| go_env_written(cx, &chain, i, ci, "CGO_ENABLED").map(Some));
                    let cgo_set = cgo.is_some();
                    let platform_arch = build
                        .stages
                        .get(build.state(i).map_or(0, |st| st.stage))
                        .and_then(|st| st.platform.clone())
                        .map(|p| build.expand_keep_unset(i, &p));
                    let host_arch = platform_arch
                        .as_deref()
                        .and_then(|p| p.split('/').nth(1))
                        .filter(|a| !a.contains('$'))
                        .unwrap_or("amd64")
                        .to_string();
                    let cross =
                        |name: &str, host: &str| match var_at(build, i, script, ci, cmd, name) {
                            Some(Some(v)) => !v.is_empty() && v != host,
                            Some(None) => true,
                            None => false,
                        };
                    let linking = if b.forces_static() {
                        Linking::Static
                    } else if cross("GOOS", "linux") {
                        Linking::Foreign
                    } else if cross("GOARCH", &host_arch) {
                        Linking::Static
                    } else {
                        match cgo {
                            Some(Some(v)) if v == "0" => Linking::Static,
                            Some(None) => Linking::Unknown,
                            Some(Some(_)) | None => {
                                let explicit_on = matches!(&cgo, Some(Some(v)) if v == "1");
                                match builder_libc {
                                    Some(Libc::Glibc) if is_golang || explicit_on => Linking::Glibc,
                                    Some(Libc::Musl)
                                        if explicit_on || compiler_installed(cx, &chain, i) =>
                                    {
                                        Linking::Musl
                                    }
                                    Some(Libc::Musl) if is_golang => Linking::Static,
                                    _ => Linking::Unknown,
                                }
                            }
                        }
                    };
                    out.push(Program {
                        lang: Lang::Go,
                        span: b.program.span.cover(b.sub.span),
                        start: b.program.span.start,
                        outputs,
                        linking,
                        cgo_set,
                    });
                } else if let Some(b) = cargo_build(cmd) {
                    let args = ShellArgs::of(cmd);
                    let name_span = args.map_or(cmd.span, |a| a.name.span);
                    let triple = b.target.clone().or_else(|| {
                        var_at(build, i, script, ci, cmd, "CARGO_BUILD_TARGET").flatten()
                    });
                    let rustflags = var_at(build, i, script, ci, cmd, "RUSTFLAGS");
                    let flags = rustflags.clone().flatten().unwrap_or_default();
                    let musl_builder = {
                        let n = builder.name();
                        n.contains("muslrust")
                            || n.contains("musl-cross")
                            || n.contains("rust-musl")
                    };
                    let linking = match &triple {
                        Some(t) if t.contains('$') => Linking::Unknown,
                        Some(t)
                            if !t.to_ascii_lowercase().contains("linux")
                                || t.starts_with("wasm") =>
                        {
                            Linking::Foreign
                        }
                        Some(t) if is_static_or_foreign_target(t) => {
                            if flags.contains("-crt-static") {
                                Linking::Musl
                            } else {
                                Linking::Static
                            }
                        }
                        _ if flags.contains("+crt-static") => Linking::Static,
                        _ if matches!(rustflags, Some(None)) => Linking::Unknown,
                        _ if musl_builder => Linking::Static,
                        _ => match builder_libc {
                            Some(Libc::Musl) if flags.contains("-crt-static") => Linking::Musl,
                            Some(Libc::Musl) => Linking::Static,
                            Some(Libc::Glibc) => Linking::Glibc,
                            _ => Linking::Unknown,
                        },
                    };
                    let mut outputs = Vec::new();
                    if b.is_install() {
                        let root = b.root.clone().or_else(|| {
                            var_at(build, i, script, ci, cmd, "CARGO_INSTALL_ROOT").flatten()
                        });
                        let home = var_at(build, i, script, ci, cmd, "CARGO_HOME")
                            .flatten()
                            .unwrap_or_else(|| "/usr/local/cargo".to_string());
                        let root = root.unwrap_or(home);
                        outputs.push(format!(
                            "{}/bin/",
                            join_path(wd, &root).trim_end_matches('/')
                        ));
                    } else {
                        let dir = b
                            .target_dir
                            .clone()
                            .or_else(|| {
                                var_at(build, i, script, ci, cmd, "CARGO_TARGET_DIR").flatten()
                            })
                            .unwrap_or_else(|| "target".to_string());
                        let dir = join_path(wd, &dir);
                        let dir = dir.trim_end_matches('/');
                        match &triple {
                            Some(t) => outputs.push(format!("{dir}/{t}/{}/", b.profile)),
                            None => outputs.push(format!("{dir}/{}/", b.profile)),
                        }
                    }
                    let more = copied_on(script, ci, &outputs, wd);
                    outputs.extend(more);
                    out.push(Program {
                        lang: Lang::Rust,
                        span: name_span.cover(b.sub.span),
                        start: name_span.start,
                        outputs,
                        linking,
                        cgo_set: false,
                    });
                }
            }
        }
    }
    out
}

/// Whether a copy's sources bring one of the program's outputs.
pub fn brings(copy: &CopyDest, p: &Program) -> bool {
    copy.sources.iter().any(|src| {
        let s = if src.starts_with('/') {
            src.clone()
        } else {
            format!("/{}", src.trim_start_matches("./"))
        };
        p.outputs.iter().any(|o| {
            if let Some(dir) = o.strip_suffix('/') {
                // a file in the output directory, or the directory itself
                let st = s.trim_end_matches('/');
                st == dir
                    || (st.starts_with(dir)
                        && st.as_bytes().get(dir.len()) == Some(&b'/')
                        && !st[dir.len() + 1..].contains('/')
                        && !st[dir.len() + 1..].contains('.'))
                    || source_brings(&s, dir) && st != "/"
            } else {
                source_brings(&s, o)
            }
        })
    })
}

/// A program built in one stage and copied into an image the file builds.
pub struct Shipped<'b> {
    /// The leaf stage (an image the file builds) it is copied into.
    pub leaf: usize,
    /// The external image the leaf runs on.
    pub runtime: ImageRef,
    /// The copy that brings it.
    pub copy: &'b CopyDest,
    /// The stage that builds it.
    pub builder: usize,
    pub program: Program,
}

impl Shipped<'_> {
    /// Labels for a finding: the copy that brings the program, and the
    /// runtime base image (`what` says what that image has).
    pub fn labels(&self, cx: &Context<'_>, build: &Build, what: String) -> Vec<(Span, String)> {
        let copy = cx.instruction(self.copy.instruction).map(|i| {
            (
                i.head_span(cx.text()),
                "the program is copied here".to_string(),
            )
        });
        let base = root_base_span(build, self.leaf).map(|s| (s, what));
        copy.into_iter().chain(base).collect()
    }
}

/// Every program of the file's build stages that a `COPY --from` brings
/// into a leaf image running on an external base, each copy once.
pub fn shipped<'b>(cx: &Context<'_>, build: &'b Build) -> Vec<Shipped<'b>> {
    let mut out = Vec::new();
    for leaf in build.leaves() {
        let (Some(runtime), Some(stage)) = (root_image(build, leaf), build.stages.get(leaf)) else {
            continue;
        };
        for copy in &stage.config.copies {
            let Some(builder) = copy.from_stage() else {
                continue;
            };
            for program in programs(cx, build, builder) {
                if brings(copy, &program) {
                    out.push(Shipped {
                        leaf,
                        runtime: runtime.clone(),
                        copy,
                        builder,
                        program,
                    });
                }
            }
        }
    }
    out
}

/// A `COPY --from=<stage>` of a stage that runs on an external image.
pub struct StageCopy<'b> {
    /// The stage that copies.
    pub stage: usize,
    /// The external image that stage runs on.
    pub runtime: ImageRef,
    pub copy: &'b CopyDest,
    /// The stage copied from.
    pub from: usize,
}

/// Every stage's own copies from other stages (inherited copies are the
/// parent stage's and are listed there).
pub fn stage_copies(build: &Build) -> Vec<StageCopy<'_>> {
    let mut out = Vec::new();
    for stage in &build.stages {
        let Some(runtime) = root_image(build, stage.index) else {
            continue;
        };
        for copy in &stage.config.copies {
            if !stage.instructions().contains(&copy.instruction) {
                continue;
            }
            if let Some(from) = copy.from_stage() {
                out.push(StageCopy {
                    stage: stage.index,
                    runtime: runtime.clone(),
                    copy,
                    from,
                });
            }
        }
    }
    out
}

/// Where a finding about what a `COPY` brings points: its first source.
pub fn first_source_span(ins: &Instruction) -> Span {
    match &ins.args {
        InsArgs::Paths(p) => p
            .words
            .split_last()
            .and_then(|(_, srcs)| srcs.first())
            .map_or(ins.keyword.span, |w| w.span),
        _ => ins.keyword.span,
    }
}

/// A tree of installed packages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tree {
    NodeModules,
    /// A virtual environment, `site-packages` or a Python prefix.
    Python,
}

impl Tree {
    pub fn name(self) -> &'static str {
        match self {
            Tree::NodeModules => "`node_modules`",
            Tree::Python => "a Python environment",
        }
    }
}

/// The package trees a copy from stage `s` brings: named in the source
/// (`/app/node_modules`, `/opt/venv`, `site-packages`), or a directory that
/// holds the tree an install step of the stage wrote (`COPY --from=deps
/// /app ./` after `npm ci` in `/app`).
pub fn trees(cx: &Context<'_>, build: &Build, s: usize, copy: &CopyDest) -> Vec<Tree> {
    let mut out = Vec::new();
    let mut add = |t: Tree| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for src in &copy.sources {
        let l = src.to_ascii_lowercase();
        if l.contains("node_modules") {
            add(Tree::NodeModules);
        }
        if l.contains("site-packages")
            || l.contains("venv")
            || l.contains("/lib/python3")
            || l.contains("dist-packages")
        {
            add(Tree::Python);
        }
    }
    // install destinations in the stage chain
    for i in build.chain_instructions(s) {
        let wd = build.state(i).and_then(|st| st.workdir.clone());
        let wd = wd.as_deref();
        for script in cx.scripts_of(i) {
            for cmd in &script.commands {
                let Some(a) = ShellArgs::of(cmd) else {
                    continue;
                };
                let (tree, dir) = match a.program() {
                    _ if deps::classify(cmd)
                        .is_some_and(|d| d.ecosystem == deps::Ecosystem::Node) =>
                    {
                        (Tree::NodeModules, join_path(wd, "node_modules"))
                    }
                    "python" | "python3" | "virtualenv" | "uv" => {
                        let v: Vec<&str> = a.words.iter().map(|w| w.value.as_str()).collect();
                        let target = match a.program() {
                            "virtualenv" => v.iter().rev().find(|w| !w.starts_with('-')).copied(),
                            "uv" if v.first() == Some(&"venv") => Some(
                                v.iter()
                                    .skip(1)
                                    .find(|w| !w.starts_with('-'))
                                    .copied()
                                    .unwrap_or(".venv"),
                            ),
                            "uv" if v.first() == Some(&"sync") => Some(".venv"),
                            _ => v
                                .windows(2)
                                .find(|p| p[0] == "-m" && p[1] == "venv")
                                .and_then(|_| {
                                    v.iter().rev().find(|w| !w.starts_with('-')).copied()
                                }),
                        };
                        match target {
                            Some(t) => (Tree::Python, join_path(wd, t)),
                            None => continue,
                        }
                    }
                    "pip" | "pip3" => match a.value(&['t'], &["target", "prefix", "root"]) {
                        Some(t) => (Tree::Python, join_path(wd, t)),
                        None => continue,
                    },
                    _ => continue,
                };
                if copy
                    .sources
                    .iter()
                    .any(|src| source_brings(src, &dir) && !src.trim_end_matches('/').is_empty())
                {
                    add(tree);
                }
            }
        }
    }
    out
}
