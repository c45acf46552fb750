//! The harness rule tests use: run one rule over a text and look at its
//! findings in the compact form `line:col CODE message`.

use crate::fix::{Applicability, apply_fixes};
use crate::lint::{LintSettings, lint_text};
use crate::rules::{Finding, Selection};

/// Lints `text` with only `rule` enabled.
pub fn findings(rule: &str, text: &str) -> Vec<Finding> {
    let settings = LintSettings {
        selection: Selection::only(&[rule.to_string()]).expect("known rule"),
        ..LintSettings::default()
    };
    lint_text("Dockerfile", text, &settings).findings
}

/// `line:col CODE message` for each finding of `rule` in `text`.
pub fn check(rule: &str, text: &str) -> Vec<String> {
    let report = {
        let settings = LintSettings {
            selection: Selection::only(&[rule.to_string()]).expect("known rule"),
            ..LintSettings::default()
        };
        lint_text("Dockerfile", text, &settings)
    };
    report
        .findings
        .iter()
        .map(|f| {
            let p = report.file.position(f.span.start);
            format!("{}:{} {} {}", p.line, p.char_column, f.rule.code, f.message)
        })
        .collect()
}

/// Asserts that `rule` reports exactly `expected` on `text`.
#[track_caller]
pub fn fires(rule: &str, text: &str, expected: &[&str]) {
    let got = check(rule, text);
    assert_eq!(got, expected, "findings of {rule} on:\n{text}");
}

/// Asserts that `rule` reports nothing on `text`.
#[track_caller]
pub fn passes(rule: &str, text: &str) {
    let got = check(rule, text);
    assert!(
        got.is_empty(),
        "{rule} should not fire on:\n{text}\nbut reported:\n{}",
        got.join("\n")
    );
}

/// The text of the finding's span, for checking precise locations.
pub fn spans(rule: &str, text: &str) -> Vec<String> {
    findings(rule, text)
        .iter()
        .map(|f| f.span.text(text).to_string())
        .collect()
}

/// `text` after applying the rule's fixes at or above `min`, repeated
/// until nothing changes.
pub fn fixed(rule: &str, text: &str, min: Applicability) -> String {
    let mut cur = text.to_string();
    for _ in 0..10 {
        let fs = findings(rule, &cur);
        let out = apply_fixes(&cur, fs.iter().filter_map(|f| f.fix.as_ref()), min);
        if out.text == cur {
            break;
        }
        cur = out.text;
    }
    cur
}
