use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};
use regex::Regex;
use std::path::{Path, PathBuf};

/// IL2005
pub struct CopyIgnoredFile;

const META: Meta = Meta {
    code: "IL2005",
    name: "copy-ignored-file",
    aliases: &["CopyIgnoredFile"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`COPY`/`ADD` of a path that `.dockerignore` excludes from the build context",
    doc: include_str!("../../../rules/copy-ignored-file.md"),
    target: Target::Dockerfile,
};

/// One exclusion pattern of an ignore file.
struct Pattern {
    text: String,
    line: usize,
    regex: Regex,
}

/// The ignore file that applies to the Dockerfile at `dockerfile`:
/// `<name>.dockerignore` next to it, else `.dockerignore` in its directory
/// (taken as the build context).
fn ignore_file(dockerfile: &Path) -> Option<PathBuf> {
    let dir = dockerfile
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dockerfile.file_name()?.to_str()?;
    [
        dir.join(format!("{name}.dockerignore")),
        dir.join(".dockerignore"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Normalises a path the way Go's `filepath.Clean` does, with `/`.
fn clean(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// The regular expression of a `.dockerignore` pattern: `**` any number of
/// directories, `*` and `?` within one name, `[…]` classes, `\` escapes.
fn compile(pattern: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                if chars.get(i + 1) == Some(&'/') {
                    i += 1;
                    re.push_str("(.*/)?");
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                let end = chars[i + 1..].iter().position(|&c| c == ']')? + i + 1;
                let class: String = chars[i + 1..end].iter().collect();
                let class = class
                    .strip_prefix('^')
                    .map_or(class.clone(), |c| format!("^{c}"));
                re.push('[');
                re.push_str(&class.replace('\\', "\\\\"));
                re.push(']');
                i = end;
            }
            '\\' => {
                i += 1;
                re.push_str(&regex::escape(&chars.get(i)?.to_string()));
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    Regex::new(&re).ok()
}

/// The exclusion patterns of an ignore file, or `None` when it has `!`
/// exceptions: those may bring back a file inside an excluded directory,
/// which a static check cannot judge.
fn patterns(text: &str) -> Option<Vec<Pattern>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('!') {
            return None;
        }
        let mut p = clean(t);
        if p.len() > 1 && p.starts_with('/') {
            p.remove(0);
        }
        if let Some(regex) = compile(&p) {
            out.push(Pattern {
                text: t.to_string(),
                line: n + 1,
                regex,
            });
        }
    }
    Some(out)
}

/// The pattern that excludes `path` or one of its parent directories.
fn excluded<'p>(patterns: &'p [Pattern], path: &str) -> Option<&'p Pattern> {
    let parts: Vec<&str> = path.split('/').collect();
    (1..=parts.len()).find_map(|k| {
        let prefix = parts[..k].join("/");
        patterns.iter().find(|p| p.regex.is_match(&prefix))
    })
}

fn sources(ins: &Instruction) -> &[crate::syntax::Word] {
    match &ins.args {
        Args::Paths(p) if p.words.len() > 1 => &p.words[..p.words.len() - 1],
        _ => &[],
    }
}

impl Rule for CopyIgnoredFile {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, _build: &crate::graph::Build) {
        let Some(file) = ignore_file(&cx.file().path) else {
            return;
        };
        let Ok(text) = std::fs::read_to_string(&file) else {
            return;
        };
        let Some(patterns) = patterns(&text) else {
            return;
        };
        if patterns.is_empty() {
            return;
        }
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(".dockerignore")
            .to_string();
        let df = cx.dockerfile();
        for (i, ins) in df.instructions.iter().enumerate() {
            if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() {
                continue;
            }
            for word in sources(ins) {
                let raw = word.text.as_str();
                if raw.starts_with("<<") || raw.contains("://") || raw.starts_with("git@") {
                    continue;
                }
                let value = if raw.contains('$') {
                    cx.expand_at(i, raw)
                } else {
                    raw.to_string()
                };
                if value.contains('$') {
                    continue;
                }
                let mut path = clean(&value);
                if path.len() > 1 && path.starts_with('/') {
                    path.remove(0);
                }
                if let Some(p) = excluded(&patterns, &path) {
                    let kw = ins.kind.name();
                    cx.report(word.span, format!("`{path}` is excluded by `{name}`, so `{kw}` cannot see it"))
                        .help(format!(
                            "line {} of {} (`{}`) leaves it out of the build context: change the pattern or stop copying it",
                            p.line, name, p.text
                        ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{LintSettings, lint_text};
    use crate::rules::Selection;

    fn lint(ignore: Option<(&str, &str)>, dockerfile: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        if let Some((name, text)) = ignore {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let path = dir.path().join("Dockerfile");
        let settings = LintSettings {
            selection: Selection::only(&["IL2005".to_string()]).unwrap(),
            ..LintSettings::default()
        };
        let report = lint_text(path.to_str().unwrap(), dockerfile, &settings);
        report
            .findings
            .iter()
            .map(|f| {
                let p = report.file.position(f.span.start);
                format!("{}:{} {}", p.line, p.char_column, f.message)
            })
            .collect()
    }

    #[test]
    fn fires_on_excluded_sources() {
        assert_eq!(
            lint(
                Some((
                    ".dockerignore",
                    "# build output\nnode_modules\n**/*.log\n/secrets\nbuild/\n"
                )),
                "FROM node:22\nCOPY package.json node_modules ./\nCOPY ./secrets/key.pem /k\nARG D=build\nADD $D/app.js logs/x.log /app/\n"
            ),
            [
                "2:19 `node_modules` is excluded by `.dockerignore`, so `COPY` cannot see it",
                "3:6 `secrets/key.pem` is excluded by `.dockerignore`, so `COPY` cannot see it",
                "5:5 `build/app.js` is excluded by `.dockerignore`, so `ADD` cannot see it",
                "5:15 `logs/x.log` is excluded by `.dockerignore`, so `ADD` cannot see it",
            ]
        );
    }

    #[test]
    fn a_dockerfile_specific_ignore_file_wins() {
        let found = lint(
            Some(("Dockerfile.dockerignore", "dist\n")),
            "FROM alpine\nCOPY dist /d\n",
        );
        assert_eq!(
            found,
            ["2:6 `dist` is excluded by `Dockerfile.dockerignore`, so `COPY` cannot see it"]
        );
    }

    #[test]
    fn passes_without_ignore_file_with_exceptions_or_for_other_sources() {
        assert!(lint(None, "FROM alpine\nCOPY node_modules /n\n").is_empty());
        assert!(
            lint(
                Some((".dockerignore", "*\n!src\n")),
                "FROM alpine\nCOPY src /s\n"
            )
            .is_empty()
        );
        assert!(
            lint(
                Some((".dockerignore", "*.md\nbuild\n")),
                "FROM alpine\nCOPY docs/README.md src /s/\nCOPY --from=build /build /b\nADD https://example.com/build /x\nCOPY <<EOF /build\nx\nEOF\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn patterns_follow_dockerignore_semantics() {
        let ps = patterns("**/*.tmp\ndocs/*.md\n/a?c\nx[0-9]\n").unwrap();
        for yes in ["f.tmp", "a/b/f.tmp", "docs/x.md", "abc", "x1", "x1/deep"] {
            assert!(excluded(&ps, yes).is_some(), "{yes}");
        }
        for no in ["docs/a/x.md", "src/docs/x.md", "abbc", "xa", "tmp"] {
            assert!(excluded(&ps, no).is_none(), "{no}");
        }
        assert_eq!(clean("./a/../b//c/"), "b/c");
        assert_eq!(clean("."), ".");
    }
}
