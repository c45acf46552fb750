use super::lang::caches::{cache_mounts, download_dirs, is_mounted};
use super::lang::inputs::Inputs;
use super::lang::{downloads_nothing, env};
use crate::fix::{Edit, Fix};
use crate::graph::Base;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, StepKind, Tool};
use crate::shell::pip::{disables_pip_cache, disables_uv_cache};
use crate::syntax::{Instruction, Kind};

/// IL3201
pub struct DependencyStepWithoutCacheMount;

const META: Meta = Meta {
    code: "IL3201",
    name: "dependency-step-without-cache-mount",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Cache,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    summary: "A dependency step downloads without a cache mount for its tool's cache",
    doc: include_str!("../../../rules/dependency-step-without-cache-mount.md"),
    target: Target::Dockerfile,
};

/// Whether the file already uses BuildKit features: a syntax directive,
/// `RUN --mount` or heredocs.
fn uses_buildkit(cx: &Context<'_>) -> bool {
    let df = cx.dockerfile();
    df.directive("syntax").is_some()
        || df
            .walk()
            .any(|i| !i.heredocs.is_empty() || i.flag("mount").is_some())
}

/// Whether the step turns its cache off on purpose (`--no-cache-dir`,
/// `PIP_NO_CACHE_DIR`, `UV_NO_CACHE`).
fn cache_off(
    cx: &Context<'_>,
    index: usize,
    script: &crate::shell::Script,
    ci: usize,
    tool: Tool,
) -> bool {
    let Some(args) = script.commands.get(ci).and_then(ShellArgs::of) else {
        return false;
    };
    match tool {
        Tool::Pip => {
            args.has(&[], &["no-cache-dir"])
                || env::variable(cx, index, script, ci, "PIP_NO_CACHE_DIR")
                    .is_some_and(|v| disables_pip_cache(&v))
        }
        Tool::Uv => {
            args.has(&['n'], &["no-cache"])
                || env::variable(cx, index, script, ci, "UV_NO_CACHE")
                    .is_some_and(|v| disables_uv_cache(&v))
        }
        Tool::Npm | Tool::Yarn | Tool::Pnpm | Tool::Bun | Tool::Composer => {
            args.has(&[], &["no-cache"])
        }
        _ => false,
    }
}

/// The directory to mount for `tool`'s downloads, as root in the stage's
/// image.
fn mount_dir(
    cx: &Context<'_>,
    index: usize,
    script: &crate::shell::Script,
    ci: usize,
    tool: Tool,
) -> String {
    for (var, suffix) in tool.cache_variables() {
        if let Some(v) = env::variable(cx, index, script, ci, var)
            && v.starts_with('/')
            && !v.contains([',', ':'])
        {
            return format!("{}{suffix}", v.trim_end_matches('/'));
        }
    }
    let build = cx.build();
    let base = build
        .state(index)
        .and_then(|s| build.root_base(s.stage))
        .and_then(|b| match b {
            Base::Image(r) => Some(r.basename().to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let dir = match tool {
        Tool::Go if base == "golang" => "/go/pkg/mod",
        Tool::Go => "/root/go/pkg/mod",
        Tool::Cargo if base == "rust" => "/usr/local/cargo/registry",
        Tool::Cargo => "/root/.cargo/registry",
        Tool::Yarn
            if Inputs::before(cx, index)
                .find(&[".yarnrc.yml", ".yarn"])
                .is_some() =>
        {
            "/root/.yarn/berry/cache"
        }
        Tool::Yarn => "/usr/local/share/.cache/yarn",
        Tool::Pnpm => "/root/.local/share/pnpm/store",
        Tool::Gradle if base == "gradle" => "/home/gradle/.gradle",
        Tool::Composer if base == "composer" => "/tmp/cache",
        _ => {
            return tool
                .cache_dirs()
                .first()
                .map_or_else(String::new, |d| d.replace("~/", "/root/"));
        }
    };
    dir.to_string()
}

/// Whether an earlier step of the stage chain fetched `tool`'s
/// dependencies into the image (no cache mount): a later build then
/// downloads little.
fn fetched_into_layer(cx: &Context<'_>, index: usize, tool: Tool) -> bool {
    let build = cx.build();
    let Some(state) = build.state(index) else {
        return false;
    };
    build.chain(state.stage).iter().any(|&si| {
        build.stages[si]
            .instructions()
            .filter(|&i| i < index)
            .any(|i| {
                let Some(ins) = cx.instruction(i) else {
                    return false;
                };
                let mounts = cache_mounts(cx, ins, i);
                cx.scripts_of(i).iter().any(|s| {
                    s.commands.iter().enumerate().any(|(ci, c)| {
                        deps::classify(c).is_some_and(|st| {
                            st.tool == tool
                                && !is_mounted(&mounts, &download_dirs(cx, i, s, ci, tool))
                        })
                    })
                })
            })
    })
}

/// Whether the `RUN` runs as root (no `USER`, or `root`/`0`).
fn runs_as_root(cx: &Context<'_>) -> bool {
    cx.state()
        .and_then(|s| s.user.as_deref())
        .is_none_or(|u| matches!(u.split(':').next().unwrap_or(""), "root" | "0"))
}

impl Rule for DependencyStepWithoutCacheMount {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        let Some(index) = cx.instruction_index() else {
            return;
        };
        let build = cx.build();
        let Some(state) = build.state(index) else {
            return;
        };
        if build.stages.get(state.stage).is_some_and(|s| s.windows) {
            return;
        }
        let always = cx
            .options()
            .get(META.name, "suggest-cache-mounts")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case("always"));
        let buildkit = uses_buildkit(cx);
        if !always && !buildkit {
            return;
        }
        let mounts = cache_mounts(cx, ins, index);
        // (step, directory to mount)
        let mut missing: Vec<(deps::DepStep, String)> = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(step) = deps::classify(cmd) else {
                    continue;
                };
                if step.tool == Tool::Bundler || downloads_nothing(cx, index, script, ci, &step) {
                    // Bundler's install path is its cache and must stay in
                    // the layer; vendored Go modules are not downloaded
                    continue;
                }
                if step.kind == StepKind::Build && fetched_into_layer(cx, index, step.tool) {
                    continue;
                }
                if !buildkit && cache_off(cx, index, script, ci, step.tool) {
                    continue;
                }
                if is_mounted(&mounts, &download_dirs(cx, index, script, ci, step.tool)) {
                    continue;
                }
                if missing.iter().any(|(s, _)| s.tool == step.tool) {
                    continue;
                }
                let dir = mount_dir(cx, index, script, ci, step.tool);
                missing.push((step, dir));
            }
        }
        let Some((first, dir)) = missing.first() else {
            return;
        };
        let fix = runs_as_root(cx).then(|| {
            let mut seen: Vec<&str> = Vec::new();
            let mut text = String::new();
            for (_, d) in &missing {
                if !d.is_empty() && !seen.contains(&d.as_str()) {
                    seen.push(d);
                    text.push_str(&format!(" --mount=type=cache,target={d}"));
                }
            }
            Fix::unsafe_(
                "mount a cache for the downloads",
                vec![Edit::insert(ins.keyword.span.end, text)],
            )
        });
        let mut help = format!("add `--mount=type=cache,target={dir}` to the `RUN`");
        if first.tool == Tool::Uv {
            help.push_str(" and set `UV_LINK_MODE=copy`");
        }
        if !runs_as_root(cx) {
            help.push_str(", with `uid=` set to the user's id");
        }
        let mut r = cx
            .report(
                first.span,
                format!(
                    "`{}` downloads without a cache mount: every rebuild fetches everything",
                    first.label.strip_suffix(" -r").unwrap_or(&first.label)
                ),
            )
            .help(help)
            .maybe_fix(fix);
        for (s, _) in missing.iter().skip(1) {
            r = r.label(s.span, "also downloads without a cache mount");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::RuleOptions;
    use crate::rules::test::*;

    fn always() -> RuleOptions {
        let mut o = RuleOptions::default();
        o.per_rule.insert(
            "dependency-step-without-cache-mount".into(),
            serde_json::json!({"suggest-cache-mounts": "always"}),
        );
        o
    }

    #[test]
    fn fires_in_files_that_use_buildkit() {
        fires(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM node:22\nCOPY package*.json ./\nRUN npm ci\n",
            &[
                "4:5 IL3201 `npm ci` downloads without a cache mount: every rebuild fetches everything",
            ],
        );
        fires(
            "IL3201",
            "FROM golang:1.23\nRUN --mount=type=bind,target=. go mod download\n",
            &[
                "2:32 IL3201 `go mod download` downloads without a cache mount: every rebuild fetches everything",
            ],
        );
    }

    #[test]
    fn other_files_only_when_asked() {
        let text =
            "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n";
        passes("IL3201", text);
        fires_with(
            "IL3201",
            &always(),
            text,
            &[
                "3:5 IL3201 `pip install` downloads without a cache mount: every rebuild fetches everything",
            ],
        );
        // turning the cache off is a choice there
        passes_with(
            "IL3201",
            &always(),
            "FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n",
        );
    }

    #[test]
    fn passes_with_a_cache_mount() {
        for run in [
            "RUN --mount=type=cache,target=/root/.npm npm ci",
            "RUN --mount=type=cache,target=/go/pkg/mod go build ./...",
            "RUN --mount=type=cache,target=/root/.cache pip install -r r.txt",
            "RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked",
            "RUN --mount=type=cache,target=/pnpm/store pnpm install --frozen-lockfile",
            "RUN --mount=type=cache,target=/tmp/cache npm ci --cache /tmp/cache",
        ] {
            passes(
                "IL3201",
                &format!("# syntax=docker/dockerfile:1\nFROM node:22\n{run}\n"),
            );
        }
        passes(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM python:3.12\nENV PIP_CACHE_DIR=/cache/pip\nRUN --mount=type=cache,target=/cache pip install -r r.txt\n",
        );
    }

    #[test]
    fn skips_windows_and_onbuild_and_bundler() {
        passes(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM mcr.microsoft.com/dotnet/sdk:8.0-windowsservercore-ltsc2022\nRUN dotnet restore\n",
        );
        passes(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM node:22\nONBUILD RUN npm ci\n",
        );
        passes(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM ruby:3.3\nRUN bundle install\n",
        );
    }

    #[test]
    fn builds_after_a_fetch_into_the_layer_download_nothing() {
        passes(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM golang:1.23\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nFROM golang:1.23\nRUN go build -mod=vendor ./...\n",
        );
        fires(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM golang:1.23\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app\n",
            &[
                "4:5 IL3201 `go mod download` downloads without a cache mount: every rebuild fetches everything",
            ],
        );
        // a first build without a mount left the downloads in the image:
        // only that one is reported
        fires(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM rust:1.83\nCOPY Cargo.toml Cargo.lock ./\nRUN mkdir src && touch src/lib.rs && cargo build --release\nCOPY --link src src\nRUN touch src/lib.rs && cargo build --release\n",
            &[
                "4:38 IL3201 `cargo build` downloads without a cache mount: every rebuild fetches everything",
            ],
        );
        // GOPATH mode and vendored modules download nothing
        passes(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM golang:1.23\nENV GO111MODULE=off\nRUN go build ./...\n",
        );
        // the modules went into a cache mount, not the layer: the build needs it too
        fires(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM golang:1.23\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\nRUN go build -o /app\n",
            &[
                "6:5 IL3201 `go build` downloads without a cache mount: every rebuild fetches everything",
            ],
        );
    }

    #[test]
    fn reports_once_per_instruction() {
        let f = findings(
            "IL3201",
            "# syntax=docker/dockerfile:1\nFROM node:22\nRUN npm ci && \\\n  # python side\n  pip install -r requirements.txt\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].labels.len(), 1);
    }

    #[test]
    fn fix_mounts_the_tool_cache() {
        assert_eq!(
            fixed(
                "IL3201",
                "# syntax=docker/dockerfile:1\nFROM golang:1.23\nCOPY go.mod go.sum ./\nRUN go mod download\n",
                Applicability::Unsafe
            ),
            "# syntax=docker/dockerfile:1\nFROM golang:1.23\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n"
        );
        assert_eq!(
            fixed(
                "IL3201",
                "# syntax=docker/dockerfile:1\nFROM node:22\nRUN <<EOF\nnpm ci\npip install -r r.txt\nEOF\n",
                Applicability::Unsafe
            ),
            "# syntax=docker/dockerfile:1\nFROM node:22\nRUN --mount=type=cache,target=/root/.npm --mount=type=cache,target=/root/.cache/pip <<EOF\nnpm ci\npip install -r r.txt\nEOF\n"
        );
        // a non-root user needs an owned cache: no automatic fix
        let text = "# syntax=docker/dockerfile:1\nFROM node:22\nUSER node\nRUN npm ci\n";
        assert_eq!(fixed("IL3201", text, Applicability::Unsafe), text);
    }
}
