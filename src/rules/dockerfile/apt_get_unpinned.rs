use crate::rules::*;
use crate::shell::apt::{apt_get, is_local_package, package_names};
use crate::syntax::{Instruction, Kind};

/// DL3008
pub struct AptGetUnpinned;

const META: Meta = Meta {
    code: "DL3008",
    name: "apt-get-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`apt-get install` of a package without a version",
    doc: include_str!("../../../rules/apt-get-unpinned.md"),
    target: Target::Dockerfile,
};

impl Rule for AptGetUnpinned {
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
                let Some(apt) = apt_get(cmd) else { continue };
                if !apt.is("install") {
                    continue;
                }
                for pkg in &apt.packages {
                    // a variable holding a package list is judged by its value
                    let names = package_names(script, ci, pkg, scope.as_ref());
                    for name in names {
                        if !name.contains('=') && !is_local_package(&name) && !name.starts_with('-')
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
        let mut r = cx.report(span, message).help(format!(
            "pin the version the image was tested with: `{first}=<version>`"
        ));
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
            "DL3008",
            "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl git=1:2.39.5-0+deb12u1\n",
            &["2:66 DL3008 `curl` is installed without a version"],
        );
        fires(
            "DL3008",
            "FROM debian:12\nRUN apt-get install -y \\\n    # tools\n    curl \\\n    wget\n",
            &["4:5 DL3008 `curl` and 1 more package are installed without a version"],
        );
    }

    #[test]
    fn points_at_the_package_word() {
        assert_eq!(
            spans(
                "DL3008",
                "FROM debian\nRUN apt-get -y install -t bookworm-backports nginx\n"
            ),
            ["nginx"]
        );
    }

    #[test]
    fn judges_variables_by_their_value() {
        fires(
            "DL3008",
            "FROM debian\nARG PKGS=\"curl ca-certificates=20230311\"\nRUN apt-get install -y $PKGS\n",
            &["3:24 DL3008 `curl` is installed without a version"],
        );
        passes(
            "DL3008",
            "FROM debian\nARG PKGS=\"curl=8.5.0-2\"\nRUN apt-get install -y $PKGS\n",
        );
        passes("DL3008", "FROM debian\nRUN apt-get install -y $PACKAGES\n");
        // whatever the major version, this names one package without a version
        fires(
            "DL3008",
            "FROM debian\nRUN apt-get install -y postgresql-${PG_MAJOR}\n",
            &["2:24 DL3008 `postgresql-${PG_MAJOR}` is installed without a version"],
        );
        // a shell variable set earlier in the same RUN
        fires(
            "DL3008",
            "FROM debian\nRUN set -eux; DEPS='curl git'; apt-get install -y $DEPS\n",
            &["2:51 DL3008 `curl` and 1 more package are installed without a version"],
        );
        passes(
            "DL3008",
            "FROM debian\nRUN DEPS='curl=8.5.0-2'; apt-get install -y \"$DEPS\"\n",
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3008",
            "FROM debian\nRUN <<EOF\napt-get install -y jq\nEOF\n",
            &["3:20 DL3008 `jq` is installed without a version"],
        );
        fires(
            "DL3008",
            "FROM debian\nONBUILD RUN apt-get install -y jq\n",
            &["2:32 DL3008 `jq` is installed without a version"],
        );
    }

    #[test]
    fn passes_for_pinned_local_and_other_commands() {
        passes(
            "DL3008",
            "FROM debian\nRUN apt-get install -y curl=8.5.0-2 ./local.deb /tmp/x.deb\n",
        );
        passes(
            "DL3008",
            "FROM debian\nRUN apt-get update && apt-get upgrade -y\n",
        );
        passes("DL3008", "FROM debian\nRUN apt install curl\n");
    }
}
