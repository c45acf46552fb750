use super::unpinned::report_unpinned;
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::apt::{PackageCommand, package_names};
use crate::shell::rpm::{dnf_action, is_dnf_versioned, yum};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// DL3033
pub struct YumInstallUnpinned;

const META: Meta = Meta {
    code: "DL3033",
    name: "yum-install-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`yum install` of a package without a version",
    doc: include_str!("../../../rules/yum-install-unpinned.md"),
    target: Target::Dockerfile,
};

/// The packages installed without a version by the yum/dnf commands of the
/// instruction: `install` operands without `-<version>`, and modules of
/// `module install` without `:<stream>`.
pub fn rpm_unpinned(
    cx: &Context<'_>,
    find: fn(&SimpleCommand) -> Option<PackageCommand<'_>>,
) -> Vec<(String, Span)> {
    let scope = cx.state().map(|s| s.scope.clone()).unwrap_or_default();
    let mut unpinned = Vec::new();
    for script in cx.scripts() {
        for (ci, cmd) in script.commands.iter().enumerate() {
            let Some(pc) = find(cmd) else { continue };
            let Some((action, packages)) = dnf_action(&pc) else {
                continue;
            };
            let module = match action.as_str() {
                "install" => false,
                "module install" => true,
                _ => continue,
            };
            for pkg in packages {
                for name in package_names(script, ci, pkg, scope.as_ref()) {
                    let pinned = if module {
                        name.contains(':') || name.contains('/')
                    } else {
                        // groups and modules (`@name`) have no version
                        name.starts_with('@') || is_dnf_versioned(&name)
                    };
                    if !pinned {
                        unpinned.push((name, pkg.span));
                    }
                }
            }
        }
    }
    unpinned
}

impl Rule for YumInstallUnpinned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let unpinned = rpm_unpinned(cx, yum);
        report_unpinned(cx, &unpinned, |first| {
            format!("pin the version the image was tested with: `{first}-<version>`")
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unpinned_packages() {
        fires(
            "DL3033",
            "FROM centos:7\nRUN yum install -y httpd-2.4.6 python3-devel && yum clean all\n",
            &["2:32 DL3033 `python3-devel` is installed without a version"],
        );
        fires(
            "DL3033",
            "FROM centos:7\nRUN yum -y install \\\n    # tools\n    git \\\n    --enablerepo epel jq\n",
            &["4:5 DL3033 `git` and 1 more package are installed without a version"],
        );
        fires(
            "DL3033",
            "FROM centos:8\nRUN yum -y module install nodejs\n",
            &["2:27 DL3033 `nodejs` is installed without a version"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3033",
            "FROM centos:7\nRUN <<EOF\nyum install -y git\nEOF\n",
            &["3:16 DL3033 `git` is installed without a version"],
        );
        fires(
            "DL3033",
            "FROM centos:7\nONBUILD RUN yum install -y git\n",
            &["2:28 DL3033 `git` is installed without a version"],
        );
    }

    #[test]
    fn passes_for_versions_files_groups_and_variables() {
        for run in [
            "yum install -y httpd-2.4.6-97.el7",
            "yum install -y /tmp/x.rpm https://h/y-1.noarch.rpm",
            "yum install -y @development",
            "yum -y module install nodejs:18",
            "yum groupinstall -y 'Development Tools'",
            "yum install -y $PACKAGES",
            "yum update -y",
            "dnf install -y git",
        ] {
            passes("DL3033", &format!("FROM centos:7\nRUN {run}\n"));
        }
        passes(
            "DL3033",
            "FROM centos:7\nARG GIT_VERSION=2.43.0\nRUN yum install -y git-${GIT_VERSION}\n",
        );
    }
}
