//! Which commands download a project's dependencies, per ecosystem, and which
//! files are that ecosystem's manifests and lockfiles.

use super::SimpleCommand;
use super::args::Args;

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
    pub kind: StepKind,
    /// The command as people say it (`npm install`, `go mod download`).
    pub label: String,
    /// The flag or file that shows the project is vendored (`-mod=vendor`).
    pub vendored: bool,
}

fn step(ecosystem: Ecosystem, kind: StepKind, label: String) -> Option<DepStep> {
    Some(DepStep {
        ecosystem,
        kind,
        label,
        vendored: false,
    })
}

/// Classifies a simple command as a dependency step, if it is one. Commands
/// that install tools (`go install x@v1`, `npm install -g`, `pip install
/// flask`) are not.
pub fn classify(cmd: &SimpleCommand) -> Option<DepStep> {
    let args = Args::of(cmd)?;
    let prog = args.program();
    let ops = |with: &[&str]| -> Vec<String> {
        args.operands(with)
            .iter()
            .map(|w| w.value.clone())
            .collect()
    };
    match prog {
        "go" | "xx-go" => {
            let o = ops(&[
                "-o",
                "-C",
                "-ldflags",
                "-tags",
                "-gcflags",
                "-mod",
                "-p",
                "-buildmode",
                "-trimpath",
            ]);
            let sub = o.first()?.as_str();
            let vendored = args.words.iter().any(|w| w.value.contains("-mod=vendor"));
            let kind = match sub {
                "mod" => match o.get(1).map(String::as_str) {
                    Some("download" | "vendor") => StepKind::Fetch,
                    _ => return None,
                },
                "build" | "test" | "vet" | "generate" | "run" => StepKind::Build,
                "install" => {
                    // `go install pkg@version` installs a tool
                    if o.iter().skip(1).any(|p| p.contains('@')) {
                        return None;
                    }
                    StepKind::Build
                }
                "get" => return None,
                _ => return None,
            };
            let label = if sub == "mod" {
                format!("go mod {}", o.get(1).map_or("", |s| s.as_str()))
            } else {
                format!("go {sub}")
            };
            let mut s = step(Ecosystem::Go, kind, label)?;
            s.vendored = vendored;
            Some(s)
        }
        "cargo" | "xx-cargo" => {
            let o = ops(&[
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
            ]);
            let mut it = o.iter().map(String::as_str);
            let mut sub = it.next()?;
            if matches!(sub, "auditable" | "zigbuild") {
                sub = if sub == "zigbuild" {
                    "build"
                } else {
                    it.next()?
                };
            }
            let kind = match sub {
                "fetch" => StepKind::Fetch,
                "build" | "b" | "test" | "t" | "run" | "r" | "check" | "c" | "clippy" | "doc"
                | "bench" => StepKind::Build,
                "install" if args.has(&[], &["path"]) || o.iter().any(|x| x == ".") => {
                    StepKind::Build
                }
                "chef" => match it.next() {
                    Some("cook") => StepKind::Fetch,
                    _ => return None,
                },
                _ => return None,
            };
            let label = if sub == "chef" {
                "cargo chef cook".into()
            } else {
                format!("cargo {sub}")
            };
            step(Ecosystem::Rust, kind, label)
        }
        "npm" => {
            let o = ops(&[
                "--prefix",
                "-w",
                "--workspace",
                "--omit",
                "--include",
                "--registry",
                "--cache",
            ]);
            let sub = o.first()?.as_str();
            match sub {
                "ci" | "clean-install" | "install-clean" | "isntall" | "install" | "i" | "add" => {
                    if args.has(&['g'], &["global"]) {
                        return None;
                    }
                    // `npm install <pkg>` adds a package, not the project's
                    if matches!(sub, "install" | "i" | "add") && o.len() > 1 {
                        return None;
                    }
                    step(Ecosystem::Node, StepKind::Fetch, format!("npm {sub}"))
                }
                _ => None,
            }
        }
        "yarn" => {
            let o = ops(&[
                "--cwd",
                "--network-timeout",
                "--mutex",
                "--cache-folder",
                "--modules-folder",
            ]);
            match o.first().map(String::as_str) {
                None => {
                    // bare `yarn`, but not `yarn --version`
                    if args
                        .words
                        .iter()
                        .any(|w| matches!(w.value.as_str(), "--version" | "-v" | "--help" | "-h"))
                    {
                        None
                    } else {
                        step(Ecosystem::Node, StepKind::Fetch, "yarn".into())
                    }
                }
                Some("install") => step(Ecosystem::Node, StepKind::Fetch, "yarn install".into()),
                Some("workspaces") if o.get(1).is_some_and(|s| s == "focus") => step(
                    Ecosystem::Node,
                    StepKind::Fetch,
                    "yarn workspaces focus".into(),
                ),
                _ => None,
            }
        }
        "pnpm" => {
            let o = ops(&["--filter", "-F", "--dir", "-C", "--store-dir"]);
            match o.first().map(String::as_str) {
                Some("install" | "i") if !args.has(&['g'], &["global"]) && o.len() == 1 => {
                    step(Ecosystem::Node, StepKind::Fetch, "pnpm install".into())
                }
                Some("fetch") => step(Ecosystem::Node, StepKind::Fetch, "pnpm fetch".into()),
                _ => None,
            }
        }
        "bun" => match ops(&["--cwd"]).first().map(String::as_str) {
            Some("install" | "i") if !args.has(&['g'], &["global"]) => {
                step(Ecosystem::Node, StepKind::Fetch, "bun install".into())
            }
            _ => None,
        },
        "pip" | "pip3" | "pip2" => pip(&args, args.program()),
        "python" | "python3" | "python2" => {
            // python -m pip …
            let w = args.words;
            let m = w.iter().position(|x| x.value == "-m")?;
            if w.get(m + 1).is_some_and(|x| x.value == "pip") {
                let rest = Args {
                    name: &w[m + 1],
                    words: &w[m + 2..],
                };
                pip(&rest, "python -m pip")
            } else {
                None
            }
        }
        "uv" => {
            let o = ops(&[
                "--extra",
                "--group",
                "--package",
                "-p",
                "--python",
                "--directory",
                "--project",
            ]);
            match o.first().map(String::as_str) {
                Some("sync") => {
                    let kind = if args.has(&[], &["no-install-project", "no-install-workspace"]) {
                        StepKind::Fetch
                    } else {
                        StepKind::Build
                    };
                    step(Ecosystem::Python, kind, "uv sync".into())
                }
                Some("pip") => match o.get(1).map(String::as_str) {
                    Some("sync") => step(Ecosystem::Python, StepKind::Fetch, "uv pip sync".into()),
                    Some("install") => {
                        let rest = Args {
                            name: args.name,
                            words: args.words,
                        };
                        if rest.has(&['r'], &["requirement", "requirements"]) {
                            step(
                                Ecosystem::Python,
                                StepKind::Fetch,
                                "uv pip install -r".into(),
                            )
                        } else if o.iter().skip(2).any(|p| p == "." || p.starts_with("./")) {
                            step(
                                Ecosystem::Python,
                                StepKind::Build,
                                "uv pip install .".into(),
                            )
                        } else {
                            None
                        }
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        "poetry" => match ops(&[
            "--only",
            "--with",
            "--without",
            "-E",
            "--extras",
            "-C",
            "--directory",
        ])
        .first()
        .map(String::as_str)
        {
            Some(sub @ ("install" | "sync")) => {
                let kind = if args.has(&[], &["no-root"]) {
                    StepKind::Fetch
                } else {
                    StepKind::Build
                };
                step(Ecosystem::Python, kind, format!("poetry {sub}"))
            }
            _ => None,
        },
        "pipenv" => match ops(&[]).first().map(String::as_str) {
            Some(sub @ ("install" | "sync")) if ops(&[]).len() == 1 => {
                step(Ecosystem::Python, StepKind::Fetch, format!("pipenv {sub}"))
            }
            _ => None,
        },
        "mvn" | "mvnw" => {
            let o = ops(&[
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
            ]);
            let fetch = o.iter().any(|g| {
                g.starts_with("dependency:go-offline") || g.starts_with("dependency:resolve")
            });
            let build = o.iter().any(|g| {
                matches!(
                    g.as_str(),
                    "package"
                        | "install"
                        | "verify"
                        | "compile"
                        | "test"
                        | "deploy"
                        | "test-compile"
                ) || g.starts_with("spring-boot:")
                    || g.starts_with("quarkus:")
            });
            let label = if args.program() == "mvnw" {
                "./mvnw"
            } else {
                "mvn"
            };
            if fetch {
                step(
                    Ecosystem::Maven,
                    StepKind::Fetch,
                    format!("{label} dependency:go-offline"),
                )
            } else if build {
                let goal = o
                    .iter()
                    .find(|g| !g.contains(':'))
                    .cloned()
                    .unwrap_or_default();
                step(
                    Ecosystem::Maven,
                    StepKind::Build,
                    format!("{label} {goal}").trim().to_string(),
                )
            } else {
                None
            }
        }
        "gradle" | "gradlew" => {
            let o = ops(&[
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
            ]);
            let task = o.first()?;
            let label = if args.program() == "gradlew" {
                "./gradlew"
            } else {
                "gradle"
            };
            let kind = if matches!(
                task.as_str(),
                "dependencies" | "downloadDependencies" | "resolveDependencies"
            ) {
                StepKind::Fetch
            } else if task.starts_with("--")
                || matches!(task.as_str(), "--version" | "wrapper" | "help" | "tasks")
            {
                return None;
            } else {
                StepKind::Build
            };
            step(Ecosystem::Gradle, kind, format!("{label} {task}"))
        }
        "bundle" | "bundler" => {
            let o = ops(&[
                "--jobs",
                "-j",
                "--path",
                "--without",
                "--with",
                "--gemfile",
                "--retry",
            ]);
            match o.first().map(String::as_str) {
                None if !args
                    .words
                    .iter()
                    .any(|w| matches!(w.value.as_str(), "--version" | "-v" | "--help")) =>
                {
                    step(Ecosystem::Ruby, StepKind::Fetch, "bundle".into())
                }
                Some("install") => step(Ecosystem::Ruby, StepKind::Fetch, "bundle install".into()),
                _ => None,
            }
        }
        "composer" | "composer.phar" => {
            match ops(&["-d", "--working-dir"]).first().map(String::as_str) {
                Some("install" | "i") => {
                    step(Ecosystem::Php, StepKind::Fetch, "composer install".into())
                }
                _ => None,
            }
        }
        "php" => {
            let w = args.words;
            if w.first().is_some_and(|x| {
                x.value.ends_with("composer.phar") || x.value.ends_with("/composer")
            }) && w.iter().skip(1).any(|x| x.value == "install")
            {
                step(Ecosystem::Php, StepKind::Fetch, "composer install".into())
            } else {
                None
            }
        }
        "dotnet" => {
            let o = ops(&[
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
            ]);
            let sub = o.first()?.as_str();
            match sub {
                "restore" => step(Ecosystem::Dotnet, StepKind::Fetch, "dotnet restore".into()),
                "build" | "publish" | "test" | "pack" | "run" => {
                    if args.has(&[], &["no-restore"]) {
                        None
                    } else {
                        step(Ecosystem::Dotnet, StepKind::Build, format!("dotnet {sub}"))
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn pip(args: &Args<'_>, label: &str) -> Option<DepStep> {
    let o: Vec<&str> = args
        .operands(&[
            "-c",
            "--constraint",
            "-i",
            "--index-url",
            "--extra-index-url",
            "--target",
            "-t",
            "--prefix",
            "--root",
            "--trusted-host",
            "-f",
            "--find-links",
            "--platform",
            "--python-version",
            "--only-binary",
            "--no-binary",
            "--cache-dir",
        ])
        .iter()
        .map(|w| w.value.as_str())
        .collect();
    if o.first() != Some(&"install") {
        return None;
    }
    if args.has(&['r'], &["requirement"]) {
        return step(
            Ecosystem::Python,
            StepKind::Fetch,
            format!("{label} install -r"),
        );
    }
    let project = o
        .iter()
        .skip(1)
        .any(|p| *p == "." || p.starts_with("./") || p.starts_with(".["))
        || args.has(&['e'], &["editable"]) && o.len() <= 2;
    if project {
        return step(
            Ecosystem::Python,
            StepKind::Build,
            format!("{label} install ."),
        );
    }
    None
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
