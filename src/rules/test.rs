//! The harness rule tests use: run one rule over a text and look at its
//! findings in the compact form `line:col CODE message`.

use crate::fix::{Applicability, apply_fixes};
use crate::lint::{LintSettings, lint_text};
use crate::rules::{Finding, RuleOptions, Selection};

fn settings(rule: &str, options: &RuleOptions) -> LintSettings {
    LintSettings {
        selection: Selection::only(&[rule.to_string()]).expect("known rule"),
        options: options.clone(),
        ..LintSettings::default()
    }
}

/// Lints `text` with only `rule` enabled.
pub fn findings(rule: &str, text: &str) -> Vec<Finding> {
    findings_with(rule, &RuleOptions::default(), text)
}

/// Lints `text` with only `rule` enabled and rule options `options`.
pub fn findings_with(rule: &str, options: &RuleOptions, text: &str) -> Vec<Finding> {
    lint_text("Dockerfile", text, &settings(rule, options)).findings
}

/// `line:col CODE message` for each finding of `rule` in `text`.
pub fn check(rule: &str, text: &str) -> Vec<String> {
    check_with(rule, &RuleOptions::default(), text)
}

/// Like [`check`], with rule options.
pub fn check_with(rule: &str, options: &RuleOptions, text: &str) -> Vec<String> {
    let report = lint_text("Dockerfile", text, &settings(rule, options));
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

/// Asserts that `rule`, with rule options `options`, reports exactly
/// `expected` on `text`.
#[track_caller]
pub fn fires_with(rule: &str, options: &RuleOptions, text: &str, expected: &[&str]) {
    let got = check_with(rule, options, text);
    assert_eq!(got, expected, "findings of {rule} on:\n{text}");
}

/// Asserts that `rule`, with rule options `options`, reports nothing on
/// `text`.
#[track_caller]
pub fn passes_with(rule: &str, options: &RuleOptions, text: &str) {
    let got = check_with(rule, options, text);
    assert!(
        got.is_empty(),
        "{rule} should not fire on:\n{text}\nbut reported:\n{}",
        got.join("\n")
    );
}

/// Rule options with a label schema (`label`, `type`) and strict labels.
pub fn label_schema(schema: &[(&str, &str)], strict: bool) -> RuleOptions {
    RuleOptions {
        label_schema: schema
            .iter()
            .map(|(l, t)| (l.to_string(), t.to_string()))
            .collect(),
        strict_labels: strict,
        ..RuleOptions::default()
    }
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
    fixed_with(rule, &RuleOptions::default(), text, min)
}

/// Like [`fixed`], with rule options.
pub fn fixed_with(rule: &str, options: &RuleOptions, text: &str, min: Applicability) -> String {
    let mut cur = text.to_string();
    for _ in 0..10 {
        let fs = findings_with(rule, options, &cur);
        let out = apply_fixes(&cur, fs.iter().filter_map(|f| f.fix.as_ref()), min);
        if out.text == cur {
            break;
        }
        cur = out.text;
    }
    cur
}
