use super::final_image::checked_target;
use crate::graph::Build;
use crate::rules::*;
use crate::shell::process::started;

/// IL5401
pub struct PackageManagerAsPid1;

const META: Meta = Meta {
    code: "IL5401",
    name: "package-manager-as-pid1",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The image starts the app through `npm`, `yarn`, `pnpm` or `bun run`, which do not pass signals on",
    doc: include_str!("../../../rules/package-manager-as-pid1.md"),
    target: Target::Dockerfile,
};

/// Scripts that do not start a long-running app.
fn is_one_off(script: &str) -> bool {
    let s = script.split(':').next().unwrap_or(script);
    matches!(
        s,
        "test" | "t" | "tst" | "lint" | "build" | "install" | "ci" | "audit" | "--version" | "-v"
    )
}

/// The package manager command as people say it (`npm start`,
/// `yarn serve`), if the words run a package script.
fn package_script(program: &str, args: &[&str]) -> Option<String> {
    let ops: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let first = *ops.first()?;
    match program {
        "npm" => match first {
            "start" | "restart" => Some(format!("npm {first}")),
            "run" | "run-script" | "rum" | "urn" => {
                let script = ops.get(1)?;
                (!is_one_off(script)).then(|| format!("npm run {script}"))
            }
            _ => None,
        },
        "yarn" | "pnpm" => {
            let script = if first == "run" { *ops.get(1)? } else { first };
            if is_one_off(script)
                || matches!(
                    script,
                    "add"
                        | "remove"
                        | "upgrade"
                        | "up"
                        | "dlx"
                        | "exec"
                        | "create"
                        | "prune"
                        | "fetch"
                        | "deploy"
                        | "workspaces"
                        | "cache"
                        | "config"
                        | "global"
                )
            {
                return None;
            }
            Some(if first == "run" {
                format!("{program} run {script}")
            } else {
                format!("{program} {script}")
            })
        }
        "bun" if first == "run" => {
            let script = ops.get(1)?;
            (!is_one_off(script)).then(|| format!("bun run {script}"))
        }
        _ => None,
    }
}

impl Rule for PackageManagerAsPid1 {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = checked_target(cx, build, META.name) else {
            return;
        };
        let Some(s) = started(&cx.dockerfile().instructions, target) else {
            return;
        };
        let program = s.program().to_string();
        let args: Vec<&str> = s.args().iter().map(|w| w.text.as_str()).collect();
        let Some(said) = package_script(&program, &args) else {
            return;
        };
        let Some(at) = s.words.first().map(|w| w.span) else {
            return;
        };
        let mut r = cx
            .report(
                at,
                format!("the app runs under `{said}`, which does not pass `SIGTERM` on to it"),
            )
            .help(format!(
                "start the program directly, e.g. `CMD [\"node\", \"server.js\"]` with the command the `{said}` script runs"
            ));
        if let Some(init) = &s.init {
            r = r
                .label(
                    init.span,
                    "the init signals the package manager, not the app",
                )
                .severity(Severity::Info);
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Severity;
    use crate::rules::test::*;

    #[test]
    fn fires_for_npm_start_in_exec_and_shell_form() {
        fires(
            "IL5401",
            "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nCMD [\"npm\", \"start\"]\n",
            &["5:6 IL5401 the app runs under `npm start`, which does not pass `SIGTERM` on to it"],
        );
        assert_eq!(
            spans("IL5401", "FROM node:22\nCMD npm run serve\n"),
            ["npm"]
        );
        assert_eq!(
            spans(
                "IL5401",
                "FROM node:22\nCMD [\"sh\", \"-c\", \"npm run migrate && yarn start\"]\n"
            ),
            ["yarn"]
        );
    }

    #[test]
    fn fires_through_wrappers_and_continuations() {
        fires(
            "IL5401",
            "FROM node:22\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"pnpm\", \\\n  # the server\n  \"run\", \"serve\"]\n",
            &[
                "3:6 IL5401 the app runs under `pnpm run serve`, which does not pass `SIGTERM` on to it",
            ],
        );
        assert_eq!(
            spans(
                "IL5401",
                "FROM oven/bun:1\nCMD [\"bun\", \"run\", \"start\"]\n"
            ),
            ["\"bun\""]
        );
    }

    #[test]
    fn an_init_in_front_lowers_the_severity() {
        let f = findings(
            "IL5401",
            "FROM node:22\nRUN apt-get update && apt-get install -y tini\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"npm\", \"start\"]\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].labels.len(), 1);
    }

    #[test]
    fn passes_for_node_tests_builds_and_dev_targets() {
        passes("IL5401", "FROM node:22\nCMD [\"node\", \"server.js\"]\n");
        passes("IL5401", "FROM node:22\nCMD [\"npm\", \"test\"]\n");
        passes("IL5401", "FROM node:22\nCMD yarn build\n");
        passes("IL5401", "FROM node:22 AS dev\nCMD [\"npm\", \"start\"]\n");
        passes(
            "IL5401",
            "FROM node:22\nENTRYPOINT [\"/app/entrypoint.sh\"]\nCMD [\"npm\", \"start\"]\n",
        );
        // `npm start` in a build stage only
        passes(
            "IL5401",
            "FROM node:22 AS build\nCMD [\"npm\", \"start\"]\nFROM nginx:1.27\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        );
        // ONBUILD images decide nothing about the child's command
        passes("IL5401", "FROM node:22\nONBUILD CMD [\"npm\", \"start\"]\n");
    }
}
