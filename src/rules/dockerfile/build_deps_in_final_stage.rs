use super::final_image::{checked_target, option_bool, option_list, root_image};
use crate::graph::Build;
use crate::rules::*;
use crate::shell::apt::{PackageCommand, apk, apt_any, package_names};
use crate::shell::process::started;
use crate::shell::rpm::{dnf_action, yum_or_dnf};
use crate::size::{Family, facts};
use crate::source::Span;

/// IL5202
pub struct BuildDepsInFinalStage;

const META: Meta = Meta {
    code: "IL5202",
    name: "build-deps-in-final-stage",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The image keeps compilers, headers or other packages only needed to build",
    doc: include_str!("../../../rules/build-deps-in-final-stage.md"),
    target: Target::Dockerfile,
};

/// Packages that only serve compiling, by name.
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "gcc",
    "g++",
    "gcc-c++",
    "c++",
    "make",
    "cmake",
    "clang",
    "autoconf",
    "automake",
    "libtool",
    "pkg-config",
    "pkgconf",
    "pkgconfig",
    "musl-dev",
    "libc6-dev",
    "libc-dev",
    "linux-headers",
    "linux-libc-dev",
    "build-base",
    "alpine-sdk",
    "golang",
    "golang-go",
    "go",
    "rustc",
    "cargo",
    "default-jdk",
    "default-jdk-headless",
];

/// The package name without version, release or architecture.
fn bare(name: &str) -> &str {
    let n = name.split(['=', '<', '>', '~']).next().unwrap_or(name);
    n.split(':').next().unwrap_or(n)
}

/// Whether a package only serves building software.
pub(crate) fn is_build_package(name: &str) -> bool {
    let n = bare(name).to_ascii_lowercase();
    if BUILD_PACKAGES.contains(&n.as_str()) {
        return true;
    }
    // gcc-12, g++-13, clang-18
    if ["gcc-", "g++-", "clang-", "llvm-"].iter().any(|p| {
        n.strip_prefix(p)
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()))
    }) {
        return true;
    }
    // JDKs: openjdk-17-jdk, openjdk17-jdk, java-17-openjdk-devel
    if n.contains("openjdk") && (n.ends_with("-jdk") || n.ends_with("-jdk-headless")) {
        return true;
    }
    n.ends_with("-dev") || n.ends_with("-devel")
}

/// An installed build package and where it is named.
struct Installed {
    name: String,
    span: Span,
    instruction: usize,
    /// The `apk add --virtual` group it belongs to.
    group: Option<String>,
}

fn install_words<'a>(pc: &PackageCommand<'a>) -> Option<Vec<&'a crate::shell::ShellWord>> {
    let sub = pc.subcommand?.value.as_str();
    match pc.args.program() {
        "apt-get" | "apt" if sub == "install" => Some(pc.packages.clone()),
        "apk" if sub == "add" => Some(pc.packages.clone()),
        _ => None,
    }
}

impl Rule for BuildDepsInFinalStage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = checked_target(cx, build, META.name) else {
            return;
        };
        if build.stages.len() == 1 && !option_bool(cx, META.name, "single-stage") {
            return;
        }
        // toolchain images are build-image-in-final-stage's
        let Some(base) = root_image(build, target.index) else {
            return;
        };
        if facts(&base).family == Some(Family::Toolchain) {
            return;
        }
        // images that run an application, not tool or base images
        let Some(s) = started(&cx.dockerfile().instructions, target) else {
            return;
        };
        if !s.runs_application()
            || matches!(
                s.program(),
                "make"
                    | "gcc"
                    | "cc"
                    | "go"
                    | "cargo"
                    | "mvn"
                    | "gradle"
                    | "cmake"
                    | "jenkins-agent"
            )
        {
            return;
        }
        let allowed = option_list(cx, META.name, "allow");
        let mut installed: Vec<Installed> = Vec::new();
        for i in build.chain_instructions(target.index) {
            let Some(state) = build.state(i) else {
                continue;
            };
            for script in cx.scripts_of(i) {
                // the docker-library idiom: mark everything automatic, then
                // purge what nothing needs
                let marks_auto = script.commands.iter().any(|c| {
                    crate::shell::args::Args::of(c).is_some_and(|a| {
                        a.program() == "apt-mark"
                            && a.words.first().is_some_and(|w| w.value == "auto")
                    })
                });
                for (ci, cmd) in script.commands.iter().enumerate() {
                    if let Some(pc) = apt_any(cmd).or_else(|| apk(cmd)) {
                        let sub = pc.subcommand.map_or("", |w| w.value.as_str());
                        if let Some(words) = install_words(&pc) {
                            let group = if pc.args.program() == "apk" {
                                pc.args.value(&['t'], &["virtual"]).map(str::to_string)
                            } else {
                                None
                            };
                            for w in words {
                                for name in package_names(script, ci, w, state.scope.as_ref()) {
                                    if is_build_package(&name)
                                        && !allowed.iter().any(|a| a == bare(&name))
                                    {
                                        installed.push(Installed {
                                            name: bare(&name).to_string(),
                                            span: w.span,
                                            instruction: i,
                                            group: group.clone(),
                                        });
                                    }
                                }
                            }
                            continue;
                        }
                        let removes = match pc.args.program() {
                            "apk" => sub == "del",
                            _ => matches!(sub, "purge" | "remove" | "autoremove"),
                        };
                        if !removes {
                            continue;
                        }
                        let auto =
                            sub == "autoremove" || pc.args.has(&[], &["auto-remove", "autoremove"]);
                        let names: Vec<String> = pc
                            .packages
                            .iter()
                            .flat_map(|w| package_names(script, ci, w, state.scope.as_ref()))
                            .map(|n| bare(&n).to_string())
                            .collect();
                        installed.retain(|p| {
                            !(names.contains(&p.name)
                                || p.group.as_ref().is_some_and(|g| names.contains(g))
                                || (auto && marks_auto && p.instruction == i))
                        });
                    } else if let Some(pc) = yum_or_dnf(cmd) {
                        let Some((action, words)) = dnf_action(&pc) else {
                            continue;
                        };
                        let names: Vec<String> = words
                            .iter()
                            .flat_map(|w| package_names(script, ci, w, state.scope.as_ref()))
                            .collect();
                        match action.as_str() {
                            "install" | "in" => {
                                for (w, name) in words.iter().zip(names.iter()) {
                                    if is_build_package(name)
                                        && !allowed.iter().any(|a| a == bare(name))
                                    {
                                        installed.push(Installed {
                                            name: bare(name).to_string(),
                                            span: w.span,
                                            instruction: i,
                                            group: None,
                                        });
                                    }
                                }
                            }
                            "remove" | "erase" | "autoremove" => {
                                installed.retain(|p| !names.iter().any(|n| bare(n) == p.name));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        // one finding per instruction, further packages as labels
        let mut by_instruction: Vec<(usize, Vec<&Installed>)> = Vec::new();
        for p in &installed {
            match by_instruction.iter_mut().find(|(i, _)| *i == p.instruction) {
                Some((_, v)) => v.push(p),
                None => by_instruction.push((p.instruction, vec![p])),
            }
        }
        for (_, pkgs) in by_instruction {
            let Some(first) = pkgs.first() else { continue };
            let mut r = cx
                .report(
                    first.span,
                    format!("`{}` is only needed to build, but stays in the image", first.name),
                )
                .help("install it in a build stage and copy only the result (binary, wheels, venv, `node_modules`), or remove it in the same `RUN`");
            for p in pkgs.iter().skip(1) {
                r = r.label(p.span, format!("`{}` stays too", p.name));
            }
            let _ = r;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    const BAD: &str = "FROM python:3.12-slim AS base\nFROM base\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n";

    #[test]
    fn fires_once_per_instruction() {
        fires(
            "IL5202",
            BAD,
            &["3:66 IL5202 `build-essential` is only needed to build, but stays in the image"],
        );
        let f = findings("IL5202", BAD);
        assert_eq!(f[0].labels.len(), 1);
        assert_eq!(
            spans(
                "IL5202",
                "FROM node:22-alpine AS deps\nRUN npm ci\nFROM node:22-alpine\nARG BUILD=\"python3 make g++\"\nRUN apk add --no-cache $BUILD\nCMD [\"node\", \"s.js\"]\n"
            ),
            ["$BUILD"]
        );
    }

    #[test]
    fn passes_when_removed_in_the_same_run() {
        passes(
            "IL5202",
            "FROM x AS a\nFROM node:22-alpine\nRUN apk add --no-cache --virtual .build-deps python3 make g++ && npm ci && apk del .build-deps\nCMD [\"node\", \"s.js\"]\n",
        );
        passes(
            "IL5202",
            "FROM x AS a\nFROM debian:bookworm-slim\nRUN savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; apt-get install -y gcc libssl-dev; make; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove\nCMD [\"/usr/local/bin/app\"]\n",
        );
        passes(
            "IL5202",
            "FROM x AS a\nFROM debian:bookworm-slim\nRUN apt-get install -y gcc && make && apt-get purge -y gcc\nCMD [\"app\"]\n",
        );
    }

    #[test]
    fn passes_for_single_stage_tool_and_dev_images() {
        // single-stage files are checked only with the option
        let single =
            "FROM python:3.12-slim\nRUN apt-get install -y gcc\nCMD [\"python\", \"app.py\"]\n";
        passes("IL5202", single);
        let mut options = crate::rules::RuleOptions::default();
        options.per_rule.insert(
            "build-deps-in-final-stage".into(),
            serde_json::json!({"single-stage": true}),
        );
        assert_eq!(check_with("IL5202", &options, single).len(), 1);
        // a tool image that runs a shell
        passes(
            "IL5202",
            "FROM x AS a\nFROM ubuntu:24.04\nRUN apt-get install -y build-essential cmake\nCMD [\"bash\"]\n",
        );
        passes(
            "IL5202",
            "FROM x AS a\nFROM python:3.12 AS dev\nRUN apt-get install -y gcc\nCMD [\"python\", \"app.py\"]\n",
        );
        // build stages are thrown away
        passes(
            "IL5202",
            "FROM python:3.12 AS build\nRUN apt-get install -y gcc\nFROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        );
    }

    #[test]
    fn allowed_packages() {
        let mut options = crate::rules::RuleOptions::default();
        options.per_rule.insert(
            "build-deps-in-final-stage".into(),
            serde_json::json!({"allow": ["libpq-dev", "build-essential"]}),
        );
        passes_with("IL5202", &options, BAD);
    }
}
