//! `path:line:col: CODE severity: message`, one finding per line; an image
//! finding adds its subject, and has no line and column when no Dockerfile
//! instruction was found for it.

use super::{display_path, error_line, is_on_image, subject_suffix};
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
            let subject = subject_suffix(f);
            if is_on_image(r, f) {
                writeln!(
                    out,
                    "{path}: {} {}: {}{subject}",
                    f.rule.code, f.severity, f.message
                )?;
                continue;
            }
            let p = r.file.position(f.span.start);
            writeln!(
                out,
                "{path}:{}:{}: {} {}: {}{subject}",
                p.line, p.char_column, f.rule.code, f.severity, f.message
            )?;
        }
    }
    Ok(())
}
