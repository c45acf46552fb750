//! imglint against hadolint 2.15.1 on the corpus: for every hadolint rule
//! imglint implements, the number of findings per file is compared with
//! hadolint's own (`../shared/research/hadolint-corpus.json`). Each
//! difference must be fixed or explained in `tests/hadolint/differences.tsv`
//! (a hadolint defect, see `tests/hadolint/README.md`). The goal for every
//! code: at least 95% of hadolint's findings are also imglint's, and at least
//! 95% of imglint's are hadolint's, counting explained differences.
//!
//! `IMGLINT_HADOLINT_REPORT=1` prints every unexplained difference.

mod support;

use imglint::lint::{LintSettings, lint_source, read_source};
use imglint::rules;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Rules hadolint runs at its "ignore" level unless configured.
const HADOLINT_OFF: [&str; 2] = ["DL1001", "DL3057"];

/// `(code, file, side)` -> number of findings explained.
type Explained = BTreeMap<(String, String, String), usize>;

fn explained() -> Explained {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hadolint/differences.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let reasons = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hadolint/README.md"),
    )
    .unwrap_or_default();
    let mut out = Explained::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 5,
            "differences.tsv:{}: expected code, file, side, count, reason",
            n + 1
        );
        assert!(
            matches!(cols[2], "hadolint" | "imglint"),
            "differences.tsv:{}: side is hadolint or imglint",
            n + 1
        );
        assert!(
            reasons.contains(&format!("`{}`", cols[4])),
            "differences.tsv:{}: reason `{}` is not described in tests/hadolint/README.md",
            n + 1,
            cols[4]
        );
        let count: usize = cols[3].parse().unwrap_or(1);
        *out.entry((
            cols[0].to_string(),
            cols[1].to_string(),
            cols[2].to_string(),
        ))
        .or_default() += count;
    }
    out
}

#[test]
fn imglint_agrees_with_hadolint_or_explains_why_not() {
    let Some(shared) = support::shared() else {
        eprintln!("../shared is not present: hadolint comparison skipped");
        return;
    };
    let hadolint: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("research/hadolint-corpus.json")).unwrap(),
    )
    .unwrap();
    let ours_codes: BTreeSet<&str> = rules::all()
        .iter()
        .map(|r| r.meta().code)
        .filter(|c| c.starts_with("DL"))
        .collect();
    // hadolint's settings: every rule on, no configuration; the rules
    // hadolint ignores by default report nothing in its results
    let mut settings = LintSettings::default();
    let codes: Vec<String> = ours_codes
        .iter()
        .filter(|c| !HADOLINT_OFF.contains(c))
        .map(|c| c.to_string())
        .collect();
    settings.selection.enable(&codes).unwrap();
    let corpus = shared.join("corpus");
    let explained = explained();
    // code -> file -> (hadolint, imglint)
    let mut counts: BTreeMap<&str, BTreeMap<String, (usize, usize)>> = BTreeMap::new();
    let obj = hadolint.as_object().unwrap();
    for (file, findings) in obj {
        for f in findings.as_array().unwrap() {
            let code = f["code"].as_str().unwrap();
            if let Some(c) = ours_codes.get(code) {
                counts
                    .entry(c)
                    .or_default()
                    .entry(file.clone())
                    .or_default()
                    .0 += 1;
            }
        }
        let path = corpus.join(file);
        let source = read_source(&path, Path::new(file)).unwrap();
        for f in lint_source(source, &settings).findings {
            if let Some(c) = ours_codes.get(f.rule.code) {
                counts
                    .entry(c)
                    .or_default()
                    .entry(file.clone())
                    .or_default()
                    .1 += 1;
            }
        }
    }
    let report = std::env::var("IMGLINT_HADOLINT_REPORT").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut table =
        String::from("code     hadolint  imglint  common  explained  recall  precision\n");
    for code in &ours_codes {
        let files = counts.get(code).cloned().unwrap_or_default();
        let (mut h_total, mut i_total, mut common, mut exp_h, mut exp_i) = (0, 0, 0, 0, 0);
        for (file, (h, i)) in &files {
            h_total += h;
            i_total += i;
            common += h.min(i);
            let extra_h = h.saturating_sub(*i);
            let extra_i = i.saturating_sub(*h);
            let eh = explained
                .get(&(code.to_string(), file.clone(), "hadolint".into()))
                .copied()
                .unwrap_or(0)
                .min(extra_h);
            let ei = explained
                .get(&(code.to_string(), file.clone(), "imglint".into()))
                .copied()
                .unwrap_or(0)
                .min(extra_i);
            exp_h += eh;
            exp_i += ei;
            if report && (extra_h > eh || extra_i > ei) {
                eprintln!("{code}\t{file}\thadolint {h}\timglint {i}");
            }
        }
        let recall = if h_total == 0 {
            1.0
        } else {
            (common + exp_h) as f64 / h_total as f64
        };
        let precision = if i_total == 0 {
            1.0
        } else {
            (common + exp_i) as f64 / i_total as f64
        };
        table.push_str(&format!(
            "{code:<8} {h_total:>8} {i_total:>8} {common:>7} {:>10} {recall:>7.3} {precision:>10.3}\n",
            exp_h + exp_i
        ));
        if recall < 0.95 || precision < 0.95 {
            failures.push(format!(
                "{code}: recall {recall:.3}, precision {precision:.3}"
            ));
        }
    }
    eprintln!("{table}");
    assert!(
        failures.is_empty(),
        "below 95% agreement:\n{}\n{table}",
        failures.join("\n")
    );
}

#[test]
fn files_hadolint_cannot_parse_are_linted_fully() {
    let Some(shared) = support::shared() else {
        return;
    };
    let hadolint: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("research/hadolint-corpus.json")).unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for (file, findings) in hadolint.as_object().unwrap() {
        if !findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "DL1000")
        {
            continue;
        }
        let path = shared.join("corpus").join(file);
        let report = lint_source(
            read_source(&path, Path::new(file)).unwrap(),
            &LintSettings::default(),
        );
        assert!(report.errors.is_empty(), "{file}: {:?}", report.errors);
        checked += 1;
    }
    assert_eq!(checked, 48, "the corpus has 48 files hadolint cannot parse");
}
