//! The build context on disk: its files after `.dockerignore`, the files a
//! `COPY` source selects, and what they weigh as a gzip-compressed layer.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use regex::Regex;

use super::table::Size;

/// At most this many files are listed.
const MAX_FILES: usize = 200_000;
/// Content beyond this is not compressed; its ratio is extrapolated.
const MAX_COMPRESSED_INPUT: u64 = 64 * 1024 * 1024;

/// `.dockerignore` patterns, in order.
#[derive(Clone, Debug, Default)]
pub struct Ignore {
    rules: Vec<(Regex, bool)>,
}

/// A glob of Docker's pattern syntax as a regular expression over a
/// `/`-separated relative path: `*` and `?` stay inside one component, `**`
/// spans any number of them, `[…]` is a class.
fn glob_regex(pattern: &str) -> Option<Regex> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                    re.push_str("(?:.*/)?");
                } else {
                    re.push_str(".*");
                }
                continue;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => match chars[i + 1..].iter().position(|&c| c == ']') {
                Some(len) => {
                    let class: String = chars[i + 1..i + 1 + len].iter().collect();
                    let (neg, body) = match class.strip_prefix(['!', '^']) {
                        Some(rest) => (true, rest.to_string()),
                        None => (false, class),
                    };
                    re.push('[');
                    if neg {
                        re.push('^');
                    }
                    for ch in body.chars() {
                        if matches!(ch, '\\' | '[' | ']' | '^' | '&' | '~') {
                            re.push('\\');
                        }
                        re.push(ch);
                    }
                    re.push(']');
                    i += len + 2;
                    continue;
                }
                None => re.push_str("\\["),
            },
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    re.push_str(&regex::escape(&n.to_string()));
                    i += 2;
                    continue;
                }
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    Regex::new(&re).ok()
}

/// `a/./b/../c/` → `a/c`; leading `/` and `./` removed.
pub fn clean(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl Ignore {
    /// Parses `.dockerignore` text.
    pub fn parse(text: &str) -> Ignore {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negate, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let pattern = clean(pattern);
            if pattern.is_empty() {
                continue;
            }
            if let Some(re) = glob_regex(&pattern) {
                rules.push((re, negate));
            }
        }
        Ignore { rules }
    }

    /// Reads `DIR/.dockerignore` (or the Dockerfile-specific
    /// `<Dockerfile>.dockerignore` next to it when given).
    pub fn load(context: &Path, dockerfile: Option<&Path>) -> Ignore {
        let specific = dockerfile.map(|d| {
            let mut name = d.as_os_str().to_owned();
            name.push(".dockerignore");
            PathBuf::from(name)
        });
        let text = specific
            .and_then(|p| std::fs::read_to_string(p).ok())
            .or_else(|| std::fs::read_to_string(context.join(".dockerignore")).ok())
            .unwrap_or_default();
        Ignore::parse(&text)
    }

    /// Whether `path` (relative, `/`-separated) is left out of the context:
    /// the last pattern that matches it or one of its parent directories
    /// decides.
    pub fn excludes(&self, path: &str) -> bool {
        let mut excluded = false;
        for (re, negate) in &self.rules {
            let parent_hit = path
                .char_indices()
                .any(|(i, c)| c == '/' && re.is_match(&path[..i]));
            if parent_hit || re.is_match(path) {
                excluded = !negate;
            }
        }
        excluded
    }
}

/// A regular file of the context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextFile {
    /// Relative, `/`-separated.
    pub path: String,
    pub bytes: u64,
}

/// The build context: its files after `.dockerignore`.
#[derive(Clone, Debug)]
pub struct BuildContext {
    pub root: PathBuf,
    /// Sorted by path.
    pub files: Vec<ContextFile>,
    /// Directories (relative), for matching sources.
    pub dirs: Vec<String>,
    /// Listing stopped at [`MAX_FILES`].
    pub truncated: bool,
}

impl BuildContext {
    /// Lists `root` with `ignore` applied.
    pub fn scan(root: &Path, ignore: &Ignore) -> io::Result<BuildContext> {
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        let mut truncated = false;
        let mut stack = vec![String::new()];
        while let Some(rel) = stack.pop() {
            let dir = if rel.is_empty() {
                root.to_path_buf()
            } else {
                root.join(&rel)
            };
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if rel.is_empty() => return Err(e),
                Err(_) => continue,
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let Ok(ft) = entry.file_type() else { continue };
                if ft.is_dir() {
                    // an excluded directory may still hold re-included files
                    dirs.push(path.clone());
                    stack.push(path);
                } else if !ignore.excludes(&path) {
                    let bytes = if ft.is_file() {
                        entry.metadata().map(|m| m.len()).unwrap_or(0)
                    } else {
                        0
                    };
                    files.push(ContextFile { path, bytes });
                    if files.len() >= MAX_FILES {
                        truncated = true;
                        stack.clear();
                        break;
                    }
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        dirs.retain(|d| !ignore.excludes(d) || files.iter().any(|f| is_under(&f.path, d)));
        dirs.sort();
        Ok(BuildContext {
            root: root.to_path_buf(),
            files,
            dirs,
            truncated,
        })
    }

    /// The files a `COPY` source selects, each with its path relative to
    /// the source (what lands under the destination). `None` when the source
    /// matches nothing.
    pub fn select(&self, source: &str) -> Option<Vec<(&ContextFile, String)>> {
        let src = clean(source);
        let mut out: Vec<(&ContextFile, String)> = Vec::new();
        if src.is_empty() {
            return Some(self.files.iter().map(|f| (f, f.path.clone())).collect());
        }
        let has_glob = src.contains(['*', '?', '[']);
        let roots: Vec<String> = if has_glob {
            let re = glob_regex(&src)?;
            let mut r: Vec<String> = self
                .files
                .iter()
                .map(|f| f.path.clone())
                .chain(self.dirs.iter().cloned())
                .filter(|p| re.is_match(p))
                .collect();
            r.sort();
            r.dedup();
            r
        } else {
            vec![src.clone()]
        };
        for root in roots {
            if let Some(f) = self.files.iter().find(|f| f.path == root) {
                let name = root.rsplit('/').next().unwrap_or(&root).to_string();
                out.push((f, name));
                continue;
            }
            let prefix = format!("{root}/");
            for f in &self.files {
                if let Some(rest) = f.path.strip_prefix(&prefix) {
                    // a directory is copied as its contents
                    out.push((f, rest.to_string()));
                }
            }
        }
        if out.is_empty() && !self.dirs.contains(&src) {
            return None;
        }
        Some(out)
    }

    /// What `files` weigh as one gzip-compressed layer tar.
    pub fn measure(&self, files: &[&ContextFile]) -> Measured {
        measure_files(&self.root, files)
    }
}

fn is_under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Content and compressed size of a set of files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measured {
    pub files: usize,
    pub content: u64,
    pub compressed: Size,
}

struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the files as a tar into gzip (level 6, as BuildKit compresses
/// layers) and counts the output; content past [`MAX_COMPRESSED_INPUT`] is
/// counted at the ratio seen so far, with wider bounds.
pub fn measure_files(root: &Path, files: &[&ContextFile]) -> Measured {
    let content: u64 = files.iter().map(|f| f.bytes).sum();
    let mut gz = flate2::write::GzEncoder::new(Count(0), flate2::Compression::new(6));
    let mut fed = 0u64;
    let mut skipped = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for f in files {
        if fed >= MAX_COMPRESSED_INPUT {
            skipped += f.bytes;
            continue;
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(f.bytes);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        let _ = header.set_path(&f.path);
        header.set_cksum();
        let _ = gz.write_all(header.as_bytes());
        let mut written = 0u64;
        if let Ok(file) = std::fs::File::open(root.join(&f.path)) {
            let mut r = file.take(f.bytes);
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = gz.write_all(&buf[..n]);
                written += n as u64;
            }
        }
        // a file that shrank or vanished: pad as tar would have
        let mut left = f.bytes - written.min(f.bytes);
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            buf[..n].fill(0);
            let _ = gz.write_all(&buf[..n]);
            left -= n as u64;
        }
        let pad = (512 - f.bytes % 512) % 512;
        let _ = gz.write_all(&vec![0u8; pad as usize]);
        fed += f.bytes;
    }
    let _ = gz.write_all(&[0u8; 1024]);
    let compressed = gz.finish().map(|c| c.0).unwrap_or(0);
    let size = if skipped == 0 {
        // mtimes, ownership, order and the compressor's build differ from
        // BuildKit's: a few percent either way
        Size {
            low: compressed.saturating_mul(90) / 100,
            estimate: compressed,
            high: compressed.saturating_mul(115) / 100 + 1024,
        }
    } else {
        let ratio = compressed as f64 / fed.max(1) as f64;
        let rest = skipped as f64 * ratio;
        let total = compressed as f64 + rest;
        Size {
            low: (compressed as f64 * 0.9 + rest * 0.5) as u64,
            estimate: total as u64,
            high: (compressed as f64 * 1.15 + (skipped as f64 * 1.01).max(rest * 1.5)) as u64,
        }
    };
    Measured {
        files: files.len(),
        content,
        compressed: size,
    }
}

/// What a text (a heredoc body) weighs as a compressed layer.
pub fn measure_text(text: &str) -> Size {
    let mut gz = flate2::write::GzEncoder::new(Count(0), flate2::Compression::new(6));
    let _ = gz.write_all(&[0u8; 512]);
    let _ = gz.write_all(text.as_bytes());
    let _ = gz.write_all(&[0u8; 1024]);
    let n = gz.finish().map(|c| c.0).unwrap_or(0);
    Size {
        low: n.saturating_mul(90) / 100,
        estimate: n,
        high: n.saturating_mul(115) / 100 + 1024,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ig(text: &str) -> Ignore {
        Ignore::parse(text)
    }

    #[test]
    fn dockerignore_patterns() {
        let i = ig("# comment\nnode_modules\n*.log\n!keep.log\n**/*.tmp\n/dist/\ndocs/**/*.md\n");
        assert!(i.excludes("node_modules"));
        assert!(i.excludes("node_modules/a/b.js"));
        assert!(
            !i.excludes("src/node_modules/a.js"),
            "patterns are anchored"
        );
        assert!(i.excludes("x.log"));
        assert!(!i.excludes("keep.log"));
        assert!(!i.excludes("sub/x.log"), "`*` stays in one component");
        assert!(i.excludes("a/b/c.tmp") && i.excludes("c.tmp"));
        assert!(i.excludes("dist/app.js"));
        assert!(i.excludes("docs/a/b/x.md") && i.excludes("docs/x.md"));
        assert!(!i.excludes("docs/x.txt"));
        // re-including under an excluded directory
        let i = ig("build\n!build/keep\n");
        assert!(i.excludes("build/a") && !i.excludes("build/keep"));
        assert!(ig("[a-c]?.txt").excludes("b1.txt"));
        assert!(!ig("[!a-c]?.txt").excludes("b1.txt"));
    }

    #[test]
    fn cleans_paths() {
        assert_eq!(clean("./a/./b/../c/"), "a/c");
        assert_eq!(clean("/abs/x"), "abs/x");
        assert_eq!(clean("."), "");
    }
}
