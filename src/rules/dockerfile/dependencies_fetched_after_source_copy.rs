use super::lang::caches::{build_dirs, cache_mounts, download_dirs, is_mounted};
use super::lang::inputs::is_whole_context;
use super::lang::{base_name, downloads_nothing, is_lock_maintenance};
use crate::graph::{Base, Build};
use crate::rules::*;
use crate::shell::deps::{self, Ecosystem, StepKind, Tool};
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

/// Directories a dependency step may need besides the manifests: patches
/// applied at install, install scripts, build logic.
const SUPPORT_DIRS: &[&str] = &[
    "patches", "prisma", "scripts", "script", ".husky", "buildSrc", ".yarn", ".cargo", ".mvn",
    "gradle", "wrapper",
];

/// Source files that belong with the manifests: a gemspec's version file,
/// a Cargo build script, the README a `pyproject.toml` names.
fn is_support_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(name, "build.rs" | "version.rb" | "VERSION" | "version.txt")
        || lower.starts_with("readme")
        || lower.starts_with("license")
        || lower.starts_with("licence")
}

/// Extensions of program sources.
const SOURCE_EXTENSIONS: &[&str] = &[
    "go", "rs", "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "vue", "svelte", "rb", "php", "java",
    "kt", "kts", "scala", "cs", "fs", "vb", "c", "cc", "cpp", "h", "hpp", "swift", "ex", "exs",
    "erl", "dart",
];

/// In loose ordering: whether a copied source looks like program sources
/// (a directory that is not a manifest's, or a source file).
fn is_source_like(src: &str) -> bool {
    let name = base_name(src);
    if deps::manifest_ecosystems(src).into_iter().next().is_some()
        || SUPPORT_DIRS.contains(&name)
        || is_support_file(name)
    {
        return false;
    }
    let is_dir = src.ends_with('/') || !name.trim_start_matches('.').contains('.');
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    is_dir || name == "*" || SOURCE_EXTENSIONS.contains(&ext)
}

/// What invalidates the dependency step's cache.
#[derive(Clone, Copy)]
enum Invalidation {
    /// The whole context (`COPY . .`, a whole-context bind mount).
    Whole(Span),
    /// Sources, in loose ordering.
    Sources(Span),
}

impl Invalidation {
    fn span(self) -> Span {
        match self {
            Invalidation::Whole(s) | Invalidation::Sources(s) => s,
        }
    }
}

/// Whether the ecosystems whose downloads and builds a cache keeps make
/// the step cheap even after a source change.
fn compiles(tool: Tool) -> bool {
    matches!(tool, Tool::Go | Tool::Cargo | Tool::Dotnet)
}

impl Rule for DependenciesFetchedAfterSourceCopy {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let loose = cx
            .options()
            .get(META.name, "ordering")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case("loose"));
        // a stage starts from what its parent stage left: each stage is
        // walked once, whatever the length of its `FROM <stage>` chain
        let mut after: Vec<Option<Walk>> = Vec::with_capacity(build.stages.len());
        for stage in &build.stages {
            let mut walk = match stage.base {
                Base::Stage(p) if p < stage.index => after[p].clone().unwrap_or_default(),
                _ => Walk::default(),
            };
            // an ONBUILD image leaves the order to the images built from it
            let onbuild = stage
                .instructions()
                .any(|i| cx.instruction(i).is_some_and(|x| x.kind == Kind::Onbuild));
            let own = !onbuild && !is_lock_maintenance(cx, build, stage.index);
            walk_stage(cx, build, stage.index, own, loose, &mut walk);
            after.push(Some(walk));
        }
    }
}

/// What the stages up to a point have done.
#[derive(Clone, Default)]
struct Walk {
    invalidated: Option<Invalidation>,
    manifests: BTreeSet<Ecosystem>,
    prepared: BTreeSet<Ecosystem>,
    reported: BTreeSet<Ecosystem>,
}

/// Follows the instructions of stage `si`, reporting its dependency steps
/// when `own`.
fn walk_stage(
    cx: &mut Context<'_>,
    build: &Build,
    si: usize,
    own: bool,
    loose: bool,
    w: &mut Walk,
) {
    let Walk {
        invalidated,
        manifests,
        prepared,
        reported,
    } = w;
    for i in build.stages[si].instructions() {
        let Some(ins) = cx.instruction(i) else {
            continue;
        };
        match (&ins.kind, &ins.args) {
            (Kind::Copy | Kind::Add, Args::Paths(p)) if ins.flag("from").is_none() => {
                let Some((_, sources)) = p.words.split_last() else {
                    continue;
                };
                let sources: Vec<(String, Span)> = sources
                    .iter()
                    .filter(|s| !s.text.starts_with("<<"))
                    .map(|s| (cx.expand_at(i, &s.text), s.span))
                    .collect();
                if let Some((_, span)) = sources.iter().find(|(s, _)| is_whole_context(s)) {
                    if !matches!(invalidated, Some(Invalidation::Whole(_))) {
                        *invalidated = Some(Invalidation::Whole(*span));
                    }
                    continue;
                }
                let ecos: Vec<Vec<Ecosystem>> = sources
                    .iter()
                    .map(|(s, _)| deps::manifest_ecosystems(s))
                    .collect();
                for e in ecos.iter().flatten() {
                    manifests.insert(*e);
                }
                if loose
                    && invalidated.is_none()
                    && let Some((_, span)) = sources.iter().find(|(s, _)| is_source_like(s))
                {
                    *invalidated = Some(Invalidation::Sources(*span));
                }
            }
            (Kind::Run, _) => {
                let mounts: Vec<Mount> = ins.flags_named("mount").map(Mount::from_flag).collect();
                let binds = || {
                    mounts
                        .iter()
                        .filter(|m| m.kind == MountKind::Bind && m.from().is_none())
                };
                let whole_bind = ins
                    .flags_named("mount")
                    .zip(mounts.iter())
                    .find(|(_, m)| {
                        m.kind == MountKind::Bind
                            && m.from().is_none()
                            && m.source().is_none_or(is_whole_context)
                    })
                    .map(|(f, _)| Invalidation::Whole(f.span));
                let source_bind = if loose {
                    ins.flags_named("mount")
                        .zip(mounts.iter())
                        .find(|(_, m)| {
                            m.kind == MountKind::Bind
                                && m.from().is_none()
                                && m.source().is_some_and(is_source_like)
                        })
                        .map(|(f, _)| Invalidation::Sources(f.span))
                } else {
                    None
                };
                let bind_manifests: Vec<Ecosystem> = binds()
                    .filter_map(|m| m.source())
                    .flat_map(deps::manifest_ecosystems)
                    .collect();
                let caches = cache_mounts(cx, ins, i);
                for script in cx.scripts_of(i) {
                    for (ci, cmd) in script.commands.iter().enumerate() {
                        let Some(step) = deps::classify(cmd) else {
                            continue;
                        };
                        let e = step.ecosystem;
                        let cause = invalidated.or(whole_bind).or(source_bind);
                        let Some(cause) = cause else {
                            if manifests.contains(&e) || bind_manifests.contains(&e) {
                                prepared.insert(e);
                            }
                            continue;
                        };
                        if prepared.contains(&e)
                            || reported.contains(&e)
                            || downloads_nothing(cx, i, script, ci, &step)
                        {
                            continue;
                        }
                        // loose ordering: a program without a manifest
                        // (`COPY main.go .` + `go build main.go`)
                        if matches!(cause, Invalidation::Sources(_))
                            && !manifests.contains(&e)
                            && !bind_manifests.contains(&e)
                        {
                            continue;
                        }
                        let downloads =
                            is_mounted(&caches, &download_dirs(cx, i, script, ci, step.tool));
                        let builds = is_mounted(&caches, &build_dirs(cx, i, script, ci, step.tool));
                        if compiles(step.tool)
                            && downloads
                            && (builds || step.kind == StepKind::Fetch)
                        {
                            continue;
                        }
                        reported.insert(e);
                        if !own {
                            continue;
                        }
                        let label = message_label(&step.label);
                        let message = match (cause, downloads) {
                            (Invalidation::Sources(_), _) => format!(
                                "`{label}` runs after sources are copied: any edit refetches everything"
                            ),
                            (Invalidation::Whole(_), false) => format!(
                                "`{label}` runs after the whole context is copied: any edit refetches everything"
                            ),
                            (Invalidation::Whole(_), true) => format!(
                                "`{label}` runs after the whole context is copied: any edit reinstalls everything"
                            ),
                        };
                        let copy_label = match cause {
                            Invalidation::Whole(_) => "the whole context is copied here",
                            Invalidation::Sources(_) => "sources are copied here",
                        };
                        let help = if downloads {
                            format!(
                                "{}; the cache mount saves the downloads, not the install",
                                advice(e)
                            )
                        } else {
                            format!(
                                "{}; or mount a cache for the {} dependency cache",
                                advice(e),
                                e.name()
                            )
                        };
                        let mut r = cx
                            .report(step.span, message)
                            .help(help)
                            .label(cause.span(), copy_label);
                        if downloads {
                            r = r.severity(Severity::Info);
                        }
                        let _ = r;
                    }
                }
            }
            _ => {}
        }
    }
}

/// The command as the message names it: `pip install` for `pip install -r`.
fn message_label(label: &str) -> &str {
    label.strip_suffix(" -r").unwrap_or(label)
}

#[cfg(test)]
mod tests {
    use crate::rules::RuleOptions;
    use crate::rules::test::*;

    fn loose() -> RuleOptions {
        let mut o = RuleOptions::default();
        o.per_rule.insert(
            "dependencies-fetched-after-source-copy".into(),
            serde_json::json!({"ordering": "loose"}),
        );
        o
    }

    #[test]
    fn fires_for_npm_after_copy_all() {
        fires(
            "IL3001",
            "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"s.js\"]\n",
            &[
                "4:5 IL3001 `npm ci` runs after the whole context is copied: any edit refetches everything",
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
    fn labels_the_copy() {
        let f = findings("IL3001", "FROM node:22\nCOPY . .\nRUN npm ci\n");
        let text = "FROM node:22\nCOPY . .\nRUN npm ci\n";
        assert_eq!(f[0].labels.len(), 1);
        assert_eq!(f[0].labels[0].0.text(text), ".");
    }

    #[test]
    fn fires_for_go_and_pip() {
        fires(
            "IL3001",
            "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download && go build -o /app\n",
            &[
                "4:5 IL3001 `go mod download` runs after the whole context is copied: any edit refetches everything",
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
        assert_eq!(
            spans(
                "IL3001",
                "FROM python:3.12\nCOPY . /app\nRUN python3 -m pip install -r /app/requirements.txt\n"
            ),
            ["python3 -m pip install"]
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
    fn go_rust_and_dotnet_pass_with_download_and_build_caches() {
        passes(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app\n",
        );
        passes(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nRUN --mount=type=cache,target=/go/pkg/mod \\\n  --mount=type=cache,target=/root/.cache \\\n  go build -o /app\n",
        );
        passes(
            "IL3001",
            "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/app/target cargo build --release && cp target/release/app /usr/local/bin/\n",
        );
        passes(
            "IL3001",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /source\nCOPY . .\nRUN --mount=type=cache,id=nuget,target=/root/.nuget/packages --mount=type=cache,target=/source/obj --mount=type=cache,target=/source/bin dotnet publish -o /app\n",
        );
    }

    #[test]
    fn a_download_cache_alone_lowers_the_severity() {
        let text = "FROM node:22\nCOPY . .\nRUN --mount=type=cache,target=/root/.npm npm ci\n";
        let f = findings("IL3001", text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::rules::Severity::Info);
        assert_eq!(
            f[0].message,
            "`npm ci` runs after the whole context is copied: any edit reinstalls everything"
        );
        // Go's module cache without the build cache still recompiles
        let text = "FROM golang:1.22\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go build -o /app\n";
        let f = findings("IL3001", text);
        assert_eq!(f[0].severity, crate::rules::Severity::Info);
    }

    #[test]
    fn vendored_go_passes() {
        passes(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN go build -mod=vendor -o /app\n",
        );
        passes(
            "IL3001",
            "FROM golang:1.22\nENV GOFLAGS=-mod=vendor\nCOPY . .\nRUN go build -o /app\n",
        );
        // GOPATH mode downloads no modules
        passes(
            "IL3001",
            "FROM golang:1.22\nCOPY . /go/src/app\nRUN GO111MODULE=off go build -o /app ./...\n",
        );
    }

    #[test]
    fn whole_context_bind_mounts_count_as_a_copy() {
        fires(
            "IL3001",
            "FROM golang:1.22\nRUN --mount=type=bind,target=. go mod download\n",
            &[
                "2:32 IL3001 `go mod download` runs after the whole context is copied: any edit refetches everything",
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
        passes(
            "IL3001",
            "FROM rust:1.80 AS planner\nCOPY . .\nRUN cargo chef prepare --recipe-path recipe.json\n",
        );
    }

    #[test]
    fn lockfile_maintenance_stages_are_not_reported() {
        passes(
            "IL3001",
            "FROM golang:1.22 AS vendored\nCOPY . .\nRUN go mod tidy && go mod vendor && mkdir /out && cp -r go.mod go.sum vendor /out\nFROM scratch\nCOPY --from=vendored /out /\n",
        );
    }

    #[test]
    fn reports_once_per_ecosystem_and_stage() {
        let found = check(
            "IL3001",
            "FROM golang:1.22\nCOPY . .\nRUN go mod download\nRUN go build ./...\n",
        );
        assert_eq!(found.len(), 1);
        // a parent stage's finding is not repeated in its children
        let found = check(
            "IL3001",
            "FROM node:22 AS deps\nCOPY . .\nRUN npm ci\nFROM deps AS build\nRUN npm ci\n",
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn continuation_lines_and_heredocs() {
        fires(
            "IL3001",
            "FROM node:22\nCOPY . .\nRUN set -eux; \\\n    # install\n    npm ci \\\n      --omit=dev\n",
            &[
                "5:5 IL3001 `npm ci` runs after the whole context is copied: any edit refetches everything",
            ],
        );
        fires(
            "IL3001",
            "FROM node:22\nCOPY . .\nRUN <<EOF\nset -e\nyarn install\nEOF\n",
            &[
                "5:1 IL3001 `yarn install` runs after the whole context is copied: any edit refetches everything",
            ],
        );
    }

    #[test]
    fn arg_expanded_sources() {
        fires(
            "IL3001",
            "FROM python:3.12\nARG SRC=.\nCOPY $SRC /app\nRUN pip install -r /app/requirements.txt\n",
            &[
                "4:5 IL3001 `pip install` runs after the whole context is copied: any edit refetches everything",
            ],
        );
    }

    #[test]
    fn loose_ordering_counts_source_directories() {
        let text = "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY cmd ./cmd\nRUN go build -o /app ./cmd/app\n";
        passes("IL3001", text);
        fires_with(
            "IL3001",
            &loose(),
            text,
            &["5:5 IL3001 `go build` runs after sources are copied: any edit refetches everything"],
        );
        // the manifest-first pattern passes in loose mode too
        passes_with(
            "IL3001",
            &loose(),
            "FROM golang:1.22\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY cmd ./cmd\nRUN go build ./cmd/app\n",
        );
        // files a manifest needs are not sources
        passes_with(
            "IL3001",
            &loose(),
            "FROM ruby:3.3\nCOPY Gemfile Gemfile.lock app.gemspec ./\nCOPY lib/app/version.rb lib/app/\nRUN bundle install\nCOPY . .\n",
        );
        // a program without a manifest
        passes_with(
            "IL3001",
            &loose(),
            "FROM golang:1.22\nCOPY main.go .\nRUN go build -o /app main.go\n",
        );
    }
}
