use super::unpinned::report_unpinned;
use crate::rules::*;
use crate::shell::apt::package_names;
use crate::shell::rpm::{is_zypper_versioned, zypper};
use crate::syntax::{Instruction, Kind};

/// DL3037
pub struct ZypperInstallUnpinned;

const META: Meta = Meta {
    code: "DL3037",
    name: "zypper-install-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`zypper install` of a package without a version",
    doc: include_str!("../../../rules/zypper-install-unpinned.md"),
    target: Target::Dockerfile,
};

impl Rule for ZypperInstallUnpinned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let scope = cx.state().map(|s| s.scope.clone()).unwrap_or_default();
        let mut unpinned = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(pc) = zypper(cmd) else { continue };
                if !(pc.is("install") || pc.is("in")) {
                    continue;
                }
                // patterns and products have no version
                if pc
                    .args
                    .value(&['t'], &["type"])
                    .is_some_and(|t| t != "package")
                {
                    continue;
                }
                for pkg in &pc.packages {
                    for name in package_names(script, ci, pkg, scope.as_ref()) {
                        if !is_zypper_versioned(&name) {
                            unpinned.push((name, pkg.span));
                        }
                    }
                }
            }
        }
        report_unpinned(cx, &unpinned, |first| {
            format!("pin the version the image was tested with: `'{first}=<version>'`")
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unpinned_packages() {
        fires(
            "DL3037",
            "FROM opensuse/leap:15.6\nRUN zypper -n install curl=8.0.1 git\n",
            &["2:34 DL3037 `git` is installed without a version"],
        );
        fires(
            "DL3037",
            "FROM opensuse/leap:15.6\nRUN zypper -n in \\\n    # tools\n    git \\\n    jq\n",
            &["4:5 DL3037 `git` and 1 more package are installed without a version"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3037",
            "FROM opensuse/leap:15.6\nRUN <<EOF\nzypper -n in git\nEOF\n",
            &["3:14 DL3037 `git` is installed without a version"],
        );
        fires(
            "DL3037",
            "FROM opensuse/leap:15.6\nONBUILD RUN zypper -n in git\n",
            &["2:26 DL3037 `git` is installed without a version"],
        );
    }

    #[test]
    fn passes_for_versions_files_and_patterns() {
        for run in [
            "zypper -n in 'git>=2.43' curl=8.0.1",
            "zypper -n in /tmp/x.rpm",
            "zypper -n in -t pattern devel_basis",
            "zypper -n in $PACKAGES",
            "zypper -n refresh",
        ] {
            passes("DL3037", &format!("FROM opensuse/leap\nRUN {run}\n"));
        }
    }
}
