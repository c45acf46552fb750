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
