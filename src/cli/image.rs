//! `imglint image SOURCE`: analyse a container image.

use std::io::Write;

use super::args::{ImageArgs, LintArgs};
use super::settings::Resolver;
use super::{ExitStatus, eprint_error, render_options};
use crate::config::FileSettings;
use crate::image::{self, AnalyzeOptions, Gates, Options};
use std::sync::Arc;

/// The settings that apply: the flags over the configuration file found
/// above the Dockerfile (or the working directory), as for a lint.
fn settings(args: &ImageArgs) -> Result<Arc<FileSettings>, String> {
    let lint = LintArgs {
        selection: args.selection.clone(),
        config: args.config.clone(),
        no_config: args.no_config,
        disable_ignore_pragma: args.disable_ignore_pragma,
        failure_threshold: args.failure_threshold,
        no_fail: args.no_fail,
        ..LintArgs::default()
    };
    let mut resolver = Resolver::new(&lint)?;
    resolver
        .for_path(args.dockerfile.as_deref())
        .map(|r| r.settings)
        .map_err(|e| crate::report::error_line(&e))
}

fn report_error(e: &image::ImageError) {
    use miette::Diagnostic;
    eprint_error(&e.to_string());
    if let Some(help) = e.help() {
        eprintln!("  help: {help}");
    }
}

pub fn run(args: &ImageArgs) -> ExitStatus {
    for (name, v) in [
        ("--min-efficiency", args.min_efficiency),
        ("--max-wasted-ratio", args.max_wasted_ratio),
    ] {
        if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
            eprint_error(&format!("{name} must be a non-negative number"));
            return ExitStatus::Error;
        }
    }
    let settings = match settings(args) {
        Ok(s) => s,
        Err(e) => {
            eprint_error(&e);
            return ExitStatus::Error;
        }
    };
    let options = Options {
        platform: args.platform.clone(),
        insecure: args.insecure,
        docker_config: args.docker_config.clone(),
        ..Options::default()
    };
    let analyze_options = AnalyzeOptions {
        gates: Gates {
            min_efficiency: args.min_efficiency,
            max_wasted_bytes: args.max_wasted_bytes,
            max_wasted_ratio: args.max_wasted_ratio,
        },
        dockerfile: args.dockerfile.clone(),
        selection: settings.lint.selection.clone(),
        disable_pragmas: settings.lint.disable_pragmas,
        ..AnalyzeOptions::default()
    };
    let analysis = match image::open(&args.source, &options)
        .and_then(|img| image::analyze(&img, &analyze_options))
    {
        Ok(a) => a,
        Err(e) => {
            report_error(&e);
            return ExitStatus::Error;
        }
    };
    let opts = render_options(args.color, args.output.is_none(), 1);
    let mut out: Vec<u8> = Vec::new();
    let rendered = image::report::render(args.format.format(), &analysis, &opts, &mut out);
    if let Err(e) = rendered {
        eprint_error(&format!("cannot render the report: {e}"));
        return ExitStatus::Error;
    }
    let written = match &args.output {
        Some(path) => std::fs::write(path, &out)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&out).and_then(|()| stdout.flush()) {
                Ok(()) => Ok(()),
                // a closed pipe is not an error
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("cannot write the report: {e}")),
            }
        }
    };
    if let Err(e) = written {
        eprint_error(&e);
        return ExitStatus::Error;
    }
    let threshold = settings.failure_threshold;
    let failing = analysis.findings().any(|f| f.severity >= threshold);
    if !settings.no_fail && (failing || analysis.gates_failed()) {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}
