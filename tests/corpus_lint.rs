//! Linting the real-world corpus: no file is an input error, nothing panics,
//! and the number of findings per rule is a snapshot, so any change in
//! behaviour shows up as a diff of `tests/snapshots/corpus-counts.txt`
//! (rewrite it with `IMGLINT_BLESS=1` and review).

mod support;

use imglint::lint::{LintSettings, lint_source, read_source};
use std::collections::BTreeMap;

#[test]
fn the_corpus_lints_without_errors_and_counts_match_the_snapshot() {
    let Some(files) = support::corpus_files() else {
        return;
    };
    let settings = LintSettings::default();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut total = 0;
    for path in &files {
        let file = match read_source(path, path) {
            Ok(f) => f,
            Err(e) => {
                errors.push(format!("{}: {}", path.display(), e.message));
                continue;
            }
        };
        let report = lint_source(file, &settings);
        for e in &report.errors {
            errors.push(format!("{}:{:?}: {}", path.display(), e.line, e.message));
        }
        for f in &report.findings {
            *counts.entry(f.rule.code).or_default() += 1;
            total += 1;
        }
    }
    assert!(
        errors.is_empty(),
        "input errors on corpus files:\n{}",
        errors.join("\n")
    );
    let mut snapshot = format!(
        "# findings per rule over {} corpus files ({total} in all)\n",
        files.len()
    );
    for (code, n) in &counts {
        snapshot.push_str(&format!("{code}\t{n}\n"));
    }
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/corpus-counts.txt");
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if snapshot != want {
        if std::env::var("IMGLINT_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &snapshot).unwrap();
        } else {
            panic!(
                "per-rule counts changed; run with IMGLINT_BLESS=1 and review the diff\n{snapshot}"
            );
        }
    }
}
