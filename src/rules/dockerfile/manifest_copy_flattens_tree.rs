use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::deps;
use crate::syntax::{Args, Instruction, Kind};

/// IL3102
pub struct ManifestCopyFlattensTree;

const META: Meta = Meta {
    code: "IL3102",
    name: "manifest-copy-flattens-tree",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A glob copies manifests from several directories into one",
    doc: include_str!("../../../rules/manifest-copy-flattens-tree.md"),
    target: Target::Dockerfile,
};

/// Whether a source glob matches manifests in several directories: a
/// wildcard in a directory part (`*/package.json`, `**/*.csproj`) and a
/// manifest as the file name.
fn flattens(source: &str) -> bool {
    let Some((dirs, name)) = source.trim_end_matches('/').rsplit_once('/') else {
        return false;
    };
    // the file name must say which manifest (`*` alone copies everything)
    let literal = name.chars().filter(|c| !matches!(c, '*' | '?')).count();
    dirs.contains(['*', '?', '['])
        && literal >= 4
        && !name.contains('[')
        && !deps::manifest_ecosystems(name).is_empty()
}

/// Whether the file's syntax directive allows `COPY --parents` (Dockerfile
/// frontend 1.20 and later, or the labs channel); no directive means the
/// fix adds one.
fn syntax_allows_parents(value: &str) -> bool {
    let image = value.trim();
    let Some((repo, tag)) = image.rsplit_once(':') else {
        return image.ends_with("docker/dockerfile");
    };
    if !repo.ends_with("docker/dockerfile") && !repo.ends_with("docker/dockerfile-upstream") {
        return false;
    }
    let tag = tag.split('@').next().unwrap_or(tag);
    if tag.contains("labs") || matches!(tag, "1" | "latest" | "master") {
        return true;
    }
    let mut parts = tag.split('.');
    matches!(
        (parts.next(), parts.next().and_then(|m| m.parse::<u32>().ok())),
        (Some("1"), Some(minor)) if minor >= 20
    )
}

impl Rule for ManifestCopyFlattensTree {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Copy, Kind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if ins.flag("parents").is_some() {
            return;
        }
        let Args::Paths(p) = &ins.args else { return };
        let Some((dest, sources)) = p.words.split_last() else {
            return;
        };
        let index = cx.instruction_index().unwrap_or(0);
        let hits: Vec<_> = sources
            .iter()
            .filter(|s| flattens(&cx.expand_at(index, &s.text)))
            .collect();
        let Some(first) = hits.first() else { return };
        let fix = parents_fix(cx, ins, &dest.text);
        cx
            .report(
                first.span,
                format!(
                    "`{}` matches files in several directories and copies them into one",
                    first.text
                ),
            )
            .help("add `--parents` to keep each file in its directory, or copy each project's manifest with its own `COPY`")
            .maybe_fix(fix)
            .label_each(hits.iter().skip(1).map(|s| s.span), "this glob flattens too");
    }
}

/// `COPY --parents …`, with a syntax directive that enables it, when the
/// destination is the working directory (so the tree lands where the
/// sources expect it).
fn parents_fix(cx: &Context<'_>, ins: &Instruction, dest: &str) -> Option<Fix> {
    if !matches!(dest, "." | "./") {
        return None;
    }
    let mut edits = vec![Edit::insert(ins.keyword.span.end, " --parents")];
    match cx.dockerfile().directive("syntax") {
        Some(d) if syntax_allows_parents(&d.value) => {}
        Some(_) => return None,
        None => {
            let at = if cx.dockerfile().bom { 3 } else { 0 };
            let eol = if cx.text().contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            edits.push(Edit::insert(
                at,
                format!("# syntax=docker/dockerfile:1{eol}"),
            ));
        }
    }
    Some(Fix::unsafe_("copy with `--parents`", edits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_directory_globs_of_manifests() {
        fires(
            "IL3102",
            "FROM node:22\nWORKDIR /app\nCOPY package.json packages/*/package.json ./\nRUN npm ci\n",
            &[
                "3:19 IL3102 `packages/*/package.json` matches files in several directories and copies them into one",
            ],
        );
        fires(
            "IL3102",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY **/*.csproj ./\nRUN dotnet restore\n",
            &[
                "2:6 IL3102 `**/*.csproj` matches files in several directories and copies them into one",
            ],
        );
    }

    #[test]
    fn passes_on_single_directory_globs_and_parents() {
        for copy in [
            "COPY *.csproj ./",
            "COPY package*.json ./",
            "COPY src/*.go ./src/",
            "COPY --parents packages/*/package.json ./",
            "COPY api/package.json api/",
            "COPY --from=cc /lib/*-linux-gnu/* /usr/local/lib/",
        ] {
            passes("IL3102", &format!("FROM node:22\n{copy}\n"));
        }
    }

    #[test]
    fn reports_once_per_instruction() {
        let f = findings(
            "IL3102",
            "FROM rust:1\nCOPY crates/*/Cargo.toml \\\n  # members\n  tools/*/Cargo.toml ./\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].labels.len(), 1);
    }

    #[test]
    fn fires_in_onbuild() {
        fires(
            "IL3102",
            "FROM node:22\nONBUILD COPY */package.json ./\n",
            &[
                "2:14 IL3102 `*/package.json` matches files in several directories and copies them into one",
            ],
        );
    }

    #[test]
    fn fix_adds_parents_and_the_syntax_directive() {
        assert_eq!(
            fixed(
                "IL3102",
                "FROM node:22\nCOPY packages/*/package.json ./\n",
                Applicability::Unsafe
            ),
            "# syntax=docker/dockerfile:1\nFROM node:22\nCOPY --parents packages/*/package.json ./\n"
        );
        assert_eq!(
            fixed(
                "IL3102",
                "# syntax=docker/dockerfile:1.7-labs\nFROM node:22\nCOPY packages/*/package.json ./\n",
                Applicability::Unsafe
            ),
            "# syntax=docker/dockerfile:1.7-labs\nFROM node:22\nCOPY --parents packages/*/package.json ./\n"
        );
        // an older pinned frontend has no `--parents`
        let old = "# syntax=docker/dockerfile:1.4\nFROM node:22\nCOPY packages/*/package.json ./\n";
        assert_eq!(fixed("IL3102", old, Applicability::Unsafe), old);
        // another destination would nest the tree differently
        let other = "FROM node:22\nCOPY packages/*/package.json ./packages/\n";
        assert_eq!(fixed("IL3102", other, Applicability::Unsafe), other);
    }

    #[test]
    fn syntax_versions() {
        assert!(syntax_allows_parents("docker/dockerfile:1"));
        assert!(syntax_allows_parents("docker/dockerfile:1.20"));
        assert!(syntax_allows_parents("docker.io/docker/dockerfile:1-labs"));
        assert!(!syntax_allows_parents("docker/dockerfile:1.9"));
        assert!(!syntax_allows_parents("example/frontend:1"));
    }
}
