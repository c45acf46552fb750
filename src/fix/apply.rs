//! Applying fixes to a text, and writing the result safely.

use super::{Applicability, Edit, Fix};
use std::io::Write;
use std::path::Path;

/// What applying fixes did to a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixOutcome {
    pub text: String,
    /// Number of fixes applied.
    pub applied: usize,
}

/// Applies the fixes at or above `min` to `text`: sorted by position, a fix
/// is skipped when it overlaps (or touches) one already applied, identical
/// edits are applied once.
pub fn apply_fixes<'a>(
    text: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
    min: Applicability,
) -> FixOutcome {
    let mut fixes: Vec<&Fix> = fixes
        .into_iter()
        .filter(|f| f.applicability >= min && f.applicability != Applicability::DisplayOnly)
        .filter(|f| !f.edits.is_empty())
        .collect();
    fixes.sort_by_key(|f| (f.edits[0].span.start, f.edits[0].span.end));
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut last_end: Option<u32> = None;
    for fix in fixes {
        let new: Vec<&Edit> = fix.edits.iter().filter(|e| !chosen.contains(e)).collect();
        if new.is_empty() {
            applied += 1;
            continue;
        }
        let valid = new.iter().all(|e| {
            e.span.start <= e.span.end
                && (e.span.end as usize) <= text.len()
                && text.is_char_boundary(e.span.start as usize)
                && text.is_char_boundary(e.span.end as usize)
        });
        if !valid {
            continue;
        }
        if last_end.is_some_and(|end| new[0].span.start <= end) {
            continue;
        }
        // edits of one fix must not overlap each other
        if new.windows(2).any(|w| w[1].span.start < w[0].span.end) {
            continue;
        }
        last_end = new.iter().map(|e| e.span.end).max();
        chosen.extend(new);
        applied += 1;
    }
    chosen.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0usize;
    for e in chosen {
        let (s, en) = (e.span.start as usize, e.span.end as usize);
        if s < pos {
            continue;
        }
        out.push_str(&text[pos..s]);
        out.push_str(&e.content);
        pos = en;
    }
    out.push_str(&text[pos.min(text.len())..]);
    FixOutcome { text: out, applied }
}

/// Writes `content` to `path` through a temporary file in the same
/// directory and a rename, keeping the file's permissions.
pub fn write_atomically(path: &Path, content: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".into());
    let perms = std::fs::metadata(path).map(|m| m.permissions()).ok();
    let mut attempt = 0u32;
    let (tmp_path, mut file) = loop {
        let candidate = dir.join(format!(
            ".{name}.imglint-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => break (candidate, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1
            }
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        if let Some(p) = perms {
            std::fs::set_permissions(&tmp_path, p)?;
        }
        std::fs::rename(&tmp_path, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    result
}

/// A unified diff of two texts, with `path` in the headers.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    // longest common subsequence on lines
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Op {
        Keep,
        Del,
        Add,
    }
    let mut ops: Vec<(Op, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((Op::Keep, i, j));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j]) {
            ops.push((Op::Add, i, j));
            j += 1;
        } else {
            ops.push((Op::Del, i, j));
            i += 1;
        }
    }
    let mut out = String::new();
    if ops.iter().all(|o| o.0 == Op::Keep) {
        return out;
    }
    out.push_str(&format!("--- {path}\n+++ {path}\n"));
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.0 != Op::Keep)
        .map(|(k, _)| k)
        .collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = (changed[k] + CONTEXT + 1).min(ops.len());
        while k + 1 < changed.len() && changed[k + 1] <= end + CONTEXT {
            k += 1;
            end = (changed[k] + CONTEXT + 1).min(ops.len());
        }
        let hunk = &ops[start..end];
        let old_start = hunk.first().map_or(0, |o| o.1);
        let new_start = hunk.first().map_or(0, |o| o.2);
        let old_len = hunk.iter().filter(|o| o.0 != Op::Add).count();
        let new_len = hunk.iter().filter(|o| o.0 != Op::Del).count();
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            old_start + usize::from(old_len > 0),
            old_len,
            new_start + usize::from(new_len > 0),
            new_len
        ));
        for &(op, oi, nj) in hunk {
            let (prefix, line) = match op {
                Op::Keep => (' ', a[oi]),
                Op::Del => ('-', a[oi]),
                Op::Add => ('+', b[nj]),
            };
            out.push(prefix);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn applies_non_overlapping_fixes_in_order() {
        let text = "RUN apt-get install curl\n";
        let f1 = Fix::safe("add -y", vec![Edit::insert(20, "-y ")]);
        let f2 = Fix::unsafe_("pin", vec![Edit::replace(Span::new(20, 24), "curl=1")]);
        let out = apply_fixes(text, [&f1, &f2], Applicability::Safe);
        assert_eq!(out.text, "RUN apt-get install -y curl\n");
        assert_eq!(out.applied, 1);
        let out = apply_fixes(text, [&f2], Applicability::Unsafe);
        assert_eq!(out.text, "RUN apt-get install curl=1\n");
    }

    #[test]
    fn overlapping_fixes_are_skipped() {
        let text = "abcdef";
        let f1 = Fix::safe("a", vec![Edit::replace(Span::new(0, 3), "X")]);
        let f2 = Fix::safe("b", vec![Edit::replace(Span::new(2, 4), "Y")]);
        let out = apply_fixes(text, [&f1, &f2], Applicability::Safe);
        assert_eq!(out.text, "Xdef");
        assert_eq!(out.applied, 1);
    }

    #[test]
    fn display_only_is_never_applied() {
        let f = Fix::display_only("x", vec![Edit::replace(Span::new(0, 1), "Z")]);
        assert_eq!(apply_fixes("a", [&f], Applicability::DisplayOnly).text, "a");
    }

    #[test]
    fn diffs_show_changed_lines() {
        let d = unified_diff("Dockerfile", "a\nb\nc\n", "a\nB\nc\n");
        assert!(d.contains("-b\n+B\n"), "{d}");
        assert!(unified_diff("x", "same\n", "same\n").is_empty());
    }

    #[test]
    fn atomic_write_replaces_content() {
        let dir = std::env::temp_dir().join(format!("imglint-fix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("Dockerfile");
        std::fs::write(&p, "old").unwrap();
        write_atomically(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
