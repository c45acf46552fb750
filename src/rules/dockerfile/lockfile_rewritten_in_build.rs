use super::go_get_install::{go_get, in_module, uses_installed};
use super::lang::inputs::{Inputs, Presence};
use super::lang::{checks_lock_discipline, env};
use crate::rules::*;
use crate::shell::deps::{self, StepKind, Tool};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// IL3305
pub struct LockfileRewrittenInBuild;

const META: Meta = Meta {
    code: "IL3305",
    name: "lockfile-rewritten-in-build",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The build re-resolves dependencies instead of installing the committed lockfile",
    doc: include_str!("../../../rules/lockfile-rewritten-in-build.md"),
    target: Target::Dockerfile,
};

/// The file a relock rewrites, for the message.
fn rewritten(tool: Tool) -> &'static str {
    match tool {
        Tool::Go => "`go.mod` and `go.sum`",
        Tool::Pip => "the requirements",
        _ => tool
            .lockfiles()
            .first()
            .map_or("the lockfile", |l| match *l {
                "Cargo.lock" => "`Cargo.lock`",
                "package-lock.json" => "`package-lock.json`",
                "yarn.lock" => "`yarn.lock`",
                "pnpm-lock.yaml" => "`pnpm-lock.yaml`",
                "bun.lock" => "`bun.lock`",
                "uv.lock" => "`uv.lock`",
                "poetry.lock" => "`poetry.lock`",
                "Pipfile.lock" => "`Pipfile.lock`",
                "Gemfile.lock" => "`Gemfile.lock`",
                "composer.lock" => "`composer.lock`",
                "gradle.lockfile" => "`gradle.lockfile`",
                _ => "the lockfile",
            }),
    }
}

impl Rule for LockfileRewrittenInBuild {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let Some(index) = cx.instruction_index() else {
            return;
        };
        if !checks_lock_discipline(cx) {
            return;
        }
        let mut inputs: Option<std::rc::Rc<Inputs>> = None;
        let mut hits: Vec<(Span, String, Tool)> = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                // `GOFLAGS=-mod=mod` on a build
                if let Some(step) = deps::classify(cmd)
                    && step.tool == Tool::Go
                    && step.kind == StepKind::Build
                    && env::variable(cx, index, script, ci, "GOFLAGS")
                        .is_some_and(|v| v.split_whitespace().any(|f| f == "-mod=mod"))
                {
                    hits.push((step.span, "GOFLAGS=-mod=mod".into(), Tool::Go));
                    continue;
                }
                let Some(relock) = deps::relock(cmd) else {
                    continue;
                };
                if relock.tool == Tool::Go && relock.label == "go get" {
                    // `go get` in a module; as an installer it is go-get-install's
                    if env::variable(cx, index, script, ci, "GO111MODULE")
                        .is_some_and(|v| v.eq_ignore_ascii_case("off"))
                    {
                        continue;
                    }
                    let Some(get) = go_get(cmd) else { continue };
                    let module = Inputs::before(cx, index).find(&["go.mod"]).is_some()
                        || (in_module(cx, index, script, ci) && cx.context_has("go.mod"));
                    if !module
                        || (!get.packages.is_empty()
                            && uses_installed(cx, index, script, ci, &get.packages))
                    {
                        continue;
                    }
                } else if relock.adds {
                    // adding a package changes a project only when there is one
                    let inputs = inputs.get_or_insert_with(|| Inputs::before(cx, index));
                    let project = match relock.tool {
                        Tool::Npm => matches!(inputs.lock(cx, Tool::Npm), Presence::Copied(_)),
                        t => {
                            let manifest = t.manifest().unwrap_or("");
                            inputs.find(&[manifest]).is_some()
                                || inputs.find(t.lockfiles()).is_some()
                                || (inputs.whole.is_some() && cx.context_has(manifest))
                        }
                    };
                    if !project {
                        continue;
                    }
                }
                hits.push((relock.span, relock.label, relock.tool));
            }
        }
        let Some((span, label, tool)) = hits.first() else {
            return;
        };
        let mut r = cx
            .report(
                *span,
                format!(
                    "`{label}` re-resolves dependencies in the build and rewrites {}",
                    rewritten(*tool)
                ),
            )
            .help("update the lockfile in the repository and install it unchanged in the image");
        for (s, l, _) in hits.iter().skip(1) {
            r = r.label(*s, format!("`{l}` rewrites it too"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_relocking_commands() {
        fires(
            "IL3305",
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod tidy && go build -o /app\n",
            &[
                "4:5 IL3305 `go mod tidy` re-resolves dependencies in the build and rewrites `go.mod` and `go.sum`",
            ],
        );
        fires(
            "IL3305",
            "FROM ruby:3.3\nCOPY Gemfile Gemfile.lock ./\nRUN bundle update && bundle install\n",
            &[
                "3:5 IL3305 `bundle update` re-resolves dependencies in the build and rewrites `Gemfile.lock`",
            ],
        );
        fires(
            "IL3305",
            "FROM node:22\nCOPY package*.json ./\nRUN npm ci && npm install lodash\n",
            &[
                "3:15 IL3305 `npm install <package>` re-resolves dependencies in the build and rewrites `package-lock.json`",
            ],
        );
        fires(
            "IL3305",
            "FROM golang:1.22\nENV GOFLAGS=-mod=mod\nCOPY . .\nRUN go build ./...\n",
            &[
                "4:5 IL3305 `GOFLAGS=-mod=mod` re-resolves dependencies in the build and rewrites `go.mod` and `go.sum`",
            ],
        );
    }

    #[test]
    fn go_get_in_a_module() {
        fires(
            "IL3305",
            "FROM golang:1.22\nCOPY go.mod go.sum ./\nRUN go get github.com/x/lib@v1.2.0\n",
            &[
                "3:5 IL3305 `go get` re-resolves dependencies in the build and rewrites `go.mod` and `go.sum`",
            ],
        );
        // as an installer it is go-get-install's finding
        passes("IL3305", "FROM golang:1.22\nRUN go get github.com/x/tool\n");
    }

    #[test]
    fn passes_on_checks_tools_and_maintenance_stages() {
        for text in [
            "FROM python:3.12\nCOPY . .\nRUN poetry lock --check\n",
            "FROM python:3.12\nCOPY . .\nRUN uv lock --locked\n",
            "FROM php:8\nRUN composer global require laravel/installer\n",
            "FROM node:22\nRUN npm install -g pnpm\n",
            "FROM node:22\nRUN yarn global add serve\n",
            "FROM node:22\nCOPY package.json ./\nRUN npm install lodash\n",
            "FROM golang:1.22 AS vendored\nCOPY . .\nRUN go mod tidy && mkdir /out && cp go.mod go.sum /out\nFROM scratch\nCOPY --from=vendored /out /\n",
            "FROM golang:1.22\nONBUILD RUN go mod tidy\n",
        ] {
            passes("IL3305", text);
        }
    }

    #[test]
    fn once_per_instruction() {
        let f = findings(
            "IL3305",
            "FROM rust:1\nCOPY . .\nRUN cargo update && \\\n  # again\n  cargo generate-lockfile\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].labels.len(), 1);
    }
}
