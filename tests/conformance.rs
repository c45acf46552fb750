//! The parser against BuildKit's own: for every file of the conformance set
//! (BuildKit's parser test files and the real-world corpus), the instruction
//! keywords, line ranges, joined lines, heredocs, escape character and warning
//! count must be exactly what BuildKit's parser produced.

use imglint::source::SourceFile;
use imglint::syntax::{dump, parse};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.join("conformance").is_dir().then_some(dir)
}

fn compare(oracle_file: &str, base: &str) {
    let Some(shared) = shared() else {
        eprintln!("../shared/conformance is not present: conformance test skipped");
        return;
    };
    let oracle = std::fs::read_to_string(shared.join("conformance").join(oracle_file)).unwrap();
    let base = shared.join(base);
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in oracle.lines().filter(|l| !l.trim().is_empty()) {
        let expected: Value = serde_json::from_str(line).unwrap();
        let rel = expected["path"].as_str().unwrap();
        let bytes = std::fs::read(base.join(rel)).unwrap();
        let text = String::from_utf8(bytes).expect("oracle inputs are UTF-8");
        let file = SourceFile::new(rel, text);
        let df = parse(&file.text);
        let got = dump::parse_json(&file, &df);
        checked += 1;
        if let Some(err) = expected.get("error") {
            if got.get("error").is_none() {
                failures.push(format!("{rel}: BuildKit rejects it ({err}), we do not"));
            }
            continue;
        }
        if let Some(err) = got.get("error") {
            failures.push(format!("{rel}: we reject it ({err}), BuildKit does not"));
            continue;
        }
        if let Some(diff) = diff(&expected, &got) {
            failures.push(format!("{rel}: {diff}"));
        }
    }
    assert!(checked > 0, "no conformance inputs read");
    assert!(
        failures.is_empty(),
        "{} of {checked} files disagree with BuildKit:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{checked} files agree with BuildKit");
}

fn diff(expected: &Value, got: &Value) -> Option<String> {
    if expected["escape"] != got["escape"] {
        return Some(format!(
            "escape {} vs {}",
            expected["escape"], got["escape"]
        ));
    }
    if expected["warnings"] != got["warnings"] {
        return Some(format!(
            "warnings {} vs {}",
            expected["warnings"], got["warnings"]
        ));
    }
    let e = expected["instructions"].as_array().unwrap();
    let g = got["instructions"].as_array().unwrap();
    for (i, (a, b)) in e.iter().zip(g).enumerate() {
        let kw_a = a["kw"].as_str().unwrap().to_lowercase();
        let kw_b = b["keyword"].as_str().unwrap().to_lowercase();
        let same = kw_a == kw_b
            && a["start"] == b["start_line"]
            && a["end"] == b["end_line"]
            && a["original"] == b["original"];
        if !same {
            return Some(format!("instruction {i}: expected {a}, got {b}"));
        }
        if a["heredocs"] != b["heredocs"] {
            return Some(format!(
                "instruction {i} heredocs: expected {}, got {}",
                a["heredocs"], b["heredocs"]
            ));
        }
    }
    if e.len() != g.len() {
        return Some(format!(
            "{} instructions expected, {} parsed",
            e.len(),
            g.len()
        ));
    }
    None
}

#[test]
fn agrees_with_buildkit_on_its_test_files() {
    compare("buildkit-testfiles.oracle.jsonl", "conformance");
}

#[test]
fn agrees_with_buildkit_on_the_corpus() {
    compare("corpus.oracle.jsonl", "corpus");
}
