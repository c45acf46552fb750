//! The settings of a run: the command line as a layer over the
//! configuration file of each input and the environment.
//!
//! Precedence, lowest first: the defaults, the `HADOLINT_*` environment
//! variables, the configuration file, the command line. (hadolint ranks its
//! environment below its configuration file too, and hadolint-action always
//! sets the variables, to its own defaults when the user gave none.)

use super::args::{LintArgs, OutputFormat};
use super::{eprint_warning, parse_build_args};
use crate::config::{
    self, ConfigFile, Discovery, Environment, FileSettings, Layer, Mode, Origin, RunSettings,
    parse_label_type, parse_selectors,
};
use crate::lint::InputError;
use crate::report::Format;
use crate::rules::Severity;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn format_of(f: OutputFormat) -> Format {
    match f {
        OutputFormat::Text => Format::Text,
        OutputFormat::Compact => Format::Compact,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Github => Format::Github,
    }
}

/// `--require-label LABEL:TYPE` values as a label schema.
fn parse_label_schema(values: &[String]) -> Result<Vec<(String, String)>, String> {
    values
        .iter()
        .map(|v| {
            let (label, ty) = v.rsplit_once(':').unwrap_or((v.as_str(), "text"));
            match parse_label_type(ty) {
                Some(t) if !label.trim().is_empty() => {
                    Ok((label.trim().to_string(), t.to_string()))
                }
                _ => Err(format!(
                    "invalid `--require-label {v}`: expected LABEL:TYPE with TYPE one of {}",
                    config::LABEL_TYPES.join(", ")
                )),
            }
        })
        .collect()
}

/// The command line's settings as a layer.
pub fn command_line_layer(args: &LintArgs) -> Result<Layer, String> {
    let sel = |v: &[String]| parse_selectors(v).map_err(|e| e.to_string());
    let mut layer = Layer {
        origin: Origin::CommandLine,
        ..Layer::default()
    };
    if !args.selection.select.is_empty() {
        layer.select = Some(sel(&args.selection.select)?);
    }
    layer.extend_select = sel(&args.selection.extend_select)?;
    layer.ignore = sel(&args.selection.ignore)?;
    for (list, severity) in [
        (&args.selection.as_error, Severity::Error),
        (&args.selection.as_warning, Severity::Warning),
        (&args.selection.as_info, Severity::Info),
        (&args.selection.as_style, Severity::Style),
    ] {
        for s in sel(list)? {
            layer.severity.push((s, severity));
        }
    }
    layer.failure_threshold = args.failure_threshold.map(|t| match t {
        super::args::Threshold::Error => Severity::Error,
        super::args::Threshold::Warning => Severity::Warning,
        super::args::Threshold::Info => Severity::Info,
        super::args::Threshold::Style | super::args::Threshold::None => Severity::Style,
    });
    layer.no_fail = args.no_fail.then_some(true);
    layer.format = args.format.map(format_of);
    layer.no_color = args.no_color.then_some(true);
    layer.verbose = args.verbose.then_some(true);
    layer.trusted_registries = args.trusted_registries.clone();
    layer.label_schema = parse_label_schema(&args.require_labels)?;
    layer.strict_labels = args.strict_labels.then_some(true);
    layer.disable_ignore_pragma = args.disable_ignore_pragma.then_some(true);
    for raw in &args.rule_options {
        let bad = || format!("invalid rule option `{raw}`: expected RULE.KEY=VALUE");
        let (path, value) = raw.split_once('=').ok_or_else(bad)?;
        let (rule, key) = path.split_once('.').ok_or_else(bad)?;
        let meta = crate::rules::by_selector(rule)
            .ok_or_else(|| format!("`{rule}` in `{raw}` is not a rule code, name or alias"))?
            .meta();
        // numbers and booleans as JSON, anything else as a string
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
        layer
            .rule_options
            .entry(meta.name.to_string())
            .or_default()
            .insert(key.to_string(), value);
    }
    layer.build_args = parse_build_args(&args.build_args)?;
    layer.target = args.target.clone();
    layer.platform = args.platform.clone();
    Ok(layer)
}

/// How the configuration file is chosen: `--no-config`, `--config`,
/// `IMGLINT_CONFIG`, or discovery.
fn mode(args: &LintArgs) -> Mode {
    if args.no_config {
        Mode::Disabled
    } else if let Some(p) = &args.config {
        Mode::Explicit(p.clone())
    } else if let Some(p) = std::env::var_os(config::ENV_CONFIG).filter(|p| !p.is_empty()) {
        Mode::Explicit(PathBuf::from(p))
    } else {
        Mode::Discover
    }
}

/// The settings of one input and where they come from.
pub struct Resolved {
    pub settings: Arc<FileSettings>,
    pub config: Option<Arc<Result<ConfigFile, InputError>>>,
}

/// Resolves the settings of each input, reading every configuration file
/// once and printing its warnings once.
pub struct Resolver {
    discovery: Discovery,
    pub environment: Environment,
    cli: Layer,
    warned: HashSet<PathBuf>,
    /// Settings of configurations without per-file ignores, by file path.
    shared: HashMap<Option<PathBuf>, Arc<FileSettings>>,
}

impl Resolver {
    pub fn new(args: &LintArgs) -> Result<Resolver, String> {
        let cli = command_line_layer(args)?;
        let environment = config::from_environment(&|name| std::env::var(name).ok())?;
        for w in &environment.warnings {
            eprint_warning(w);
        }
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        Ok(Resolver {
            discovery: Discovery::from_process(mode(args), &cwd),
            environment,
            cli,
            warned: HashSet::new(),
            shared: HashMap::new(),
        })
    }

    pub fn cwd(&self) -> &Path {
        self.discovery.cwd()
    }

    fn warn_once(&mut self, found: &config::Found) {
        if let Some(c) = found
            && let Ok(file) = c.as_ref()
            && self.warned.insert(file.path.clone())
        {
            for w in &file.warnings {
                eprint_warning(w);
            }
        }
    }

    /// The layers in order of precedence, lowest first.
    fn layers<'a>(&'a self, file: Option<&'a ConfigFile>) -> Vec<&'a Layer> {
        let mut layers = vec![&self.environment.layer];
        if let Some(f) = file {
            layers.extend(f.layers.iter());
        }
        layers.push(&self.cli);
        layers
    }

    /// The run-wide settings: from the configuration of the working
    /// directory, the environment and the command line.
    pub fn run_settings(&mut self) -> (RunSettings, Option<InputError>) {
        let cwd = self.cwd().to_path_buf();
        let found = self.discovery.for_dir(&cwd);
        self.warn_once(&found);
        match found.as_deref() {
            Some(Err(e)) => (config::resolve_run(&self.layers(None)), Some(e.clone())),
            Some(Ok(file)) => (config::resolve_run(&self.layers(Some(file))), None),
            None => (config::resolve_run(&self.layers(None)), None),
        }
    }

    /// The settings of the file at `path` (as given; `None` for standard
    /// input without a name), or the error of its configuration file.
    pub fn for_path(&mut self, path: Option<&Path>) -> Result<Resolved, InputError> {
        let found = match path {
            Some(p) => self.discovery.for_file(p),
            None => {
                let cwd = self.cwd().to_path_buf();
                self.discovery.for_dir(&cwd)
            }
        };
        self.warn_once(&found);
        let file = match found.as_deref() {
            Some(Err(e)) => return Err(e.clone()),
            Some(Ok(f)) => Some(f),
            None => None,
        };
        let has_per_file =
            file.is_some_and(|f| f.layers.iter().any(|l| !l.per_file_ignores.is_empty()));
        let key = file.map(|f| f.path.clone());
        let settings = if has_per_file {
            let abs = path.map(|p| config::normalize(p, self.cwd()));
            Arc::new(config::resolve(&self.layers(file), abs.as_deref()))
        } else if let Some(s) = self.shared.get(&key) {
            s.clone()
        } else {
            let s = Arc::new(config::resolve(&self.layers(file), None));
            self.shared.insert(key, s.clone());
            s
        };
        Ok(Resolved {
            settings,
            config: found,
        })
    }
}
