//! `imglint [lint] PATH...`

use super::args::{ColorChoice, LintArgs};
use super::settings::Resolver;
use super::{ExitStatus, discover, eprint_error, out, render_options};
use crate::config::FileSettings;
use crate::fix::{Applicability, apply_fixes, unified_diff, write_atomically};
use crate::lint::{
    FileReport, InputError, LintSettings, lint_source, read_source, source_from_bytes,
};
use crate::report::{self, Format, RenderOptions};
use crate::source::SourceFile;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One input to lint.
pub(super) enum Input {
    File { path: PathBuf },
    Stdin { name: PathBuf },
}

pub(super) fn collect_inputs(args: &LintArgs, errors: &mut Vec<InputError>) -> Vec<Input> {
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

/// A source and the settings it is linted with.
type Job = (SourceFile, Arc<FileSettings>);

/// Lints the sources, each with its settings, on all cores, keeping their
/// order.
fn lint_all(jobs: Vec<Job>) -> Vec<FileReport> {
    let n = jobs.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n.max(1));
    if workers <= 1 {
        return jobs
            .into_iter()
            .map(|(s, settings)| lint_source(s, &settings.lint))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Job>>> = jobs
        .into_iter()
        .map(|j| std::sync::Mutex::new(Some(j)))
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
                    let job = slots[i].lock().ok().and_then(|mut s| s.take());
                    if let Some((src, settings)) = job {
                        let report = lint_source(src, &settings.lint);
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

/// Adds an error unless the same one is already there (a broken
/// configuration file is reported once, not once per file it applies to).
fn push_unique(errors: &mut Vec<InputError>, e: InputError) {
    if !errors.contains(&e) {
        errors.push(e);
    }
}

pub fn run(args: &LintArgs) -> ExitStatus {
    let mut resolver = match Resolver::new(args) {
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
    if run.verbose && !resolver.environment.used.is_empty() {
        eprintln!(
            "imglint: environment: {}",
            resolver.environment.used.join(", ")
        );
    }
    let inputs = collect_inputs(args, &mut errors);
    let mut jobs = Vec::new();
    let mut stdin_names = Vec::new();
    for (input, read) in inputs.iter().zip(read_inputs(&inputs)) {
        let source = match read {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let config_path = match input {
            Input::File { path } => Some(path.as_path()),
            Input::Stdin { .. } => {
                stdin_names.push(source.path.clone());
                args.stdin_filename.as_deref()
            }
        };
        match resolver.for_path(config_path) {
            Ok(r) => {
                if run.verbose {
                    let from = match r.config.as_deref() {
                        Some(Ok(c)) => c.display.display().to_string(),
                        _ => "no configuration file".to_string(),
                    };
                    eprintln!("imglint: {}: {from}", source.path.display());
                }
                jobs.push((source, r.settings));
            }
            Err(e) => push_unique(&mut errors, e),
        }
    }
    let files_checked = jobs.len();
    let settings: Vec<Arc<FileSettings>> = jobs.iter().map(|(_, s)| s.clone()).collect();
    let mut reports = lint_all(jobs);
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
        for (report, file_settings) in reports.iter_mut().zip(&settings) {
            let lint_settings = &file_settings.lint;
            let (new_text, applied) = match fix_text(&report.file, lint_settings, min) {
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
            *report = lint_source(SourceFile::new(path, new_text), lint_settings);
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
            return status(&reports, &settings, &errors);
        }
    }

    let format = run.format.unwrap_or(Format::Text);
    let color = args.color.unwrap_or(if run.no_color {
        ColorChoice::Never
    } else {
        ColorChoice::Auto
    });
    let opts = render_options(color, args.output.is_none(), files_checked);
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
    status(&reports, &settings, &errors)
}

/// The exit status: each file's findings are weighed against its own
/// failure threshold and `no-fail`.
fn status(
    reports: &[FileReport],
    settings: &[Arc<FileSettings>],
    errors: &[InputError],
) -> ExitStatus {
    if !errors.is_empty() {
        return ExitStatus::Error;
    }
    let failing = reports
        .iter()
        .zip(settings)
        .any(|(r, s)| !s.no_fail && r.findings.iter().any(|f| f.severity >= s.failure_threshold));
    if failing {
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
