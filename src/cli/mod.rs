//! The command-line interface: parse arguments, resolve settings, run a
//! command, and turn the outcome into an exit status.

/// `println!` through [`out`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        let mut s = format!($($arg)*);
        s.push('\n');
        $crate::cli::out(&s);
    }};
}

pub mod args;
mod commands;
pub mod discover;
mod image;
mod lint;
mod settings;
mod show_config;
mod size;

use clap::Parser;
use std::io::IsTerminal;

/// How a run ended; `main` turns it into the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding at or above the failure threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
    /// A usage error or an input that could not be read or parsed.
    Error,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Runs imglint with the process arguments.
pub fn run() -> ExitStatus {
    let cli = match args::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return if code == 0 {
                ExitStatus::Clean
            } else {
                ExitStatus::Error
            };
        }
    };
    match cli.command {
        None => lint::run(&cli.lint),
        Some(args::Command::Lint(a)) => lint::run(&a),
        Some(args::Command::Image(a)) => image::run(&a),
        Some(args::Command::Size(a)) => size::run(&a),
        Some(args::Command::Rules(a)) => commands::rules(&a),
        Some(args::Command::Rule(a)) => commands::rule(&a),
        Some(args::Command::Config(a)) => show_config::run(&a),
        Some(args::Command::Debug(a)) => commands::debug(&a),
    }
}

/// Whether to colour output going to standard output.
pub(crate) fn use_color(choice: args::ColorChoice, to_stdout: bool) -> bool {
    match choice {
        args::ColorChoice::Always => true,
        args::ColorChoice::Never => false,
        args::ColorChoice::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                return false;
            }
            if std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0")
                || std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0")
            {
                return true;
            }
            to_stdout && std::io::stdout().is_terminal()
        }
    }
}

/// Rendering options: colour as chosen, the terminal width from `COLUMNS`.
pub(crate) fn render_options(
    color: args::ColorChoice,
    to_stdout: bool,
    files_checked: usize,
) -> crate::report::RenderOptions {
    crate::report::RenderOptions {
        color: use_color(color, to_stdout),
        width: std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(120)
            .clamp(40, 400),
        rules: Vec::new(),
        files_checked,
    }
}

/// Writes to standard output; a closed pipe (`imglint … | head`) ends the
/// process quietly with success, as other command-line tools do.
pub(crate) fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprint_error(&format!("cannot write to standard output: {e}"));
        std::process::exit(2);
    }
}

/// Prints an error line to standard error.
pub(crate) fn eprint_error(message: &str) {
    eprintln!("imglint: error: {message}");
}

/// Prints a warning line to standard error.
pub(crate) fn eprint_warning(message: &str) {
    eprintln!("imglint: warning: {message}");
}

/// Parses `NAME=VALUE` build arguments (`NAME` alone takes the value from
/// the environment, as `docker build` does).
pub(crate) fn parse_build_args(raw: &[String]) -> Result<Vec<(String, String)>, String> {
    raw.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            None if !a.is_empty() => match std::env::var(a) {
                Ok(v) => Ok((a.clone(), v)),
                Err(_) => Err(format!(
                    "build argument `{a}` has no value and is not set in the environment"
                )),
            },
            _ => Err(format!("invalid build argument `{a}`: expected NAME=VALUE")),
        })
        .collect()
}
