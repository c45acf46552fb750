//! `imglint size [DOCKERFILE]`: estimate the image's size; `--refresh`
//! recomputes the size table from registries.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::args::{SizeArgs, SizeFormat};
use super::{ExitStatus, eprint_error, parse_build_args};
use crate::graph::BuildOptions;
use crate::lint::{Analysis, read_source};
use crate::size::context::{BuildContext, Ignore};
use crate::size::table::{self, Table};
use crate::size::{self, Options};

fn load_table(path: Option<&Path>) -> Result<Table, String> {
    match path {
        None => Ok(table::builtin().clone()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
            Table::parse(&text).map_err(|e| format!("`{}` is not a size table: {e}", p.display()))
        }
    }
}

fn write_out(args: &SizeArgs, bytes: &[u8]) -> Result<(), String> {
    match &args.output {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(format!("cannot write the report: {e}")),
            }
        }
    }
}

pub fn run(args: &SizeArgs) -> ExitStatus {
    match run_inner(args) {
        Ok(()) => ExitStatus::Clean,
        Err(e) => {
            eprint_error(&e);
            ExitStatus::Error
        }
    }
}

fn run_inner(args: &SizeArgs) -> Result<(), String> {
    let table = load_table(args.table.as_deref())?;
    if !args.refresh.is_empty() {
        let options = crate::image::registry::RegistryOptions {
            insecure: args.insecure,
            docker_config: args.docker_config.clone(),
        };
        let (table, log) = size::refresh::refresh(table, &args.refresh, &options);
        for line in &log {
            eprintln!("{line}");
        }
        let header = table::builtin_header();
        let text = table.render(header);
        return write_out(args, text.as_bytes());
    }
    let path = args
        .dockerfile
        .clone()
        .unwrap_or_else(|| PathBuf::from("Dockerfile"));
    let file =
        read_source(&path, &path).map_err(|e| format!("{}: {}", e.path.display(), e.message))?;
    let build_options = BuildOptions {
        build_args: parse_build_args(&args.build_args)?,
        target: args.target.clone(),
        target_platform: args.platform.clone(),
        build_platform: None,
    };
    let analysis = Analysis::new(file, &build_options);
    if let Some(e) = analysis.errors().first() {
        return Err(format!(
            "{}:{}:{}: {}",
            e.path.display(),
            e.line.unwrap_or(0),
            e.column.unwrap_or(0),
            e.message
        ));
    }
    let context_dir = args.context.clone().unwrap_or_else(|| {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    });
    let ignore = Ignore::load(&context_dir, Some(&path));
    let context = BuildContext::scan(&context_dir, &ignore).map_err(|e| {
        format!(
            "cannot read the build context `{}`: {e}",
            context_dir.display()
        )
    })?;
    let arch = args
        .platform
        .as_deref()
        .and_then(|p| p.split('/').nth(1))
        .unwrap_or("amd64")
        .to_string();
    let opts = Options {
        table: &table,
        context: Some(&context),
        arch,
    };
    let estimate = size::estimate(&analysis.file, &analysis.dockerfile, &analysis.build, &opts);
    let mut out = Vec::new();
    let rendered = match args.format {
        SizeFormat::Text => size::report::render_text(&estimate, &mut out),
        SizeFormat::Json => size::report::render_json(&estimate, &mut out),
    };
    rendered.map_err(|e| format!("cannot render the report: {e}"))?;
    write_out(args, &out)
}
