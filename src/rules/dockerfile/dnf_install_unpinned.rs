use super::unpinned::report_unpinned;
use super::yum_install_unpinned::rpm_unpinned;
use crate::rules::*;
use crate::shell::rpm::dnf;
use crate::syntax::{Instruction, Kind};

/// DL3041
pub struct DnfInstallUnpinned;

const META: Meta = Meta {
    code: "DL3041",
    name: "dnf-install-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`dnf install` of a package without a version",
    doc: include_str!("../../../rules/dnf-install-unpinned.md"),
    target: Target::Dockerfile,
};

impl Rule for DnfInstallUnpinned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let unpinned = rpm_unpinned(cx, dnf);
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
            "DL3041",
            "FROM fedora:40\nRUN dnf install -y nginx-1.26.1 gcc-c++ && dnf clean all\n",
            &["2:33 DL3041 `gcc-c++` is installed without a version"],
        );
        fires(
            "DL3041",
            "FROM ubi9/ubi-minimal\nRUN microdnf install \\\n    # tools\n    git \\\n    jq\n",
            &["4:5 DL3041 `git` and 1 more package are installed without a version"],
        );
        fires(
            "DL3041",
            "FROM fedora:40\nRUN dnf -y module install nodejs\n",
            &["2:27 DL3041 `nodejs` is installed without a version"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3041",
            "FROM fedora:40\nRUN <<EOF\ndnf install -y git\nEOF\n",
            &["3:16 DL3041 `git` is installed without a version"],
        );
        fires(
            "DL3041",
            "FROM fedora:40\nONBUILD RUN dnf install -y git\n",
            &["2:28 DL3041 `git` is installed without a version"],
        );
    }

    #[test]
    fn passes_for_versions_files_modules_and_variables() {
        for run in [
            "dnf install -y nginx-1.26.1-1.fc40",
            "dnf install -y /tmp/x.rpm",
            "dnf -y module install nodejs:20",
            "dnf group install -y 'Development Tools'",
            "dnf install -y $PACKAGES",
            "dnf upgrade -y",
            "yum install -y git",
        ] {
            passes("DL3041", &format!("FROM fedora:40\nRUN {run}\n"));
        }
    }
}
