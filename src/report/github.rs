//! GitHub Actions workflow commands: each finding becomes an annotation.

use super::{display_path, is_on_image, range, subject_suffix};
use crate::lint::{FileReport, InputError};
use crate::rules::Severity;
use std::io::{self, Write};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(
    reports: &[FileReport],
    errors: &[InputError],
    out: &mut dyn Write,
) -> io::Result<()> {
    for e in errors {
        let mut props = format!("file={}", escape_property(&e.path.to_string_lossy()));
        if let Some(l) = e.line {
            props.push_str(&format!(",line={l}"));
        }
        if let Some(c) = e.column {
            props.push_str(&format!(",col={c}"));
        }
        writeln!(
            out,
            "::error {props},title=imglint::{}",
            escape_data(&e.message)
        )?;
    }
    for r in reports {
        let path = escape_property(&display_path(&r.file));
        for f in &r.findings {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Style => "notice",
            };
            let title = escape_property(&format!("{} {}", f.rule.code, f.rule.name));
            let message = escape_data(&format!("{}{}", f.message, subject_suffix(f)));
            if is_on_image(r, f) {
                // not a file of the repository: an annotation of the run
                writeln!(out, "::{level} title={title}::{message}")?;
                continue;
            }
            let (s, e) = range(&r.file, f);
            writeln!(
                out,
                "::{level} file={path},line={},endLine={},col={},endColumn={},title={}::{}",
                s.line, e.line, s.char_column, e.char_column, title, message
            )?;
        }
    }
    Ok(())
}
