use super::built_programs::{Tree, first_source_span, stage_copies, trees};
use super::final_image::{root_base_span, root_image};
use crate::graph::Build;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::size::system::python;

/// IL5305
pub struct PythonVenvCopiedAcrossInterpreters;

const META: Meta = Meta {
    code: "IL5305",
    name: "python-venv-copied-across-interpreters",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A virtual environment is copied into an image whose Python differs from the one it was built with",
    doc: include_str!("../../../rules/python-venv-copied-across-interpreters.md"),
    target: Target::Dockerfile,
};

/// `3.11` in a path such as `/usr/local/lib/python3.11/site-packages`.
fn version_in_path(p: &str) -> Option<(u32, u32)> {
    let at = p.find("python3.")?;
    let rest = &p[at + "python3.".len()..];
    let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((3, minor.parse().ok()?))
}

impl Rule for PythonVenvCopiedAcrossInterpreters {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for sc in stage_copies(build) {
            let (runtime, copy, s) = (&sc.runtime, sc.copy, sc.from);
            let Some(have) = python(runtime) else {
                continue;
            };
            if !trees(cx, build, s, copy).contains(&Tree::Python) {
                continue;
            }
            let builder = root_image(build, s);
            let built = builder.as_ref().and_then(python);
            let in_path = copy.sources.iter().find_map(|p| version_in_path(p));
            let message = match (&built, in_path) {
                (_, Some(v)) if v != have.version => format!(
                    "packages for Python {}.{} are copied into an image with Python {}.{}",
                    v.0, v.1, have.version.0, have.version.1
                ),
                (Some(b), _) if b.version != have.version => format!(
                    "a virtual environment of Python {}.{} is copied into an image with Python {}.{}",
                    b.version.0, b.version.1, have.version.0, have.version.1
                ),
                (Some(b), _) if b.path != have.path && !linked(cx, build, s, have.path) => {
                    format!(
                        "the virtual environment points at `{}`, which the image does not have",
                        b.path
                    )
                }
                _ => continue,
            };
            let Some(at) = cx.instruction(copy.instruction).map(first_source_span) else {
                continue;
            };
            let builder_at = root_base_span(build, s);
            let base_at = root_base_span(build, sc.stage);
            let mut r = cx
                .report(at, message)
                .help("build the environment on the runtime's Python (the same `python:X.Y` image, or the same interpreter path)");
            if let (Some(span), Some(b), Some(img)) = (builder_at, &built, &builder) {
                r = r.label(
                    span,
                    format!(
                        "`{}` has Python {}.{}",
                        img.original, b.version.0, b.version.1
                    ),
                );
            }
            if let Some(span) = base_at {
                r = r.label(
                    span,
                    format!(
                        "`{}` has Python {}.{} at `{}`",
                        runtime.original, have.version.0, have.version.1, have.path
                    ),
                );
            }
            let _ = r;
        }
    }
}

/// Whether the build stage links the runtime's interpreter path to its own
/// Python (the distroless documentation's `ln -s` step).
fn linked(cx: &Context<'_>, build: &Build, s: usize, path: &str) -> bool {
    let short = path.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    build.chain_instructions(s).into_iter().any(|i| {
        cx.scripts_of(i).iter().any(|sc| {
            sc.commands.iter().any(|c| {
                ShellArgs::of(c).is_some_and(|a| {
                    a.program() == "ln"
                        && a.words.iter().any(|w| w.value == path || w.value == short)
                })
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_another_minor_version() {
        fires(
            "IL5305",
            "FROM python:3.11-slim AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n",
            &[
                "4:19 IL5305 a virtual environment of Python 3.11 is copied into an image with Python 3.12",
            ],
        );
        fires(
            "IL5305",
            "FROM python:3.12 AS build\nRUN pip install -r requirements.txt\nFROM python:3.13-slim\nCOPY --from=build /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages\n",
            &["4:19 IL5305 packages for Python 3.12 are copied into an image with Python 3.13"],
        );
    }

    #[test]
    fn fires_for_distroless_without_the_link() {
        fires(
            "IL5305",
            "FROM python:3.11-slim AS build\nRUN python -m venv /venv\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /venv /venv\n",
            &[
                "4:19 IL5305 the virtual environment points at `/usr/local/bin/python`, which the image does not have",
            ],
        );
        passes(
            "IL5305",
            "FROM python:3.11-slim AS build\nRUN ln -s /usr/local/bin/python /usr/bin/python3 && python -m venv /venv\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /venv /venv\n",
        );
    }

    #[test]
    fn passes_for_the_same_python() {
        passes(
            "IL5305",
            "FROM python:3.12 AS build\nRUN python -m venv /opt/venv\nFROM python:3.12-slim\nCOPY --from=build /opt/venv /opt/venv\n",
        );
        passes(
            "IL5305",
            "FROM debian:12-slim AS build\nRUN apt-get update && apt-get install -y python3-venv && python3 -m venv /venv\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /venv /venv\n",
        );
        // application files only
        passes(
            "IL5305",
            "FROM python:3.11 AS build\nRUN python -m venv /opt/venv\nFROM python:3.12-slim\nCOPY --from=build /app /app\n",
        );
    }
}
