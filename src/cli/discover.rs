//! Finding Dockerfiles in directories, honouring `.gitignore`.

use std::path::{Path, PathBuf};

/// Whether a file name is a Dockerfile's: `Dockerfile` or `Containerfile`
/// in any case, alone or joined to another word by `.`, `-` or `_`
/// (`Dockerfile.dev`, `Dockerfile-prod`, `api.Dockerfile`), except names
/// that end in the extension of another kind of file (`Dockerfile.sh`).
pub fn is_dockerfile_name(name: &str) -> bool {
    const SKIP: &[&str] = &[
        ".dockerignore",
        ".go",
        ".py",
        ".rs",
        ".js",
        ".ts",
        ".java",
        ".rb",
        ".md",
        ".txt",
        ".orig",
        ".rej",
        ".swp",
        ".bak",
        ".j2",
        ".tpl",
        ".tmpl",
        ".template",
        ".erb",
        ".in",
        ".sh",
        ".json",
        ".yml",
        ".yaml",
    ];
    if SKIP.iter().any(|s| name.ends_with(s)) || name.ends_with('~') {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let separator = |c: Option<char>| matches!(c, Some('.' | '-' | '_'));
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || (lower.starts_with(base) && separator(lower[base.len()..].chars().next()))
            || (lower.ends_with(base)
                && lower.len() > base.len() + 1
                && separator(lower[..lower.len() - base.len()].chars().next_back()))
    })
}

/// The Dockerfiles under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<Result<PathBuf, String>> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_some_and(|t| t.is_file())
                    && e.file_name().to_str().is_some_and(is_dockerfile_name)
                {
                    out.push(Ok(e.into_path()));
                }
            }
            Err(err) => out.push(Err(err.to_string())),
        }
    }
    out.sort_by(|a, b| match (a, b) {
        (Ok(x), Ok(y)) => x.cmp(y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(x), Err(y)) => x.cmp(y),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "app.dockerfile",
            "Containerfile",
            "Containerfile.alpine",
            "x.containerfile",
            "Dockerfile-prod",
            "Dockerfile_alpine",
            "prod-Dockerfile",
            "backend__Dockerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "README.md",
            "docker-compose.yml",
            "Makefile",
            "Dockerfile~",
            "Dockerfile.j2",
            "dockerfile.go",
            "Dockerfiles",
            "mydockerfile",
            "dockerfile-lint.sh",
            ".dockerfile",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
