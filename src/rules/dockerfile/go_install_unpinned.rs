use super::unpinned::report_unpinned;
use crate::rules::*;
use crate::shell::apt::package_names;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// DL3062
pub struct GoInstallUnpinned;

const META: Meta = Meta {
    code: "DL3062",
    name: "go-install-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`go install` of a module without a version",
    doc: include_str!("../../../rules/go-install-unpinned.md"),
    target: Target::Dockerfile,
};

/// Flags of `go install`, `go get` and `go run` that take a value.
const GO_FLAGS_WITH_VALUE: &[&str] = &[
    "-o",
    "-C",
    "-ldflags",
    "-tags",
    "-gcflags",
    "-asmflags",
    "-gccgoflags",
    "-mod",
    "-modfile",
    "-p",
    "-pkgdir",
    "-toolexec",
    "-exec",
    "-overlay",
    "-buildmode",
    "-compiler",
    "-installsuffix",
    "-pgo",
];

/// Whether a package argument names a remote module: its first path
/// element is a domain (`github.com/x/y`, `golang.org/x/tools/gopls`).
fn is_remote(pkg: &str) -> bool {
    let path = pkg.split('@').next().unwrap_or(pkg);
    !path.starts_with(['.', '/', '-'])
        && !path.ends_with(".go")
        && path
            .split('/')
            .next()
            .is_some_and(|first| first.contains('.'))
}

/// Whether a remote package names a version: `@v1.2.3`, `@commit`, but not
/// `@latest`, `@upgrade`, `@patch` or `@none`.
fn is_go_pinned(pkg: &str) -> bool {
    match pkg.split_once('@') {
        Some((_, v)) => !v.is_empty() && !matches!(v, "latest" | "upgrade" | "patch" | "none"),
        None => false,
    }
}

impl Rule for GoInstallUnpinned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let scope = cx.state().map(|s| s.scope.clone()).unwrap_or_default();
        let mut unpinned = Vec::new();
        let mut sub_of_first = String::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(args) = Args::of(cmd) else { continue };
                if args.program() != "go" {
                    continue;
                }
                let ops = args.operands(GO_FLAGS_WITH_VALUE);
                let Some((sub, pkgs)) = ops.split_first() else {
                    continue;
                };
                if !matches!(sub.value.as_str(), "install" | "get" | "run") {
                    continue;
                }
                // `go run` runs its first package; the rest are its arguments
                let pkgs = if sub.value == "run" {
                    &pkgs[..pkgs.len().min(1)]
                } else {
                    pkgs
                };
                for pkg in pkgs {
                    for name in package_names(script, ci, pkg, scope.as_ref()) {
                        if is_remote(&name) && !is_go_pinned(&name) {
                            if unpinned.is_empty() {
                                sub_of_first = sub.value.clone();
                            }
                            unpinned.push((name, pkg.span));
                        }
                    }
                }
            }
        }
        report_unpinned(cx, &unpinned, |first| {
            let module = first.split('@').next().unwrap_or(first);
            format!(
                "pin the version the image was tested with: `go {sub_of_first} {module}@<version>`"
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unpinned_modules() {
        fires(
            "DL3062",
            "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n",
            &["2:16 DL3062 `golang.org/x/tools/gopls@latest` is installed without a version"],
        );
        fires(
            "DL3062",
            "FROM golang:1.22\nRUN CGO_ENABLED=0 go install -ldflags '-s -w' \\\n  # linter\n  github.com/a/lint \\\n  github.com/b/fmt@v1.0.0\n",
            &["4:3 DL3062 `github.com/a/lint` is installed without a version"],
        );
        fires(
            "DL3062",
            "FROM golang:1.22\nRUN go get -u github.com/x/y\n",
            &["2:15 DL3062 `github.com/x/y` is installed without a version"],
        );
        fires(
            "DL3062",
            "FROM golang:1.22\nARG V=latest\nRUN go run github.com/x/gen@$V ./api\n",
            &["3:12 DL3062 `github.com/x/gen@latest` is installed without a version"],
        );
    }

    #[test]
    fn points_at_the_module() {
        assert_eq!(
            spans(
                "DL3062",
                "FROM golang\nRUN go install -v \"github.com/x/y@latest\"\n"
            ),
            ["\"github.com/x/y@latest\""]
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3062",
            "FROM golang:1.22\nRUN <<EOF\ngo install github.com/x/y\nEOF\n",
            &["3:12 DL3062 `github.com/x/y` is installed without a version"],
        );
        fires(
            "DL3062",
            "FROM golang:1.22\nONBUILD RUN go install github.com/x/y\n",
            &["2:24 DL3062 `github.com/x/y` is installed without a version"],
        );
    }

    #[test]
    fn passes_for_versions_and_local_packages() {
        for run in [
            "go install golang.org/x/tools/gopls@v0.15.3",
            "go install github.com/x/y@${VERSION}",
            "go install ./cmd/app",
            "go install -v ./...",
            "go install",
            "go get -d ./...",
            "go run main.go",
            "go run ./cmd/gen github.com/not/a/package",
            "go build -o /app .",
            "go mod download",
        ] {
            passes("DL3062", &format!("FROM golang:1.22\nRUN {run}\n"));
        }
    }
}
