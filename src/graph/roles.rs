//! What stages are for: the one that becomes the image, the leaves a build
//! may target instead, and the targets meant for development, tests or CI,
//! which runtime hygiene rules leave alone.

use super::{Build, EdgeTarget, Stage};
use std::path::Path;

/// Words that mark a development, test or CI target in a stage name or a
/// Dockerfile's path.
const DEV_WORDS: &[&str] = &[
    "dev",
    "devel",
    "development",
    "debug",
    "test",
    "tests",
    "testing",
    "ci",
    "e2e",
    "lint",
    "devcontainer",
    "tilt",
];

/// Whether `text` holds one of the development words, as a word of its own
/// (`dev`, `Dockerfile.test`, `e2e-runner`, but not `device`).
fn has_dev_word(text: &str) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| DEV_WORDS.contains(&w))
}

/// Whether a stage name marks a development, test or CI target.
pub fn is_dev_name(name: &str) -> bool {
    has_dev_word(name)
}

/// Whether a Dockerfile's path marks it as one for development, tests or
/// CI: its file name (`Dockerfile.dev`, `test.Dockerfile`) or the two
/// directories holding it (`e2e/Dockerfile`, `test/container/Dockerfile`,
/// `.devcontainer/Dockerfile`). A file name with `__` is a flattened
/// repository path (`docker__dev__Dockerfile`), whose last three parts
/// count.
pub fn is_dev_path(path: &Path) -> bool {
    let mut parts: Vec<String> = Vec::new();
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    if file.contains("__") {
        let pieces: Vec<&str> = file.split("__").collect();
        parts.extend(pieces.iter().rev().take(3).map(|s| s.to_string()));
    } else {
        parts.push(file);
        let dirs = path
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .filter_map(|c| match c {
                std::path::Component::Normal(n) => Some(n.to_string_lossy().to_string()),
                _ => None,
            })
            .collect::<Vec<_>>();
        parts.extend(
            dirs.iter()
                .rev()
                .take(2)
                .filter(|d| !d.contains("__"))
                .cloned(),
        );
    }
    parts.iter().any(|p| has_dev_word(p))
}

/// Whether stage `stage` is a development, test or CI target, by its name
/// or the Dockerfile's path.
pub fn is_dev_target(path: &Path, stage: &Stage) -> bool {
    stage.name.as_deref().is_some_and(is_dev_name) || is_dev_path(path)
}

impl Build {
    /// The stages of the target's `FROM` chain, the external base's stage
    /// first and the target last.
    pub fn target_chain(&self) -> Vec<usize> {
        match self.target {
            Some(t) => {
                let mut c = self.chain(t);
                c.reverse();
                c
            }
            None => Vec::new(),
        }
    }

    /// The stages nothing depends on: no `FROM <stage>`, `COPY --from` or
    /// `RUN --mount=from=` names them. The target is one; the others are
    /// alternative targets.
    pub fn leaves(&self) -> Vec<usize> {
        (0..self.stages.len())
            .filter(|&i| {
                !self
                    .edges
                    .iter()
                    .any(|e| e.target == EdgeTarget::Stage(i) && e.stage != i)
            })
            .collect()
    }

    /// The instructions of stage `i` and its `FROM` parents, in the order
    /// they run (the first parent's first).
    pub fn chain_instructions(&self, i: usize) -> Vec<usize> {
        let mut chain = self.chain(i);
        chain.reverse();
        chain
            .into_iter()
            .filter_map(|s| self.stages.get(s))
            .flat_map(Stage::instructions)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;
    use crate::syntax::parse;

    #[test]
    fn dev_names_and_paths() {
        for n in [
            "dev",
            "test",
            "e2e-runner",
            "build-debug",
            "ci",
            "devcontainer",
        ] {
            assert!(is_dev_name(n), "{n}");
        }
        for n in ["device", "prod", "runtime", "latest", "contest"] {
            assert!(!is_dev_name(n), "{n}");
        }
        for p in [
            "Dockerfile.dev",
            "docker/test/Dockerfile",
            ".devcontainer/Dockerfile",
            "files/acme__app/e2e__Dockerfile",
            "dev.Dockerfile",
            "test/container/Dockerfile",
            "files/acme__app/test__container__Dockerfile",
        ] {
            assert!(is_dev_path(Path::new(p)), "{p}");
        }
        for p in [
            "Dockerfile",
            "services/api/Dockerfile",
            "files/acme__test-app/Dockerfile",
            "files/acme__app/docker__Dockerfile",
        ] {
            assert!(!is_dev_path(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn leaves_and_chains() {
        let df = parse(
            "FROM golang:1.22 AS build\nRUN go build\nFROM build AS test\nRUN go test\nFROM scratch\nCOPY --from=build /app /app\n",
        );
        let b = Build::new(&df, &BuildOptions::default());
        assert_eq!(b.leaves(), vec![1, 2]);
        assert_eq!(b.target_chain(), vec![2]);
        assert_eq!(b.chain_instructions(1), vec![0, 1, 2, 3]);
    }
}
