//! Linting one Dockerfile: parse, build the model, run the rules, apply
//! suppressions.

use crate::graph::{Build, BuildOptions};
use crate::rules::{self, Finding, RuleOptions, Selection, Shared};
use crate::source::{DecodeError, SourceFile, Span, decode};
use crate::suppress;
use crate::syntax::{self, Dockerfile};
use std::path::{Path, PathBuf};

/// Files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Everything that decides what a lint reports.
#[derive(Clone, Debug, Default)]
pub struct LintSettings {
    pub selection: Selection,
    pub options: RuleOptions,
    pub build: BuildOptions,
    /// Ignore `# imglint ignore=` / `# hadolint ignore=` comments.
    pub disable_pragmas: bool,
}

/// An input that could not be read or that BuildKit would reject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub path: PathBuf,
    /// A stable code such as `imglint::syntax::unterminated-heredoc`.
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    /// Where in the file, when the file could be read.
    pub span: Option<Span>,
    /// 1-based line and column (characters), when known.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl InputError {
    pub fn io(path: &Path, err: &std::io::Error) -> InputError {
        let message = match err.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => err.to_string(),
        };
        InputError {
            path: path.to_path_buf(),
            code: "imglint::io",
            message,
            help: None,
            span: None,
            line: None,
            column: None,
        }
    }

    fn at(
        file: &SourceFile,
        code: &'static str,
        span: Span,
        message: String,
        help: Option<String>,
    ) -> InputError {
        let pos = file.position(span.start);
        InputError {
            path: file.path.clone(),
            code,
            message,
            help,
            span: Some(span),
            line: Some(pos.line),
            column: Some(pos.char_column),
        }
    }
}

/// The result of linting one file.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub file: SourceFile,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
}

/// Reads a file as a Dockerfile: UTF-8 text, not binary, not too large.
pub fn read_source(path: &Path, display: &Path) -> Result<SourceFile, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::io(display, &e))?;
    if meta.is_dir() {
        return Err(InputError {
            path: display.to_path_buf(),
            code: "imglint::io",
            message: "is a directory".to_string(),
            help: None,
            span: None,
            line: None,
            column: None,
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(InputError {
            path: display.to_path_buf(),
            code: "imglint::io::too-large",
            message: format!(
                "the file is {} bytes, more than the {MAX_FILE_BYTES} a Dockerfile may have",
                meta.len()
            ),
            help: None,
            span: None,
            line: None,
            column: None,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| InputError::io(display, &e))?;
    source_from_bytes(display, bytes)
}

/// Decodes bytes read from `path` (or stdin).
pub fn source_from_bytes(path: &Path, bytes: Vec<u8>) -> Result<SourceFile, InputError> {
    match decode(bytes.clone()) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => {
            let offset = e.offset();
            // position of the bad byte, counting what was valid before it
            let prefix = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]).into_owned();
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let (code, message) = match e {
                DecodeError::Binary { .. } => (
                    "imglint::io::binary",
                    "this is a binary file (it contains a NUL byte), not a Dockerfile".to_string(),
                ),
                DecodeError::InvalidUtf8 { .. } => (
                    "imglint::io::invalid-utf8",
                    format!(
                        "invalid UTF-8 (byte 0x{:02x})",
                        bytes.get(offset).copied().unwrap_or(0)
                    ),
                ),
            };
            Err(InputError {
                path: path.to_path_buf(),
                code,
                message,
                help: Some("Dockerfiles must be UTF-8 text".to_string()),
                span: None,
                line: Some(line as u32),
                column: Some(column as u32),
            })
        }
    }
}

/// A parsed file with its build model.
pub struct Analysis {
    pub file: SourceFile,
    pub dockerfile: Dockerfile,
    pub build: Build,
}

impl Analysis {
    pub fn new(file: SourceFile, build: &BuildOptions) -> Analysis {
        let dockerfile = syntax::parse(&file.text);
        let build = Build::new(&dockerfile, build);
        Analysis {
            file,
            dockerfile,
            build,
        }
    }

    /// Parse and model errors as input errors.
    pub fn errors(&self) -> Vec<InputError> {
        let mut out: Vec<InputError> = self
            .dockerfile
            .errors
            .iter()
            .map(|e| {
                InputError::at(
                    &self.file,
                    e.kind.code(),
                    e.span,
                    e.message.clone(),
                    e.help.clone(),
                )
            })
            .collect();
        for e in &self.build.errors {
            let code = if e.message.starts_with("target stage") {
                "imglint::graph::unknown-target"
            } else {
                "imglint::graph::circular-dependency"
            };
            out.push(InputError::at(
                &self.file,
                code,
                e.span,
                e.message.clone(),
                e.help.clone(),
            ));
        }
        out.sort_by_key(|e| e.span.map(|s| s.start));
        out
    }
}

/// Lints one source file.
pub fn lint_source(file: SourceFile, settings: &LintSettings) -> FileReport {
    let analysis = Analysis::new(file, &settings.build);
    let errors = analysis.errors();
    let findings = {
        let shared = Shared::new(
            &analysis.file,
            &analysis.dockerfile,
            &analysis.build,
            &settings.options,
        );
        let findings = rules::run(&shared, &settings.selection);
        suppress::apply(
            &analysis.file,
            &analysis.dockerfile,
            findings,
            settings.disable_pragmas,
        )
    };
    FileReport {
        file: analysis.file,
        findings,
        errors,
    }
}

/// Lints text (for tests and editors).
pub fn lint_text(path: &str, text: &str, settings: &LintSettings) -> FileReport {
    lint_source(SourceFile::new(path, text), settings)
}
