//! The debug dump of a parse, one JSON object per file, in the shape of
//! BuildKit's own parse results (1-based lines, `end_line` including heredoc
//! bodies and terminators).

use super::tree::{Dockerfile, ParseError};
use crate::source::SourceFile;
use serde_json::{Value, json};

/// The dump of a parsed file: the instructions, or the first error BuildKit
/// would stop at.
pub fn parse_json(file: &SourceFile, df: &Dockerfile) -> Value {
    let path = file.path.display().to_string();
    if let Some(error) = first_error(df) {
        return json!({ "path": path, "error": error_json(file, error) });
    }
    let instructions: Vec<Value> = df
        .instructions
        .iter()
        .map(|ins| {
            json!({
                "keyword": ins.keyword.text.to_uppercase(),
                "start_line": ins.start_line,
                "end_line": ins.end_line,
                "original": ins.logical.text,
                "flags": ins.flags.iter().map(|f| match &f.value {
                    Some(v) => format!("--{}={}", f.name, v),
                    None => format!("--{}", f.name),
                }).collect::<Vec<_>>(),
                "heredocs": ins.heredocs.iter().map(|h| json!({
                    "name": h.name,
                    "content": h.content,
                    "expand": h.expand,
                    "chomp": h.chomp,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "path": path,
        "escape": df.escape.to_string(),
        "warnings": df.warning_count(),
        "instructions": instructions,
    })
}

/// The error BuildKit reports: the first one in the file.
pub fn first_error(df: &Dockerfile) -> Option<&ParseError> {
    df.errors.iter().min_by_key(|e| e.span.start)
}

/// An input error as JSON: message, code, 1-based line and column.
pub fn error_json(file: &SourceFile, error: &ParseError) -> Value {
    let pos = file.position(error.span.start);
    json!({
        "message": error.message,
        "code": error.kind.code(),
        "line": pos.line,
        "column": pos.char_column,
    })
}
