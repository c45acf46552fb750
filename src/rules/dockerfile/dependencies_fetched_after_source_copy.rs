use crate::graph::Stage;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, Ecosystem};
use crate::source::Span;
use crate::syntax::{Args, Kind, Mount, MountKind};
use std::collections::BTreeSet;

/// IL3001
pub struct DependenciesFetchedAfterSourceCopy;

const META: Meta = Meta {
    code: "IL3001",
    name: "dependencies-fetched-after-source-copy",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Cache,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "Dependencies are downloaded after the whole build context is copied",
    doc: include_str!("../../../rules/dependencies-fetched-after-source-copy.md"),
    target: Target::Dockerfile,
};

/// Whether a `COPY`/`ADD` source is the whole build context.
fn is_whole_context(src: &str) -> bool {
    matches!(src, "." | "./" | "*" | "./*" | ".*" | "/" | "./.")
}

fn advice(e: Ecosystem) -> &'static str {
    match e {
        Ecosystem::Go => {
            "copy `go.mod` and `go.sum` first and run `go mod download` before `COPY . .`"
        }
        Ecosystem::Rust => {
            "copy `Cargo.toml` and `Cargo.lock` first and fetch or build the dependencies (e.g. with cargo-chef) before copying the sources"
        }
        Ecosystem::Node => {
            "copy `package.json` and the lockfile first and install before `COPY . .`"
        }
        Ecosystem::Python => {
            "copy the requirements file (or `pyproject.toml` and the lockfile) first and install before copying the sources"
        }
        Ecosystem::Maven => {
            "copy `pom.xml` first and run `mvn dependency:go-offline` before copying `src/`"
        }
        Ecosystem::Gradle => {
            "copy the build scripts and the wrapper first and resolve the dependencies before copying the sources"
        }
        Ecosystem::Ruby => {
            "copy `Gemfile` and `Gemfile.lock` first and run `bundle install` before copying the app"
        }
        Ecosystem::Php => {
            "copy `composer.json` and `composer.lock` first and run `composer install` before copying the app"
        }
        Ecosystem::Dotnet => {
            "copy the project files first and run `dotnet restore` before copying the sources"
        }
    }
}

/// Whether a cache mount target holds the ecosystem's download cache.
fn covers(target: &str, e: Ecosystem) -> bool {
    let t = target.trim_end_matches('/');
    e.cache_dirs().iter().any(|d| {
        let d = d.trim_end_matches('/');
        t == d
            || t.ends_with(&format!("/{}", d.trim_start_matches('/')))
            || (d.starts_with('/') && t.starts_with(d))
    })
}

impl Rule for DependenciesFetchedAfterSourceCopy {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        let build = cx.build();
        // an ONBUILD image leaves the order to the images built from it
        if stage
            .instructions()
            .any(|i| cx.instruction(i).is_some_and(|x| x.kind == Kind::Onbuild))
        {
            return;
        }
        // Go modules vendored in the repository are not downloaded
        let go_vendored = cx.context_has("vendor/modules.txt");
        let mut chain = build.chain(stage.index);
        chain.reverse();
        let mut whole_copy: Option<Span> = None;
        let mut manifests: BTreeSet<Ecosystem> = BTreeSet::new();
        let mut prepared: BTreeSet<Ecosystem> = BTreeSet::new();
        let mut reported: BTreeSet<Ecosystem> = BTreeSet::new();
        for si in chain {
            let own = si == stage.index;
            for i in build.stages[si].instructions() {
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                match (&ins.kind, &ins.args) {
                    (Kind::Copy | Kind::Add, Args::Paths(p)) if ins.flag("from").is_none() => {
                        let Some((_, sources)) = p.words.split_last() else {
                            continue;
                        };
                        let sources: Vec<String> =
                            sources.iter().map(|s| cx.expand_at(i, &s.text)).collect();
                        if sources.iter().any(|s| is_whole_context(s)) {
                            whole_copy.get_or_insert(ins.span);
                            continue;
                        }
                        let ecos: Vec<Vec<Ecosystem>> = sources
                            .iter()
                            .map(|s| deps::manifest_ecosystems(s))
                            .collect();
                        if !ecos.is_empty() && ecos.iter().all(|e| !e.is_empty()) {
                            manifests.extend(ecos.into_iter().flatten());
                        }
                    }
                    (Kind::Run, _) => {
                        let mounts: Vec<Mount> =
                            ins.flags_named("mount").map(Mount::from_flag).collect();
                        let whole_bind = mounts.iter().any(|m| {
                            m.kind == MountKind::Bind
                                && m.from().is_none()
                                && m.source().is_none_or(is_whole_context)
                        });
                        let bind_manifests: Vec<Ecosystem> = mounts
                            .iter()
                            .filter(|m| m.kind == MountKind::Bind && m.from().is_none())
                            .filter_map(|m| m.source())
                            .flat_map(deps::manifest_ecosystems)
                            .collect();
                        let caches: Vec<String> = mounts
                            .iter()
                            .filter(|m| m.kind == MountKind::Cache)
                            .filter_map(|m| m.target().map(|t| cx.expand_at(i, t)))
                            .collect();
                        let vendored_env = build.state(i).is_some_and(|st| {
                            st.scope
                                .var("GOFLAGS")
                                .and_then(|v| v.value.as_deref())
                                .is_some_and(|v| v.contains("-mod=vendor"))
                        });
                        for script in cx.scripts_of(i) {
                            for cmd in &script.commands {
                                let Some(step) = deps::classify(cmd) else {
                                    continue;
                                };
                                let e = step.ecosystem;
                                let after_copy = whole_copy.is_some() || whole_bind;
                                if !after_copy {
                                    if manifests.contains(&e) || bind_manifests.contains(&e) {
                                        prepared.insert(e);
                                    }
                                    continue;
                                }
                                if prepared.contains(&e)
                                    || reported.contains(&e)
                                    || step.vendored
                                    || (e == Ecosystem::Go && (vendored_env || go_vendored))
                                    || caches.iter().any(|c| covers(c, e))
                                {
                                    continue;
                                }
                                reported.insert(e);
                                if !own {
                                    continue;
                                }
                                let span = command_span(cmd, &step.label);
                                let copy_head = whole_copy.map(|c| {
                                    let line = cx
                                        .text()
                                        .get(c.range())
                                        .and_then(|t| t.find('\n'))
                                        .unwrap_or(c.len());
                                    Span::new(c.start, c.start + line as u32)
                                });
                                let mut r = cx
                                    .report(
                                        span,
                                        format!(
                                            "`{}` runs after the whole context is copied: any change downloads everything again",
                                            step.label
                                        ),
                                    )
                                    .help(format!(
                                        "{}; or mount a cache for the {} dependency cache",
                                        advice(e),
                                        e.name()
                                    ));
                                if let Some(head) = copy_head {
                                    r = r.label(head, "the whole context is copied here");
                                }
                                let _ = r;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The command name through the words its label names (`go mod download`).
fn command_span(cmd: &crate::shell::SimpleCommand, label: &str) -> Span {
    let Some(args) = ShellArgs::of(cmd) else {
        return cmd.span;
    };
    let mut span = args.name.span;
    let wanted: Vec<&str> = label.split_whitespace().skip(1).collect();
    for w in args.words {
        if !w.value.starts_with('-') && wanted.contains(&w.value.as_str()) {
            span = span.cover(w.span);
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_npm_after_copy_all() {
        fires(
            "IL3001",
            "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"s.js\"]\n",
            &[
                "4:5 IL3001 `npm ci` runs after the whole context is copied: any change downloads everything again",
            ],
        );
        assert_eq!(
            spans(
                "IL3001",
                "FROM node:22\nCOPY . .\nRUN npm install --omit=dev\n"
            ),
            ["npm install"]
        );
    }

    #[test]
    fn fires_for_go_and_pip() {
        fires(
            "IL3001",
            "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app\n",
            &[
                "4:5 IL3001 `go mod download` runs after the whole context is copied: any change downloads everything again",
            ],
        );
        assert_eq!(
            spans(
                "IL3001",
                "FROM golang:1.22\nCOPY . /src\nRUN cd /src && go build ./...\n"
            ),
            ["go build"]
        );
        assert_eq!(
            spans(
                "IL3001",
                "FROM python:3.12\nADD . /app\nRUN pip install --no-cache-dir -r /app/requirements.txt\n"
            ),
            ["pip install"]
        );
    }

    #[test]
    fn passes_for_manifest_first_order() {
        passes(
            "IL3001",
            "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
        );
        passes(
            "IL3001",
            "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app\n",
        );
        passes(
            "IL3001",
            "FROM python:3.12\nCOPY requirements*.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n",
        );
    }

    #[test]
    fn passes_with_cache_mounts_or_vendoring() {
        passes(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app\n",
        );
        passes(
            "IL3001",
            "FROM node:22\nCOPY . .\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
        );
        passes(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN go build -mod=vendor -o /app\n",
        );
    }

    #[test]
    fn whole_context_bind_mounts_count_as_a_copy() {
        fires(
            "IL3001",
            "FROM golang:1.22\nRUN --mount=type=bind,target=. go mod download\n",
            &[
                "2:32 IL3001 `go mod download` runs after the whole context is copied: any change downloads everything again",
            ],
        );
        passes(
            "IL3001",
            "FROM node:22\nRUN --mount=type=bind,source=package.json,target=package.json --mount=type=bind,source=package-lock.json,target=package-lock.json npm ci\nCOPY . .\n",
        );
    }

    #[test]
    fn tools_and_onbuild_images_are_not_reported() {
        passes(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN go install golang.org/x/tools/cmd/goimports@v0.24.0\n",
        );
        passes(
            "IL3001",
            "FROM node:22\nCOPY . .\nRUN npm install -g pnpm@9\n",
        );
        passes(
            "IL3001",
            "FROM node:22\nONBUILD COPY . .\nONBUILD RUN npm ci\n",
        );
    }

    #[test]
    fn reports_once_per_ecosystem_and_stage() {
        let found = check(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN go mod download\nRUN go build ./...\n",
        );
        assert_eq!(found.len(), 1);
    }
}
