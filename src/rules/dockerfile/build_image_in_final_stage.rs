use crate::graph::{Base, Build};
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Ecosystem, StepKind};
use crate::size::facts;
use crate::syntax::{Command, Kind};

/// IL5001
pub struct BuildImageInFinalStage;

const META: Meta = Meta {
    code: "IL5001",
    name: "build-image-in-final-stage",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The image is based on a compiler or SDK image and ships the build environment",
    doc: include_str!("../../../rules/build-image-in-final-stage.md"),
    target: Target::Dockerfile,
};

/// A runtime base to suggest for a toolchain.
fn runtime_for(toolchain: &str) -> &'static str {
    match toolchain {
        "Go" => "`gcr.io/distroless/static-debian12` (or `scratch`) for a static binary",
        "Rust" => "`gcr.io/distroless/cc-debian12` (or `static` for a musl build)",
        "C/C++" | "Haskell" => "`gcr.io/distroless/cc-debian12` or `debian:bookworm-slim`",
        ".NET SDK" => "`mcr.microsoft.com/dotnet/aspnet` or `mcr.microsoft.com/dotnet/runtime`",
        "Swift" => "the matching `swift:<version>-slim` image",
        _ => "a JRE image such as `eclipse-temurin:21-jre` or `gcr.io/distroless/java21-debian12`",
    }
}

/// Programs that compile, besides the dependency managers' build steps.
const COMPILERS: &[&str] = &[
    "javac", "gcc", "g++", "cc", "c++", "clang", "clang++", "make", "cmake", "ninja", "swiftc",
    "ghc", "cabal", "stack",
];

/// Commands whose presence as `CMD`/`ENTRYPOINT` means the image is a
/// development or toolchain image, not a product.
fn is_dev_command(words: &[String]) -> bool {
    let Some(first) = words.first() else {
        return true;
    };
    let base = first.rsplit('/').next().unwrap_or(first);
    let second = words.get(1).map(String::as_str).unwrap_or("");
    match base {
        "go" | "cargo" | "mvn" | "mvnw" | "gradle" | "gradlew" | "javac" | "make" | "bash"
        | "sh" | "swift" | "rustc" | "air" | "reflex" | "nodemon" | "watchexec" | "cargo-watch" => {
            true
        }
        "dotnet" => matches!(second, "run" | "watch" | "test"),
        _ => false,
    }
}

/// What IL5001 reports: the image's toolchain base and what it runs.
pub(crate) struct Found {
    pub at: crate::source::Span,
    pub base: String,
    pub name: String,
    pub toolchain: &'static str,
    pub runs: crate::source::Span,
    pub root_base: Option<crate::source::Span>,
}

/// A development, test or CI target, by its stage name, its path or the
/// development server it starts, unless the rule's `check-dev-targets` option is set.
pub(crate) fn is_dev_target(cx: &Context<'_>, target: &crate::graph::Stage) -> bool {
    !super::final_image::option_bool(cx, META.name, "check-dev-targets")
        && super::final_image::is_dev_image(cx, target)
}

pub(crate) fn find(cx: &Context<'_>, build: &Build) -> Option<Found> {
    let target = build.target_stage()?;
    if is_dev_target(cx, target) {
        return None;
    }
    if build.stages.len() == 1
        && super::final_image::option_bool(cx, META.name, "allow-single-stage")
    {
        return None;
    }
    let chain = build.chain(target.index);
    let &root = chain.last()?;
    let root_stage = &build.stages[root];
    let Base::Image(base) = &root_stage.base else {
        return None;
    };
    let toolchain = facts(base).toolchain?;

    // the chain must build something
    let compiles = chain.iter().any(|&si| {
        build.stages[si].instructions().any(|i| {
            cx.scripts_of(i)
                .iter()
                .flat_map(|s| s.commands.iter())
                .any(|c| {
                    if let Some(step) = deps::classify(c)
                        && step.kind == StepKind::Build
                        && matches!(
                            step.ecosystem,
                            Ecosystem::Go
                                | Ecosystem::Rust
                                | Ecosystem::Maven
                                | Ecosystem::Gradle
                                | Ecosystem::Dotnet
                        )
                    {
                        return true;
                    }
                    let Some(a) = ShellArgs::of(c) else {
                        return false;
                    };
                    match a.program() {
                        "go" | "cargo" => a.words.first().is_some_and(|w| w.value == "install"),
                        "swift" => a.words.first().is_some_and(|w| w.value == "build"),
                        p => COMPILERS.contains(&p),
                    }
                })
        })
    });
    if !compiles {
        return None;
    }
    // and run a product, not the toolchain
    let run_at = target.config.entrypoint.or(target.config.cmd);
    let run_at = run_at?;
    let run_ins = cx.instruction(run_at)?;
    let words: Vec<String> = match run_ins.command() {
        Some(Command::Exec { args, .. }) => args.iter().map(|a| a.text.clone()).collect(),
        Some(Command::Shell { text, .. }) => {
            text.text.split_whitespace().map(str::to_string).collect()
        }
        _ => return None,
    };
    if is_dev_command(&words) || run_ins.kind == Kind::Unknown {
        return None;
    }
    let at = target.base_span?;
    Some(Found {
        at,
        base: base.original.clone(),
        name: base.name(),
        toolchain,
        runs: run_ins.keyword.span,
        root_base: (root != target.index)
            .then_some(root_stage.base_span)
            .flatten(),
    })
}

impl Rule for BuildImageInFinalStage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(found) = find(cx, build) else { return };
        let mut r = cx
            .report(
                found.at,
                format!(
                    "the image ships the {} toolchain: it is based on `{}`",
                    found.toolchain, found.base
                ),
            )
            .help(format!(
                "build in a `{}` stage, then start a final stage from {} and `COPY --from` only the build output",
                found.name,
                runtime_for(found.toolchain)
            ))
            .label(found.runs, "the image runs this");
        if let Some(span) = found.root_base {
            r = r.label(span, "the toolchain image");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_single_stage_builds() {
        fires(
            "IL5001",
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            &["1:6 IL5001 the image ships the Go toolchain: it is based on `golang:1.22`"],
        );
        fires(
            "IL5001",
            "FROM maven:3.9-eclipse-temurin-21\nCOPY . .\nRUN mvn -B package\nCMD java -jar target/app.jar\n",
            &[
                "1:6 IL5001 the image ships the Java (Maven) toolchain: it is based on `maven:3.9-eclipse-temurin-21`",
            ],
        );
    }

    #[test]
    fn fires_through_a_stage_based_on_the_toolchain() {
        fires(
            "IL5001",
            "FROM rust:1.80 AS base\nRUN cargo build --release\nFROM base\nENTRYPOINT [\"/usr/local/bin/app\"]\n",
            &["3:6 IL5001 the image ships the Rust toolchain: it is based on `rust:1.80`"],
        );
    }

    #[test]
    fn passes_for_multi_stage_builds_and_toolchain_images() {
        passes(
            "IL5001",
            "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
        );
        // a CI image: runs the toolchain itself
        passes(
            "IL5001",
            "FROM golang:1.22\nRUN go install golang.org/x/lint/golint@latest\nCMD [\"go\", \"test\", \"./...\"]\n",
        );
        // builds nothing
        passes(
            "IL5001",
            "FROM eclipse-temurin:21-jdk\nCOPY app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n",
        );
        // a dev target
        passes(
            "IL5001",
            "FROM golang:1.22 AS dev\nRUN go build ./...\nCMD [\"/app\"]\n",
        );
        passes(
            "IL5001",
            "FROM node:22\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n",
        );
        // a test Dockerfile, by its name
        let report = crate::lint::lint_text(
            "docker/Dockerfile.test",
            "FROM golang:1.22\nRUN go build -o /app .\nCMD [\"/app\"]\n",
            &crate::lint::LintSettings {
                selection: crate::rules::Selection::only(&["IL5001".to_string()]).unwrap(),
                ..crate::lint::LintSettings::default()
            },
        );
        assert!(report.findings.is_empty());
    }

    #[test]
    fn options_allow_single_stage_files_and_check_dev_targets() {
        let with = |json: serde_json::Value, text: &str| {
            let mut options = crate::rules::RuleOptions::default();
            options
                .per_rule
                .insert("build-image-in-final-stage".into(), json);
            check_with("IL5001", &options, text).len()
        };
        let single = "FROM golang:1.22\nRUN go build -o /app .\nCMD [\"/app\"]\n";
        assert_eq!(with(serde_json::json!({}), single), 1);
        assert_eq!(
            with(serde_json::json!({"allow-single-stage": true}), single),
            0
        );
        let dev = "FROM golang:1.22 AS dev\nRUN go build ./...\nCMD [\"/app\"]\n";
        assert_eq!(with(serde_json::json!({}), dev), 0);
        assert_eq!(with(serde_json::json!({"check-dev-targets": true}), dev), 1);
    }
}
