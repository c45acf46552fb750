//! `imglint image SOURCE`: analyse a container image.

use std::io::Write;

use super::args::{ImageArgs, Threshold};
use super::{ExitStatus, eprint_error, render_options};
use crate::image::{self, AnalyzeOptions, Gates, Options};
use crate::rules::Severity;

fn threshold_of(args: &ImageArgs) -> Severity {
    match args.failure_threshold {
        Some(Threshold::Error) => Severity::Error,
        Some(Threshold::Warning) => Severity::Warning,
        None | Some(Threshold::Info) => Severity::Info,
        Some(Threshold::Style) | Some(Threshold::None) => Severity::Style,
    }
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
    let selection = match args.selection.resolve() {
        Ok(s) => s,
        Err(e) => {
            eprint_error(&e.to_string());
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
        selection,
        disable_pragmas: args.disable_ignore_pragma,
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
    let threshold = threshold_of(args);
    let failing = analysis.findings().any(|f| f.severity >= threshold);
    if !args.no_fail && (failing || analysis.gates_failed()) {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}
