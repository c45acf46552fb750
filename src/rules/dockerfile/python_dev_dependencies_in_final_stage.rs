use super::final_image::checked_target;
use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::shell::ShellWord;
use crate::shell::args::Args as ShellArgs;
use crate::shell::pip::pip_install;
use crate::shell::process::started;
use crate::source::Span;

/// IL5204
pub struct PythonDevDependenciesInFinalStage;

const META: Meta = Meta {
    code: "IL5204",
    name: "python-dev-dependencies-in-final-stage",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "The image installs Python development or test dependencies",
    doc: include_str!("../../../rules/python-dev-dependencies-in-final-stage.md"),
    target: Target::Dockerfile,
};

/// Words that name development requirements.
const DEV_WORDS: &[&str] = &[
    "dev",
    "devel",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "linting",
    "docs",
    "doc",
];

/// Whether a requirements file or an extra is for development:
/// `requirements-dev.txt`, `test-requirements.txt`, `requirements/test.txt`,
/// but not `device.txt`.
fn is_dev_name(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    base.split(['-', '_', '.']).any(|w| DEV_WORDS.contains(&w))
}

/// The development extras of a project install: `.[dev]`, `-e .[test,docs]`.
fn dev_extras(spec: &str) -> Option<String> {
    let (project, extras) = spec.split_once('[')?;
    if !(project == "."
        || project.starts_with("./")
        || project.starts_with('/')
        || project.is_empty())
    {
        return None;
    }
    let extras = extras.trim_end_matches(']');
    extras
        .split(',')
        .map(str::trim)
        .find(|e| DEV_WORDS.contains(&e.to_ascii_lowercase().as_str()))
        .map(str::to_string)
}

/// Whether the project's `pyproject.toml` defines a dependency group uv or
/// Poetry installs by default: `[dependency-groups]` `dev`, uv's
/// `dev-dependencies`, Poetry's `dev` group or `dev-dependencies`.
fn has_dev_group(pyproject: &str, tool: &str) -> bool {
    let mut table = String::new();
    for line in pyproject.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            table = l.trim_matches(['[', ']']).trim().to_string();
            if tool == "poetry"
                && (table.starts_with("tool.poetry.group.dev")
                    || table == "tool.poetry.dev-dependencies")
            {
                return true;
            }
            continue;
        }
        let key = l.split('=').next().unwrap_or("").trim().trim_matches('"');
        match (tool, table.as_str()) {
            ("uv", "dependency-groups") if key == "dev" => return true,
            ("uv", "tool.uv") if key == "dev-dependencies" => return true,
            _ => {}
        }
    }
    false
}

struct Hit {
    span: Span,
    message: String,
    fix: Option<Fix>,
}

fn truthy(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

impl Rule for PythonDevDependenciesInFinalStage {
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
        if !s.runs_application() {
            return;
        }
        let pyproject = cx.context_text("pyproject.toml");
        let mut hits: Vec<Hit> = Vec::new();
        for i in build.chain_instructions(target.index) {
            let Some(state) = build.state(i) else {
                continue;
            };
            let env = |n: &str| {
                state
                    .scope
                    .var(n)
                    .and_then(|v| v.value.clone())
                    .is_some_and(|v| truthy(&v))
            };
            for script in cx.scripts_of(i) {
                for cmd in &script.commands {
                    if let Some(p) = pip_install(cmd) {
                        // `-r requirements-dev.txt`
                        let words = p.args.words;
                        for (k, w) in words.iter().enumerate() {
                            let file: Option<&ShellWord> = match w.value.as_str() {
                                "-r" | "--requirement" | "--requirements" => words.get(k + 1),
                                v if v.starts_with("--requirement=")
                                    || (v.starts_with("-r") && v.len() > 2) =>
                                {
                                    Some(w)
                                }
                                _ => None,
                            };
                            if let Some(f) = file {
                                let name = f
                                    .value
                                    .trim_start_matches("--requirement=")
                                    .trim_start_matches("-r");
                                if is_dev_name(name) {
                                    hits.push(Hit {
                                        span: f.span,
                                        message: format!("`{name}` installs development requirements into the image"),
                                        fix: None,
                                    });
                                }
                            }
                        }
                        let editable = words.iter().enumerate().filter_map(|(k, w)| {
                            matches!(w.value.as_str(), "-e" | "--editable")
                                .then(|| words.get(k + 1))
                                .flatten()
                        });
                        for pkg in p.packages().into_iter().chain(editable) {
                            if let Some(extra) = dev_extras(&pkg.value) {
                                hits.push(Hit {
                                    span: pkg.span,
                                    message: format!("the `{extra}` extra installs development dependencies into the image"),
                                    fix: None,
                                });
                            }
                        }
                        continue;
                    }
                    let Some(a) = ShellArgs::of(cmd) else {
                        continue;
                    };
                    let sub = a.words.iter().find(|w| !w.value.starts_with('-'));
                    match (a.program(), sub.map(|w| w.value.as_str())) {
                        ("pipenv", Some("install" | "sync")) => {
                            if let Some(flag) = a.find(&['d'], &["dev"]) {
                                let del =
                                    Span::new(flag.span.start.saturating_sub(1), flag.span.end);
                                let fix =
                                    (flag.value == "--dev" || flag.value == "-d").then(|| {
                                        Fix::unsafe_("remove `--dev`", vec![Edit::delete(del)])
                                    });
                                hits.push(Hit {
                                    span: flag.span,
                                    message:
                                        "`pipenv` installs the `[dev-packages]` into the image"
                                            .into(),
                                    fix,
                                });
                            }
                        }
                        ("uv", Some("sync")) => {
                            let excluded = a.has(
                                &[],
                                &["no-dev", "only-group", "no-default-groups", "only-dev"],
                            ) || a
                                .words
                                .iter()
                                .any(|w| w.value == "--no-group=dev" || w.value == "dev")
                                || env("UV_NO_DEV")
                                || cmd.assignments.iter().any(|w| {
                                    w.value.strip_prefix("UV_NO_DEV=").is_some_and(truthy)
                                });
                            if !excluded
                                && pyproject.as_deref().is_some_and(|p| has_dev_group(p, "uv"))
                                && let Some(sub) = sub
                            {
                                hits.push(Hit {
                                    span: a.name.span.cover(sub.span),
                                    message: "`uv sync` installs the `dev` group into the image"
                                        .into(),
                                    fix: Some(Fix::unsafe_(
                                        "add `--no-dev`",
                                        vec![Edit::insert(sub.span.end, " --no-dev")],
                                    )),
                                });
                            }
                        }
                        ("poetry", Some("install" | "sync")) => {
                            let only_main = a.words.iter().any(|w| {
                                matches!(
                                    w.value.as_str(),
                                    "--only=main" | "--no-dev" | "--only-root" | "--without=dev"
                                )
                            }) || a
                                .value(&[], &["only"])
                                .is_some_and(|v| v == "main")
                                || a.value(&[], &["without"])
                                    .is_some_and(|v| v.split(',').any(|g| g == "dev"));
                            if !only_main
                                && pyproject
                                    .as_deref()
                                    .is_some_and(|p| has_dev_group(p, "poetry"))
                                && let Some(sub) = sub
                            {
                                hits.push(Hit {
                                    span: a.name.span.cover(sub.span),
                                    message: format!(
                                        "`poetry {}` installs the `dev` group into the image",
                                        sub.value
                                    ),
                                    fix: None,
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        for h in hits {
            let help = "install only the runtime dependencies in the image, and development tools in a test stage";
            cx.report(h.span, h.message).help(help).maybe_fix(h.fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_for_dev_requirement_files_and_extras() {
        fires(
            "IL5204",
            "FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt -r /app/test-requirements.txt\nCMD [\"python\", \"/app/main.py\"]\n",
            &[
                "3:45 IL5204 `/app/test-requirements.txt` installs development requirements into the image",
            ],
        );
        assert_eq!(
            spans(
                "IL5204",
                "FROM python:3.12\nRUN python -m pip install -e '.[dev,server]'\nCMD [\"app\"]\n"
            ),
            ["'.[dev,server]'"]
        );
        assert_eq!(
            spans(
                "IL5204",
                "FROM python:3.12\nRUN pipenv install --system --dev\nCMD [\"gunicorn\", \"app:app\"]\n"
            ),
            ["--dev"]
        );
    }

    #[test]
    fn fixes_pipenv() {
        assert_eq!(
            fixed(
                "IL5204",
                "FROM python:3.12\nRUN pipenv install --system --dev\nCMD [\"gunicorn\", \"app:app\"]\n",
                Applicability::Unsafe
            ),
            "FROM python:3.12\nRUN pipenv install --system\nCMD [\"gunicorn\", \"app:app\"]\n"
        );
    }

    #[test]
    fn reads_dev_groups_from_the_context() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[project]\nname = \"app\"\n\n[dependency-groups]\ndev = [\"pytest\"]\n",
        )
        .unwrap();
        let df = dir.path().join("Dockerfile");
        let text = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nRUN uv sync --locked\nCMD [\"uv\", \"run\", \"--no-sync\", \"app\"]\n";
        std::fs::write(&df, text).unwrap();
        let settings = crate::lint::LintSettings {
            selection: crate::rules::Selection::only(&["IL5204".to_string()]).unwrap(),
            ..crate::lint::LintSettings::default()
        };
        let report = crate::lint::lint_text(&df.display().to_string(), text, &settings);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(
            report.findings[0].message,
            "`uv sync` installs the `dev` group into the image"
        );
        let fixed = crate::fix::apply_fixes(
            text,
            report.findings.iter().filter_map(|f| f.fix.as_ref()),
            Applicability::Unsafe,
        );
        assert!(fixed.text.contains("uv sync --no-dev --locked"));
        let no_dev = text.replace("uv sync --locked", "uv sync --locked --no-dev");
        std::fs::write(&df, &no_dev).unwrap();
        assert!(
            crate::lint::lint_text(&df.display().to_string(), &no_dev, &settings)
                .findings
                .is_empty()
        );
        // without the context, nothing is known
        passes("IL5204", text);
    }

    #[test]
    fn passes_for_runtime_requirements_and_dev_targets() {
        passes(
            "IL5204",
            "FROM python:3.12\nRUN pip install -r requirements.txt -r requirements/device.txt\nCMD [\"app\"]\n",
        );
        passes(
            "IL5204",
            "FROM python:3.12 AS test\nRUN pip install -r requirements-dev.txt\nCMD [\"pytest\"]\n",
        );
        passes(
            "IL5204",
            "FROM python:3.12 AS build\nRUN pip install -r requirements-dev.txt && pytest\nFROM python:3.12-slim\nCMD [\"app\"]\n",
        );
        passes(
            "IL5204",
            "FROM python:3.12\nRUN pip install '.[server]'\nCMD [\"app\"]\n",
        );
    }
}
