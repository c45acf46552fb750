//! The rule pages under `rules/` are tests: every `bad` example must fire its
//! rule, every `good` and `fixed` example must not, `output` must be the exact
//! compact report of the `bad` example above it, and `fixed` must be that
//! example after the rule's fixes. `IMGLINT_BLESS=1` rewrites `output` and
//! `fixed` blocks from what imglint produces.

use imglint::fix::{Applicability, apply_fixes};
use imglint::lint::{LintSettings, lint_text};
use imglint::rules::{self, FixAvailability, Meta, RuleOptions, Selection, Target};
use std::path::{Path, PathBuf};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn settings(meta: &Meta, options: &RuleOptions) -> LintSettings {
    LintSettings {
        selection: Selection::only(&[meta.code.to_string()]).unwrap(),
        options: options.clone(),
        ..LintSettings::default()
    }
}

/// Rule options from a `toml config` block, read as an `.imglint.toml`.
fn parse_config(at: &str, text: &str) -> RuleOptions {
    let parsed =
        imglint::config::parse_toml(Path::new(at), Path::new("/"), text).unwrap_or_else(|e| {
            panic!(
                "{at}: invalid config block: {}:{}: {}",
                e.line.unwrap_or(0),
                e.column.unwrap_or(0),
                e.message
            )
        });
    imglint::config::resolve(&[&parsed.layer], None)
        .lint
        .options
}

/// Where the examples are linted: `Dockerfile` in the working directory, or
/// in a temporary build context when the page gives a `.dockerignore`.
fn dockerfile_path(context: Option<&tempfile::TempDir>) -> String {
    context.map_or("Dockerfile".to_string(), |d| {
        d.path().join("Dockerfile").display().to_string()
    })
}

fn compact_in(
    meta: &Meta,
    options: &RuleOptions,
    text: &str,
    context: Option<&tempfile::TempDir>,
) -> Vec<String> {
    let report = lint_text(&dockerfile_path(context), text, &settings(meta, options));
    report
        .findings
        .iter()
        .map(|f| {
            let p = report.file.position(f.span.start);
            format!("{}:{} {} {}", p.line, p.char_column, f.rule.code, f.message)
        })
        .collect()
}

fn fix(
    meta: &Meta,
    options: &RuleOptions,
    text: &str,
    context: Option<&tempfile::TempDir>,
) -> String {
    let mut cur = text.to_string();
    for _ in 0..10 {
        let report = lint_text(&dockerfile_path(context), &cur, &settings(meta, options));
        let out = apply_fixes(
            &cur,
            report.findings.iter().filter_map(|f| f.fix.as_ref()),
            Applicability::Unsafe,
        );
        if out.text == cur {
            break;
        }
        cur = out.text;
    }
    cur
}

struct Block {
    role: String,
    /// The `## ` section the block is in.
    section: usize,
    /// Line index of the opening fence.
    open: usize,
    /// Line index of the closing fence.
    close: usize,
    text: String,
}

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut section = 0;
    while i < lines.len() {
        if lines[i].starts_with("## ") {
            section += 1;
        }
        if let Some(info) = lines[i].strip_prefix("```") {
            let info = info.trim();
            let open = i;
            let mut j = i + 1;
            while j < lines.len() && lines[j].trim_end() != "```" {
                j += 1;
            }
            let text: String = lines[open + 1..j.min(lines.len())]
                .iter()
                .map(|l| format!("{l}\n"))
                .collect();
            let role = info.split_whitespace().nth(1).unwrap_or("").to_string();
            out.push(Block {
                role,
                section,
                open,
                close: j,
                text,
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn every_rule_has_a_page_and_every_page_a_rule() {
    let mut missing = Vec::new();
    for r in rules::all() {
        let m = r.meta();
        let path = rules_dir().join(format!("{}.md", m.name));
        if !path.is_file() {
            missing.push(m.name);
        }
        let first = m.doc.lines().next().unwrap_or("");
        assert_eq!(
            first,
            format!("# {} ({})", m.name, m.code),
            "title of rules/{}.md",
            m.name
        );
        for section in ["## What it does", "## Why is this bad?", "## Example"] {
            assert!(
                m.doc.contains(section),
                "rules/{}.md lacks `{section}`",
                m.name
            );
        }
    }
    assert!(missing.is_empty(), "rules without a page: {missing:?}");
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "md")
            && p.file_name().is_some_and(|n| n != "README.md")
        {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            assert!(
                rules::all().iter().any(|r| r.meta().name == stem),
                "rules/{stem}.md belongs to no rule"
            );
        }
    }
}

#[test]
fn messages_follow_the_conventions() {
    for r in rules::all() {
        let m = r.meta();
        assert!(
            m.summary
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c == '`'),
            "{}: summary starts with a capital",
            m.code
        );
        assert!(
            !m.summary.ends_with('.'),
            "{}: summary ends without a period",
            m.code
        );
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: kebab-case name",
            m.code
        );
        assert!(
            !m.name.starts_with("no-")
                && !m.name.starts_with("avoid-")
                && !m.name.starts_with("prefer-")
        );
    }
}

#[test]
fn page_examples_behave_as_written() {
    let bless = std::env::var("IMGLINT_BLESS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for r in rules::all() {
        let m = r.meta();
        if m.target != Target::Dockerfile {
            continue;
        }
        let path = rules_dir().join(format!("{}.md", m.name));
        let Ok(page) = std::fs::read_to_string(&path) else {
            continue;
        };
        let lines: Vec<&str> = page.lines().collect();
        let blocks = blocks(&lines);
        let mut replacements: Vec<(usize, usize, String)> = Vec::new();
        let mut last_bad: Option<String> = None;
        let (mut has_bad, mut has_good, mut has_fixed) = (false, false, false);
        // `toml config` sets the options of the blocks after it in its section
        let mut config: Option<(usize, RuleOptions)> = None;
        // a `text .dockerignore` block: the examples after it are linted in
        // a build context holding that file
        let mut context: Option<tempfile::TempDir> = None;
        for b in &blocks {
            let at = format!("rules/{}.md:{}", m.name, b.open + 1);
            let options = match &config {
                Some((section, o)) if *section == b.section => o.clone(),
                _ => RuleOptions::default(),
            };
            match b.role.as_str() {
                "config" => config = Some((b.section, parse_config(&at, &b.text))),
                ".dockerignore" => {
                    let dir = tempfile::tempdir().unwrap();
                    std::fs::write(dir.path().join(".dockerignore"), &b.text).unwrap();
                    context = Some(dir);
                }
                "bad" => {
                    has_bad = true;
                    let found = compact_in(m, &options, &b.text, context.as_ref());
                    if found.is_empty() {
                        failures.push(format!("{at}: the bad example does not fire {}", m.code));
                    }
                    for line in &found {
                        let msg = line.splitn(3, ' ').nth(2).unwrap_or("");
                        if msg.ends_with('.')
                            || msg.chars().next().is_some_and(|c| c.is_uppercase())
                            || msg.chars().count() > 90
                        {
                            failures.push(format!("{at}: message breaks the conventions: {msg}"));
                        }
                    }
                    last_bad = Some(b.text.clone());
                }
                "good" => {
                    has_good = true;
                    let found = compact_in(m, &options, &b.text, context.as_ref());
                    if !found.is_empty() {
                        failures.push(format!("{at}: the good example fires: {found:?}"));
                    }
                }
                "output" => {
                    let Some(bad) = &last_bad else {
                        failures.push(format!("{at}: output without a bad example"));
                        continue;
                    };
                    let want: String = compact_in(m, &options, bad, context.as_ref())
                        .iter()
                        .map(|l| format!("{l}\n"))
                        .collect();
                    if want != b.text {
                        if bless {
                            replacements.push((b.open, b.close, want));
                        } else {
                            failures.push(format!(
                                "{at}: output differs:\nexpected:\n{want}page:\n{}",
                                b.text
                            ));
                        }
                    }
                }
                "fixed" => {
                    has_fixed = true;
                    let Some(bad) = &last_bad else {
                        failures.push(format!("{at}: fixed without a bad example"));
                        continue;
                    };
                    let want = fix(m, &options, bad, context.as_ref());
                    if want != b.text {
                        if bless {
                            replacements.push((b.open, b.close, want.clone()));
                        } else {
                            failures.push(format!(
                                "{at}: fixed differs:\nexpected:\n{want}page:\n{}",
                                b.text
                            ));
                        }
                    }
                    if want == *bad {
                        failures.push(format!("{at}: the fix changes nothing"));
                    }
                    let left = compact_in(m, &options, &want, context.as_ref());
                    if !left.is_empty() {
                        failures.push(format!("{at}: the fixed example still fires: {left:?}"));
                    }
                }
                _ => {}
            }
        }
        if !has_bad {
            failures.push(format!("rules/{}.md: no bad example", m.name));
        }
        if !has_good && !has_fixed {
            failures.push(format!("rules/{}.md: no good or fixed example", m.name));
        }
        if m.fix != FixAvailability::None && !has_fixed {
            failures.push(format!(
                "rules/{}.md: the rule can fix but the page has no fixed example",
                m.name
            ));
        }
        if bless && !replacements.is_empty() {
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            for (open, close, text) in replacements.into_iter().rev() {
                let new: Vec<String> = text.lines().map(str::to_string).collect();
                out.splice(open + 1..close, new);
            }
            std::fs::write(&path, out.join("\n") + "\n").unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `rules/README.md` lists every rule; `IMGLINT_BLESS=1` rewrites it.
#[test]
fn the_rule_index_lists_every_rule() {
    let mut out = String::from(
        "# Rules\n\nEvery rule imglint has, in the order `imglint rules` lists them. Each page says\nwhat the rule checks, why it matters, and shows examples that the test suite\nruns. Rules marked *off* run only when selected (`--select`, configuration).\n\n",
    );
    let sections = [
        (Target::Dockerfile, "## Dockerfile rules\n\n"),
        (Target::Image, "## Image checks (`imglint image`)\n\n"),
    ];
    for (target, title) in sections {
        out.push_str(title);
        out.push_str("| Code | Name | Severity | Category | Fix | Also known as |\n|---|---|---|---|---|---|\n");
        for r in rules::all().iter().filter(|r| r.meta().target == target) {
            let m = r.meta();
            let fix = match m.fix {
                FixAvailability::None => "",
                FixAvailability::Sometimes => "sometimes",
                FixAvailability::Always => "yes",
            };
            let severity = if m.default_enabled {
                m.severity.to_string()
            } else {
                format!("{} (*off*)", m.severity)
            };
            let aliases: Vec<String> = m.aliases.iter().map(|a| format!("`{a}`")).collect();
            out.push_str(&format!(
                "| {} | [{}]({}.md) | {} | {} | {} | {} |\n",
                m.code,
                m.name,
                m.name,
                severity,
                m.category,
                fix,
                aliases.join(", ")
            ));
        }
        out.push('\n');
    }
    let path = rules_dir().join("README.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != out {
        if std::env::var("IMGLINT_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &out).unwrap();
        } else {
            panic!("rules/README.md is out of date; run with IMGLINT_BLESS=1");
        }
    }
}
