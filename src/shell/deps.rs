//! Which commands download a project's dependencies, per ecosystem, and which
//! files are that ecosystem's manifests and lockfiles.

use super::args::Args;
use super::{ShellWord, SimpleCommand};
use crate::source::Span;

/// A language ecosystem with a dependency manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    Go,
    Rust,
    Node,
    Python,
    Maven,
    Gradle,
    Ruby,
    Php,
    Dotnet,
}

impl Ecosystem {
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Go => "Go",
            Ecosystem::Rust => "Rust",
            Ecosystem::Node => "Node",
            Ecosystem::Python => "Python",
            Ecosystem::Maven => "Maven",
            Ecosystem::Gradle => "Gradle",
            Ecosystem::Ruby => "Ruby",
            Ecosystem::Php => "PHP",
            Ecosystem::Dotnet => ".NET",
        }
    }

    /// Manifest and lockfile name patterns (`*` matches any text).
    pub fn manifests(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Go => &["go.mod", "go.sum", "go.work", "go.work.sum"],
            Ecosystem::Rust => &[
                "Cargo.toml",
                "Cargo.lock",
                "recipe.json",
                "rust-toolchain",
                "rust-toolchain.toml",
                ".cargo",
            ],
            Ecosystem::Node => &[
                "package.json",
                "package-lock.json",
                "npm-shrinkwrap.json",
                "yarn.lock",
                ".yarnrc",
                ".yarnrc.yml",
                ".yarn",
                ".pnp.cjs",
                "pnpm-lock.yaml",
                "pnpm-workspace.yaml",
                ".npmrc",
                "bun.lockb",
                "bun.lock",
                ".nvmrc",
            ],
            Ecosystem::Python => &[
                "requirements*.txt",
                "requirements*.in",
                "constraints*.txt",
                "pyproject.toml",
                "poetry.lock",
                "poetry.toml",
                "uv.lock",
                "Pipfile",
                "Pipfile.lock",
                "setup.py",
                "setup.cfg",
                "environment.yml",
                "environment.yaml",
                ".python-version",
            ],
            Ecosystem::Maven => &["pom.xml", ".mvn", "mvnw", "mvnw.cmd", "settings.xml"],
            Ecosystem::Gradle => &[
                "build.gradle",
                "build.gradle.kts",
                "settings.gradle",
                "settings.gradle.kts",
                "gradle.properties",
                "gradle",
                "gradlew",
                "libs.versions.toml",
            ],
            Ecosystem::Ruby => &[
                "Gemfile",
                "Gemfile.lock",
                "*.gemspec",
                ".ruby-version",
                ".bundle",
            ],
            Ecosystem::Php => &["composer.json", "composer.lock", "auth.json"],
            Ecosystem::Dotnet => &[
                "*.csproj",
                "*.fsproj",
                "*.vbproj",
                "*.sln",
                "*.slnx",
                "nuget.config",
                "NuGet.Config",
                "Directory.Build.props",
                "Directory.Build.targets",
                "Directory.Packages.props",
                "packages.lock.json",
                "global.json",
            ],
        }
    }

    /// Cache directories a cache mount can keep between builds.
    pub fn cache_dirs(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Go => &[
                "/go/pkg/mod",
                "/root/go/pkg/mod",
                "pkg/mod",
                "/root/.cache/go-build",
                ".cache/go-build",
                "$GOMODCACHE",
                "$GOCACHE",
                "${GOMODCACHE}",
                "${GOCACHE}",
            ],
            Ecosystem::Rust => &[
                "/usr/local/cargo/registry",
                "/usr/local/cargo/git",
                ".cargo/registry",
                ".cargo/git",
                "$CARGO_HOME",
                "${CARGO_HOME}",
                "/usr/local/cargo",
            ],
            Ecosystem::Node => &[
                ".npm",
                ".cache/yarn",
                "share/.cache/yarn",
                ".yarn/cache",
                ".yarn/berry",
                "pnpm/store",
                ".pnpm-store",
                "/pnpm",
                ".bun/install/cache",
                "/usr/local/share/.cache/yarn",
                ".local/share/pnpm",
            ],
            Ecosystem::Python => &[
                ".cache/pip",
                ".cache/uv",
                ".cache/pypoetry",
                ".cache/pipenv",
                "/root/.cache",
                "$UV_CACHE_DIR",
                "${UV_CACHE_DIR}",
                "$PIP_CACHE_DIR",
                "/opt/conda/pkgs",
            ],
            Ecosystem::Maven => &[".m2"],
            Ecosystem::Gradle => &[".gradle"],
            Ecosystem::Ruby => &[".bundle", "bundle/cache", ".gem", "/usr/local/bundle"],
            Ecosystem::Php => &[
                ".composer/cache",
                ".cache/composer",
                "/tmp/cache",
                "$COMPOSER_HOME",
                "${COMPOSER_HOME}",
            ],
            Ecosystem::Dotnet => &[".nuget/packages", ".nuget"],
        }
    }

    /// The main manifests: what a glob in a `COPY` must cover to count.
    pub fn primary(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Go => &["go.mod"],
            Ecosystem::Rust => &["Cargo.toml", "recipe.json"],
            Ecosystem::Node => &["package.json"],
            Ecosystem::Python => &["requirements.txt", "pyproject.toml", "Pipfile", "setup.py"],
            Ecosystem::Maven => &["pom.xml"],
            Ecosystem::Gradle => &[
                "build.gradle",
                "build.gradle.kts",
                "settings.gradle",
                "settings.gradle.kts",
            ],
            Ecosystem::Ruby => &["Gemfile"],
            Ecosystem::Php => &["composer.json"],
            Ecosystem::Dotnet => &["a.csproj", "a.fsproj", "a.vbproj", "a.sln"],
        }
    }

    /// Whether `name` (a file's base name) is one of this ecosystem's
    /// manifests or lockfiles.
    pub fn is_manifest(self, name: &str) -> bool {
        self.manifests().iter().any(|p| glob_match(p, name))
    }

    pub const ALL: [Ecosystem; 9] = [
        Ecosystem::Go,
        Ecosystem::Rust,
        Ecosystem::Node,
        Ecosystem::Python,
        Ecosystem::Maven,
        Ecosystem::Gradle,
        Ecosystem::Ruby,
        Ecosystem::Php,
        Ecosystem::Dotnet,
    ];
}

/// Whether a source pattern from a `COPY` names only manifests of some
/// ecosystem: `package*.json` covers `package-lock.json`, `go.*` covers
/// `go.mod`.
pub fn manifest_ecosystems(source: &str) -> Vec<Ecosystem> {
    let base = source
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(source);
    Ecosystem::ALL
        .into_iter()
        .filter(|e| {
            e.manifests().iter().any(|m| glob_match(m, base))
                || (base.contains(['*', '?', '['])
                    && e.primary().iter().any(|m| glob_match(base, m)))
        })
        .collect()
}

/// Simple glob: `*` any text, `?` one character, `[…]` a character class.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => {
                pi += 1;
                ti += 1;
                continue;
            }
            Some('[') => {
                if let Some(close) = p[pi..].iter().position(|c| *c == ']') {
                    let class = &p[pi + 1..pi + close];
                    let (neg, class) = match class.first() {
                        Some('!' | '^') => (true, &class[1..]),
                        _ => (false, class),
                    };
                    let mut hit = false;
                    let mut k = 0;
                    while k < class.len() {
                        if k + 2 < class.len() && class[k + 1] == '-' {
                            hit |= (class[k]..=class[k + 2]).contains(&t[ti]);
                            k += 3;
                        } else {
                            hit |= class[k] == t[ti];
                            k += 1;
                        }
                    }
                    if hit != neg {
                        pi += close + 1;
                        ti += 1;
                        continue;
                    }
                } else if t[ti] == '[' {
                    pi += 1;
                    ti += 1;
                    continue;
                }
            }
            Some(c) if *c == t[ti] => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while p.get(pi) == Some(&'*') {
        pi += 1;
    }
    pi == p.len()
}

/// The program that manages a project's dependencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    Go,
    Cargo,
    Npm,
    Yarn,
    Pnpm,
    Bun,
    Pip,
    Uv,
    Poetry,
    Pipenv,
    Conda,
    Maven,
    Gradle,
    Bundler,
    Composer,
    Dotnet,
}

impl Tool {
    pub const ALL: [Tool; 16] = [
        Tool::Go,
        Tool::Cargo,
        Tool::Npm,
        Tool::Yarn,
        Tool::Pnpm,
        Tool::Bun,
        Tool::Pip,
        Tool::Uv,
        Tool::Poetry,
        Tool::Pipenv,
        Tool::Conda,
        Tool::Maven,
        Tool::Gradle,
        Tool::Bundler,
        Tool::Composer,
        Tool::Dotnet,
    ];

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Tool::Go => Ecosystem::Go,
            Tool::Cargo => Ecosystem::Rust,
            Tool::Npm | Tool::Yarn | Tool::Pnpm | Tool::Bun => Ecosystem::Node,
            Tool::Pip | Tool::Uv | Tool::Poetry | Tool::Pipenv | Tool::Conda => Ecosystem::Python,
            Tool::Maven => Ecosystem::Maven,
            Tool::Gradle => Ecosystem::Gradle,
            Tool::Bundler => Ecosystem::Ruby,
            Tool::Composer => Ecosystem::Php,
            Tool::Dotnet => Ecosystem::Dotnet,
        }
    }

    /// The program's usual name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Go => "go",
            Tool::Cargo => "cargo",
            Tool::Npm => "npm",
            Tool::Yarn => "yarn",
            Tool::Pnpm => "pnpm",
            Tool::Bun => "bun",
            Tool::Pip => "pip",
            Tool::Uv => "uv",
            Tool::Poetry => "poetry",
            Tool::Pipenv => "pipenv",
            Tool::Conda => "conda",
            Tool::Maven => "mvn",
            Tool::Gradle => "gradle",
            Tool::Bundler => "bundle",
            Tool::Composer => "composer",
            Tool::Dotnet => "dotnet",
        }
    }

    /// The manifest the tool's lockfile pins (`package.json` for npm).
    pub fn manifest(self) -> Option<&'static str> {
        match self {
            Tool::Go => Some("go.mod"),
            Tool::Cargo => Some("Cargo.toml"),
            Tool::Npm | Tool::Yarn | Tool::Pnpm | Tool::Bun => Some("package.json"),
            Tool::Uv | Tool::Poetry => Some("pyproject.toml"),
            Tool::Pipenv => Some("Pipfile"),
            Tool::Bundler => Some("Gemfile"),
            Tool::Composer => Some("composer.json"),
            Tool::Dotnet => Some("*.csproj"),
            Tool::Pip | Tool::Conda | Tool::Maven | Tool::Gradle => None,
        }
    }

    /// The tool's lockfiles, the usual one first.
    pub fn lockfiles(self) -> &'static [&'static str] {
        match self {
            Tool::Go => &["go.sum"],
            Tool::Cargo => &["Cargo.lock"],
            Tool::Npm => &["package-lock.json", "npm-shrinkwrap.json"],
            Tool::Yarn => &["yarn.lock"],
            Tool::Pnpm => &["pnpm-lock.yaml"],
            Tool::Bun => &["bun.lock", "bun.lockb"],
            Tool::Uv => &["uv.lock"],
            Tool::Poetry => &["poetry.lock"],
            Tool::Pipenv => &["Pipfile.lock"],
            Tool::Bundler => &["Gemfile.lock", "gems.locked"],
            Tool::Composer => &["composer.lock"],
            Tool::Dotnet => &["packages.lock.json"],
            Tool::Gradle => &["gradle.lockfile"],
            Tool::Pip | Tool::Conda | Tool::Maven => &[],
        }
    }

    /// Where the tool keeps downloads between runs, for the root user of
    /// the usual images (`~/` is the home directory).
    pub fn cache_dirs(self) -> &'static [&'static str] {
        match self {
            Tool::Go => &["/go/pkg/mod", "~/go/pkg/mod"],
            Tool::Cargo => &[
                "/usr/local/cargo/registry",
                "/usr/local/cargo/git",
                "~/.cargo/registry",
                "~/.cargo/git",
            ],
            Tool::Npm => &["~/.npm"],
            Tool::Yarn => &[
                "/usr/local/share/.cache/yarn",
                "~/.cache/yarn",
                "~/.yarn/berry/cache",
                "~/.yarn/cache",
            ],
            Tool::Pnpm => &["/pnpm/store", "~/.local/share/pnpm/store", "~/.pnpm-store"],
            Tool::Bun => &["~/.bun/install/cache"],
            Tool::Pip => &["~/.cache/pip"],
            Tool::Uv => &["~/.cache/uv"],
            Tool::Poetry => &["~/.cache/pypoetry"],
            Tool::Pipenv => &["~/.cache/pipenv", "~/.cache/pip"],
            Tool::Conda => &["/opt/conda/pkgs", "~/.conda/pkgs", "~/micromamba/pkgs"],
            Tool::Maven => &["~/.m2"],
            Tool::Gradle => &["~/.gradle", "/home/gradle/.gradle"],
            Tool::Bundler => &["~/.bundle/cache", "/usr/local/bundle/cache", "~/.gem"],
            Tool::Composer => &["~/.cache/composer", "~/.composer/cache", "/tmp/cache"],
            Tool::Dotnet => &["~/.nuget/packages"],
        }
    }

    /// Variables that move the download cache: the variable and the path
    /// below its value (`GOPATH` + `/pkg/mod`).
    pub fn cache_variables(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Tool::Go => &[("GOMODCACHE", ""), ("GOPATH", "/pkg/mod")],
            Tool::Cargo => &[("CARGO_HOME", "/registry"), ("CARGO_HOME", "/git")],
            Tool::Npm => &[("npm_config_cache", ""), ("NPM_CONFIG_CACHE", "")],
            Tool::Yarn => &[("YARN_CACHE_FOLDER", ""), ("YARN_GLOBAL_FOLDER", "/cache")],
            Tool::Pnpm => &[("PNPM_HOME", "/store"), ("npm_config_store_dir", "")],
            Tool::Bun => &[("BUN_INSTALL_CACHE_DIR", "")],
            Tool::Pip => &[("PIP_CACHE_DIR", "")],
            Tool::Uv => &[("UV_CACHE_DIR", "")],
            Tool::Poetry => &[("POETRY_CACHE_DIR", "")],
            Tool::Pipenv => &[("PIPENV_CACHE_DIR", ""), ("PIP_CACHE_DIR", "")],
            Tool::Conda => &[("CONDA_PKGS_DIRS", ""), ("MAMBA_ROOT_PREFIX", "/pkgs")],
            Tool::Maven => &[],
            Tool::Gradle => &[("GRADLE_USER_HOME", "")],
            Tool::Bundler => &[("BUNDLE_USER_CACHE", "")],
            Tool::Composer => &[("COMPOSER_CACHE_DIR", ""), ("COMPOSER_HOME", "/cache")],
            Tool::Dotnet => &[("NUGET_PACKAGES", "")],
        }
    }
}

/// What a dependency command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Downloads dependencies only (`go mod download`, `npm ci`).
    Fetch,
    /// Builds the project and downloads what is missing (`go build`,
    /// `cargo build`, `mvn package`).
    Build,
}

/// A command that fetches a project's dependencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepStep {
    pub ecosystem: Ecosystem,
    pub tool: Tool,
    pub kind: StepKind,
    /// The command as people say it (`npm install`, `go mod download`).
    pub label: String,
    /// The flag or file that shows the project is vendored (`-mod=vendor`).
    pub vendored: bool,
    /// The words the label names, from the program to the subcommand.
    pub span: Span,
    /// The last word of the label: options go after it.
    pub subcommand: Span,
}

/// The words of a command from the program to `last`.
fn label_span(args: &Args<'_>, last: Option<&ShellWord>) -> (Span, Span) {
    let name = args.name.span;
    match last {
        Some(w) => (name.cover(w.span), w.span),
        None => (name, name),
    }
}

/// Options of `go` build commands that take a value.
const GO_OPTIONS_WITH_VALUE: &[&str] = &[
    "-o",
    "-C",
    "-ldflags",
    "-tags",
    "-gcflags",
    "-asmflags",
    "-mod",
    "-p",
    "-buildmode",
    "-modfile",
    "-overlay",
    "-pkgdir",
    "-exec",
    "-run",
    "-bench",
    "-coverpkg",
    "-covermode",
    "-timeout",
    "-count",
];

/// Options of `cargo` that take a value.
pub const CARGO_OPTIONS_WITH_VALUE: &[&str] = &[
    "--target",
    "-p",
    "--package",
    "--bin",
    "--example",
    "--test",
    "--bench",
    "--features",
    "-F",
    "-j",
    "--jobs",
    "--manifest-path",
    "--profile",
    "--target-dir",
    "--config",
    "-Z",
    "--recipe-path",
    "--root",
    "--version",
    "--git",
    "--branch",
    "--tag",
    "--rev",
    "--registry",
    "--index",
    "--exclude",
    "--color",
    "--message-format",
    "--path",
];

const YARN_OPTIONS: &[&str] = &[
    "--cwd",
    "--network-timeout",
    "--mutex",
    "--cache-folder",
    "--modules-folder",
    "--registry",
    "--global-folder",
    "--link-folder",
    "--network-concurrency",
    "--mode",
];

const PNPM_OPTIONS: &[&str] = &[
    "--filter",
    "-F",
    "--dir",
    "-C",
    "--store-dir",
    "--virtual-store-dir",
    "--modules-dir",
    "--reporter",
    "--loglevel",
    "--network-concurrency",
    "--child-concurrency",
    "--config",
];

/// Options of `uv` that take a value.
pub(crate) const UV_OPTIONS: &[&str] = &[
    "--extra",
    "--group",
    "--only-group",
    "--no-group",
    "--package",
    "-p",
    "--python",
    "--directory",
    "--project",
    "--cache-dir",
    "--index",
    "--index-url",
    "--extra-index-url",
    "--default-index",
    "--link-mode",
    "--config-file",
    "--color",
    "--compile-bytecode-timeout",
    "--prerelease",
    "--resolution",
    "--exclude-newer",
    "-o",
    "--output-file",
    "--with",
    "--with-requirements",
    "--with-editable",
    "--env-file",
];

const POETRY_OPTIONS: &[&str] = &[
    "--only",
    "--with",
    "--without",
    "-E",
    "--extras",
    "-C",
    "--directory",
    "-P",
    "--project",
    "-G",
    "--group",
];

const BUNDLE_OPTIONS: &[&str] = &[
    "--jobs",
    "-j",
    "--path",
    "--without",
    "--with",
    "--gemfile",
    "--retry",
    "--binstubs",
    "--standalone",
    "--trust-policy",
    "--shebang",
];

const COMPOSER_OPTIONS: &[&str] = &["-d", "--working-dir"];

const DOTNET_OPTIONS: &[&str] = &[
    "-c",
    "--configuration",
    "-o",
    "--output",
    "-r",
    "--runtime",
    "-f",
    "--framework",
    "-p",
    "--property",
    "-a",
    "--arch",
    "--os",
    "-s",
    "--source",
    "-v",
    "--verbosity",
    "--packages",
    "--configfile",
    "--lock-file-path",
    "--version-suffix",
];

/// Classifies a simple command as a dependency step, if it is one. Commands
/// that install tools (`go install x@v1`, `npm install -g`, `pip install
/// flask`) are not.
pub fn classify(cmd: &SimpleCommand) -> Option<DepStep> {
    let args = Args::of(cmd)?;
    let prog = args.program();
    let step = |tool: Tool, kind: StepKind, label: String, last: Option<&ShellWord>| {
        let (span, subcommand) = label_span(&args, last);
        Some(DepStep {
            ecosystem: tool.ecosystem(),
            tool,
            kind,
            label,
            vendored: false,
            span,
            subcommand,
        })
    };
    match prog {
        "go" | "xx-go" => {
            let o = args.operands(GO_OPTIONS_WITH_VALUE);
            let sub = o.first()?;
            let vendored = args.words.iter().any(|w| w.value.contains("-mod=vendor"));
            let (kind, last) = match sub.value.as_str() {
                "mod" => match o.get(1).map(|w| w.value.as_str()) {
                    Some("download" | "vendor") => (StepKind::Fetch, o.get(1).copied()),
                    _ => return None,
                },
                "build" | "test" | "vet" | "generate" => (StepKind::Build, Some(*sub)),
                "run" => {
                    // `go run pkg@version` runs a tool
                    if o.iter().skip(1).any(|p| p.value.contains('@')) {
                        return None;
                    }
                    (StepKind::Build, Some(*sub))
                }
                "install" => {
                    // `go install pkg@version` installs a tool
                    if o.iter().skip(1).any(|p| p.value.contains('@')) {
                        return None;
                    }
                    (StepKind::Build, Some(*sub))
                }
                _ => return None,
            };
            let label = if sub.value == "mod" {
                format!("go mod {}", o.get(1).map_or("", |s| s.value.as_str()))
            } else {
                format!("go {}", sub.value)
            };
            let mut s = step(Tool::Go, kind, label, last)?;
            s.vendored = vendored;
            Some(s)
        }
        "cargo" | "xx-cargo" => {
            let o = args.operands(CARGO_OPTIONS_WITH_VALUE);
            let mut it = o.iter().copied();
            let mut sub = it.next()?;
            let mut words = vec![sub.value.as_str()];
            if sub.value == "auditable" {
                sub = it.next()?;
                words.push(sub.value.as_str());
            }
            let kind = match sub.value.as_str() {
                "fetch" => StepKind::Fetch,
                "build" | "b" | "test" | "t" | "run" | "r" | "check" | "c" | "clippy" | "doc"
                | "bench" | "zigbuild" => StepKind::Build,
                "install" if args.has(&[], &["path"]) || o.iter().any(|x| x.value == ".") => {
                    StepKind::Build
                }
                "chef" => match it.next() {
                    Some(w) if w.value == "cook" => {
                        return step(
                            Tool::Cargo,
                            StepKind::Fetch,
                            "cargo chef cook".into(),
                            Some(w),
                        );
                    }
                    _ => return None,
                },
                _ => return None,
            };
            step(
                Tool::Cargo,
                kind,
                format!("cargo {}", words.join(" ")),
                Some(sub),
            )
        }
        "npm" => {
            let o = args.operands(super::npm::NPM_OPTIONS_WITH_VALUE);
            let sub = o.first()?;
            match sub.value.as_str() {
                "ci" | "clean-install" | "install-clean" | "isntall" | "install" | "i" | "add"
                | "in" => {
                    if args.has(&['g'], &["global"]) {
                        return None;
                    }
                    // `npm install <pkg>` adds a package, not the project's
                    if !matches!(sub.value.as_str(), "ci" | "clean-install" | "install-clean")
                        && o.len() > 1
                    {
                        return None;
                    }
                    step(
                        Tool::Npm,
                        StepKind::Fetch,
                        format!("npm {}", sub.value),
                        Some(*sub),
                    )
                }
                _ => None,
            }
        }
        "yarn" => {
            let o = args.operands(YARN_OPTIONS);
            match o.first() {
                None => {
                    // bare `yarn`, but not `yarn --version`
                    if args.words.iter().any(|w| {
                        matches!(
                            w.value.as_str(),
                            "--version" | "-v" | "-V" | "--help" | "-h"
                        )
                    }) {
                        None
                    } else {
                        step(Tool::Yarn, StepKind::Fetch, "yarn".into(), None)
                    }
                }
                Some(w) if w.value == "install" => {
                    step(Tool::Yarn, StepKind::Fetch, "yarn install".into(), Some(*w))
                }
                Some(w) if w.value == "workspaces" => match o.get(1) {
                    Some(f) if f.value == "focus" => step(
                        Tool::Yarn,
                        StepKind::Fetch,
                        "yarn workspaces focus".into(),
                        Some(*f),
                    ),
                    _ => None,
                },
                _ => None,
            }
        }
        "pnpm" => {
            let o = args.operands(PNPM_OPTIONS);
            match o.first() {
                Some(w)
                    if matches!(w.value.as_str(), "install" | "i")
                        && !args.has(&['g'], &["global"])
                        && o.len() == 1 =>
                {
                    step(Tool::Pnpm, StepKind::Fetch, "pnpm install".into(), Some(*w))
                }
                Some(w) if w.value == "fetch" => {
                    step(Tool::Pnpm, StepKind::Fetch, "pnpm fetch".into(), Some(*w))
                }
                _ => None,
            }
        }
        "bun" => {
            let o = args.operands(&["--cwd", "--backend", "--registry", "--cache-dir"]);
            match o.first() {
                Some(w)
                    if matches!(w.value.as_str(), "install" | "i")
                        && !args.has(&['g'], &["global"])
                        && o.len() == 1 =>
                {
                    step(Tool::Bun, StepKind::Fetch, "bun install".into(), Some(*w))
                }
                _ => None,
            }
        }
        "pip" | "pip3" | "pip2" => pip(&args, args.program(), Tool::Pip),
        "python" | "python3" | "python2" => {
            // python -m pip …
            let w = args.words;
            let m = w.iter().position(|x| x.value == "-m")?;
            if w.get(m + 1).is_some_and(|x| x.value == "pip") {
                let rest = Args {
                    name: &w[m + 1],
                    words: &w[m + 2..],
                };
                let mut s = pip(&rest, "python -m pip", Tool::Pip)?;
                s.span = args.name.span.cover(s.span);
                Some(s)
            } else {
                None
            }
        }
        "uv" => {
            let o = args.operands(UV_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "sync" => {
                    let kind = if args.has(&[], &["no-install-project", "no-install-workspace"]) {
                        StepKind::Fetch
                    } else {
                        StepKind::Build
                    };
                    step(Tool::Uv, kind, "uv sync".into(), Some(*sub))
                }
                "pip" => {
                    let third = o.get(1)?;
                    match third.value.as_str() {
                        "sync" => step(
                            Tool::Uv,
                            StepKind::Fetch,
                            "uv pip sync".into(),
                            Some(*third),
                        ),
                        "install" => {
                            if args.has(&['r'], &["requirement", "requirements"]) {
                                step(
                                    Tool::Uv,
                                    StepKind::Fetch,
                                    "uv pip install -r".into(),
                                    Some(*third),
                                )
                            } else if o
                                .iter()
                                .skip(2)
                                .any(|p| p.value == "." || p.value.starts_with("./"))
                            {
                                step(
                                    Tool::Uv,
                                    StepKind::Build,
                                    "uv pip install .".into(),
                                    Some(*third),
                                )
                            } else {
                                None
                            }
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        "poetry" => {
            let o = args.operands(POETRY_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "install" | "sync" => {
                    let kind = if args.has(&[], &["no-root"]) {
                        StepKind::Fetch
                    } else {
                        StepKind::Build
                    };
                    step(
                        Tool::Poetry,
                        kind,
                        format!("poetry {}", sub.value),
                        Some(*sub),
                    )
                }
                _ => None,
            }
        }
        "pipenv" => {
            let o = args.operands(&["--python", "--pypi-mirror", "--categories"]);
            match o.first() {
                Some(w) if matches!(w.value.as_str(), "install" | "sync") && o.len() == 1 => step(
                    Tool::Pipenv,
                    StepKind::Fetch,
                    format!("pipenv {}", w.value),
                    Some(*w),
                ),
                _ => None,
            }
        }
        "conda" | "mamba" | "micromamba" => {
            let o = args.operands(&[
                "-f",
                "--file",
                "-n",
                "--name",
                "-p",
                "--prefix",
                "-c",
                "--channel",
                "-r",
                "--root-prefix",
            ]);
            let sub = o.first()?;
            let file = args.has(&['f'], &["file"]);
            let (kind_word, is_env) = match sub.value.as_str() {
                "env" => (o.get(1).copied()?, true),
                _ => (*sub, false),
            };
            let fetch = match kind_word.value.as_str() {
                "create" | "update" if is_env || file => true,
                "install" if file => true,
                _ => false,
            };
            if !fetch {
                return None;
            }
            let label = if is_env {
                format!("{} env {}", prog, kind_word.value)
            } else {
                format!("{} {}", prog, kind_word.value)
            };
            step(Tool::Conda, StepKind::Fetch, label, Some(kind_word))
        }
        "mvn" | "mvnw" => {
            let o = args.operands(&[
                "-f",
                "--file",
                "-s",
                "--settings",
                "-P",
                "-pl",
                "--projects",
                "-T",
                "-D",
                "-gs",
                "-rf",
                "-t",
                "--toolchains",
            ]);
            let fetch = o.iter().find(|g| {
                g.value.starts_with("dependency:go-offline")
                    || g.value.starts_with("dependency:resolve")
                    || g.value.contains("go-offline-maven-plugin")
            });
            let build = o.iter().find(|g| {
                matches!(
                    g.value.as_str(),
                    "package"
                        | "install"
                        | "verify"
                        | "compile"
                        | "test"
                        | "deploy"
                        | "test-compile"
                ) || g.value.starts_with("spring-boot:")
                    || g.value.starts_with("quarkus:")
            });
            let label = if args.program() == "mvnw" {
                "./mvnw"
            } else {
                "mvn"
            };
            if let Some(f) = fetch {
                step(
                    Tool::Maven,
                    StepKind::Fetch,
                    format!("{label} dependency:go-offline"),
                    Some(*f),
                )
            } else if let Some(b) = build {
                let goal = o
                    .iter()
                    .find(|g| !g.value.contains(':'))
                    .map(|g| g.value.clone())
                    .unwrap_or_default();
                step(
                    Tool::Maven,
                    StepKind::Build,
                    format!("{label} {goal}").trim().to_string(),
                    Some(*b),
                )
            } else {
                None
            }
        }
        "gradle" | "gradlew" => {
            let o = args.operands(&[
                "-p",
                "--project-dir",
                "-x",
                "--exclude-task",
                "-D",
                "-P",
                "--init-script",
                "-I",
                "-g",
                "--gradle-user-home",
                "-b",
                "--build-file",
                "-c",
                "--settings-file",
                "--console",
                "--warning-mode",
            ]);
            let task = o.first()?;
            let label = if args.program() == "gradlew" {
                "./gradlew"
            } else {
                "gradle"
            };
            let kind = if matches!(
                task.value.as_str(),
                "dependencies" | "downloadDependencies" | "resolveDependencies"
            ) {
                StepKind::Fetch
            } else if task.value.starts_with("--")
                || matches!(task.value.as_str(), "wrapper" | "help" | "tasks")
            {
                return None;
            } else {
                StepKind::Build
            };
            step(
                Tool::Gradle,
                kind,
                format!("{label} {}", task.value),
                Some(*task),
            )
        }
        "bundle" | "bundler" => {
            let o = args.operands(BUNDLE_OPTIONS);
            match o.first() {
                None if !args
                    .words
                    .iter()
                    .any(|w| matches!(w.value.as_str(), "--version" | "-v" | "--help")) =>
                {
                    step(Tool::Bundler, StepKind::Fetch, "bundle".into(), None)
                }
                Some(w) if w.value == "install" => step(
                    Tool::Bundler,
                    StepKind::Fetch,
                    "bundle install".into(),
                    Some(*w),
                ),
                _ => None,
            }
        }
        "composer" | "composer.phar" => match args.operands(COMPOSER_OPTIONS).first() {
            Some(w) if matches!(w.value.as_str(), "install" | "i") => step(
                Tool::Composer,
                StepKind::Fetch,
                "composer install".into(),
                Some(*w),
            ),
            _ => None,
        },
        "php" => {
            let w = args.words;
            let phar = w
                .first()
                .filter(|x| x.value.ends_with("composer.phar") || x.value.ends_with("/composer"))?;
            let inner = Args {
                name: phar,
                words: &w[1..],
            };
            let sub = *inner.operands(COMPOSER_OPTIONS).first()?;
            if sub.value != "install" {
                return None;
            }
            step(
                Tool::Composer,
                StepKind::Fetch,
                "composer install".into(),
                Some(sub),
            )
        }
        "dotnet" => {
            let o = args.operands(DOTNET_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "restore" => step(
                    Tool::Dotnet,
                    StepKind::Fetch,
                    "dotnet restore".into(),
                    Some(*sub),
                ),
                "build" | "publish" | "test" | "pack" | "run" => {
                    if args.has(&[], &["no-restore"]) {
                        None
                    } else {
                        step(
                            Tool::Dotnet,
                            StepKind::Build,
                            format!("dotnet {}", sub.value),
                            Some(*sub),
                        )
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn pip(args: &Args<'_>, label: &str, tool: Tool) -> Option<DepStep> {
    let o = args.operands(super::pip::PIP_OPTIONS_WITH_VALUE);
    let sub = *o.first()?;
    if sub.value != "install" {
        return None;
    }
    let make = |kind: StepKind, text: String| {
        let (span, subcommand) = label_span(args, Some(sub));
        Some(DepStep {
            ecosystem: tool.ecosystem(),
            tool,
            kind,
            label: text,
            vendored: false,
            span,
            subcommand,
        })
    };
    if args.has(&['r'], &["requirement", "requirements"]) {
        return make(StepKind::Fetch, format!("{label} install -r"));
    }
    let project = o.iter().skip(1).any(|p| {
        let p = p.value.as_str();
        p == "." || p.starts_with("./") || p.starts_with(".[")
    }) || (args.has(&['e'], &["editable"])
        && args
            .value(&['e'], &["editable"])
            .is_some_and(|v| v == "." || v.starts_with("./") || v.starts_with(".[")));
    if project {
        return make(StepKind::Build, format!("{label} install ."));
    }
    None
}

/// A command that re-resolves dependencies or edits their declarations:
/// the lockfile afterwards no longer matches the one in the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relock {
    pub tool: Tool,
    /// The command as people say it (`go mod tidy`, `yarn add`).
    pub label: String,
    /// From the program to the subcommand (or the flag that relocks).
    pub span: Span,
    /// It adds or upgrades named packages (`npm install <pkg>`, `go get
    /// <pkg>`): only a relock inside a project.
    pub adds: bool,
}

/// Classifies a command that rewrites a project's lockfile or manifest:
/// `go mod tidy`, `cargo update`, `npm update`, `yarn add`, `poetry lock` …
pub fn relock(cmd: &SimpleCommand) -> Option<Relock> {
    let args = Args::of(cmd)?;
    let prog = args.program();
    let make = |tool: Tool, label: String, last: Option<&ShellWord>, adds: bool| {
        let (span, _) = label_span(&args, last);
        Some(Relock {
            tool,
            label,
            span,
            adds,
        })
    };
    match prog {
        "go" | "xx-go" => {
            if let Some(w) = args.words.iter().find(|w| w.value == "-mod=mod") {
                return Some(Relock {
                    tool: Tool::Go,
                    label: "-mod=mod".into(),
                    span: w.span,
                    adds: false,
                });
            }
            let o = args.operands(GO_OPTIONS_WITH_VALUE);
            let sub = o.first()?;
            match sub.value.as_str() {
                "mod" => match o.get(1) {
                    Some(t) if t.value == "tidy" => {
                        make(Tool::Go, "go mod tidy".into(), Some(*t), false)
                    }
                    _ => None,
                },
                "get" => make(Tool::Go, "go get".into(), Some(*sub), true),
                _ => None,
            }
        }
        "cargo" => {
            let o = args.operands(CARGO_OPTIONS_WITH_VALUE);
            let sub = o.first()?;
            match sub.value.as_str() {
                "update" | "generate-lockfile" => make(
                    Tool::Cargo,
                    format!("cargo {}", sub.value),
                    Some(*sub),
                    false,
                ),
                "add" => make(Tool::Cargo, "cargo add".into(), Some(*sub), true),
                _ => None,
            }
        }
        "npm" => {
            if args.has(&['g'], &["global"]) {
                return None;
            }
            let o = args.operands(super::npm::NPM_OPTIONS_WITH_VALUE);
            let sub = o.first()?;
            match sub.value.as_str() {
                "update" | "up" | "upgrade" | "udpate" => {
                    make(Tool::Npm, format!("npm {}", sub.value), Some(*sub), false)
                }
                "install" | "i" | "add" | "isntall" | "in" if o.len() > 1 => make(
                    Tool::Npm,
                    format!("npm {} <package>", sub.value),
                    Some(*sub),
                    true,
                ),
                _ => None,
            }
        }
        "yarn" => {
            let o = args.operands(YARN_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "upgrade" | "up" | "upgrade-interactive" => {
                    make(Tool::Yarn, format!("yarn {}", sub.value), Some(*sub), false)
                }
                "add" => make(Tool::Yarn, "yarn add".into(), Some(*sub), true),
                _ => None,
            }
        }
        "pnpm" => {
            if args.has(&['g'], &["global"]) {
                return None;
            }
            let o = args.operands(PNPM_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "update" | "up" | "upgrade" => {
                    make(Tool::Pnpm, format!("pnpm {}", sub.value), Some(*sub), false)
                }
                "add" => make(Tool::Pnpm, "pnpm add".into(), Some(*sub), true),
                _ => None,
            }
        }
        "bun" => {
            if args.has(&['g'], &["global"]) {
                return None;
            }
            let o = args.operands(&["--cwd"]);
            let sub = o.first()?;
            match sub.value.as_str() {
                "update" => make(Tool::Bun, "bun update".into(), Some(*sub), false),
                "add" | "a" => make(Tool::Bun, "bun add".into(), Some(*sub), true),
                _ => None,
            }
        }
        "poetry" => {
            let o = args.operands(POETRY_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "lock" if !args.has(&[], &["check"]) => {
                    make(Tool::Poetry, "poetry lock".into(), Some(*sub), false)
                }
                "update" => make(Tool::Poetry, "poetry update".into(), Some(*sub), false),
                "add" => make(Tool::Poetry, "poetry add".into(), Some(*sub), true),
                _ => None,
            }
        }
        "uv" => {
            let o = args.operands(UV_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "lock" if !args.has(&[], &["check", "locked", "check-exists", "dry-run"]) => {
                    make(Tool::Uv, "uv lock".into(), Some(*sub), false)
                }
                "add" => make(Tool::Uv, "uv add".into(), Some(*sub), true),
                "pip" => match o.get(1) {
                    Some(c) if c.value == "compile" => {
                        make(Tool::Uv, "uv pip compile".into(), Some(*c), false)
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        "pipenv" => {
            let o = args.operands(&["--python", "--pypi-mirror", "--categories"]);
            let sub = o.first()?;
            match sub.value.as_str() {
                "lock" | "update" | "upgrade" => make(
                    Tool::Pipenv,
                    format!("pipenv {}", sub.value),
                    Some(*sub),
                    false,
                ),
                "install" if o.len() > 1 => make(
                    Tool::Pipenv,
                    "pipenv install <package>".into(),
                    Some(*sub),
                    true,
                ),
                _ => None,
            }
        }
        "pip-compile" => make(Tool::Pip, "pip-compile".into(), None, false),
        "bundle" | "bundler" => {
            let o = args.operands(BUNDLE_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "update" => make(Tool::Bundler, "bundle update".into(), Some(*sub), false),
                "lock" if args.has(&[], &["update"]) => make(
                    Tool::Bundler,
                    "bundle lock --update".into(),
                    Some(*sub),
                    false,
                ),
                "add" => make(Tool::Bundler, "bundle add".into(), Some(*sub), true),
                _ => None,
            }
        }
        "composer" | "composer.phar" => {
            let o = args.operands(COMPOSER_OPTIONS);
            let sub = o.first()?;
            match sub.value.as_str() {
                "update" | "upgrade" | "u" => make(
                    Tool::Composer,
                    format!("composer {}", sub.value),
                    Some(*sub),
                    false,
                ),
                "require" | "r" => {
                    make(Tool::Composer, "composer require".into(), Some(*sub), true)
                }
                _ => None,
            }
        }
        "gradle" | "gradlew" => {
            let w = args
                .words
                .iter()
                .find(|w| matches!(w.value.as_str(), "--write-locks" | "--update-locks"))?;
            Some(Relock {
                tool: Tool::Gradle,
                label: w.value.clone(),
                span: w.span,
                adds: false,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{Dialect, Script};
    use crate::source::Span;

    fn classify_text(t: &str) -> Option<(Ecosystem, StepKind)> {
        let s = Script::from_text(
            t.into(),
            vec![(0, 0)],
            Span::new(0, t.len() as u32),
            Dialect::Sh,
        );
        classify(&s.commands[0]).map(|d| (d.ecosystem, d.kind))
    }

    #[test]
    fn classifies_dependency_steps() {
        use Ecosystem::*;
        use StepKind::*;
        assert_eq!(classify_text("go mod download"), Some((Go, Fetch)));
        assert_eq!(
            classify_text("CGO_ENABLED=0 go build -o /app ./cmd/app"),
            Some((Go, Build))
        );
        assert_eq!(
            classify_text("go install golang.org/x/tools/gopls@latest"),
            None
        );
        assert_eq!(
            classify_text("cargo build --release --locked"),
            Some((Rust, Build))
        );
        assert_eq!(classify_text("cargo install ripgrep"), None);
        assert_eq!(
            classify_text("cargo chef cook --release --recipe-path recipe.json"),
            Some((Rust, Fetch))
        );
        assert_eq!(classify_text("npm ci --omit=dev"), Some((Node, Fetch)));
        assert_eq!(classify_text("npm install"), Some((Node, Fetch)));
        assert_eq!(classify_text("npm install -g pnpm"), None);
        assert_eq!(classify_text("npm install express"), None);
        assert_eq!(classify_text("npm run build"), None);
        assert_eq!(classify_text("yarn --frozen-lockfile"), Some((Node, Fetch)));
        assert_eq!(classify_text("yarn --version"), None);
        assert_eq!(
            classify_text("pip install --no-cache-dir -r requirements.txt"),
            Some((Python, Fetch))
        );
        assert_eq!(
            classify_text("python3 -m pip install -r req.txt"),
            Some((Python, Fetch))
        );
        assert_eq!(classify_text("pip install flask"), None);
        assert_eq!(
            classify_text("poetry install --no-root"),
            Some((Python, Fetch))
        );
        assert_eq!(classify_text("uv sync --frozen"), Some((Python, Build)));
        assert_eq!(
            classify_text("mvn -B dependency:go-offline"),
            Some((Maven, Fetch))
        );
        assert_eq!(
            classify_text("mvn -B clean package -DskipTests"),
            Some((Maven, Build))
        );
        assert_eq!(classify_text("./gradlew build"), Some((Gradle, Build)));
        assert_eq!(classify_text("bundle install"), Some((Ruby, Fetch)));
        assert_eq!(
            classify_text("composer install --no-dev"),
            Some((Php, Fetch))
        );
        assert_eq!(classify_text("dotnet restore"), Some((Dotnet, Fetch)));
        assert_eq!(
            classify_text("dotnet publish -c Release --no-restore"),
            None
        );
    }

    fn relock_text(t: &str) -> Option<(Tool, String, bool)> {
        let s = Script::from_text(
            t.into(),
            vec![(0, 0)],
            Span::new(0, t.len() as u32),
            Dialect::Sh,
        );
        relock(&s.commands[0]).map(|r| (r.tool, r.label, r.adds))
    }

    #[test]
    fn classifies_tools_and_spans() {
        let t = "sudo python3 -m pip install --no-cache-dir -r req.txt";
        let s = Script::from_text(
            t.into(),
            vec![(0, 0)],
            Span::new(0, t.len() as u32),
            Dialect::Sh,
        );
        let step = classify(&s.commands[0]).unwrap();
        assert_eq!(step.tool, Tool::Pip);
        assert_eq!(step.span.text(t), "python3 -m pip install");
        assert_eq!(step.subcommand.text(t), "install");
        assert_eq!(
            classify_text("conda env create -f environment.yml"),
            Some((Ecosystem::Python, StepKind::Fetch))
        );
        assert_eq!(classify_text("conda install -y numpy"), None);
        assert_eq!(
            classify_text("go run golang.org/x/tools/cmd/stringer@v0.24.0"),
            None
        );
        assert_eq!(
            classify_text("cargo auditable build --release"),
            Some((Ecosystem::Rust, StepKind::Build))
        );
    }

    #[test]
    fn classifies_relocking_commands() {
        assert_eq!(
            relock_text("go mod tidy"),
            Some((Tool::Go, "go mod tidy".into(), false))
        );
        assert_eq!(
            relock_text("go build -mod=mod ./..."),
            Some((Tool::Go, "-mod=mod".into(), false))
        );
        assert_eq!(
            relock_text("npm install lodash"),
            Some((Tool::Npm, "npm install <package>".into(), true))
        );
        assert_eq!(relock_text("npm install -g lodash"), None);
        assert_eq!(relock_text("npm install"), None);
        assert_eq!(relock_text("yarn global add serve"), None);
        assert_eq!(relock_text("poetry lock --check"), None);
        assert_eq!(
            relock_text("poetry lock --no-update"),
            Some((Tool::Poetry, "poetry lock".into(), false))
        );
        assert_eq!(relock_text("uv lock --locked"), None);
        assert_eq!(
            relock_text("bundle lock --update"),
            Some((Tool::Bundler, "bundle lock --update".into(), false))
        );
        assert_eq!(relock_text("bundle lock"), None);
        assert_eq!(relock_text("composer global require x/y"), None);
        assert_eq!(
            relock_text("./gradlew dependencies --write-locks"),
            Some((Tool::Gradle, "--write-locks".into(), false))
        );
    }

    #[test]
    fn manifests_and_globs() {
        assert!(Ecosystem::Node.is_manifest("package-lock.json"));
        assert!(Ecosystem::Python.is_manifest("requirements-dev.txt"));
        assert!(Ecosystem::Dotnet.is_manifest("App.csproj"));
        assert_eq!(manifest_ecosystems("package*.json"), vec![Ecosystem::Node]);
        assert_eq!(manifest_ecosystems("./go.*"), vec![Ecosystem::Go]);
        assert!(manifest_ecosystems("src/").is_empty());
        assert!(glob_match("*.cs[p]roj", "a.csproj"));
        assert!(!glob_match("go.mod", "go.sum"));
    }
}
