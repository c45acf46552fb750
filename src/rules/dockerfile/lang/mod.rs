//! What the language-aware rules share: the files a stage has been given
//! before a `RUN` ([`inputs`]), the variables a command sees ([`env`]), the
//! caches a dependency step uses ([`caches`]) and what is known about base
//! images ([`images`]).

pub mod caches;
pub mod env;
pub mod images;
pub mod inputs;

use crate::graph::{Base, Build, EdgeKind, EdgeTarget};
use crate::rules::Context;
use crate::shell::args::Args;
use crate::shell::deps;
use crate::syntax::Args as InsArgs;

/// The base name of a path (`a/b/go.sum` → `go.sum`).
pub fn base_name(path: &str) -> &str {
    let p = path.trim_end_matches('/');
    p.rsplit('/').next().unwrap_or(p)
}

/// Whether stage `stage` maintains lockfiles: it rewrites them (`go mod
/// tidy`, `cargo update` …) to hand them back to the repository, copying
/// them out (`cp go.mod go.sum /out`) or exporting them through a `scratch`
/// stage (`COPY --from=vendored /out /`). Rules about lockfile discipline
/// stay silent there.
pub fn is_lock_maintenance(cx: &Context<'_>, build: &Build, stage: usize) -> bool {
    *cx.memo("lock-maintenance", stage, || {
        maintains_locks(cx, build, stage)
    })
}

fn maintains_locks(cx: &Context<'_>, build: &Build, stage: usize) -> bool {
    let chain = build.chain(stage);
    let facts = cx.memo("stage-lock-facts", 0, || lock_facts(cx, build));
    let relocks = chain
        .iter()
        .any(|&si| facts.get(si).is_some_and(|f| f.relocks));
    if !relocks {
        return false;
    }
    // an output stage takes files from this one (or a stage built on it)
    let exported = build.edges.iter().any(|e| {
        let EdgeTarget::Stage(from) = e.target else {
            return false;
        };
        if e.kind != EdgeKind::CopyFrom || !build.chain(from).contains(&stage) {
            return false;
        }
        let Some(ins) = cx.instruction(e.instruction) else {
            return false;
        };
        let to_scratch = build
            .stages
            .get(e.stage)
            .is_some_and(|s| s.base == Base::Scratch);
        let InsArgs::Paths(p) = &ins.args else {
            return false;
        };
        let Some((_, sources)) = p.words.split_last() else {
            return false;
        };
        sources.iter().any(|s| {
            let name = base_name(&s.text);
            matches!(name, "out" | "vendor")
                || (to_scratch
                    && deps::Tool::ALL
                        .iter()
                        .any(|t| t.lockfiles().contains(&name) || t.manifest() == Some(name)))
        })
    });
    if exported {
        return true;
    }
    // or copies lockfiles somewhere itself
    chain
        .iter()
        .any(|&si| facts.get(si).is_some_and(|f| f.copies_lockfiles))
}

/// What the commands of one stage do to lockfiles.
struct LockFacts {
    /// A command rewrites lockfiles (`go mod tidy`, `cargo update` …).
    relocks: bool,
    /// A command copies lockfiles somewhere (`cp go.mod go.sum /out`).
    copies_lockfiles: bool,
}

/// The lockfile facts of every stage, each read once.
fn lock_facts(cx: &Context<'_>, build: &Build) -> Vec<LockFacts> {
    build
        .stages
        .iter()
        .map(|s| {
            let mut facts = LockFacts {
                relocks: false,
                copies_lockfiles: false,
            };
            for c in s
                .instructions()
                .flat_map(|i| cx.scripts_of(i).iter())
                .flat_map(|sc| sc.commands.iter())
            {
                facts.relocks |= deps::relock(c).is_some();
                facts.copies_lockfiles |= copies_lockfile(c);
            }
            facts
        })
        .collect()
}

fn copies_lockfile(c: &crate::shell::SimpleCommand) -> bool {
    let Some(a) = Args::of(c) else { return false };
    if !matches!(a.program(), "cp" | "mv" | "install" | "rsync") {
        return false;
    }
    let ops = a.operands(&["-t", "--target-directory", "-m", "--mode"]);
    ops.len() >= 2
        && ops[..ops.len() - 1].iter().any(|w| {
            let n = base_name(&w.value);
            deps::Tool::ALL.iter().any(|t| t.lockfiles().contains(&n))
        })
}

/// Whether a dependency step downloads nothing: Go with vendored modules
/// (`-mod=vendor`, `GOFLAGS=-mod=vendor`, a `vendor/modules.txt` in the
/// build context) or in GOPATH mode (`GO111MODULE=off`).
pub fn downloads_nothing(
    cx: &Context<'_>,
    index: usize,
    script: &crate::shell::Script,
    ci: usize,
    step: &deps::DepStep,
) -> bool {
    if step.tool != deps::Tool::Go {
        return false;
    }
    let var = |n: &str| env::variable(cx, index, script, ci, n);
    step.vendored
        || var("GOFLAGS").is_some_and(|v| v.contains("-mod=vendor"))
        || var("GO111MODULE").is_some_and(|v| v.eq_ignore_ascii_case("off"))
        || cx.context_has("vendor/modules.txt")
}

/// Whether the lockfile rules look at the instruction being checked: not
/// an `ONBUILD` body (the child image decides what it copies), not a
/// lockfile-maintenance stage.
pub fn checks_lock_discipline(cx: &Context<'_>) -> bool {
    if cx.in_onbuild() {
        return false;
    }
    let Some(state) = cx.state() else {
        return false;
    };
    !is_lock_maintenance(cx, cx.build(), state.stage)
}

/// A dependency step of the `RUN` being checked, as the lockfile rules
/// read it.
pub struct RunStep<'a> {
    pub script: &'a crate::shell::Script,
    /// The command's index in its script.
    pub ci: usize,
    pub args: Args<'a>,
    pub step: deps::DepStep,
}

/// The dependency steps of the `RUN` being checked, with the instruction's
/// index; `None` where the lockfile rules do not look (see
/// [`checks_lock_discipline`]).
pub fn lock_checked_steps<'a>(cx: &Context<'a>) -> Option<(usize, Vec<RunStep<'a>>)> {
    let index = cx.instruction_index()?;
    if !checks_lock_discipline(cx) {
        return None;
    }
    let mut out = Vec::new();
    for script in cx.scripts() {
        for (ci, cmd) in script.commands.iter().enumerate() {
            if let (Some(step), Some(args)) = (deps::classify(cmd), Args::of(cmd)) {
                out.push(RunStep {
                    script,
                    ci,
                    args,
                    step,
                });
            }
        }
    }
    Some((index, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names() {
        assert_eq!(base_name("a/b/go.sum"), "go.sum");
        assert_eq!(base_name("src/"), "src");
        assert_eq!(base_name("go.mod"), "go.mod");
    }
}
