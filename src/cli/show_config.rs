//! `imglint config [PATH...]`: the settings each file is linted with, and
//! the configuration file and environment variables they come from.

use super::args::ConfigArgs;
use super::lint::{Input, collect_inputs};
use super::settings::{Resolved, Resolver};
use super::{ExitStatus, eprint_error, out};
use crate::config::{ConfigFile, FileSettings, RunSettings};
use crate::report::{self, Format};
use crate::rules::{Selection, all};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Text => "text",
        Format::Compact => "compact",
        Format::Json => "json",
        Format::Sarif => "sarif",
        Format::Github => "github",
    }
}

fn config_json(c: &ConfigFile) -> Value {
    let extends: Vec<String> = c
        .layers
        .iter()
        .rev()
        .skip(1)
        .map(|l| l.origin.to_string())
        .collect();
    json!({
        "path": c.display.to_string_lossy().replace('\\', "/"),
        "kind": c.kind.as_str(),
        "extends": extends,
    })
}

fn settings_json(path: Option<&str>, r: &Resolved, s: &FileSettings) -> Value {
    let config = match r.config.as_deref() {
        Some(Ok(c)) => config_json(c),
        _ => Value::Null,
    };
    let defaults = Selection::default();
    let sel = &s.lint.selection;
    let mut enabled = Vec::new();
    let mut changed = Vec::new();
    for (i, rule) in all().iter().enumerate() {
        let m = rule.meta();
        let on = sel.is_enabled(i);
        if on {
            enabled.push(json!({
                "code": m.code,
                "name": m.name,
                "severity": sel.severity(i).as_str(),
            }));
        }
        if on != defaults.is_enabled(i) || (on && sel.severity(i) != defaults.severity(i)) {
            changed.push(json!({
                "code": m.code,
                "name": m.name,
                "enabled": on,
                "severity": sel.severity(i).as_str(),
                "default_enabled": defaults.is_enabled(i),
                "default_severity": defaults.severity(i).as_str(),
            }));
        }
    }
    let labels: Map<String, Value> = s
        .lint
        .options
        .label_schema
        .iter()
        .map(|(l, t)| (l.clone(), Value::String(t.clone())))
        .collect();
    let build_args: Map<String, Value> = s
        .lint
        .build
        .build_args
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    json!({
        "file": path,
        "config": config,
        "failure-threshold": s.failure_threshold.as_str(),
        "no-fail": s.no_fail,
        "disable-ignore-pragma": s.lint.disable_pragmas,
        "trusted-registries": s.lint.options.trusted_registries,
        "label-schema": labels,
        "strict-labels": s.lint.options.strict_labels,
        "per-file-ignores": s.per_file_ignores,
        "rule-options": s.lint.options.per_rule,
        "build-args": build_args,
        "target": s.lint.build.target,
        "platform": s.lint.build.target_platform,
        "rules": { "enabled": enabled, "changed": changed },
    })
}

fn render_text(run: &RunSettings, env: &[&str], files: &[Value]) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "format: {}\ncolor: {}\nenvironment: {}\n",
        format_name(run.format.unwrap_or(Format::Text)),
        if run.no_color { "never" } else { "auto" },
        if env.is_empty() {
            "no HADOLINT_* variables".to_string()
        } else {
            env.join(", ")
        }
    ));
    for f in files {
        let v = |k: &str| f.get(k).cloned().unwrap_or(Value::Null);
        s.push('\n');
        match v("file") {
            Value::String(p) => s.push_str(&format!("{p}\n")),
            _ => s.push_str("(the working directory)\n"),
        }
        match v("config") {
            Value::Object(c) => {
                let kind = c.get("kind").and_then(Value::as_str).unwrap_or("");
                let path = c.get("path").and_then(Value::as_str).unwrap_or("");
                s.push_str(&format!("  configuration: {path} ({kind})\n"));
                if let Some(ext) = c.get("extends").and_then(Value::as_array) {
                    for e in ext {
                        s.push_str(&format!("    extends {}\n", e.as_str().unwrap_or("")));
                    }
                }
            }
            _ => s.push_str("  configuration: none\n"),
        }
        for key in [
            "failure-threshold",
            "no-fail",
            "disable-ignore-pragma",
            "trusted-registries",
            "label-schema",
            "strict-labels",
            "per-file-ignores",
            "build-args",
            "target",
            "platform",
        ] {
            let value = v(key);
            let empty = match &value {
                Value::Null => true,
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            };
            if !empty || matches!(key, "failure-threshold" | "no-fail") {
                let shown = match &value {
                    Value::String(x) => x.clone(),
                    other => other.to_string(),
                };
                s.push_str(&format!("  {key}: {shown}\n"));
            }
        }
        let rules = v("rules");
        let enabled = rules
            .get("enabled")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        s.push_str(&format!("  rules: {enabled} of {} enabled\n", all().len()));
        for c in rules
            .get("changed")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let get = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            let on = c.get("enabled").and_then(Value::as_bool).unwrap_or(false);
            let was_on = c
                .get("default_enabled")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let what = match (on, was_on) {
                (false, _) => "off".to_string(),
                (true, false) => format!("on ({}), off by default", get("severity")),
                (true, true) => format!(
                    "{} (by default {})",
                    get("severity"),
                    get("default_severity")
                ),
            };
            s.push_str(&format!("    {} {}: {what}\n", get("code"), get("name")));
        }
        if let Some(Value::Object(opts)) = f.get("rule-options")
            && !opts.is_empty()
        {
            for (rule, o) in opts {
                s.push_str(&format!("  [rules.{rule}]: {o}\n"));
            }
        }
    }
    s
}

pub fn run(args: &ConfigArgs) -> ExitStatus {
    let lint = &args.lint;
    let mut resolver = match Resolver::new(lint) {
        Ok(r) => r,
        Err(e) => {
            eprint_error(&e);
            return ExitStatus::Error;
        }
    };
    let (run, run_error) = resolver.run_settings();
    let mut errors = Vec::new();
    if let Some(e) = run_error {
        errors.push(e);
    }
    // the files to show: as the lint would find them, or none for the
    // working directory
    let targets: Vec<Option<PathBuf>> = if lint.paths.is_empty() {
        vec![None]
    } else {
        collect_inputs(lint, &mut errors)
            .into_iter()
            .map(|i| match i {
                Input::File { path } => Some(path),
                Input::Stdin { .. } => lint.stdin_filename.clone(),
            })
            .collect()
    };
    let mut files = Vec::new();
    for t in targets {
        let shown = t.as_ref().map(|p| {
            p.strip_prefix("./")
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        });
        match resolver.for_path(t.as_deref()) {
            Ok(r) => files.push(settings_json(shown.as_deref(), &r, &r.settings)),
            Err(e) => {
                if !errors.contains(&e) {
                    errors.push(e);
                }
            }
        }
    }
    if args.json {
        let v = json!({
            "version": 1,
            "format": format_name(run.format.unwrap_or(Format::Text)),
            "no-color": run.no_color,
            "environment": resolver.environment.used,
            "files": files,
        });
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        out(&render_text(&run, &resolver.environment.used, &files));
    }
    for e in &errors {
        eprint_error(&report::error_line(e));
        if let Some(h) = &e.help {
            eprintln!("  help: {h}");
        }
    }
    if errors.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Error
    }
}
