use super::lang::images::{GoVersion, go_version};
use super::lang::inputs::Inputs;
use super::lang::{base_name, checks_lock_discipline, env};
use crate::fix::{Edit, Fix};
use crate::graph::Base;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::{Script, ShellWord, SimpleCommand};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// IL3306
pub struct GoGetInstall;

const META: Meta = Meta {
    code: "IL3306",
    name: "go-get-install",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`go get` is used to install a command, which it no longer does since Go 1.18",
    doc: include_str!("../../../rules/go-get-install.md"),
    target: Target::Dockerfile,
};

/// A `go get` of remote packages.
pub struct GoGet<'a> {
    pub span: Span,
    pub sub: &'a ShellWord,
    pub packages: Vec<&'a ShellWord>,
    pub flags: Vec<&'a ShellWord>,
}

/// The `go get` a command runs, with the remote packages it names
/// (`github.com/x/y`, `golang.org/x/tools/cmd/goimports@v0.24.0`); local
/// patterns (`./...`) are not remote.
pub fn go_get(cmd: &SimpleCommand) -> Option<GoGet<'_>> {
    let args = ShellArgs::of(cmd)?;
    if args.program() != "go" {
        return None;
    }
    let ops = args.operands(&["-tags", "-modfile", "-C"]);
    let sub = *ops.first()?;
    if sub.value != "get" {
        return None;
    }
    let packages: Vec<&ShellWord> = ops[1..]
        .iter()
        .copied()
        .filter(|w| {
            let first = w.value.split('/').next().unwrap_or("");
            first.contains('.') && !first.starts_with('.') && !w.value.contains('$')
        })
        .collect();
    let flags = args
        .words
        .iter()
        .filter(|w| w.value.starts_with('-'))
        .collect();
    Some(GoGet {
        span: args.name.span.cover(sub.span),
        sub,
        packages,
        flags,
    })
}

/// Whether a stage chain has a module where `go get` runs: `go.mod` copied
/// or bind-mounted, the whole context copied (when it has a `go.mod`, or
/// nothing shows it has not), or `go mod init` run before.
pub fn in_module(cx: &Context<'_>, index: usize, script: &Script, ci: usize) -> bool {
    let inputs = Inputs::before(cx, index);
    if inputs.find(&["go.mod"]).is_some() || inputs.whole.is_some() || inputs.opaque {
        return true;
    }
    let inits = |c: &SimpleCommand| {
        ShellArgs::of(c).is_some_and(|a| {
            let ops = a.operands(&[]);
            a.program() == "go"
                && ops.first().is_some_and(|w| w.value == "mod")
                && ops.get(1).is_some_and(|w| w.value == "init")
        })
    };
    if script.commands.iter().take(ci).any(inits) {
        return true;
    }
    let build = cx.build();
    let Some(state) = build.state(index) else {
        return false;
    };
    build.chain(state.stage).iter().any(|&si| {
        build.stages[si]
            .instructions()
            .filter(|&i| i < index)
            .any(|i| {
                cx.scripts_of(i)
                    .iter()
                    .any(|s| s.commands.iter().any(inits))
            })
    })
}

/// Whether something later uses what `go get` would have installed: a
/// command named like the package, or `$GOPATH/bin`, `/go/bin`, `$GOBIN`.
pub fn uses_installed(
    cx: &Context<'_>,
    index: usize,
    script: &Script,
    ci: usize,
    packages: &[&ShellWord],
) -> bool {
    let names: Vec<&str> = packages
        .iter()
        .map(|p| base_name(p.value.split('@').next().unwrap_or(&p.value)))
        .filter(|n| !n.is_empty() && *n != "...")
        .collect();
    let uses = |c: &SimpleCommand| {
        c.program().is_some_and(|p| names.contains(&p))
            || c.name.iter().chain(c.args.iter()).any(|w| {
                let v = w.value.as_str();
                v.contains("/go/bin")
                    || v.contains("GOPATH/bin")
                    || v.contains("GOPATH}/bin")
                    || v.contains("$GOBIN")
                    || v.contains("${GOBIN}")
            })
    };
    if script.commands.iter().skip(ci + 1).any(uses) {
        return true;
    }
    let build = cx.build();
    let Some(state) = build.state(index) else {
        return false;
    };
    let Some(stage) = build.stages.get(state.stage) else {
        return false;
    };
    stage.instructions().filter(|&i| i > index).any(|i| {
        let text = cx
            .instruction(i)
            .map(|x| x.logical.text.as_str())
            .unwrap_or("");
        cx.scripts_of(i).iter().any(|s| s.commands.iter().any(uses))
            || ((text.starts_with("CMD") || text.starts_with("ENTRYPOINT"))
                && names.iter().any(|n| text.contains(n)))
    })
}

impl Rule for GoGetInstall {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let Some(index) = cx.instruction_index() else {
            return;
        };
        if !checks_lock_discipline(cx) {
            return;
        }
        let build = cx.build();
        let Some(state) = build.state(index) else {
            return;
        };
        let version = match build.root_base(state.stage) {
            Some(Base::Image(r)) => go_version(r),
            _ => None,
        };
        if matches!(version, Some(GoVersion::Minor(m)) if m < 18) {
            return;
        }
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(get) = go_get(cmd) else { continue };
                if get.packages.is_empty()
                    || env::variable(cx, index, script, ci, "GO111MODULE")
                        .is_some_and(|v| v.eq_ignore_ascii_case("off"))
                {
                    continue;
                }
                let module = in_module(cx, index, script, ci);
                let download_only = get.flags.iter().any(|f| f.value == "-d");
                if module
                    && (download_only || !uses_installed(cx, index, script, ci, &get.packages))
                {
                    continue;
                }
                let pkg = get.packages[0].value.split('@').next().unwrap_or("");
                let message = if module {
                    format!(
                        "`go get` does not install `{}`: it only edits `go.mod`",
                        base_name(pkg)
                    )
                } else {
                    format!(
                        "`go get {}` fails outside a module since Go 1.18",
                        base_name(pkg)
                    )
                };
                let fix = install_fix(cx.text(), &get);
                let r = cx
                    .report(get.span, message)
                    .help("install commands with `go install <package>@<version>`")
                    .maybe_fix(fix);
                if version.is_none() {
                    // not a golang image: its Go may be older
                    let _ = r.severity(Severity::Warning);
                }
                return;
            }
        }
    }
}

/// `go install <pkg>@latest` for a single package whose flags `go install`
/// accepts.
fn install_fix(text: &str, get: &GoGet<'_>) -> Option<Fix> {
    if get.packages.len() != 1
        || !get
            .flags
            .iter()
            .all(|f| matches!(f.value.as_str(), "-u" | "-u=patch" | "-v" | "-x"))
    {
        return None;
    }
    let mut edits = vec![Edit::replace(get.sub.span, "install")];
    for f in get.flags.iter().filter(|f| f.value.starts_with("-u")) {
        let start = f.span.start as usize;
        let before = text.get(..start)?;
        let blank = before.len() - before.trim_end_matches([' ', '\t']).len();
        edits.push(Edit::delete(Span::new((start - blank) as u32, f.span.end)));
    }
    let pkg = get.packages[0];
    if !pkg.value.contains('@') {
        edits.push(Edit::insert(pkg.span.end, "@latest"));
    }
    Some(Fix::unsafe_("use `go install`", edits))
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_outside_a_module() {
        fires(
            "IL3306",
            "FROM golang:1.22\nRUN go get -u golang.org/x/lint/golint\n",
            &["2:5 IL3306 `go get golint` fails outside a module since Go 1.18"],
        );
        let f = findings(
            "IL3306",
            "FROM golang:alpine\nRUN apk add git && go get github.com/x/tool\n",
        );
        assert_eq!(f[0].severity, crate::rules::Severity::Error);
        // another image's Go may be older
        let f = findings(
            "IL3306",
            "FROM alpine:3.20\nRUN apk add go && go get github.com/x/tool\n",
        );
        assert_eq!(f[0].severity, crate::rules::Severity::Warning);
    }

    #[test]
    fn fires_in_a_module_when_the_command_is_used() {
        fires(
            "IL3306",
            "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go get github.com/swaggo/swag/cmd/swag && swag init\n",
            &["4:5 IL3306 `go get` does not install `swag`: it only edits `go.mod`"],
        );
    }

    #[test]
    fn passes_for_old_go_gopath_mode_and_dependencies() {
        for text in [
            "FROM golang:1.16\nRUN go get github.com/x/tool\n",
            "FROM golang:1.22\nENV GO111MODULE=off\nRUN go get github.com/x/tool\n",
            "FROM golang:1.22\nCOPY . .\nRUN go get github.com/x/lib\n",
            "FROM golang:1.22\nCOPY . .\nRUN go get -d -v ./...\n",
            "FROM golang:1.22\nRUN go install github.com/x/tool@latest\n",
            "FROM golang:1.22\nONBUILD RUN go get github.com/x/tool\n",
        ] {
            passes("IL3306", text);
        }
    }

    #[test]
    fn download_only_fails_outside_a_module_too() {
        fires(
            "IL3306",
            "FROM golang:latest AS build\nRUN go get -d github.com/x/tool/cmd/tool\nWORKDIR /go/src/github.com/x/tool\nRUN make install\n",
            &["2:5 IL3306 `go get tool` fails outside a module since Go 1.18"],
        );
        passes(
            "IL3306",
            "FROM golang:1.22\nCOPY go.mod go.sum ./\nRUN go get -d github.com/x/tool && tool\n",
        );
        // no fix: `go install` has no download-only mode
        let text = "FROM golang:1.22\nRUN go get -d github.com/x/tool\n";
        assert_eq!(fixed("IL3306", text, Applicability::Unsafe), text);
    }

    #[test]
    fn fix_uses_go_install() {
        assert_eq!(
            fixed(
                "IL3306",
                "FROM golang:1.22\nRUN go get -u -v golang.org/x/lint/golint\n",
                Applicability::Unsafe
            ),
            "FROM golang:1.22\nRUN go install -v golang.org/x/lint/golint@latest\n"
        );
        let two = "FROM golang:1.22\nRUN go get github.com/a/x github.com/b/y\n";
        assert_eq!(fixed("IL3306", two, Applicability::Unsafe), two);
    }
}
