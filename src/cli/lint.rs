//! `imglint [lint] PATH...`

use super::args::{LintArgs, OutputFormat, Threshold};
use super::{ExitStatus, discover, eprint_error, out, parse_build_args, render_options};
use crate::fix::{Applicability, apply_fixes, unified_diff, write_atomically};
use crate::graph::BuildOptions;
use crate::lint::{
    FileReport, InputError, LintSettings, lint_source, read_source, source_from_bytes,
};
use crate::report::{self, Format, RenderOptions};
use crate::rules::{RuleOptions, Severity};
use crate::source::SourceFile;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One input to lint.
enum Input {
    File { path: PathBuf },
    Stdin { name: PathBuf },
}

fn settings(args: &LintArgs) -> Result<LintSettings, String> {
    let selection = args.selection.resolve().map_err(|e| e.to_string())?;
    Ok(LintSettings {
        selection,
        options: RuleOptions {
            trusted_registries: args.trusted_registries.clone(),
            label_schema: parse_label_schema(&args.require_labels)?,
            strict_labels: args.strict_labels,
            ..RuleOptions::default()
        },
        build: BuildOptions {
            build_args: parse_build_args(&args.build_args)?,
            target: args.target.clone(),
            target_platform: args.platform.clone(),
            build_platform: None,
        },
        disable_pragmas: args.disable_ignore_pragma,
    })
}

/// The label types a label schema may use.
const LABEL_TYPES: [&str; 7] = ["text", "url", "semver", "hash", "rfc3339", "spdx", "email"];

/// `--require-label LABEL:TYPE` values as a label schema.
fn parse_label_schema(values: &[String]) -> Result<Vec<(String, String)>, String> {
    values
        .iter()
        .map(|v| {
            let (label, ty) = v.rsplit_once(':').unwrap_or((v.as_str(), "text"));
            let ty = ty.trim().to_ascii_lowercase();
            if label.trim().is_empty() || !LABEL_TYPES.contains(&ty.as_str()) {
                return Err(format!(
                    "invalid `--require-label {v}`: expected LABEL:TYPE with TYPE one of {}",
                    LABEL_TYPES.join(", ")
                ));
            }
            Ok((label.trim().to_string(), ty))
        })
        .collect()
}

fn collect_inputs(args: &LintArgs, errors: &mut Vec<InputError>) -> Vec<Input> {
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut inputs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let name = args
                .stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("-"));
            inputs.push(Input::Stdin { name });
            continue;
        }
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => {
                let found = discover::walk(&p);
                let mut any = false;
                for f in found {
                    match f {
                        Ok(path) => {
                            any = true;
                            inputs.push(Input::File { path });
                        }
                        Err(e) => errors.push(InputError {
                            path: p.clone(),
                            code: "imglint::io",
                            message: e,
                            help: None,
                            span: None,
                            line: None,
                            column: None,
                        }),
                    }
                }
                if !any {
                    errors.push(InputError {
                        path: p.clone(),
                        code: "imglint::io::no-dockerfiles",
                        message: "no Dockerfiles found in this directory".to_string(),
                        help: Some(
                            "imglint looks for Dockerfile, Dockerfile.*, *.Dockerfile, *.dockerfile and Containerfile; pass other files by name"
                                .to_string(),
                        ),
                        span: None,
                        line: None,
                        column: None,
                    });
                }
            }
            Ok(_) => inputs.push(Input::File { path: p }),
            Err(e) => errors.push(InputError::io(&p, &e)),
        }
    }
    inputs
}

/// Reads every input (in order) into a source file or an error.
fn read_inputs(inputs: &[Input]) -> Vec<Result<SourceFile, InputError>> {
    inputs
        .iter()
        .map(|input| match input {
            Input::File { path } => {
                let display = path.strip_prefix("./").unwrap_or(path);
                read_source(path, display)
            }
            Input::Stdin { name } => {
                let mut bytes = Vec::new();
                match std::io::stdin().lock().read_to_end(&mut bytes) {
                    Ok(_) => source_from_bytes(name, bytes),
                    Err(e) => Err(InputError::io(name, &e)),
                }
            }
        })
        .collect()
}

/// Lints the sources on all cores, keeping their order.
fn lint_all(sources: Vec<SourceFile>, settings: &LintSettings) -> Vec<FileReport> {
    let n = sources.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n.max(1));
    if workers <= 1 {
        return sources
            .into_iter()
            .map(|s| lint_source(s, settings))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<SourceFile>>> = sources
        .into_iter()
        .map(|s| std::sync::Mutex::new(Some(s)))
        .collect();
    let results: Vec<std::sync::Mutex<Option<FileReport>>> =
        (0..n).map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let src = slots[i].lock().ok().and_then(|mut s| s.take());
                    if let Some(src) = src {
                        let report = lint_source(src, settings);
                        if let Ok(mut slot) = results[i].lock() {
                            *slot = Some(report);
                        }
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect()
}

/// Applies fixes to one file until nothing changes (at most 10 passes).
/// Returns the new text, or an error when a fix would break the file.
fn fix_text(
    file: &SourceFile,
    settings: &LintSettings,
    min: Applicability,
) -> Result<(String, usize), String> {
    let original_errors = crate::syntax::parse(&file.text).errors.len();
    let mut text = file.text.clone();
    let mut applied = 0;
    for _ in 0..10 {
        let report = lint_source(SourceFile::new(&file.path, text.clone()), settings);
        let out = apply_fixes(
            &text,
            report.findings.iter().filter_map(|f| f.fix.as_ref()),
            min,
        );
        if out.text == text {
            return Ok((text, applied));
        }
        if crate::syntax::parse(&out.text).errors.len() > original_errors {
            return Err("a fix would make the file unparsable; it was left unchanged".to_string());
        }
        applied += out.applied;
        text = out.text;
    }
    Ok((text, applied))
}

fn threshold_of(args: &LintArgs) -> Severity {
    match args.failure_threshold {
        Some(Threshold::Error) => Severity::Error,
        Some(Threshold::Warning) => Severity::Warning,
        None | Some(Threshold::Info) => Severity::Info,
        Some(Threshold::Style) | Some(Threshold::None) => Severity::Style,
    }
}

pub fn run(args: &LintArgs) -> ExitStatus {
    let settings = match settings(args) {
        Ok(s) => s,
        Err(e) => {
            eprint_error(&e);
            return ExitStatus::Error;
        }
    };
    let mut errors = Vec::new();
    let inputs = collect_inputs(args, &mut errors);
    let mut sources = Vec::new();
    let mut stdin_names = Vec::new();
    for (input, read) in inputs.iter().zip(read_inputs(&inputs)) {
        match read {
            Ok(s) => {
                if matches!(input, Input::Stdin { .. }) {
                    stdin_names.push(s.path.clone());
                }
                sources.push(s);
            }
            Err(e) => errors.push(e),
        }
    }
    let files_checked = sources.len();
    let mut reports = lint_all(sources, &settings);
    for r in &mut reports {
        errors.append(&mut r.errors);
    }

    // fixes
    if args.fix || args.diff {
        let min = if args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let mut any_diff = false;
        let mut fixed_count = 0;
        for report in &mut reports {
            let (new_text, applied) = match fix_text(&report.file, &settings, min) {
                Ok(x) => x,
                Err(e) => {
                    errors.push(InputError {
                        path: report.file.path.clone(),
                        code: "imglint::fix::broken",
                        message: e,
                        help: None,
                        span: None,
                        line: None,
                        column: None,
                    });
                    continue;
                }
            };
            if new_text == report.file.text {
                if args.fix && stdin_names.contains(&report.file.path) && !args.diff {
                    out(&new_text);
                }
                continue;
            }
            any_diff = true;
            fixed_count += applied;
            let path = report.file.path.clone();
            if args.diff {
                out(&unified_diff(
                    &path.to_string_lossy(),
                    &report.file.text,
                    &new_text,
                ));
                continue;
            }
            if stdin_names.contains(&path) {
                out(&new_text);
            } else if let Err(e) = write_atomically(&path, &new_text) {
                errors.push(InputError::io(&path, &e));
                continue;
            }
            *report = lint_source(SourceFile::new(path, new_text), &settings);
            errors.append(&mut report.errors);
        }
        if args.diff {
            for e in &errors {
                eprint_error(&report::error_line(e));
            }
            return if !errors.is_empty() {
                ExitStatus::Error
            } else if any_diff {
                ExitStatus::Findings
            } else {
                ExitStatus::Clean
            };
        }
        if fixed_count > 0 {
            eprintln!(
                "imglint: applied {fixed_count} fix{}",
                if fixed_count == 1 { "" } else { "es" }
            );
        }
        if !stdin_names.is_empty() {
            // the fixed text went to standard output; report problems on stderr
            for e in &errors {
                eprint_error(&report::error_line(e));
            }
            return status(&reports, &errors, args);
        }
    }

    let format = args.format.unwrap_or(OutputFormat::Text).format();
    let opts = render_options(args.color, args.output.is_none(), files_checked);
    if args.statistics {
        print_statistics(&reports);
    } else if let Err(e) = write_report(format, &reports, &errors, &opts, args.output.as_deref())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprint_error(&format!("cannot write the report: {e}"));
        return ExitStatus::Error;
    }
    // input errors go to standard error, one line each, whatever the format
    for e in &errors {
        eprint_error(&report::error_line(e));
        if let Some(h) = &e.help {
            eprintln!("  help: {h}");
        }
    }
    status(&reports, &errors, args)
}

fn status(reports: &[FileReport], errors: &[InputError], args: &LintArgs) -> ExitStatus {
    if !errors.is_empty() {
        return ExitStatus::Error;
    }
    let threshold = threshold_of(args);
    let failing = reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.severity >= threshold);
    if failing && !args.no_fail {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

fn write_report(
    format: Format,
    reports: &[FileReport],
    errors: &[InputError],
    opts: &RenderOptions,
    output: Option<&Path>,
) -> std::io::Result<()> {
    match output {
        Some(path) => {
            let mut buf = Vec::new();
            report::render(format, reports, errors, opts, &mut buf)?;
            std::fs::write(path, buf)
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            report::render(format, reports, errors, opts, &mut lock)?;
            lock.flush()
        }
    }
}

fn print_statistics(reports: &[FileReport]) {
    let mut counts: Vec<(&'static str, &'static str, usize)> = Vec::new();
    for f in reports.iter().flat_map(|r| &r.findings) {
        match counts.iter_mut().find(|c| c.0 == f.rule.code) {
            Some(c) => c.2 += 1,
            None => counts.push((f.rule.code, f.rule.name, 1)),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    for (code, name, n) in counts {
        outln!("{n:>6}\t{code}\t{name}");
    }
}
