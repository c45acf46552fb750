//! `imglint rules`, `imglint rule`, `imglint debug`.

use super::args::{DebugArgs, DebugCommand, DebugFiles, ListFormat, RuleArgs, RulesArgs};
use super::{ExitStatus, eprint_error, out, parse_build_args};
use crate::graph::{Base, BuildOptions, EdgeKind, EdgeTarget};
use crate::lint::{Analysis, read_source};
use crate::rules::{self, Meta};
use crate::shell;
use crate::source::SourceFile;
use crate::syntax::dump;
use serde_json::{Value, json};

fn meta_json(m: &Meta) -> Value {
    json!({
        "code": m.code,
        "name": m.name,
        "aliases": m.aliases,
        "severity": m.severity.as_str(),
        "category": m.category.as_str(),
        "default_enabled": m.default_enabled,
        "fix": m.fix,
        "target": m.target,
        "summary": m.summary,
    })
}

pub fn rules(args: &RulesArgs) -> ExitStatus {
    let all = rules::all();
    match args.format {
        ListFormat::Json => {
            let v: Vec<Value> = all.iter().map(|r| meta_json(r.meta())).collect();
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ListFormat::Text => {
            outln!(
                "{:<8} {:<40} {:<8} {:<16} {:<4} SUMMARY",
                "CODE",
                "NAME",
                "SEVERITY",
                "CATEGORY",
                "ON"
            );
            for r in all {
                let m = r.meta();
                outln!(
                    "{:<8} {:<40} {:<8} {:<16} {:<4} {}",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    m.category.as_str(),
                    if m.default_enabled { "yes" } else { "no" },
                    m.summary
                );
            }
        }
    }
    ExitStatus::Clean
}

pub fn rule(args: &RuleArgs) -> ExitStatus {
    let Some(r) = rules::by_selector(&args.rule) else {
        let names = rules::all().iter().flat_map(|r| {
            let m = r.meta();
            std::iter::once(m.code).chain(std::iter::once(m.name))
        });
        match crate::suggest::closest(&args.rule, names) {
            Some(s) => eprint_error(&format!(
                "no rule is named `{}` (did you mean `{s}`?)",
                args.rule
            )),
            None => eprint_error(&format!(
                "no rule is named `{}`; `imglint rules` lists them",
                args.rule
            )),
        }
        return ExitStatus::Error;
    };
    let m = r.meta();
    outln!("# {} ({})", m.name, m.code);
    out("\n");
    outln!(
        "Severity: {}. Category: {}. {}.",
        m.severity,
        m.category,
        if m.default_enabled {
            "On by default"
        } else {
            "Off by default"
        }
    );
    if !m.aliases.is_empty() {
        outln!("Also known as: {}.", m.aliases.join(", "));
    }
    out("\n");
    out(m.page_body());
    ExitStatus::Clean
}

pub fn debug(args: &DebugArgs) -> ExitStatus {
    let (files, which) = match &args.what {
        DebugCommand::Parse(f) => (f, "parse"),
        DebugCommand::Graph(f) => (f, "graph"),
        DebugCommand::Shell(f) => (f, "shell"),
    };
    let opts = match build_options(files) {
        Ok(o) => o,
        Err(e) => {
            eprint_error(&e);
            return ExitStatus::Error;
        }
    };
    let mut status = ExitStatus::Clean;
    for path in &files.files {
        let file = match read_source(path, path) {
            Ok(f) => f,
            Err(e) => {
                outln!(
                    "{}",
                    json!({"path": path.to_string_lossy(), "error": {"message": e.message, "code": e.code, "line": e.line, "column": e.column}})
                );
                status = ExitStatus::Error;
                continue;
            }
        };
        let value = match which {
            "parse" => {
                let df = crate::syntax::parse(&file.text);
                if dump::first_error(&df).is_some() {
                    status = ExitStatus::Error;
                }
                dump::parse_json(&file, &df)
            }
            "graph" => graph_json(file, &opts),
            _ => shell_json(file, &opts),
        };
        if files.json || which == "parse" {
            outln!("{value}");
        } else {
            outln!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
    }
    status
}

fn build_options(f: &DebugFiles) -> Result<BuildOptions, String> {
    Ok(BuildOptions {
        build_args: parse_build_args(&f.build_args)?,
        target: f.target.clone(),
        ..BuildOptions::default()
    })
}

fn graph_json(file: SourceFile, opts: &BuildOptions) -> Value {
    let a = Analysis::new(file, opts);
    let b = &a.build;
    let line = |i: usize| a.dockerfile.instructions.get(i).map_or(0, |x| x.start_line);
    let stages: Vec<Value> = b
        .stages
        .iter()
        .map(|s| {
            let base = match &s.base {
                Base::Scratch => json!({"scratch": true}),
                Base::Stage(p) => json!({"stage": p}),
                Base::Image(r) => json!({"image": r.original, "registry": r.registry_host(), "repository": r.full_repository(), "tag": r.tag, "digest": r.digest}),
                Base::Invalid { text, reason } => json!({"invalid": text, "reason": reason}),
            };
            json!({
                "index": s.index,
                "name": s.name,
                "line": line(s.from),
                "base": base,
                "platform": s.platform,
                "windows": s.windows,
                "reaches_target": b.reaches(s.index),
                "user": s.config.user.as_ref().map(|u| &u.0),
                "workdir": s.config.workdir.as_ref().map(|w| &w.0),
                "cmd_line": s.config.cmd.map(line),
                "entrypoint_line": s.config.entrypoint.map(line),
                "env": s.config.env.vars().iter().map(|v| json!({"name": v.name, "value": v.value})).collect::<Vec<_>>(),
                "copies": s.config.copies.iter().map(|c| json!({"line": line(c.instruction), "dest": c.dest, "sources": c.sources})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let edges: Vec<Value> = b
        .edges
        .iter()
        .map(|e| {
            json!({
                "stage": e.stage,
                "kind": match e.kind { EdgeKind::From => "from", EdgeKind::CopyFrom => "copy-from", EdgeKind::MountFrom => "mount-from" },
                "to": match &e.target { EdgeTarget::Stage(s) => json!({"stage": s}), EdgeTarget::Image(r) => json!({"image": r.original}), EdgeTarget::Invalid(t) => json!({"invalid": t}) },
                "line": line(e.instruction),
            })
        })
        .collect();
    let states: Vec<Value> = a
        .dockerfile
        .instructions
        .iter()
        .enumerate()
        .filter_map(|(i, ins)| {
            let st = b.state(i)?;
            Some(json!({
                "line": ins.start_line,
                "keyword": ins.kind.name(),
                "stage": st.stage,
                "workdir": st.workdir.as_deref(),
                "user": st.user.as_deref(),
                "shell": &st.shell[..],
                "vars": st.scope.vars().iter().map(|v| json!({"name": v.name, "value": v.value, "kind": format!("{:?}", v.kind).to_lowercase()})).collect::<Vec<_>>(),
            }))
        })
        .collect();
    json!({
        "path": a.file.path.to_string_lossy(),
        "global_args": b.global_args.iter().map(|g| json!({"name": g.name, "value": g.value, "line": line(g.instruction)})).collect::<Vec<_>>(),
        "stages": stages,
        "edges": edges,
        "target": b.target,
        "errors": b.errors.iter().map(|e| json!({"message": e.message, "line": a.file.position(e.span.start).line})).collect::<Vec<_>>(),
        "instructions": states,
    })
}

fn shell_json(file: SourceFile, opts: &BuildOptions) -> Value {
    let a = Analysis::new(file, opts);
    let pos = |s: crate::source::Span| {
        let p = a.file.position(s.start);
        format!("{}:{}", p.line, p.char_column)
    };
    let mut runs = Vec::new();
    for (i, ins) in a.dockerfile.instructions.iter().enumerate() {
        for script in shell::scripts(&a.file.text, ins, a.build.state(i)) {
            let commands: Vec<Value> = script
                .commands
                .iter()
                .map(|c| {
                    json!({
                        "at": pos(c.span),
                        "program": c.program(),
                        "name": c.name.as_ref().map(|n| &n.value),
                        "args": c.args.iter().map(|w| json!({"value": w.value, "at": pos(w.span)})).collect::<Vec<_>>(),
                        "assignments": c.assignments.iter().map(|w| &w.value).collect::<Vec<_>>(),
                        "redirects": c.redirects.iter().map(|r| json!({"op": r.op, "target": r.target.as_ref().map(|t| &t.value)})).collect::<Vec<_>>(),
                        "pipeline": c.pipeline,
                        "context": format!("{:?}", c.context),
                    })
                })
                .collect();
            runs.push(json!({
                "line": ins.start_line,
                "dialect": format!("{:?}", script.dialect).to_lowercase(),
                "error": script.error,
                "pipelines": script.pipelines.iter().map(|p| json!({"commands": p.commands, "connector": format!("{:?}", p.connector).to_lowercase(), "negated": p.negated})).collect::<Vec<_>>(),
                "commands": commands,
            }));
        }
    }
    json!({ "path": a.file.path.to_string_lossy(), "scripts": runs })
}
