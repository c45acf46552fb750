use crate::rules::*;
use crate::shell::apt::{apk, is_local_package, package_names};
use crate::syntax::{Instruction, Kind};

/// DL3018
pub struct ApkAddUnpinned;

const META: Meta = Meta {
    code: "DL3018",
    name: "apk-add-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`apk add` of a package without a version",
    doc: include_str!("../../../rules/apk-add-unpinned.md"),
    target: Target::Dockerfile,
};

fn is_pinned(pkg: &str) -> bool {
    pkg.contains(['=', '~', '<', '>'])
}

impl Rule for ApkAddUnpinned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let scope = cx.state().map(|s| s.scope.clone()).unwrap_or_default();
        let mut unpinned: Vec<(String, crate::source::Span)> = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(add) = apk(cmd) else { continue };
                if !add.is("add") {
                    continue;
                }
                for pkg in &add.packages {
                    // a variable holding a package list is judged by its value
                    let names = package_names(script, ci, pkg, scope.as_ref());
                    for name in names {
                        if !is_pinned(&name)
                            && !is_local_package(&name)
                            && !name.starts_with('-')
                            && !name.starts_with('.')
                        {
                            unpinned.push((name, pkg.span));
                        }
                    }
                }
            }
        }
        let Some((first, span)) = unpinned.first().cloned() else {
            return;
        };
        let message = match unpinned.len() {
            1 => format!("`{first}` is installed without a version"),
            2 => format!("`{first}` and 1 more package are installed without a version"),
            n => format!(
                "`{first}` and {} more packages are installed without a version",
                n - 1
            ),
        };
        let mut r = cx
            .report(span, message)
            .help(format!("pin the version the image was tested with: `{first}=<version>` (or `~` for a minor series)"));
        for (name, span) in unpinned.iter().skip(1) {
            r = r.label(*span, format!("`{name}` is not pinned either"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unpinned_packages() {
        fires(
            "DL3018",
            "FROM alpine:3.20\nRUN apk add --no-cache curl\n",
            &["2:24 DL3018 `curl` is installed without a version"],
        );
        fires(
            "DL3018",
            "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.5-r0 make\n",
            &["2:46 DL3018 `gcc` and 1 more package are installed without a version"],
        );
    }

    #[test]
    fn virtual_names_and_pinned_packages_pass() {
        passes(
            "DL3018",
            "FROM alpine\nRUN apk add --no-cache -t .deps curl=8.9.1-r0 jq~1.7\n",
        );
        passes(
            "DL3018",
            "FROM alpine\nRUN apk add --allow-untrusted /tmp/pkg.apk\n",
        );
        passes("DL3018", "FROM alpine\nRUN apk update && apk upgrade\n");
    }

    #[test]
    fn fires_in_onbuild_and_heredocs() {
        fires(
            "DL3018",
            "FROM alpine\nONBUILD RUN apk add git\n",
            &["2:21 DL3018 `git` is installed without a version"],
        );
        fires(
            "DL3018",
            "FROM alpine\nRUN <<EOF\napk add git\nEOF\n",
            &["3:9 DL3018 `git` is installed without a version"],
        );
    }
}
