//! The build model: stages, their bases and dependencies, variable scopes,
//! and the `WORKDIR`/`USER`/`SHELL` in force at every instruction, computed
//! the way BuildKit would for a given set of build arguments and target.

mod image_ref;
pub mod roles;
mod scope;

pub use image_ref::{ImageRef, RefError};
pub use scope::{Scope, Var, VarKind};

use crate::source::Span;
use crate::syntax::lex::{Lex, LexError, Processed};
use crate::syntax::{Args, Command, Dockerfile, Healthcheck, Instruction, Kind, Mount};
use std::sync::Arc;

/// What a build is run with.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// `--build-arg NAME=VALUE`.
    pub build_args: Vec<(String, String)>,
    /// `--target`: the stage that becomes the image (last one by default).
    pub target: Option<String>,
    /// The platform built for (`linux/amd64` by default).
    pub target_platform: Option<String>,
    /// The platform the build runs on (`linux/amd64` by default).
    pub build_platform: Option<String>,
}

/// The base of a stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    Scratch,
    /// An earlier stage.
    Stage(usize),
    Image(ImageRef),
    /// The base could not be determined (empty after expansion, or not a
    /// valid reference).
    Invalid {
        text: String,
        reason: String,
    },
}

/// Why one stage depends on something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// `FROM <stage>`
    From,
    /// `COPY --from=<stage>`
    CopyFrom,
    /// `RUN --mount=from=<stage>`
    MountFrom,
}

/// What a dependency points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdgeTarget {
    Stage(usize),
    Image(ImageRef),
    /// Not a stage and not a valid image reference.
    Invalid(String),
}

/// A dependency of a stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The stage that depends.
    pub stage: usize,
    pub target: EdgeTarget,
    pub kind: EdgeKind,
    /// The instruction that creates the dependency.
    pub instruction: usize,
    /// The reference as written.
    pub span: Span,
}

/// An error that makes the build impossible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphError {
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

/// `ARG` before the first `FROM`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalArg {
    pub name: String,
    /// Value after build-arg override and expansion.
    pub value: Option<String>,
    pub instruction: usize,
}

/// The image configuration a stage produces, as far as the Dockerfile
/// decides it. Instruction indices point at the instruction that set a value
/// (possibly in a parent stage).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageConfig {
    pub user: Option<(String, usize)>,
    pub workdir: Option<(String, usize)>,
    pub shell: Option<(Vec<String>, usize)>,
    pub cmd: Option<usize>,
    pub entrypoint: Option<usize>,
    pub healthcheck: Option<usize>,
    pub stopsignal: Option<(String, usize)>,
    pub exposed: Vec<(String, usize)>,
    pub volumes: Vec<(String, usize)>,
    pub labels: Vec<(String, String, usize)>,
    pub env: Scope,
    /// Destinations written by `COPY`/`ADD` (absolute, after `WORKDIR`).
    pub copies: Vec<CopyDest>,
}

/// Where a `COPY`/`ADD` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyDest {
    pub instruction: usize,
    /// The absolute destination path.
    pub dest: String,
    /// The sources as written (after expansion).
    pub sources: Vec<String>,
    /// The stage copied from, if any.
    pub from: Option<EdgeTarget>,
}

impl CopyDest {
    /// The stage of the file this copies from (`COPY --from=<stage>`), if
    /// any.
    pub fn from_stage(&self) -> Option<usize> {
        match self.from {
            Some(EdgeTarget::Stage(s)) => Some(s),
            _ => None,
        }
    }
}

/// A build stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Lower-cased `AS` name.
    pub name: Option<String>,
    pub name_span: Option<Span>,
    /// Index of the `FROM` instruction.
    pub from: usize,
    /// One past the last instruction of the stage.
    pub end: usize,
    pub base: Base,
    /// The base image word (as written).
    pub base_span: Option<Span>,
    /// `--platform` after expansion.
    pub platform: Option<String>,
    /// The configuration at the end of the stage (inherited through
    /// `FROM <stage>`).
    pub config: StageConfig,
    /// The stage builds a Windows image (its default shell is `cmd`).
    pub windows: bool,
}

impl Stage {
    /// Instruction indices of the stage, `FROM` first.
    pub fn instructions(&self) -> std::ops::Range<usize> {
        self.from..self.end
    }

    /// A name to show: the `AS` name or the index.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.index.to_string())
    }
}

/// The state in force just before an instruction runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstrState {
    pub stage: usize,
    pub scope: Arc<Scope>,
    pub workdir: Option<Arc<str>>,
    pub user: Option<Arc<str>>,
    pub shell: Arc<[String]>,
    /// No `SHELL` instruction changed the shell in this stage chain.
    pub default_shell: bool,
}

/// The whole build model.
#[derive(Clone, Debug, Default)]
pub struct Build {
    pub global_args: Vec<GlobalArg>,
    /// What `FROM` lines expand with: global args and built-in arguments.
    pub global_scope: Scope,
    pub stages: Vec<Stage>,
    pub edges: Vec<Edge>,
    /// The stage that becomes the image.
    pub target: Option<usize>,
    /// Per stage: does the target need it?
    pub reaches_target: Vec<bool>,
    pub errors: Vec<GraphError>,
    /// Per top-level instruction; `None` before the first `FROM`.
    states: Vec<Option<InstrState>>,
    escape: char,
}

const BUILTIN_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Arguments every `RUN` sees without declaring them.
pub const PROXY_ARGS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
];

fn platform_parts(p: &str) -> (String, String, String) {
    let mut it = p.split('/');
    let os = it.next().unwrap_or("linux").to_string();
    let arch = it.next().unwrap_or("amd64").to_string();
    let variant = it.next().unwrap_or("").to_string();
    (os, arch, variant)
}

impl Build {
    /// Builds the model of `df`.
    pub fn new(df: &Dockerfile, opts: &BuildOptions) -> Build {
        Builder::new(df, opts).run()
    }

    /// The state before top-level instruction `index`.
    pub fn state(&self, index: usize) -> Option<&InstrState> {
        self.states.get(index).and_then(Option::as_ref)
    }

    /// The stage that holds top-level instruction `index`.
    pub fn stage_of(&self, index: usize) -> Option<&Stage> {
        self.state(index).and_then(|s| self.stages.get(s.stage))
    }

    /// The target stage.
    pub fn target_stage(&self) -> Option<&Stage> {
        self.target.and_then(|t| self.stages.get(t))
    }

    /// Whether stage `i` is needed to build the target.
    pub fn reaches(&self, i: usize) -> bool {
        self.reaches_target.get(i).copied().unwrap_or(false)
    }

    /// The chain of stages from `i` up through `FROM <stage>` parents,
    /// starting with `i`.
    pub fn chain(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut seen = vec![false; self.stages.len()];
        let mut cur = i;
        while let Some(Base::Stage(p)) = self.stages.get(cur).map(|s| &s.base) {
            if seen.get(*p).is_none_or(|&s| s) || *p == i {
                break;
            }
            seen[*p] = true;
            out.push(*p);
            cur = *p;
        }
        out
    }

    /// The external base image of stage `i` (following `FROM <stage>`), or
    /// `Base::Scratch`/`Base::Invalid`.
    pub fn root_base(&self, i: usize) -> Option<&Base> {
        let last = *self.chain(i).last()?;
        self.stages.get(last).map(|s| &s.base)
    }

    /// Expands `word` with the variables in force before instruction
    /// `index`.
    pub fn expand(&self, index: usize, word: &str) -> Result<Processed, LexError> {
        let lex = Lex::new(self.escape);
        match self.state(index) {
            Some(st) => lex.process(word, st.scope.as_ref()),
            None => lex.process(word, &self.global_scope),
        }
    }

    /// Like [`Build::expand`], keeping `$VAR` references that are not set.
    pub fn expand_keep_unset(&self, index: usize, word: &str) -> String {
        let mut lex = Lex::new(self.escape);
        lex.skip_unset_env = true;
        let res = match self.state(index) {
            Some(st) => lex.process(word, st.scope.as_ref()),
            None => lex.process(word, &self.global_scope),
        };
        res.map(|p| p.result).unwrap_or_else(|_| word.to_string())
    }

    /// Resolves a `--from` value (already expanded) as BuildKit does:
    /// a stage index, a stage name, or an image.
    pub fn resolve_from(&self, value: &str) -> EdgeTarget {
        resolve_from(&self.stages, value)
    }

    /// The dependency edges of stage `i`.
    pub fn edges_of(&self, i: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.stage == i)
    }
}

fn resolve_from(stages: &[Stage], value: &str) -> EdgeTarget {
    if let Ok(i) = value.parse::<usize>() {
        if i < stages.len() {
            return EdgeTarget::Stage(i);
        }
        return EdgeTarget::Invalid(value.to_string());
    }
    let lower = value.to_ascii_lowercase();
    if let Some(s) = stages
        .iter()
        .find(|s| s.name.as_deref() == Some(lower.as_str()))
    {
        return EdgeTarget::Stage(s.index);
    }
    match ImageRef::parse(value) {
        Ok(r) => EdgeTarget::Image(r),
        Err(_) => EdgeTarget::Invalid(value.to_string()),
    }
}

struct Builder<'a> {
    df: &'a Dockerfile,
    opts: &'a BuildOptions,
    lex: Lex,
    build: Build,
}

impl<'a> Builder<'a> {
    fn new(df: &'a Dockerfile, opts: &'a BuildOptions) -> Self {
        Builder {
            df,
            opts,
            lex: Lex::new(df.escape),
            build: Build {
                escape: df.escape,
                states: vec![None; df.instructions.len()],
                ..Build::default()
            },
        }
    }

    fn build_arg(&self, name: &str) -> Option<&str> {
        self.opts
            .build_args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn expand(&self, scope: &Scope, word: &str) -> String {
        match self.lex.process(word, scope) {
            Ok(p) => p.result,
            Err(_) => word.to_string(),
        }
    }

    fn run(mut self) -> Build {
        let target_platform = self
            .opts
            .target_platform
            .clone()
            .unwrap_or_else(|| "linux/amd64".to_string());
        let build_platform = self
            .opts
            .build_platform
            .clone()
            .unwrap_or_else(|| "linux/amd64".to_string());
        let (tos, tarch, tvar) = platform_parts(&target_platform);
        let (bos, barch, bvar) = platform_parts(&build_platform);
        let builtin_values = [
            target_platform.clone(),
            tos,
            tarch,
            tvar,
            build_platform.clone(),
            bos,
            barch,
            bvar,
        ];
        let mut global = Scope::default();
        for (name, value) in BUILTIN_ARGS.iter().zip(builtin_values) {
            global.set(Var {
                name: name.to_string(),
                value: Some(value),
                kind: VarKind::Builtin,
                instruction: None,
            });
        }

        // Pass 1: global args and stage boundaries.
        let ins = &self.df.instructions;
        let mut stage_starts = Vec::new();
        for (i, inst) in ins.iter().enumerate() {
            if inst.kind == Kind::From {
                stage_starts.push(i);
                continue;
            }
            if !stage_starts.is_empty() || inst.kind != Kind::Arg {
                continue;
            }
            let Args::Arg(decls) = &inst.args else {
                continue;
            };
            for d in decls {
                let name = d.name.text.clone();
                let value = match self.build_arg(&name) {
                    Some(v) => Some(v.to_string()),
                    None => match &d.value {
                        Some(v) => Some(self.expand(&global, &v.text)),
                        // `ARG TARGETPLATFORM` keeps the automatic value
                        None => global
                            .var(&name)
                            .filter(|g| g.kind == VarKind::Builtin)
                            .and_then(|g| g.value.clone()),
                    },
                };
                global.set(Var {
                    name: name.clone(),
                    value: value.clone(),
                    kind: VarKind::Global,
                    instruction: Some(i),
                });
                self.build.global_args.push(GlobalArg {
                    name,
                    value,
                    instruction: i,
                });
            }
        }
        self.build.global_scope = global.clone();

        // Pass 2: stages, their names and bases.
        for (si, &from) in stage_starts.iter().enumerate() {
            let end = stage_starts.get(si + 1).copied().unwrap_or(ins.len());
            let inst = &ins[from];
            let Args::From(fa) = &inst.args else {
                continue;
            };
            let name = fa.name.as_ref().map(|n| n.text.to_ascii_lowercase());
            let platform = inst
                .flag("platform")
                .map(|f| self.expand(&global, f.value_or_empty()));
            let (base, base_span) = match &fa.image {
                None => (
                    Base::Invalid {
                        text: String::new(),
                        reason: "FROM has no image".into(),
                    },
                    None,
                ),
                Some(w) => {
                    let text = self.expand(&global, &w.text);
                    let lower = text.to_ascii_lowercase();
                    let earlier = self
                        .build
                        .stages
                        .iter()
                        .find(|s| s.name.as_deref() == Some(lower.as_str()));
                    let base = if let Some(s) = earlier {
                        Base::Stage(s.index)
                    } else if text == "scratch" {
                        Base::Scratch
                    } else if text.is_empty() {
                        Base::Invalid {
                            text,
                            reason: "the base image name is empty after expanding build arguments"
                                .into(),
                        }
                    } else {
                        match ImageRef::parse(&text) {
                            Ok(r) => Base::Image(r),
                            Err(e) => Base::Invalid { text, reason: e.0 },
                        }
                    };
                    (base, Some(w.span))
                }
            };
            self.build.stages.push(Stage {
                index: si,
                name,
                name_span: fa.name.as_ref().map(|n| n.span),
                from,
                end,
                base,
                base_span,
                windows: false,
                platform,
                config: StageConfig::default(),
            });
        }

        // Pass 3: walk each stage in order, computing scopes and states.
        for si in 0..self.build.stages.len() {
            self.walk_stage(si, &global);
        }

        // Target, cycles, reachability.
        let n = self.build.stages.len();
        self.build.target = match &self.opts.target {
            None => n.checked_sub(1),
            Some(t) => {
                let lower = t.to_ascii_lowercase();
                let found = self
                    .build
                    .stages
                    .iter()
                    .find(|s| s.name.as_deref() == Some(lower.as_str()))
                    .map(|s| s.index);
                if found.is_none() {
                    self.build.errors.push(GraphError {
                        message: format!("target stage `{t}` could not be found"),
                        span: Span::default(),
                        help: Some(format!(
                            "the stages are named: {}",
                            self.build
                                .stages
                                .iter()
                                .filter_map(|s| s.name.clone())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    });
                }
                found
            }
        };
        let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in &self.build.edges {
            if let EdgeTarget::Stage(t) = e.target
                && !deps[e.stage].contains(&t)
            {
                deps[e.stage].push(t);
            }
        }
        if let Some(cycle) = find_cycle(&deps) {
            let first = cycle[0];
            let stage = &self.build.stages[first];
            let edge = self
                .build
                .edges
                .iter()
                .find(|e| {
                    cycle.contains(&e.stage)
                        && matches!(e.target, EdgeTarget::Stage(t) if cycle.contains(&t))
                })
                .map_or(self.df.instructions[stage.from].keyword.span, |e| e.span);
            self.build.errors.push(GraphError {
                message: format!("circular dependency detected on stage `{}`", stage.label()),
                span: edge,
                help: Some(format!(
                    "the stages {} depend on each other",
                    cycle
                        .iter()
                        .map(|&i| format!("`{}`", self.build.stages[i].label()))
                        .collect::<Vec<_>>()
                        .join(" -> ")
                )),
            });
        }
        let mut reach = vec![false; n];
        if let Some(t) = self.build.target {
            let mut stack = vec![t];
            while let Some(s) = stack.pop() {
                if std::mem::replace(&mut reach[s], true) {
                    continue;
                }
                stack.extend(deps[s].iter().copied().filter(|d| !reach[*d]));
            }
        }
        self.build.reaches_target = reach;
        self.build
    }

    fn walk_stage(&mut self, si: usize, global: &Scope) {
        let stage = self.build.stages[si].clone();
        let ins = &self.df.instructions;
        let mut config = match &stage.base {
            Base::Stage(p) => {
                let mut c = self.build.stages[*p].config.clone();
                c.env = c.env.env_only();
                c
            }
            _ => StageConfig::default(),
        };
        if let Base::Stage(p) = stage.base {
            self.build.edges.push(Edge {
                stage: si,
                target: EdgeTarget::Stage(p),
                kind: EdgeKind::From,
                instruction: stage.from,
                span: stage.base_span.unwrap_or_default(),
            });
        }
        let windows = match &stage.base {
            Base::Stage(p) => self.build.stages[*p].windows,
            Base::Image(r) => is_windows_image(r),
            _ => false,
        } || stage
            .platform
            .as_deref()
            .is_some_and(|p| p.starts_with("windows"));
        self.build.stages[si].windows = windows;
        let mut scope = Arc::new(config.env.clone());
        let default_shell: Arc<[String]> = if windows {
            Arc::from(vec!["cmd".to_string(), "/S".to_string(), "/C".to_string()])
        } else {
            Arc::from(vec!["/bin/sh".to_string(), "-c".to_string()])
        };
        let mut shell = config
            .shell
            .as_ref()
            .map_or(default_shell.clone(), |(s, _)| Arc::from(s.clone()));
        let mut is_default_shell = config.shell.is_none();
        let mut workdir: Option<Arc<str>> =
            config.workdir.as_ref().map(|(w, _)| Arc::from(w.as_str()));
        let mut user: Option<Arc<str>> = config.user.as_ref().map(|(u, _)| Arc::from(u.as_str()));

        for i in stage.instructions() {
            let inst = &ins[i];
            self.build.states[i] = Some(InstrState {
                stage: si,
                scope: scope.clone(),
                workdir: workdir.clone(),
                user: user.clone(),
                shell: shell.clone(),
                default_shell: is_default_shell,
            });
            if i == stage.from {
                continue;
            }
            self.edges_for(si, i, inst, &scope);
            match (&inst.kind, &inst.args) {
                (Kind::Arg, Args::Arg(decls)) => {
                    let s = Arc::make_mut(&mut scope);
                    for d in decls {
                        let name = d.name.text.clone();
                        let value = if let Some(v) = self.build_arg(&name) {
                            Some(v.to_string())
                        } else if let Some(v) = &d.value {
                            Some(self.expand(s, &v.text))
                        } else {
                            global
                                .var(&name)
                                .filter(|g| matches!(g.kind, VarKind::Global | VarKind::Builtin))
                                .and_then(|g| g.value.clone())
                        };
                        s.set(Var {
                            name,
                            value,
                            kind: VarKind::Arg,
                            instruction: Some(i),
                        });
                    }
                }
                (Kind::Env, Args::Pairs(pairs)) => {
                    let before = (*scope).clone();
                    let s = Arc::make_mut(&mut scope);
                    for p in pairs {
                        let value = self.expand(&before, &p.value.text);
                        let var = Var {
                            name: p.key.text.clone(),
                            value: Some(value),
                            kind: VarKind::Env,
                            instruction: Some(i),
                        };
                        s.set(var.clone());
                        config.env.set(var);
                    }
                }
                (Kind::Workdir, Args::Text(w)) => {
                    let path = self.expand(&scope, &w.text);
                    let joined = join_path(workdir.as_deref(), &path);
                    workdir = Some(Arc::from(joined.as_str()));
                    config.workdir = Some((joined, i));
                }
                (Kind::User, Args::Text(w)) => {
                    let u = self.expand(&scope, &w.text);
                    user = Some(Arc::from(u.as_str()));
                    config.user = Some((u, i));
                }
                (Kind::Shell, Args::Command(Command::Exec { args, .. })) => {
                    let v: Vec<String> = args.iter().map(|a| a.text.clone()).collect();
                    shell = Arc::from(v.clone());
                    is_default_shell = false;
                    config.shell = Some((v, i));
                }
                (Kind::Cmd, _) => config.cmd = Some(i),
                (Kind::Entrypoint, _) => {
                    config.entrypoint = Some(i);
                    // ENTRYPOINT resets an inherited CMD
                    if config.cmd.is_some_and(|c| c < stage.from) {
                        config.cmd = None;
                    }
                }
                (Kind::Healthcheck, Args::Healthcheck(h)) => {
                    config.healthcheck = match h {
                        Healthcheck::None(_) => None,
                        _ => Some(i),
                    };
                }
                (Kind::StopSignal, Args::Text(w)) => {
                    config.stopsignal = Some((self.expand(&scope, &w.text), i));
                }
                (Kind::Expose, Args::Words(ws)) => {
                    for w in ws {
                        config.exposed.push((self.expand(&scope, &w.text), i));
                    }
                }
                (Kind::Volume, Args::Paths(p)) => {
                    for w in &p.words {
                        let v = if p.json {
                            w.text.clone()
                        } else {
                            self.expand(&scope, &w.text)
                        };
                        config.volumes.push((v, i));
                    }
                }
                (Kind::Label, Args::Pairs(pairs)) => {
                    for p in pairs {
                        let k = self.expand(&scope, &p.key.text);
                        let v = self.expand(&scope, &p.value.text);
                        config.labels.retain(|(key, _, _)| key != &k);
                        config.labels.push((k, v, i));
                    }
                }
                (Kind::Copy | Kind::Add, Args::Paths(p)) => {
                    if let Some((dest, sources)) = p.words.split_last() {
                        let expand = |t: &str| self.expand(&scope, t);
                        let d = expand(&dest.text);
                        let from = inst
                            .flag("from")
                            .map(|f| resolve_from(&self.build.stages, &expand(f.value_or_empty())));
                        config.copies.push(CopyDest {
                            instruction: i,
                            dest: join_path(workdir.as_deref(), &d),
                            sources: sources.iter().map(|s| expand(&s.text)).collect(),
                            from,
                        });
                    }
                }
                _ => {}
            }
        }
        self.build.stages[si].config = config;
    }

    fn edges_for(&mut self, si: usize, i: usize, inst: &Instruction, scope: &Scope) {
        match inst.kind {
            Kind::Copy | Kind::Add => {
                if let Some(f) = inst.flag("from") {
                    let value = self.expand(scope, f.value_or_empty());
                    self.build.edges.push(Edge {
                        stage: si,
                        target: resolve_from(&self.build.stages, &value),
                        kind: EdgeKind::CopyFrom,
                        instruction: i,
                        span: f.value_span.unwrap_or(f.span),
                    });
                }
            }
            Kind::Run => {
                for f in inst.flags_named("mount") {
                    let m = Mount::from_flag(f);
                    if let Some(from) = m.from() {
                        let value = self.expand(scope, from);
                        let span = m.option(&["from"]).map_or(f.span, |o| o.span);
                        self.build.edges.push(Edge {
                            stage: si,
                            target: resolve_from(&self.build.stages, &value),
                            kind: EdgeKind::MountFrom,
                            instruction: i,
                            span,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether an image is a Windows image (Server Core, Nano Server, the
/// Windows-only .NET Framework images).
pub fn is_windows_image(r: &ImageRef) -> bool {
    let repo = r.repository.to_ascii_lowercase();
    let tag = r.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let marks = ["windows", "nanoserver", "servercore", "ltsc20"];
    marks.iter().any(|m| repo.contains(m) || tag.contains(m))
        || repo.starts_with("dotnet/framework")
        || repo.contains("/dotnet-framework")
}

/// Joins a `WORKDIR`/destination onto the current directory.
pub fn join_path(base: Option<&str>, path: &str) -> String {
    if path.starts_with('/') || is_windows_abs(path) || path.starts_with('$') {
        return normalize(path);
    }
    let base = base.unwrap_or("/");
    if path.is_empty() || path == "." {
        return normalize(base);
    }
    normalize(&format!("{}/{}", base.trim_end_matches('/'), path))
}

fn is_windows_abs(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Cleans `.` and `..` components, keeping a trailing slash.
fn normalize(path: &str) -> String {
    if !path.starts_with('/') {
        return path.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if path.len() > 1 && path.ends_with('/') && out.len() > 1 {
        out.push('/');
    }
    out
}

/// A cycle in the dependency lists, as stage indices in order.
fn find_cycle(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark = vec![Mark::New; deps.len()];
    for start in 0..deps.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // iterative DFS with an explicit path
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            if let Some(&d) = deps[node].get(*next) {
                *next += 1;
                match mark.get(d) {
                    Some(Mark::Active) => {
                        let pos = path.iter().position(|(n, _)| *n == d).unwrap_or(0);
                        return Some(path[pos..].iter().map(|(n, _)| *n).collect());
                    }
                    Some(Mark::New) => {
                        mark[d] = Mark::Active;
                        path.push((d, 0));
                    }
                    _ => {}
                }
            } else {
                mark[node] = Mark::Done;
                path.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn build(text: &str) -> Build {
        Build::new(&parse(text), &BuildOptions::default())
    }

    #[test]
    fn stages_bases_and_target() {
        let b = build(
            "ARG GO=1.22\nFROM golang:${GO} AS Build\nRUN go build\nFROM build AS test\nFROM scratch\nCOPY --from=build /app /app\n",
        );
        assert_eq!(b.stages.len(), 3);
        let Base::Image(r) = &b.stages[0].base else {
            panic!()
        };
        assert_eq!(r.tag.as_deref(), Some("1.22"));
        assert_eq!(b.stages[0].name.as_deref(), Some("build"));
        assert_eq!(b.stages[1].base, Base::Stage(0));
        assert_eq!(b.stages[2].base, Base::Scratch);
        assert_eq!(b.target, Some(2));
        assert_eq!(b.reaches_target, vec![true, false, true]);
        assert_eq!(b.chain(1), vec![1, 0]);
    }

    #[test]
    fn from_only_sees_earlier_stages() {
        let b = build("FROM later AS first\nFROM alpine AS later\n");
        assert!(matches!(&b.stages[0].base, Base::Image(r) if r.repository == "later"));
    }

    #[test]
    fn build_args_and_target_option() {
        let df = parse("ARG BASE=alpine\nFROM $BASE AS a\nFROM debian AS b\n");
        let b = Build::new(
            &df,
            &BuildOptions {
                build_args: vec![("BASE".into(), "ubuntu:24.04".into())],
                target: Some("A".into()),
                ..BuildOptions::default()
            },
        );
        assert!(matches!(&b.stages[0].base, Base::Image(r) if r.repository == "ubuntu"));
        assert_eq!(b.target, Some(0));
        let b = Build::new(
            &df,
            &BuildOptions {
                target: Some("nope".into()),
                ..Default::default()
            },
        );
        assert!(b.errors[0].message.contains("could not be found"));
    }

    #[test]
    fn empty_base_is_invalid() {
        let b = build("ARG IMAGE\nFROM ${IMAGE}\n");
        assert!(matches!(b.stages[0].base, Base::Invalid { .. }));
    }

    #[test]
    fn scopes_follow_buildkit() {
        let text = "ARG V=global\nFROM alpine AS a\nARG V\nENV E=$V\nRUN x\nFROM a\nRUN y\nARG L=1\nENV L=env\nRUN z\n";
        let b = build(text);
        let df = parse(text);
        let run_x = df
            .instructions
            .iter()
            .position(|i| i.logical.text == "RUN x")
            .unwrap();
        assert_eq!(b.expand(run_x, "$V-$E").unwrap().result, "global-global");
        let run_y = df
            .instructions
            .iter()
            .position(|i| i.logical.text == "RUN y")
            .unwrap();
        // ENV is inherited by the child stage, ARG is not
        assert_eq!(b.expand(run_y, "$V-$E").unwrap().result, "-global");
        let run_z = df
            .instructions
            .iter()
            .position(|i| i.logical.text == "RUN z")
            .unwrap();
        assert_eq!(b.expand(run_z, "$L").unwrap().result, "env");
    }

    #[test]
    fn builtin_platform_args() {
        let b = build(
            "FROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETARCH\nRUN echo $TARGETARCH\n",
        );
        assert_eq!(b.stages[0].platform.as_deref(), Some("linux/amd64"));
        assert_eq!(b.expand(2, "$TARGETARCH").unwrap().result, "amd64");
        assert_eq!(b.expand(1, "$TARGETARCH").unwrap().result, "");
        // a global `ARG` without a value keeps the automatic value
        let b = build("ARG TARGETPLATFORM\nFROM --platform=$TARGETPLATFORM alpine\n");
        assert_eq!(b.stages[0].platform.as_deref(), Some("linux/amd64"));
    }

    #[test]
    fn workdir_user_shell_in_force() {
        let b = build(
            "FROM alpine\nWORKDIR /app\nWORKDIR sub\nUSER 1000\nSHELL [\"/bin/bash\", \"-c\"]\nRUN x\n",
        );
        let st = b.state(5).unwrap();
        assert_eq!(st.workdir.as_deref(), Some("/app/sub"));
        assert_eq!(st.user.as_deref(), Some("1000"));
        assert_eq!(&st.shell[..], ["/bin/bash", "-c"]);
        assert!(!st.default_shell);
        assert!(b.state(1).unwrap().default_shell);
    }

    #[test]
    fn copy_and_mount_edges() {
        let b = build(
            "FROM alpine AS a\nFROM alpine AS b\nRUN --mount=from=a,target=/x true\nCOPY --from=0 /a /a\nCOPY --from=nginx:1 /b /b\n",
        );
        let kinds: Vec<_> = b.edges.iter().map(|e| (e.kind, e.target.clone())).collect();
        assert!(kinds.contains(&(EdgeKind::MountFrom, EdgeTarget::Stage(0))));
        assert!(kinds.contains(&(EdgeKind::CopyFrom, EdgeTarget::Stage(0))));
        assert!(
            kinds
                .iter()
                .any(|(k, t)| *k == EdgeKind::CopyFrom && matches!(t, EdgeTarget::Image(_)))
        );
        assert_eq!(b.reaches_target, vec![true, true]);
    }

    #[test]
    fn cycles_are_errors() {
        let b = build(
            "FROM busybox AS stage0\nCOPY --from=stage2 f1 /sub/\nFROM busybox AS stage1\nCOPY --from=stage0 f2 /sub/\nFROM busybox AS stage2\nCOPY --from=stage1 f2 /sub/\n",
        );
        assert_eq!(b.errors.len(), 1);
        assert!(b.errors[0].message.contains("circular dependency"));
        let b = build("FROM busybox\nCOPY --from=0 /a /b\n");
        assert!(b.errors[0].message.contains("circular"));
    }

    #[test]
    fn copies_record_destinations() {
        let b = build(
            "FROM alpine\nWORKDIR /app\nCOPY a b ./\nCOPY --from=x /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
        );
        let c = &b.stages[0].config.copies;
        assert_eq!(c[0].dest, "/app/");
        assert_eq!(c[1].dest, "/etc/ssl/certs/");
        assert!(matches!(c[1].from, Some(EdgeTarget::Image(_))));
    }

    #[test]
    fn paths_join_and_normalize() {
        assert_eq!(join_path(Some("/a/b"), "../c"), "/a/c");
        assert_eq!(join_path(None, "x"), "/x");
        assert_eq!(join_path(Some("/a"), "/abs/"), "/abs/");
        assert_eq!(join_path(Some("C:\\app"), "C:\\x"), "C:\\x");
    }
}
