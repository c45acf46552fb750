use super::lang::base_name;
use super::lang::inputs::is_whole_context;
use crate::fix::{Edit, Fix};
use crate::graph::Stage;
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, StepKind, Tool};
use crate::source::Span;
use crate::syntax::{Args, Kind};

/// IL3103
pub struct CargoStubSourceNotTouched;

const META: Meta = Meta {
    code: "IL3103",
    name: "cargo-stub-source-not-touched",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "Real sources replace placeholder ones without a `touch`, so cargo can keep the placeholder build",
    doc: include_str!("../../../rules/cargo-stub-source-not-touched.md"),
    target: Target::Dockerfile,
};

/// Whether a command creates placeholder Rust sources: `cargo new`,
/// `cargo init`, `echo 'fn main() {}' > src/main.rs`, `touch src/lib.rs`.
fn creates_stub(cmd: &SimpleCommand) -> bool {
    let Some(args) = ShellArgs::of(cmd) else {
        return false;
    };
    let writes_rs = cmd.redirects.iter().any(|r| {
        matches!(r.op, ">" | ">>" | ">|")
            && r.target.as_ref().is_some_and(|t| t.value.ends_with(".rs"))
    });
    match args.program() {
        "cargo" => args
            .operands(deps::CARGO_OPTIONS_WITH_VALUE)
            .first()
            .is_some_and(|w| matches!(w.value.as_str(), "new" | "init")),
        "touch" => args.operands(&[]).iter().any(|w| w.value.ends_with(".rs")),
        _ => writes_rs,
    }
}

/// Whether a command makes cargo rebuild the crate: a `touch` of its
/// sources, removing the placeholder's build output, `cargo clean`.
fn invalidates(cmd: &SimpleCommand) -> bool {
    let Some(args) = ShellArgs::of(cmd) else {
        return false;
    };
    let words = || args.words.iter().map(|w| w.value.as_str());
    match args.program() {
        "touch" => true,
        "find" | "xargs" => words().any(|w| w == "touch"),
        "rm" => args.operands(&[]).iter().any(|w| {
            let v = w.value.as_str();
            v.starts_with("target") || v.contains("/target") || v.contains(".fingerprint")
        }),
        "cargo" => args
            .operands(deps::CARGO_OPTIONS_WITH_VALUE)
            .first()
            .is_some_and(|w| w.value == "clean"),
        _ => false,
    }
}

/// A cargo build that produces the crate's binary.
fn is_build(cmd: &SimpleCommand) -> Option<deps::DepStep> {
    let step = deps::classify(cmd)?;
    (step.tool == Tool::Cargo
        && step.kind == StepKind::Build
        && (step.label.ends_with(" build")
            || step.label.ends_with(" b")
            || step.label.ends_with(" zigbuild")
            || step.label == "cargo install"))
        .then_some(step)
}

/// Where the pattern is.
enum Phase {
    /// No placeholder yet.
    Start,
    /// Placeholder sources were created here.
    Stub(Span),
    /// The placeholder was built.
    Built(Span),
    /// Real sources were copied over it.
    Copied {
        stub: Span,
        copy: Span,
    },
    Done,
}

impl Rule for CargoStubSourceNotTouched {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        let build = cx.build();
        let mut chain = build.chain(stage.index);
        chain.reverse();
        let mut phase = Phase::Start;
        for si in chain {
            let own = si == stage.index;
            for i in build.stages[si].instructions() {
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                match (&ins.kind, &ins.args) {
                    (Kind::Copy | Kind::Add, Args::Paths(p)) if ins.flag("from").is_none() => {
                        let Phase::Built(stub) = phase else { continue };
                        let Some((_, sources)) = p.words.split_last() else {
                            continue;
                        };
                        // real sources, not more manifests
                        let copies_sources = sources.iter().any(|s| {
                            let v = cx.expand_at(i, &s.text);
                            is_whole_context(&v)
                                || (deps::manifest_ecosystems(&v).is_empty()
                                    && (v.ends_with(".rs")
                                        || !base_name(&v).trim_start_matches('.').contains('.')))
                        });
                        if copies_sources {
                            let copy = sources
                                .iter()
                                .map(|s| s.span)
                                .reduce(Span::cover)
                                .unwrap_or(ins.keyword.span);
                            phase = Phase::Copied { stub, copy };
                        }
                    }
                    (Kind::Run, _) => {
                        for script in cx.scripts_of(i) {
                            for cmd in &script.commands {
                                phase = match phase {
                                    Phase::Start if creates_stub(cmd) => Phase::Stub(cmd.span),
                                    Phase::Stub(stub) if is_build(cmd).is_some() => {
                                        Phase::Built(stub)
                                    }
                                    Phase::Copied { .. } if invalidates(cmd) => Phase::Done,
                                    Phase::Copied { stub, copy } => match is_build(cmd) {
                                        Some(step) => {
                                            if own {
                                                report(cx, &step, cmd, stub, copy);
                                            }
                                            Phase::Done
                                        }
                                        None => Phase::Copied { stub, copy },
                                    },
                                    other => other,
                                };
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn report(cx: &mut Context<'_>, step: &deps::DepStep, cmd: &SimpleCommand, stub: Span, copy: Span) {
    let touch = "find . -name '*.rs' -not -path './target/*' -exec touch {} + && ";
    cx.report(
        step.span,
        format!(
            "`{}` can keep the placeholder build: the copied sources look older",
            step.label
        ),
    )
    .help("`touch` the real sources (`find . -name '*.rs' -exec touch {} +`) before building, or use cargo-chef")
    .label(stub, "placeholder sources are created here")
    .label(copy, "the real sources are copied here")
    .fix(Fix::unsafe_(
        "touch the sources before the build",
        vec![Edit::insert(cmd.span.start, touch)],
    ));
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const STUB: &str = "FROM rust:1.80 AS build\nWORKDIR /app\nCOPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release\nCOPY src ./src\nRUN cargo build --release\n";

    #[test]
    fn fires_when_the_real_sources_are_not_touched() {
        fires(
            "IL3103",
            STUB,
            &[
                "6:5 IL3103 `cargo build` can keep the placeholder build: the copied sources look older",
            ],
        );
        fires(
            "IL3103",
            "FROM rust:1.80\nRUN cargo new --bin /app\nWORKDIR /app\nCOPY Cargo.toml Cargo.lock ./\nRUN cargo build --release\nCOPY . .\nRUN cargo install --path .\n",
            &[
                "7:5 IL3103 `cargo install` can keep the placeholder build: the copied sources look older",
            ],
        );
    }

    #[test]
    fn passes_when_sources_are_touched_or_outputs_removed() {
        for between in [
            "RUN touch src/main.rs",
            "RUN find src -name '*.rs' -exec touch {} +",
            "RUN rm -rf target/release/.fingerprint/app-*",
            "RUN cargo clean -p app",
        ] {
            passes(
                "IL3103",
                &STUB.replace("COPY src ./src\n", &format!("COPY src ./src\n{between}\n")),
            );
        }
        passes(
            "IL3103",
            &STUB.replace(
                "RUN cargo build --release\n",
                "RUN touch build.rs src/main.rs && cargo build --release\n",
            ),
        );
    }

    #[test]
    fn passes_without_a_placeholder_build() {
        passes(
            "IL3103",
            "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n",
        );
        // cargo-chef builds the dependencies from the recipe
        passes(
            "IL3103",
            "FROM rust:1.80\nCOPY recipe.json .\nRUN cargo chef cook --release --recipe-path recipe.json\nCOPY . .\nRUN cargo build --release\n",
        );
    }

    #[test]
    fn follows_the_stage_chain_and_heredocs() {
        fires(
            "IL3103",
            "FROM rust:1.80 AS deps\nWORKDIR /app\nCOPY Cargo.toml ./\nRUN <<EOF\nmkdir src\ntouch src/lib.rs\ncargo build\nEOF\nFROM deps\nCOPY src src\nRUN cargo build\n",
            &[
                "11:5 IL3103 `cargo build` can keep the placeholder build: the copied sources look older",
            ],
        );
    }

    #[test]
    fn fix_touches_the_sources() {
        assert_eq!(
            fixed("IL3103", STUB, Applicability::Unsafe),
            STUB.replace(
                "RUN cargo build --release\n",
                "RUN find . -name '*.rs' -not -path './target/*' -exec touch {} + && cargo build --release\n"
            )
        );
    }
}
