//! The command line, as parsed by clap, before settings are resolved.

use crate::rules::{Selection, SelectionError, Severity};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Lint and optimize Dockerfiles and container images.
#[derive(Debug, Parser)]
#[command(
    name = "imglint",
    version,
    about = "Lint and optimize Dockerfiles and container images",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles (the default command).
    Lint(Box<LintArgs>),
    /// Analyse a container image: layers, wasted space, config and
    /// filesystem checks.
    Image(Box<ImageArgs>),
    /// Estimate what a Dockerfile's image will weigh before it is built, and
    /// which base would be lighter.
    Size(Box<SizeArgs>),
    /// List the rules.
    Rules(RulesArgs),
    /// Show a rule's documentation.
    Rule(RuleArgs),
    /// Show the settings files are linted with, and where they come from.
    Config(Box<ConfigArgs>),
    /// Dump what the parser, the build model or the shell view makes of a file.
    #[command(hide = true)]
    Debug(DebugArgs),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Code frames with the problem underlined.
    #[value(alias = "tty", alias = "full")]
    Text,
    /// `path:line:col: CODE severity: message`, one per line.
    #[value(alias = "concise", alias = "gnu")]
    Compact,
    Json,
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

impl OutputFormat {
    pub fn format(self) -> crate::report::Format {
        use crate::report::Format;
        match self {
            OutputFormat::Text => Format::Text,
            OutputFormat::Compact => Format::Compact,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Github => Format::Github,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Threshold {
    Error,
    Warning,
    Info,
    Style,
    /// Fail on any finding (hadolint's meaning).
    #[value(alias = "ignore")]
    None,
}

/// Which rules run, at which severity: the same flags for Dockerfiles and
/// images.
#[derive(Clone, Debug, Default, Args)]
pub struct SelectionArgs {
    /// Run only these rules (codes, names, aliases, categories or code
    /// prefixes; comma-separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Also run these rules, including rules that are off by default.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,

    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Report these rules as errors.
    #[arg(long = "error", value_delimiter = ',', value_name = "RULES")]
    pub as_error: Vec<String>,

    /// Report these rules as warnings.
    #[arg(long = "warning", value_delimiter = ',', value_name = "RULES")]
    pub as_warning: Vec<String>,

    /// Report these rules as info.
    #[arg(long = "info", value_delimiter = ',', value_name = "RULES")]
    pub as_info: Vec<String>,

    /// Report these rules as style.
    #[arg(long = "style", value_delimiter = ',', value_name = "RULES")]
    pub as_style: Vec<String>,
}

impl SelectionArgs {
    /// The selection these flags describe (see [`Selection::from_flags`]).
    pub fn resolve(&self) -> Result<Selection, SelectionError> {
        Selection::from_flags(
            &self.select,
            &self.extend_select,
            &[
                (&self.as_error, Severity::Error),
                (&self.as_warning, Severity::Warning),
                (&self.as_info, Severity::Info),
                (&self.as_style, Severity::Style),
            ],
            &self.ignore,
        )
    }
}

#[derive(Clone, Debug, Default, Args)]
pub struct LintArgs {
    /// Files or directories to lint; `-` reads standard input. Directories are
    /// searched for Dockerfiles, honouring .gitignore.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(short = 'f', long, visible_alias = "output-format", value_enum)]
    pub format: Option<OutputFormat>,

    /// Write the report to a file instead of standard output.
    #[arg(short = 'o', long, visible_alias = "output-file", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// When to use colours (`auto` by default).
    #[arg(long, value_enum)]
    pub color: Option<ColorChoice>,

    /// Do not use colours (as `--color never`).
    #[arg(long, conflicts_with = "color")]
    pub no_color: bool,

    /// Use this configuration file for every input instead of looking for
    /// `.imglint.toml` or `.hadolint.yaml` above each one (also
    /// `IMGLINT_CONFIG`).
    #[arg(short = 'c', long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long, visible_alias = "isolated", conflicts_with = "config")]
    pub no_config: bool,

    /// Print which configuration file each input uses.
    #[arg(long)]
    pub verbose: bool,

    #[command(flatten)]
    pub selection: SelectionArgs,

    /// The lowest severity that makes the exit code 1.
    #[arg(short = 't', long, value_enum)]
    pub failure_threshold: Option<Threshold>,

    /// Exit 0 even when there are findings (input errors still exit 2).
    #[arg(long, visible_alias = "exit-zero")]
    pub no_fail: bool,

    /// The file name to report for standard input.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// A build argument, as `docker build --build-arg` (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,

    /// The stage that becomes the image (the last one by default).
    #[arg(long)]
    pub target: Option<String>,

    /// The platform built for (`linux/amd64` by default).
    #[arg(long)]
    pub platform: Option<String>,

    /// Ignore `# imglint ignore=` and `# hadolint ignore=` comments.
    #[arg(long)]
    pub disable_ignore_pragma: bool,

    /// Registries images may come from (enables DL3026; repeatable).
    #[arg(long = "trusted-registry", value_name = "REGISTRY")]
    pub trusted_registries: Vec<String>,

    /// A label the image must have, with the type of its value
    /// (`text`, `url`, `semver`, `hash`, `rfc3339`, `spdx`, `email`;
    /// enables DL3049-DL3058; repeatable).
    #[arg(long = "require-label", value_name = "LABEL:TYPE")]
    pub require_labels: Vec<String>,

    /// Report labels the required labels do not name (DL3050).
    #[arg(long)]
    pub strict_labels: bool,

    /// Apply safe fixes to the files.
    #[arg(long)]
    pub fix: bool,

    /// Also apply unsafe fixes (with `--fix` or `--diff`).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them.
    #[arg(long)]
    pub diff: bool,

    /// Print how many findings each rule produced.
    #[arg(long)]
    pub statistics: bool,

    /// A rule's option, as `RULE.KEY=VALUE` (rule by code, name or alias;
    /// repeatable), e.g. `heavy-final-base-image.min-saving-mb=100`.
    #[arg(long = "rule-option", value_name = "RULE.KEY=VALUE")]
    pub rule_options: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the settings as JSON.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Clone, Debug, Args)]
pub struct ImageArgs {
    /// An OCI image layout directory or tar, a `docker save` tar, or a
    /// registry reference such as `registry.example.com/repo:tag`.
    #[arg(value_name = "SOURCE")]
    pub source: String,

    /// The platform to pick from a multi-platform image (`os/arch[/variant]`).
    #[arg(long)]
    pub platform: Option<String>,

    /// Talk plain HTTP to the registry.
    #[arg(long)]
    pub insecure: bool,

    /// The Docker config file with registry credentials
    /// (default: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`).
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,

    /// The Dockerfile that built the image: layers and findings point at its
    /// lines.
    #[arg(long, value_name = "PATH")]
    pub dockerfile: Option<PathBuf>,

    /// Output format (`text`: a layer table with size bars, the largest
    /// waste, and the findings).
    #[arg(short = 'f', long, value_enum, default_value = "text")]
    pub format: OutputFormat,

    /// Write the report to a file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail when the dive-compatible efficiency is below this ratio (0-1).
    #[arg(long, value_name = "RATIO")]
    pub min_efficiency: Option<f64>,

    /// Fail when the dive-compatible wasted bytes exceed this.
    #[arg(long, value_name = "BYTES")]
    pub max_wasted_bytes: Option<u64>,

    /// Fail when wasted bytes / bytes of all layers but the first exceed
    /// this ratio.
    #[arg(long, value_name = "RATIO")]
    pub max_wasted_ratio: Option<f64>,

    #[command(flatten)]
    pub selection: SelectionArgs,

    /// Ignore `# imglint ignore=` and `# hadolint ignore=` comments in the
    /// Dockerfile.
    #[arg(long)]
    pub disable_ignore_pragma: bool,

    /// When to use colours.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// The lowest severity that makes the exit code 1.
    #[arg(short = 't', long, value_enum)]
    pub failure_threshold: Option<Threshold>,

    /// Exit 0 even when there are findings or failed gates (input errors
    /// still exit 2).
    #[arg(long, visible_alias = "exit-zero")]
    pub no_fail: bool,

    /// Use this configuration file instead of looking for `.imglint.toml` or
    /// `.hadolint.yaml` above the Dockerfile (or the working directory).
    #[arg(short = 'c', long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long, visible_alias = "isolated", conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SizeFormat {
    /// Stages, layers and a bar chart of the bases.
    Text,
    Json,
}

#[derive(Clone, Debug, Args)]
pub struct SizeArgs {
    /// The Dockerfile (`Dockerfile` in the current directory by default).
    #[arg(value_name = "DOCKERFILE")]
    pub dockerfile: Option<PathBuf>,

    /// The build context (the Dockerfile's directory by default).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,

    /// A build argument, as `docker build --build-arg` (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,

    /// The stage that becomes the image (the last one by default).
    #[arg(long)]
    pub target: Option<String>,

    /// The platform built for (`linux/amd64` by default).
    #[arg(long)]
    pub platform: Option<String>,

    /// A size table to use instead of the built-in one (as `--refresh`
    /// writes it).
    #[arg(long, value_name = "FILE")]
    pub table: Option<PathBuf>,

    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value = "text")]
    pub format: SizeFormat,

    /// Write the report (or the refreshed table) to a file.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Recompute the table's compressed sizes from registry manifests and
    /// write the updated table: a registry host (`127.0.0.1:5000`) is asked
    /// for every image of the table under the same repository path; image
    /// references refresh (or add) those images from their own registries.
    #[arg(long, value_name = "REGISTRY_OR_IMAGE", num_args = 1.., conflicts_with = "dockerfile")]
    pub refresh: Vec<String>,

    /// Talk plain HTTP to the registry (with `--refresh`).
    #[arg(long)]
    pub insecure: bool,

    /// The Docker config file with registry credentials (with `--refresh`).
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(short = 'f', long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code, name or alias.
    pub rule: String,
}

#[derive(Debug, Args)]
pub struct DebugArgs {
    #[command(subcommand)]
    pub what: DebugCommand,
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Instructions, line ranges and heredocs, as BuildKit's parser sees them.
    Parse(DebugFiles),
    /// Stages, bases, dependencies, scopes and the state at each instruction.
    Graph(DebugFiles),
    /// The commands of every `RUN`, with their positions.
    Shell(DebugFiles),
}

#[derive(Debug, Args)]
pub struct DebugFiles {
    /// One JSON object per line (the default for `parse`).
    #[arg(long)]
    pub json: bool,
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,
    #[arg(long)]
    pub target: Option<String>,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}
