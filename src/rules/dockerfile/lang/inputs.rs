//! The files a stage has been given before a `RUN`: what `COPY` and `ADD`
//! brought from the build context, other stages and images, in the stage
//! and the stages it is built `FROM`, and what the `RUN` itself
//! bind-mounts.

use super::base_name;
use crate::graph::join_path;
use crate::rules::Context;
use crate::shell::deps::{self, Tool, glob_match};
use crate::source::Span;
use crate::syntax::{Args, Kind, Mount, MountKind};
use std::rc::Rc;

/// Where an input comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `COPY`/`ADD` from the build context.
    Context,
    /// `COPY --from=<stage or image>`.
    Stage,
    /// `RUN --mount=type=bind` of a context file.
    Bind,
}

/// One source of a `COPY`/`ADD`, or a bind mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The instruction that brings it.
    pub instruction: usize,
    pub origin: Origin,
    /// The source path, variables expanded.
    pub source: String,
    /// The source word, or the mount's `source` option.
    pub span: Span,
    /// The `COPY` destination or mount target, absolute.
    pub dest: String,
}

/// Whether a file is part of the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// A copy or mount names it (or a glob covers it), or the whole
    /// context is copied and the context has it.
    Copied(Span),
    /// Something copied could hold it: a directory, the whole context of
    /// unknown content, another stage's tree.
    Possible,
    /// Only other files were copied.
    Absent,
}

/// What a stage has been given before an instruction.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// The first copy (or bind mount) of the whole build context.
    pub whole: Option<Rc<Input>>,
    /// Every other source, in order.
    pub items: Vec<Rc<Input>>,
    /// Some source may hold files of any name: a directory, an archive,
    /// a tree from another stage.
    pub opaque: bool,
    /// Where such sources went.
    opaque_dests: Vec<String>,
}

/// A destination without its trailing slash.
fn dir_of(dest: &str) -> &str {
    let d = dest.trim_end_matches('/');
    if d.is_empty() { "/" } else { d }
}

/// Whether a source is the whole build context: `.`, `./`, `*`, a lone
/// variable that is not set.
pub fn is_whole_context(src: &str) -> bool {
    matches!(src, "." | "./" | "*" | "./*" | "/" | "./." | "/." | "/*")
        || (src.starts_with('$') && !src.contains('/'))
}

/// Files without an extension that are not directories.
const PLAIN_FILES: &[&str] = &[
    "Makefile",
    "Dockerfile",
    "Containerfile",
    "Procfile",
    "Jenkinsfile",
    "Rakefile",
    "Brewfile",
    "Caddyfile",
    "Justfile",
    "justfile",
    "LICENSE",
    "LICENCE",
    "NOTICE",
    "README",
    "VERSION",
    "AUTHORS",
    "CHANGELOG",
    "CODEOWNERS",
    "gradlew",
    "entrypoint",
];

/// Whether a source may hold files of any name: a directory, a
/// directory glob, an archive `ADD` unpacks, a remote repository.
fn is_opaque(src: &str, add: bool) -> bool {
    let name = base_name(src);
    let lower = name.to_ascii_lowercase();
    if name != "*"
        && (deps::manifest_ecosystems(name).into_iter().next().is_some()
            || PLAIN_FILES.contains(&name))
    {
        return false;
    }
    src.ends_with('/')
        || name == "*"
        || name.is_empty()
        || !name.trim_start_matches('.').contains('.')
        || (add
            && [".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".git"]
                .iter()
                .any(|x| lower.ends_with(x)))
}

fn is_remote(src: &str) -> bool {
    src.contains("://") || src.starts_with("git@")
}

impl Inputs {
    /// What the stage of top-level instruction `index` holds before it
    /// runs, with the bind mounts of `index` itself (computed once per file
    /// and instruction).
    pub fn before(cx: &Context<'_>, index: usize) -> Rc<Inputs> {
        cx.memo("inputs-before", index, || Inputs::compute(cx, index))
    }

    fn compute(cx: &Context<'_>, index: usize) -> Inputs {
        let build = cx.build();
        let mut out = Inputs::default();
        let Some(state) = build.state(index) else {
            return out;
        };
        let mut chain = build.chain(state.stage);
        chain.reverse();
        for si in chain {
            // the copies of each stage are read once per file
            let copies = cx.memo("stage-copies", si, || {
                let mut v = Vec::new();
                if let Some(stage) = build.stages.get(si) {
                    for i in stage.instructions() {
                        let mut one = Inputs::default();
                        if one.add_copy(cx, i) {
                            v.push((i, one));
                        }
                    }
                }
                v
            });
            for (i, one) in copies.iter() {
                if *i >= index && si == state.stage {
                    break;
                }
                out.merge(one);
            }
        }
        out.add_mounts(cx, index);
        out
    }

    fn merge(&mut self, other: &Inputs) {
        if self.whole.is_none() {
            self.whole = other.whole.clone();
        }
        self.items.extend(other.items.iter().cloned());
        self.opaque |= other.opaque;
        self.opaque_dests.extend(other.opaque_dests.iter().cloned());
    }

    /// Adds the sources of instruction `i` if it is a `COPY` or `ADD`.
    fn add_copy(&mut self, cx: &Context<'_>, i: usize) -> bool {
        let Some(ins) = cx.instruction(i) else {
            return false;
        };
        let (Kind::Copy | Kind::Add, Args::Paths(p)) = (&ins.kind, &ins.args) else {
            return false;
        };
        let Some((dest, sources)) = p.words.split_last() else {
            return false;
        };
        let workdir = cx.build().state(i).and_then(|s| s.workdir.clone());
        let dest = join_path(workdir.as_deref(), &cx.expand_at(i, &dest.text));
        let from = ins.flag("from").is_some();
        let add = ins.kind == Kind::Add;
        for s in sources {
            if s.text.starts_with("<<") {
                continue;
            }
            let source = cx.expand_at(i, &s.text);
            if is_remote(&source) {
                self.opaque |= source.ends_with(".git") || source.starts_with("git@");
                continue;
            }
            let input = Input {
                instruction: i,
                origin: if from { Origin::Stage } else { Origin::Context },
                source: source.clone(),
                span: s.span,
                dest: dest.clone(),
            };
            if !from && is_whole_context(&source) {
                if self.whole.is_none() {
                    self.whole = Some(Rc::new(input));
                }
                continue;
            }
            if is_opaque(&source, add) || (from && is_whole_context(&source)) {
                self.opaque = true;
                self.opaque_dests.push(dir_of(&dest).to_string());
            }
            self.items.push(Rc::new(input));
        }
        true
    }

    fn add_mounts(&mut self, cx: &Context<'_>, index: usize) {
        let Some(ins) = cx.instruction(index) else {
            return;
        };
        let ins = ins.onbuild_body().unwrap_or(ins);
        if ins.kind != Kind::Run {
            return;
        }
        let workdir = cx.build().state(index).and_then(|s| s.workdir.clone());
        for f in ins.flags_named("mount") {
            let m = Mount::from_flag(f);
            if m.kind != MountKind::Bind {
                continue;
            }
            let target = m
                .target()
                .map(|t| join_path(workdir.as_deref(), &cx.expand_at(index, t)))
                .unwrap_or_default();
            let span = m.option(&["source", "src"]).map_or(f.span, |o| o.span);
            let source = m.source().map(|s| cx.expand_at(index, s));
            let from = m.from().is_some();
            let input = Input {
                instruction: index,
                origin: if from { Origin::Stage } else { Origin::Bind },
                source: source.clone().unwrap_or_else(|| ".".into()),
                span,
                dest: target,
            };
            match source.as_deref() {
                None | Some("." | "./" | "/") if !from => {
                    if self.whole.is_none() {
                        self.whole = Some(Rc::new(input));
                    }
                }
                Some(s) => {
                    if is_opaque(s, false) {
                        self.opaque = true;
                        self.opaque_dests.push(dir_of(&input.dest).to_string());
                    }
                    self.items.push(Rc::new(input));
                }
                None => {
                    self.opaque = true;
                    self.opaque_dests.push(dir_of(&input.dest).to_string());
                    self.items.push(Rc::new(input));
                }
            }
        }
    }

    /// The first source that names one of `names` (a glob in the source
    /// covers them: `package*.json` names `package-lock.json`).
    pub fn find(&self, names: &[&str]) -> Option<&Input> {
        self.items
            .iter()
            .find(|it| {
                let b = base_name(&it.source);
                if b.contains(['*', '?', '[']) {
                    names.iter().any(|n| glob_match(b, n))
                } else {
                    names.contains(&b)
                }
            })
            .map(|it| &**it)
    }

    /// Whether the files `names` are part of the build. `manifest` is the
    /// file they go with: when the build context shows the manifest but
    /// none of `names`, the project has none of them.
    pub fn presence(&self, cx: &Context<'_>, names: &[&str], manifest: Option<&str>) -> Presence {
        // the build context shows the manifest but none of the files
        let context_lacks = || {
            manifest.is_some_and(|m| !m.contains('*') && cx.context_has(m))
                && !names.iter().any(|n| cx.context_has(n))
        };
        if let Some(it) = self.find(names) {
            // a glob (`package*.json`) covers the files only if they exist
            let glob = base_name(&it.source).contains(['*', '?', '[']);
            if glob && context_lacks() {
                return Presence::Absent;
            }
            return Presence::Copied(it.span);
        }
        if let Some(whole) = &self.whole {
            if names.iter().any(|n| cx.context_has(n)) {
                return Presence::Copied(whole.span);
            }
            if context_lacks() {
                return Presence::Absent;
            }
            return Presence::Possible;
        }
        let possible = match manifest.map(|m| self.find(&[m])) {
            // a directory copied elsewhere cannot put a file next to the
            // manifest
            Some(Some(m)) => {
                let d = dir_of(&m.dest);
                let dir = if base_name(d) == base_name(&m.source) {
                    d.rsplit_once('/')
                        .map_or("/", |(p, _)| if p.is_empty() { "/" } else { p })
                } else {
                    d
                };
                self.opaque_dests.iter().any(|o| o == dir)
            }
            // the project does not come from a `COPY` (a clone, the base
            // image): anything may be there
            Some(None) => true,
            None => self.opaque,
        };
        if possible {
            Presence::Possible
        } else {
            Presence::Absent
        }
    }

    /// Whether `tool`'s lockfile is part of the build (cargo-chef's
    /// `recipe.json` carries `Cargo.lock`).
    pub fn lock(&self, cx: &Context<'_>, tool: Tool) -> Presence {
        let mut names: Vec<&str> = tool.lockfiles().to_vec();
        if tool == Tool::Cargo {
            names.push("recipe.json");
        }
        self.presence(cx, &names, tool.manifest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_context_sources() {
        for s in [".", "./", "*", "./*", "$SRC", "/"] {
            assert!(is_whole_context(s), "{s}");
        }
        for s in ["src", "package.json", "$SRC/app"] {
            assert!(!is_whole_context(s), "{s}");
        }
    }

    #[test]
    fn opaque_sources() {
        for s in ["src", "src/", "app/*", "patches", "frontend/"] {
            assert!(is_opaque(s, false), "{s}");
        }
        for s in ["package.json", "tsconfig.json", "*.csproj", "main.go"] {
            assert!(!is_opaque(s, false), "{s}");
        }
        assert!(is_opaque("app.tar.gz", true));
        assert!(!is_opaque("app.tar.gz", false));
    }
}
