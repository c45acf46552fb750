use super::lang::inputs::{Inputs, Presence};
use super::lang::{RunStep, env, lock_checked_steps};
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::deps::Tool;
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// IL3302
pub struct JsInstallUnfrozen;

const META: Meta = Meta {
    code: "IL3302",
    name: "js-install-unfrozen",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`yarn`, `pnpm` or `bun` installs without refusing a lockfile that does not match",
    doc: include_str!("../../../rules/js-install-unfrozen.md"),
    target: Target::Dockerfile,
};

/// Whether a `CI` variable is set (pnpm and yarn berry freeze the
/// lockfile in CI).
fn is_ci(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    !v.is_empty() && v != "false" && v != "0"
}

struct Hit {
    span: Span,
    label: String,
    lock: &'static str,
    edit: Edit,
}

impl Rule for JsInstallUnfrozen {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let Some((index, steps)) = lock_checked_steps(cx) else {
            return;
        };
        let mut inputs: Option<std::rc::Rc<Inputs>> = None;
        let mut hits: Vec<Hit> = Vec::new();
        for RunStep {
            script,
            ci,
            args,
            step,
        } in steps
        {
            if !matches!(
                step.label.as_str(),
                "yarn" | "yarn install" | "pnpm install" | "bun install"
            ) {
                continue;
            }
            let var = |n: &str| env::variable(cx, index, script, ci, n);
            let inputs = inputs.get_or_insert_with(|| Inputs::before(cx, index));
            if inputs.lock(cx, step.tool) == Presence::Absent {
                // lockfile-not-copied reports that
                continue;
            }
            let flag = match step.tool {
                Tool::Yarn => {
                    let berry = inputs.find(&[".yarnrc.yml", ".yarn"]).is_some();
                    let frozen =
                        args.words.iter().any(|w| {
                            matches!(w.value.as_str(), "--frozen-lockfile" | "--immutable")
                        }) || var("YARN_ENABLE_IMMUTABLE_INSTALLS")
                            .is_some_and(|v| env::is_truthy(&v))
                            || var("YARN_FROZEN_LOCKFILE").is_some_and(|v| env::is_truthy(&v))
                            || (berry && var("CI").is_some_and(|v| is_ci(&v)));
                    if frozen {
                        continue;
                    }
                    if berry {
                        "--immutable"
                    } else {
                        "--frozen-lockfile"
                    }
                }
                Tool::Pnpm => {
                    let frozen = args.words.iter().any(|w| {
                        matches!(
                            w.value.as_str(),
                            "--frozen-lockfile" | "--frozen-lockfile=true" | "--offline"
                        )
                    }) || (var("CI").is_some_and(|v| is_ci(&v))
                        && !args.words.iter().any(|w| {
                            matches!(
                                w.value.as_str(),
                                "--no-frozen-lockfile" | "--frozen-lockfile=false"
                            )
                        }));
                    if frozen {
                        continue;
                    }
                    "--frozen-lockfile"
                }
                Tool::Bun => {
                    if args.has(&[], &["frozen-lockfile"])
                        || var("BUN_FROZEN_LOCKFILE").is_some_and(|v| env::is_truthy(&v))
                    {
                        continue;
                    }
                    "--frozen-lockfile"
                }
                _ => continue,
            };
            // `--pure-lockfile` only avoids writing the lockfile
            let edit = match args.words.iter().find(|w| w.value == "--pure-lockfile") {
                Some(w) => Edit::replace(w.span, flag),
                None => Edit::insert(step.subcommand.end, format!(" {flag}")),
            };
            hits.push(Hit {
                span: step.span,
                label: step.label.clone(),
                lock: step.tool.lockfiles()[0],
                edit,
            });
        }
        let Some(first) = hits.first() else { return };
        let flag = first.edit.content.trim().to_string();
        cx.report(
            first.span,
            format!(
                "`{}` can rewrite `{}` instead of failing when it is out of date",
                first.label, first.lock
            ),
        )
        .help(format!(
            "add `{flag}` so the build installs exactly what the lockfile records"
        ))
        .fix(Fix::unsafe_(
            format!("add `{flag}`"),
            hits.iter().map(|h| h.edit.clone()).collect(),
        ))
        .label_each(
            hits.iter().skip(1).map(|s| s.span),
            "does not freeze the lockfile either",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_unfrozen_installs() {
        fires(
            "IL3302",
            "FROM node:22\nCOPY package.json yarn.lock ./\nRUN yarn install --production\n",
            &[
                "3:5 IL3302 `yarn install` can rewrite `yarn.lock` instead of failing when it is out of date",
            ],
        );
        fires(
            "IL3302",
            "FROM node:22\nCOPY . .\nRUN yarn\n",
            &[
                "3:5 IL3302 `yarn` can rewrite `yarn.lock` instead of failing when it is out of date",
            ],
        );
        fires(
            "IL3302",
            "FROM node:22\nCOPY package.json pnpm-lock.yaml ./\nRUN pnpm install --prod\n",
            &[
                "3:5 IL3302 `pnpm install` can rewrite `pnpm-lock.yaml` instead of failing when it is out of date",
            ],
        );
        fires(
            "IL3302",
            "FROM oven/bun:1\nCOPY . .\nRUN bun install\n",
            &[
                "3:5 IL3302 `bun install` can rewrite `bun.lock` instead of failing when it is out of date",
            ],
        );
    }

    #[test]
    fn passes_when_frozen() {
        for text in [
            "FROM node:22\nCOPY . .\nRUN yarn install --frozen-lockfile\n",
            "FROM node:22\nCOPY . .\nRUN yarn install --immutable\n",
            "FROM node:22\nENV YARN_ENABLE_IMMUTABLE_INSTALLS=true\nCOPY . .\nRUN yarn install\n",
            "FROM node:22\nCOPY . .\nRUN pnpm install --frozen-lockfile\n",
            "FROM node:22\nENV CI=true\nCOPY . .\nRUN pnpm install\n",
            "FROM node:22\nCOPY pnpm-lock.yaml ./\nRUN pnpm fetch\nCOPY . .\nRUN pnpm install --offline\n",
            "FROM node:22\nCOPY . .\nRUN bun install --frozen-lockfile\n",
            "FROM node:22\nCOPY . .\nRUN yarn --version\n",
            "FROM node:22\nCOPY . .\nRUN yarn workspaces focus --all --production\n",
            "FROM node:22\nCOPY package.json ./\nRUN yarn install\n",
            "FROM node:22\nONBUILD COPY . .\nONBUILD RUN yarn install\n",
        ] {
            passes("IL3302", text);
        }
    }

    #[test]
    fn fixes_add_the_tools_flag() {
        assert_eq!(
            fixed(
                "IL3302",
                "FROM node:22\nCOPY . .\nRUN yarn && \\\n  # build\n  yarn build\n",
                Applicability::Unsafe
            ),
            "FROM node:22\nCOPY . .\nRUN yarn --frozen-lockfile && \\\n  # build\n  yarn build\n"
        );
        assert_eq!(
            fixed(
                "IL3302",
                "FROM node:22\nCOPY package.json yarn.lock .yarnrc.yml ./\nCOPY .yarn ./.yarn\nRUN yarn install\n",
                Applicability::Unsafe
            ),
            "FROM node:22\nCOPY package.json yarn.lock .yarnrc.yml ./\nCOPY .yarn ./.yarn\nRUN yarn install --immutable\n"
        );
        assert_eq!(
            fixed(
                "IL3302",
                "FROM node:22\nCOPY . .\nRUN yarn install --pure-lockfile\n",
                Applicability::Unsafe
            ),
            "FROM node:22\nCOPY . .\nRUN yarn install --frozen-lockfile\n"
        );
        assert_eq!(
            fixed(
                "IL3302",
                "FROM node:22\nCOPY . .\nRUN <<EOF\npnpm install\nEOF\n",
                Applicability::Unsafe
            ),
            "FROM node:22\nCOPY . .\nRUN <<EOF\npnpm install --frozen-lockfile\nEOF\n"
        );
    }
}
