//! Go and Rust builds as the linking rules read them: the command's flags,
//! where the program is written, and whether it links against the C
//! library dynamically.

use super::args::Args;
use super::{ShellWord, SimpleCommand};

/// Go build flags that take a value (`-o out`, `-tags=x`).
const GO_FLAGS_WITH_VALUE: &[&str] = &[
    "o",
    "C",
    "p",
    "ldflags",
    "gcflags",
    "asmflags",
    "tags",
    "mod",
    "modfile",
    "buildmode",
    "compiler",
    "gccgoflags",
    "installsuffix",
    "pkgdir",
    "toolexec",
    "overlay",
    "pgo",
    "covermode",
    "coverpkg",
    "exec",
];

/// A flag as written: its name without dashes, its value, and the words.
#[derive(Clone, Debug)]
pub struct GoFlag<'a> {
    pub name: String,
    pub value: Option<String>,
    pub word: &'a ShellWord,
}

/// A `go build` or `go install` of the project (not `go install pkg@v`).
#[derive(Clone, Debug)]
pub struct GoBuild<'a> {
    pub cmd: &'a SimpleCommand,
    /// `go` (or `xx-go`), after wrappers.
    pub program: &'a ShellWord,
    /// `build` or `install`.
    pub sub: &'a ShellWord,
    pub flags: Vec<GoFlag<'a>>,
    /// The packages or files built.
    pub packages: Vec<&'a ShellWord>,
}

impl GoBuild<'_> {
    pub fn is_install(&self) -> bool {
        self.sub.value == "install"
    }

    /// The value of flag `name` (the last one given).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|f| f.name == name)
            .and_then(|f| f.value.as_deref())
    }

    pub fn has(&self, name: &str) -> bool {
        self.flags
            .iter()
            .any(|f| f.name == name && f.value.as_deref() != Some("false"))
    }

    /// The build tags.
    pub fn tags(&self) -> Vec<&str> {
        self.value("tags")
            .map(|t| {
                t.split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    }

    /// Whether the flags make the binary static whatever cgo does: the
    /// pure-Go resolver (`-tags netgo`) or a static external link
    /// (`-extldflags "-static"`).
    pub fn forces_static(&self) -> bool {
        self.tags().contains(&"netgo")
            || self.value("ldflags").is_some_and(|l| {
                l.split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '=')
                    .any(|w| w == "-static")
            })
    }
}

/// Reads `go build`/`go install` of a local package.
pub fn go_build(cmd: &SimpleCommand) -> Option<GoBuild<'_>> {
    let args = Args::of(cmd)?;
    if !matches!(args.program(), "go" | "xx-go") {
        return None;
    }
    let mut words = args.words.iter();
    let sub = loop {
        let w = words.next()?;
        if !w.value.starts_with('-') {
            break w;
        }
    };
    if !matches!(sub.value.as_str(), "build" | "install") {
        return None;
    }
    let mut flags = Vec::new();
    let mut packages = Vec::new();
    let rest: Vec<&ShellWord> = words.collect();
    let mut i = 0;
    while let Some(w) = rest.get(i) {
        let v = w.value.as_str();
        i += 1;
        if let Some(f) = v.strip_prefix('-').filter(|_| v != "-") {
            let f = f.strip_prefix('-').unwrap_or(f);
            let (name, value) = match f.split_once('=') {
                Some((n, val)) => (n.to_string(), Some(val.to_string())),
                None if GO_FLAGS_WITH_VALUE.contains(&f) => {
                    let val = rest.get(i).map(|n| n.value.clone());
                    i += 1;
                    (f.to_string(), val)
                }
                None => (f.to_string(), None),
            };
            flags.push(GoFlag {
                name,
                value,
                word: w,
            });
        } else {
            packages.push(*w);
        }
    }
    // `go install pkg@version` installs a tool
    if sub.value == "install" && packages.iter().any(|p| p.value.contains('@')) {
        return None;
    }
    Some(GoBuild {
        cmd,
        program: args.name,
        sub,
        flags,
        packages,
    })
}

/// A `cargo build` (or `cargo install --path`) and what it produces.
#[derive(Clone, Debug)]
pub struct CargoBuild<'a> {
    pub cmd: &'a SimpleCommand,
    /// `build`, `install`, `zigbuild` …
    pub sub: &'a ShellWord,
    /// `--target` as given.
    pub target: Option<String>,
    /// `release`, `debug` or the `--profile` given.
    pub profile: String,
    pub target_dir: Option<String>,
    /// `cargo install --root`.
    pub root: Option<String>,
}

impl CargoBuild<'_> {
    pub fn is_install(&self) -> bool {
        self.sub.value == "install"
    }
}

/// Reads `cargo build`/`cargo install --path` and the wrappers that run it
/// (`cargo auditable build`, `cargo zigbuild`, `xx-cargo`).
pub fn cargo_build(cmd: &SimpleCommand) -> Option<CargoBuild<'_>> {
    let args = Args::of(cmd)?;
    if !matches!(args.program(), "cargo" | "xx-cargo") {
        return None;
    }
    let ops = args.operands(&[
        "--target",
        "-p",
        "--package",
        "--bin",
        "--features",
        "-F",
        "-j",
        "--jobs",
        "--manifest-path",
        "--profile",
        "--target-dir",
        "--config",
        "-Z",
        "--root",
        "--path",
        "--example",
        "--color",
    ]);
    let mut it = ops.iter();
    let mut sub = *it.next()?;
    if sub.value == "auditable" {
        sub = *it.next()?;
    }
    let install = sub.value == "install";
    if !(matches!(sub.value.as_str(), "build" | "b" | "zigbuild")
        || install && args.has(&[], &["path"]))
    {
        return None;
    }
    let profile = match args.value(&[], &["profile"]) {
        Some("dev") => "debug".to_string(),
        Some(p) => p.to_string(),
        None if args.has(&['r'], &["release"]) || install && !args.has(&[], &["debug"]) => {
            "release".to_string()
        }
        None => "debug".to_string(),
    };
    Some(CargoBuild {
        cmd,
        sub,
        target: args.value(&[], &["target"]).map(str::to_string),
        profile,
        target_dir: args.value(&[], &["target-dir"]).map(str::to_string),
        root: args.value(&[], &["root"]).map(str::to_string),
    })
}

/// Whether a Rust target triple builds a program that does not need the
/// C library at run time, or not for Linux at all (`wasm32-wasip1`).
pub fn is_static_or_foreign_target(triple: &str) -> bool {
    let t = triple.to_ascii_lowercase();
    t.contains("musl") || !t.contains("linux") || t.starts_with("wasm")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{Dialect, Script};
    use crate::source::Span;

    fn script(t: &str) -> Script {
        Script::from_text(
            t.into(),
            vec![(0, 0)],
            Span::new(0, t.len() as u32),
            Dialect::Sh,
        )
    }

    #[test]
    fn go_flags() {
        let s = script(
            "CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -tags netgo,osusergo -o /out/app ./cmd/app",
        );
        let b = go_build(&s.commands[0]).unwrap();
        assert_eq!(b.value("o"), Some("/out/app"));
        assert_eq!(b.value("ldflags"), Some("-s -w"));
        assert!(b.has("trimpath"));
        assert_eq!(b.tags(), ["netgo", "osusergo"]);
        assert!(b.forces_static());
        assert_eq!(b.packages[0].value, "./cmd/app");
        let s = script("go build -ldflags '-linkmode external -extldflags \"-static\"' .");
        assert!(go_build(&s.commands[0]).unwrap().forces_static());
        let s = script("go install golang.org/x/tools/cmd/goimports@latest");
        assert!(go_build(&s.commands[0]).is_none());
        let s = script("go install ./cmd/...");
        assert!(go_build(&s.commands[0]).unwrap().is_install());
    }

    #[test]
    fn cargo_builds() {
        let s = script("cargo build --release --target x86_64-unknown-linux-musl --bin app");
        let b = cargo_build(&s.commands[0]).unwrap();
        assert_eq!(b.profile, "release");
        assert_eq!(b.target.as_deref(), Some("x86_64-unknown-linux-musl"));
        let s = script("cargo install --path . --root /usr/local");
        let b = cargo_build(&s.commands[0]).unwrap();
        assert!(b.is_install());
        assert_eq!(b.root.as_deref(), Some("/usr/local"));
        assert!(cargo_build(&script("cargo install ripgrep").commands[0]).is_none());
        assert!(cargo_build(&script("cargo chef cook --release").commands[0]).is_none());
        assert!(is_static_or_foreign_target("wasm32-wasip1"));
        assert!(is_static_or_foreign_target("aarch64-unknown-linux-musl"));
        assert!(!is_static_or_foreign_target("x86_64-unknown-linux-gnu"));
    }
}
