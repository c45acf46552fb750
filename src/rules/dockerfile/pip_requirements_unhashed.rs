use super::lang::inputs::Inputs;
use super::lang::{base_name, env};
use crate::rules::*;
use crate::shell::ShellWord;
use crate::shell::pip::{PipFrontEnd, pip_install};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// IL3311
pub struct PipRequirementsUnhashed;

const META: Meta = Meta {
    code: "IL3311",
    name: "pip-requirements-unhashed",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: false,
    summary: "Requirements are installed without hashes, so a changed artefact goes unnoticed",
    doc: include_str!("../../../rules/pip-requirements-unhashed.md"),
    target: Target::Dockerfile,
};

/// The files given with `-r`/`--requirement` (`-c` too when `constraints`),
/// with the word that names each.
fn files(words: &[ShellWord], constraints: bool) -> Vec<(String, Span)> {
    let (short, long) = if constraints {
        ("-c", "--constraint")
    } else {
        ("-r", "--requirement")
    };
    let mut out = Vec::new();
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        let v = w.value.as_str();
        if v == short || v == long || v == "--requirements" || v == "--constraints" {
            if (v.starts_with(short) || v.starts_with(long))
                && let Some(n) = it.next()
            {
                out.push((n.value.clone(), n.span));
            }
        } else if let Some(rest) = v.strip_prefix(&format!("{long}=")).or_else(|| {
            v.strip_prefix(short)
                .filter(|r| !r.is_empty() && !r.starts_with('-'))
        }) {
            out.push((rest.trim_start_matches('=').to_string(), w.span));
        }
    }
    out
}

/// Whether a requirements text pins every requirement with `--hash`.
/// `None` when it has no requirement at all.
fn is_hashed(text: &str) -> Option<bool> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut any = false;
    for line in joined.lines() {
        let line = line.split(" #").next().unwrap_or(line).trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        any = true;
        if !line.contains("--hash=") && !line.contains("--hash ") {
            return Some(false);
        }
    }
    any.then_some(true)
}

/// The text of a requirements file the build installs: the path as given
/// (relative to the context), or the context path of the `COPY` that
/// brought a file of that name.
fn read(cx: &Context<'_>, index: usize, file: &str) -> Option<String> {
    let name = base_name(file);
    let mut candidates = vec![file.trim_start_matches('/').to_string(), name.to_string()];
    if let Some(input) = Inputs::before(cx, index).find(&[name]) {
        candidates.insert(0, input.source.clone());
    }
    candidates
        .iter()
        .filter(|c| !c.contains(['*', '$']))
        .find_map(|c| cx.context_read(c))
}

impl Rule for PipRequirementsUnhashed {
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
        let mut hits: Vec<(String, Span)> = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(pip) = pip_install(cmd) else {
                    continue;
                };
                let var = match pip.front_end {
                    PipFrontEnd::Pip => "PIP_REQUIRE_HASHES",
                    PipFrontEnd::Uv => "UV_REQUIRE_HASHES",
                };
                if pip.args.has(&[], &["require-hashes"]) || env::is_on(cx, index, script, ci, var)
                {
                    continue;
                }
                // hashed constraints pin every artefact too
                let constraints = files(pip.args.words, true);
                if !constraints.is_empty()
                    && constraints
                        .iter()
                        .all(|(f, _)| read(cx, index, f).and_then(|t| is_hashed(&t)) == Some(true))
                {
                    continue;
                }
                for (file, span) in files(pip.args.words, false) {
                    if read(cx, index, &file).and_then(|t| is_hashed(&t)) == Some(true) {
                        continue;
                    }
                    hits.push((file, span));
                }
            }
        }
        let Some((file, span)) = hits.first() else {
            return;
        };
        let mut r = cx
            .report(
                *span,
                format!(
                    "`{}` is installed without hashes: a changed artefact goes unnoticed",
                    base_name(file)
                ),
            )
            .help("compile the file with `pip-compile --generate-hashes` (or `uv pip compile --generate-hashes`) and install with `--require-hashes`");
        for (_, s) in hits.iter().skip(1) {
            r = r.label(*s, "installed without hashes too");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_hashed;
    use crate::rules::test::*;

    #[test]
    fn fires_on_requirement_files() {
        fires(
            "IL3311",
            "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n",
            &[
                "3:35 IL3311 `requirements.txt` is installed without hashes: a changed artefact goes unnoticed",
            ],
        );
        fires(
            "IL3311",
            "FROM python:3.12\nRUN uv pip install --system --requirement=/tmp/req.txt\n",
            &[
                "2:29 IL3311 `req.txt` is installed without hashes: a changed artefact goes unnoticed",
            ],
        );
    }

    #[test]
    fn passes_with_require_hashes() {
        for run in [
            "pip install --require-hashes -r requirements.txt",
            "PIP_REQUIRE_HASHES=1 pip install -r requirements.txt",
            "pip install flask==3.0.3",
            "pip-sync requirements.txt",
            "uv pip sync requirements.txt",
        ] {
            passes("IL3311", &format!("FROM python:3.12\nRUN {run}\n"));
        }
    }

    #[test]
    fn reads_hashes_from_the_context() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("requirements.txt"),
            "flask==3.0.3 \\\n    --hash=sha256:aaaa\n# comment\nclick==8.1.7 --hash=sha256:bbbb\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("dev.txt"), "pytest==8.0.0\n").unwrap();
        let path = dir.path().join("Dockerfile");
        let settings = crate::lint::LintSettings {
            selection: crate::rules::Selection::only(&["IL3311".to_string()]).unwrap(),
            ..crate::lint::LintSettings::default()
        };
        let text = "FROM python:3.12\nCOPY requirements.txt dev.txt ./\nRUN pip install -r requirements.txt -r dev.txt\n";
        let report = crate::lint::lint_text(&path.display().to_string(), text, &settings);
        let found: Vec<_> = report.findings.iter().map(|f| f.message.clone()).collect();
        assert_eq!(
            found,
            ["`dev.txt` is installed without hashes: a changed artefact goes unnoticed"]
        );
    }

    #[test]
    fn hash_detection() {
        assert_eq!(is_hashed("a==1 --hash=sha256:x\n"), Some(true));
        assert_eq!(is_hashed("a==1 --hash=sha256:x\nb==2\n"), Some(false));
        assert_eq!(is_hashed("# nothing\n-r other.txt\n"), None);
    }
}
