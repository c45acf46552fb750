//! `path:line:col: CODE severity: message`, one finding per line.

use super::{display_path, error_line};
use crate::lint::{FileReport, InputError};
use std::io::{self, Write};

pub fn render(
    reports: &[FileReport],
    errors: &[InputError],
    out: &mut dyn Write,
) -> io::Result<()> {
    for e in errors {
        writeln!(out, "{}", error_line(e).replacen(": ", ": error: ", 1))?;
    }
    for r in reports {
        let path = display_path(&r.file);
        for f in &r.findings {
            let p = r.file.position(f.span.start);
            writeln!(
                out,
                "{path}:{}:{}: {} {}: {}",
                p.line, p.char_column, f.rule.code, f.severity, f.message
            )?;
        }
    }
    Ok(())
}
