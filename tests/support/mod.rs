//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The shared folder next to the repository, if this clone has it.
pub fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.is_dir().then_some(dir)
}

/// The corpus files (absolute paths, manifest order), or `None` with a
/// message when the corpus is absent.
pub fn corpus_files() -> Option<Vec<PathBuf>> {
    let Some(shared) = shared() else {
        eprintln!("../shared/corpus is not present in this clone: corpus test skipped");
        return None;
    };
    let corpus = shared.join("corpus");
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).ok()?;
    Some(
        manifest
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').next())
            .filter(|f| !f.is_empty())
            .map(|f| corpus.join(f))
            .collect(),
    )
}

/// Whether an external tool is available. When it is not, the test is
/// skipped with a message, unless `IMGLINT_REQUIRE_TOOLS=1` (as CI sets it),
/// in which case the test fails.
pub fn tool_available(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return true;
    }
    if std::env::var("IMGLINT_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("`{name}` is required but not installed; run .ci/setup");
    }
    eprintln!("skipped: `{name}` is not installed (run .ci/setup)");
    false
}
