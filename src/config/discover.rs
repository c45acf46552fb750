//! Finding the configuration file of each linted file: the nearest
//! `.imglint.toml`, `.hadolint.yaml` or `.hadolint.yml` (in that order of
//! preference within one directory) in the file's directory or above it, up
//! to the repository root (the directory holding `.git`); then, as a last
//! resort, the user's files (`~/.config/imglint/config.toml`, then where
//! hadolint looks).

use super::{Layer, display_path, hadolint, imglint, normalize};
use crate::lint::InputError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File names looked for in each directory, the preferred first.
pub const FILE_NAMES: [&str; 3] = [".imglint.toml", ".hadolint.yaml", ".hadolint.yml"];

/// `extend` chains longer than this are refused.
const MAX_EXTEND: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKind {
    /// `.imglint.toml`.
    Imglint,
    /// `.hadolint.yaml`, read for compatibility.
    Hadolint,
}

impl ConfigKind {
    fn of(path: &Path) -> ConfigKind {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml") => {
                ConfigKind::Hadolint
            }
            _ => ConfigKind::Imglint,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKind::Imglint => "imglint",
            ConfigKind::Hadolint => "hadolint",
        }
    }
}

/// A configuration file, read.
#[derive(Clone, Debug)]
pub struct ConfigFile {
    /// Absolute and normalised.
    pub path: PathBuf,
    /// As shown to the user (relative to the working directory when below it).
    pub display: PathBuf,
    pub kind: ConfigKind,
    /// Its settings, lowest precedence first: the files it extends, then
    /// its own.
    pub layers: Vec<Layer>,
    /// Problems that do not stop it from being used (`path:line:col: message`).
    pub warnings: Vec<String>,
}

/// The configuration that applies somewhere: none, or a file read or not.
pub type Found = Option<Arc<Result<ConfigFile, InputError>>>;

/// Reads the configuration file at `path` (absolute), following `extend`.
pub fn load(path: &Path, cwd: &Path) -> Result<ConfigFile, InputError> {
    let mut chain = Vec::new();
    load_chain(path, cwd, &mut chain)
}

fn load_chain(path: &Path, cwd: &Path, chain: &mut Vec<PathBuf>) -> Result<ConfigFile, InputError> {
    let display = display_path(path, cwd);
    let kind = ConfigKind::of(path);
    let text = std::fs::read(path)
        .map_err(|e| InputError::io(&display, &e))
        .and_then(|bytes| {
            String::from_utf8(bytes).map_err(|e| {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let prefix = String::from_utf8_lossy(valid);
                super::error_at(
                    &display,
                    &prefix,
                    prefix.len(),
                    "imglint::config::invalid",
                    "invalid UTF-8".to_string(),
                    None,
                )
            })
        })?;
    chain.push(path.to_path_buf());
    let dir = path.parent().unwrap_or(Path::new("/"));
    match kind {
        ConfigKind::Hadolint => {
            let (layer, warnings) = hadolint::parse_hadolint(&display, &text)?;
            Ok(ConfigFile {
                path: path.to_path_buf(),
                display,
                kind,
                layers: vec![layer],
                warnings,
            })
        }
        ConfigKind::Imglint => {
            let parsed = imglint::parse_toml(&display, dir, &text)?;
            let mut layers = Vec::new();
            let mut warnings = Vec::new();
            if let Some(base) = parsed.extend {
                let base = normalize(&base, cwd);
                let problem = if chain.contains(&base) {
                    Some(format!(
                        "`extend` makes a cycle through {}",
                        display_path(&base, cwd).display()
                    ))
                } else if chain.len() >= MAX_EXTEND {
                    Some(format!("more than {MAX_EXTEND} files extend one another"))
                } else {
                    None
                };
                if let Some(message) = problem {
                    return Err(extend_error(&display, &text, message));
                }
                let base = load_chain(&base, cwd, chain)?;
                layers.extend(base.layers);
                warnings.extend(base.warnings);
            }
            layers.push(parsed.layer);
            Ok(ConfigFile {
                path: path.to_path_buf(),
                display,
                kind,
                layers,
                warnings,
            })
        }
    }
}

/// An error about the `extend` key, at the key.
fn extend_error(display: &Path, text: &str, message: String) -> InputError {
    let offset = text
        .lines()
        .scan(0, |pos, line| {
            let start = *pos;
            *pos += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, l)| l.trim_start().starts_with("extend"))
        .map_or(0, |(start, l)| start + (l.len() - l.trim_start().len()));
    super::error_at(
        display,
        text,
        offset,
        "imglint::config::invalid",
        message,
        None,
    )
}

/// How the configuration file is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Look for it above each file.
    Discover,
    /// This file for every input (`--config`, `IMGLINT_CONFIG`).
    Explicit(PathBuf),
    /// None (`--no-config`).
    Disabled,
}

/// Finds and reads configuration files, each once.
pub struct Discovery {
    mode: Mode,
    cwd: PathBuf,
    home: Option<PathBuf>,
    xdg_config: Option<PathBuf>,
    by_dir: HashMap<PathBuf, Found>,
    loaded: HashMap<PathBuf, Arc<Result<ConfigFile, InputError>>>,
    user: Option<Found>,
}

impl Discovery {
    /// `home` and `xdg_config` locate the user's files (`$HOME`,
    /// `$XDG_CONFIG_HOME`).
    pub fn new(mode: Mode, cwd: &Path, home: Option<PathBuf>, xdg_config: Option<PathBuf>) -> Self {
        Discovery {
            mode,
            cwd: cwd.to_path_buf(),
            home: home.filter(|h| h.is_absolute()),
            xdg_config: xdg_config.filter(|x| x.is_absolute()),
            by_dir: HashMap::new(),
            loaded: HashMap::new(),
            user: None,
        }
    }

    /// With the user's directories from the process environment.
    pub fn from_process(mode: Mode, cwd: &Path) -> Self {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        Discovery::new(mode, cwd, home, xdg)
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    fn load_cached(&mut self, path: &Path) -> Arc<Result<ConfigFile, InputError>> {
        if let Some(c) = self.loaded.get(path) {
            return c.clone();
        }
        let c = Arc::new(load(path, &self.cwd));
        self.loaded.insert(path.to_path_buf(), c.clone());
        c
    }

    /// The configuration of a file (the path as given: relative paths are
    /// taken from the working directory).
    pub fn for_file(&mut self, file: &Path) -> Found {
        let file = normalize(file, &self.cwd);
        let dir = file
            .parent()
            .map_or_else(|| file.clone(), Path::to_path_buf);
        self.for_dir(&dir)
    }

    /// The configuration that applies in a directory.
    pub fn for_dir(&mut self, dir: &Path) -> Found {
        match self.mode.clone() {
            Mode::Disabled => None,
            Mode::Explicit(p) => {
                let p = normalize(&p, &self.cwd);
                Some(self.load_cached(&p))
            }
            Mode::Discover => self.walk(&normalize(dir, &self.cwd)),
        }
    }

    fn walk(&mut self, dir: &Path) -> Found {
        let mut visited = Vec::new();
        let mut cur = Some(dir.to_path_buf());
        let found = loop {
            let Some(d) = cur else {
                break self.user_level();
            };
            if let Some(f) = self.by_dir.get(&d) {
                break f.clone();
            }
            visited.push(d.clone());
            if let Some(path) = FILE_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
                break Some(self.load_cached(&path));
            }
            if d.join(".git").exists() {
                break self.user_level();
            }
            cur = d.parent().map(Path::to_path_buf);
        };
        for v in visited {
            self.by_dir.insert(v, found.clone());
        }
        found
    }

    /// The places looked at when no file is found above the linted one, in
    /// order.
    pub fn user_candidates(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let xdg = self
            .xdg_config
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".config")));
        if let Some(x) = &xdg {
            out.push(x.join("imglint").join("config.toml"));
        }
        // where hadolint looks
        for n in [".hadolint.yaml", ".hadolint.yml"] {
            out.push(self.cwd.join(n));
        }
        if let Some(x) = &xdg {
            for n in ["hadolint.yaml", "hadolint.yml"] {
                out.push(x.join(n));
            }
        }
        if let Some(h) = &self.home {
            for n in ["hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml"] {
                out.push(h.join(".hadolint").join(n));
            }
            for n in [".hadolint.yaml", ".hadolint.yml"] {
                out.push(h.join(n));
            }
        }
        out
    }

    fn user_level(&mut self) -> Found {
        if let Some(u) = &self.user {
            return u.clone();
        }
        let found = self
            .user_candidates()
            .into_iter()
            .find(|p| p.is_file())
            .map(|p| self.load_cached(&p));
        self.user = Some(found.clone());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn found_path(f: &Found) -> Option<PathBuf> {
        f.as_ref()
            .map(|r| r.as_ref().as_ref().unwrap().path.clone())
    }

    #[test]
    fn nearest_file_wins_and_the_walk_stops_at_the_repository_root() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("outer/repo");
        write(t.path(), "outer/.imglint.toml", "");
        write(&root, ".git/HEAD", "");
        let top = write(&root, ".imglint.toml", "");
        let sub = write(&root, "svc/.hadolint.yaml", "");
        let home = t.path().join("home");
        let mut d = Discovery::new(Mode::Discover, &root, Some(home.clone()), None);
        assert_eq!(
            found_path(&d.for_file(Path::new("svc/api/Dockerfile"))),
            Some(sub)
        );
        assert_eq!(
            found_path(&d.for_file(Path::new("Dockerfile"))),
            Some(top.clone())
        );
        assert_eq!(
            found_path(&d.for_file(Path::new("web/x/Dockerfile"))),
            Some(top)
        );
        // .imglint.toml beats .hadolint.yaml in one directory
        let both = write(&root, "both/.imglint.toml", "");
        write(&root, "both/.hadolint.yaml", "");
        assert_eq!(
            found_path(&d.for_file(Path::new("both/Dockerfile"))),
            Some(both)
        );

        // without a config up to the root: the user's files
        let bare = t.path().join("bare");
        write(&bare, ".git/HEAD", "");
        let mut d = Discovery::new(Mode::Discover, &bare, Some(home.clone()), None);
        assert!(d.for_file(Path::new("Dockerfile")).is_none());
        let user = write(&home, ".hadolint.yaml", "");
        let mut d = Discovery::new(Mode::Discover, &bare, Some(home.clone()), None);
        assert_eq!(found_path(&d.for_file(Path::new("Dockerfile"))), Some(user));
        let mine = write(&home, ".config/imglint/config.toml", "");
        let mut d = Discovery::new(Mode::Discover, &bare, Some(home.clone()), None);
        assert_eq!(found_path(&d.for_file(Path::new("Dockerfile"))), Some(mine));
    }

    #[test]
    fn explicit_and_disabled_modes() {
        let t = tempfile::tempdir().unwrap();
        let own = write(t.path(), "ci/lint.toml", "");
        write(t.path(), ".imglint.toml", "");
        let mut d = Discovery::new(
            Mode::Explicit(PathBuf::from("ci/lint.toml")),
            t.path(),
            None,
            None,
        );
        assert_eq!(found_path(&d.for_file(Path::new("Dockerfile"))), Some(own));
        let mut d = Discovery::new(Mode::Disabled, t.path(), None, None);
        assert!(d.for_file(Path::new("Dockerfile")).is_none());
        let mut d = Discovery::new(
            Mode::Explicit(PathBuf::from("missing.toml")),
            t.path(),
            None,
            None,
        );
        let e = d.for_file(Path::new("Dockerfile")).unwrap();
        let e = e.as_ref().as_ref().unwrap_err();
        assert_eq!(e.path, Path::new("missing.toml"));
        assert_eq!(e.message, "no such file or directory");
    }

    #[test]
    fn extend_puts_the_base_below_and_refuses_cycles() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "base.toml",
            "ignore = [\"DL3008\"]\nno-fail = true\n",
        );
        let child = write(
            t.path(),
            "svc/.imglint.toml",
            "extend = \"../base.toml\"\nno-fail = false\n",
        );
        let c = load(&child, t.path()).unwrap();
        assert_eq!(c.layers.len(), 2);
        let layers: Vec<&Layer> = c.layers.iter().collect();
        let s = super::super::resolve(&layers, None);
        assert!(!s.no_fail);
        assert!(
            !s.lint
                .selection
                .is_enabled(crate::rules::index_of("DL3008").unwrap())
        );

        let a = write(t.path(), "a.toml", "extend = \"b.toml\"\n");
        write(t.path(), "b.toml", "\n\nextend = \"a.toml\"\n");
        let e = load(&a, t.path()).unwrap_err();
        assert_eq!(e.path, Path::new("b.toml"));
        assert_eq!((e.line, e.column), (Some(3), Some(1)));
        assert!(e.message.contains("cycle"), "{}", e.message);
    }

    #[test]
    fn invalid_files_are_errors_with_their_display_path() {
        let t = tempfile::tempdir().unwrap();
        let p = write(t.path(), "x/.hadolint.yaml", "ignored: [DL3008\n");
        let e = load(&p, t.path()).unwrap_err();
        assert_eq!(e.path, Path::new("x/.hadolint.yaml"));
        assert!(e.line.is_some() && e.column.is_some());
        let p = t.path().join("bad.toml");
        std::fs::write(&p, b"select = [\"\xff\"]\n").unwrap();
        let e = load(&p, t.path()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(1), Some(12)));
    }
}
