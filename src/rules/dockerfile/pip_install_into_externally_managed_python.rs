use super::earlier_steps::{Step, earlier_commands, earlier_instructions};
use super::final_image::{root_base_span, root_image};
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::apt::{apk, apt_any, package_names};
use crate::shell::args::Args;
use crate::shell::pip::{PipFrontEnd, is_python_program, pip_install};
use crate::size::system::externally_managed_python;
use crate::syntax::lex::Env;
use crate::syntax::{Instruction, Kind};

/// IL3410
pub struct PipInstallIntoExternallyManagedPython;

const META: Meta = Meta {
    code: "IL3410",
    name: "pip-install-into-externally-managed-python",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`pip install` into a distribution's Python that is marked externally managed fails",
    doc: include_str!("../../../rules/pip-install-into-externally-managed-python.md"),
    target: Target::Dockerfile,
};

/// Whether a distribution package brings the distribution's Python:
/// `python3`, `python3-pip`, `python3-dev` (apt), `py3-pip` (apk).
fn is_python_package(name: &str) -> bool {
    let base = name.split(['=', '<', '>', '~']).next().unwrap_or(name);
    base.starts_with("python3") || base.starts_with("py3-")
}

/// Whether an earlier command installed the distribution's Python.
fn installs_distro_python(cx: &Context<'_>, step: &Step<'_>) -> bool {
    let pc = match apt_any(step.cmd) {
        Some(pc) if pc.is("install") => pc,
        _ => match apk(step.cmd) {
            Some(pc) if pc.is("add") => pc,
            _ => return false,
        },
    };
    let Some(state) = cx.build().state(step.instruction) else {
        return false;
    };
    pc.packages.iter().any(|w| {
        package_names(step.script, step.index, w, state.scope.as_ref())
            .iter()
            .any(|n| is_python_package(n))
    })
}

/// Whether a command creates or activates a virtual environment:
/// `python3 -m venv`, `virtualenv`, `uv venv`, `. /opt/venv/bin/activate`.
fn makes_venv(cmd: &SimpleCommand) -> bool {
    let Some(a) = Args::of(cmd) else { return false };
    let prog = a.program();
    let words: Vec<&str> = a.words.iter().map(|w| w.value.as_str()).collect();
    if is_python_program(prog) {
        return words
            .windows(2)
            .any(|w| w[0] == "-m" && matches!(w[1], "venv" | "virtualenv"))
            || words
                .iter()
                .any(|w| matches!(*w, "-mvenv" | "-mvirtualenv"));
    }
    match prog {
        "virtualenv" => true,
        "uv" => words.first() == Some(&"venv"),
        "." | "source" => words.first().is_some_and(|w| w.ends_with("/activate")),
        _ => false,
    }
}

/// Whether an earlier command lifts the restriction: it removes the
/// `EXTERNALLY-MANAGED` marker or configures `break-system-packages`.
fn lifts_restriction(cmd: &SimpleCommand) -> bool {
    cmd.args
        .iter()
        .chain(cmd.assignments.iter())
        .chain(cmd.name.iter())
        .any(|w| {
            let v = w.value.to_ascii_lowercase();
            v.contains("externally-managed") || v.contains("break-system-packages")
        })
}

fn truthy(v: &str) -> bool {
    !matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// Whether the environment points pip elsewhere: a virtual environment, a
/// conda or pyenv Python first on `PATH`, or the override variable.
fn environment_allows(env: &dyn Env) -> bool {
    if env.get("VIRTUAL_ENV").is_some_and(|v| !v.is_empty())
        || env.get("PIP_BREAK_SYSTEM_PACKAGES").is_some_and(truthy)
    {
        return true;
    }
    env.get("PATH").is_some_and(|p| {
        let p = p.to_ascii_lowercase();
        [
            "venv",
            "virtualenv",
            "conda",
            "mamba",
            "pyenv",
            "/opt/python",
        ]
        .iter()
        .any(|k| p.contains(k))
    })
}

impl Rule for PipInstallIntoExternallyManagedPython {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        let build = cx.build();
        let Some(state) = cx.state() else { return };
        if root_image(build, state.stage).and_then(|r| externally_managed_python(&r)) != Some(true)
        {
            return;
        }
        if environment_allows(state.scope.as_ref()) {
            return;
        }
        // a configuration file or marker brought in by COPY or ADD
        let earlier = earlier_instructions(cx);
        if earlier.iter().any(|&i| {
            cx.instruction(i).is_some_and(|ins| {
                matches!(ins.kind, Kind::Copy | Kind::Add) && {
                    let t = ins.logical.text.to_ascii_lowercase();
                    t.contains("pip.conf") || t.contains("externally-managed")
                }
            })
        }) {
            return;
        }
        let mut hits = Vec::new();
        for (si, script) in cx.scripts().iter().enumerate() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(pip) = pip_install(cmd) else {
                    continue;
                };
                if pip.front_end != PipFrontEnd::Pip {
                    continue;
                }
                // `pip2`, `python2 -m pip`, or a pip outside /usr/bin
                let program = &pip.program.value;
                let base = program.rsplit('/').next().unwrap_or(program);
                let version = base.trim_start_matches(|c: char| c.is_ascii_alphabetic());
                if version.starts_with('2')
                    || program.contains('/') && !program.starts_with("/usr/bin/")
                    || program.contains('$')
                {
                    continue;
                }
                if pip.args.has(
                    &['t'],
                    &["break-system-packages", "target", "root", "prefix"],
                ) {
                    continue;
                }
                let inline = cmd
                    .assignments
                    .iter()
                    .chain(cmd.args.iter())
                    .filter_map(|w| w.value.split_once('='))
                    .collect::<Vec<_>>();
                let vars = script.variables_before(ci);
                if inline.iter().any(|(k, v)| {
                    (*k == "PIP_BREAK_SYSTEM_PACKAGES" && truthy(v))
                        || (*k == "VIRTUAL_ENV" && !v.is_empty())
                }) || environment_allows(&vars)
                {
                    continue;
                }
                let steps = earlier_commands(cx, si, ci);
                if steps
                    .iter()
                    .any(|s| makes_venv(s.cmd) || lifts_restriction(s.cmd))
                {
                    continue;
                }
                if !steps.iter().any(|s| installs_distro_python(cx, s)) {
                    continue;
                }
                hits.push((pip.program.span.cover(pip.subcommand.span), pip.label));
            }
        }
        let Some((at, label)) = hits.first().cloned() else {
            return;
        };
        let base = root_base_span(build, state.stage);
        let mut r = cx
            .report(
                at,
                format!("`{label}` fails: the distribution's Python is externally managed"),
            )
            .help("create a virtual environment (`python3 -m venv /opt/venv`, then `ENV PATH=/opt/venv/bin:$PATH`) or use a `python` image");
        if let Some(b) = base {
            r = r.label(
                b,
                "this release marks its Python externally managed (PEP 668)",
            );
        }
        for (span, _) in hits.iter().skip(1) {
            r = r.label(*span, "another install into the system Python");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_after_the_distribution_pip_is_installed() {
        fires(
            "IL3410",
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y python3-pip && pip3 install flask\n",
            &["2:57 IL3410 `pip3 install` fails: the distribution's Python is externally managed"],
        );
        fires(
            "IL3410",
            "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y python3 python3-pip\nRUN python3 -m pip install --upgrade pip \\\n    # then the tools\n    && sudo pip3 install requests\n",
            &[
                "3:5 IL3410 `python3 -m pip install` fails: the distribution's Python is externally managed",
            ],
        );
        assert_eq!(
            spans(
                "IL3410",
                "FROM alpine:3.20 AS base\nARG PKGS=\"py3-pip git\"\nRUN apk add --no-cache $PKGS\nFROM base\nRUN <<EOF\npip install black\nEOF\n"
            ),
            ["pip install"]
        );
    }

    #[test]
    fn passes_for_venvs_overrides_and_other_pythons() {
        let with = |tail: &str| {
            format!(
                "FROM debian:12\nRUN apt-get update && apt-get install -y python3-pip python3-venv\n{tail}"
            )
        };
        passes(
            "IL3410",
            &with("RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install flask\n"),
        );
        passes(
            "IL3410",
            &with(
                "RUN python3 -m venv /opt/venv\nRUN . /opt/venv/bin/activate && pip install flask\n",
            ),
        );
        passes(
            "IL3410",
            &with("ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\nRUN pip install flask\n"),
        );
        passes(
            "IL3410",
            &with("RUN pip install --break-system-packages flask\n"),
        );
        passes(
            "IL3410",
            &with("ENV PIP_BREAK_SYSTEM_PACKAGES=1\nRUN pip install flask\n"),
        );
        passes(
            "IL3410",
            &with("RUN rm /usr/lib/python3.11/EXTERNALLY-MANAGED && pip install flask\n"),
        );
        passes("IL3410", &with("RUN pip install --target /out flask\n"));
        passes("IL3410", &with("RUN pip2 install flask\n"));
        passes("IL3410", &with("ONBUILD RUN pip install flask\n"));
        // older releases, the python image, pip without a distribution Python
        passes(
            "IL3410",
            "FROM debian:bullseye\nRUN apt-get update && apt-get install -y python3-pip && pip3 install flask\n",
        );
        passes(
            "IL3410",
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3-pip && pip3 install flask\n",
        );
        passes(
            "IL3410",
            "FROM python:3.12-bookworm\nRUN apt-get update && apt-get install -y python3-dev && pip install flask\n",
        );
        passes(
            "IL3410",
            "FROM debian:12\nRUN curl -fsSL https://example.com/python.tgz | tar xz -C /usr/local && pip install flask\n",
        );
        // installed after the pip run
        passes(
            "IL3410",
            "FROM alpine:3.20\nRUN pip install flask; apk add py3-pip\n",
        );
    }
}
