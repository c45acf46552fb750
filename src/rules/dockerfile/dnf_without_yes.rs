use super::yum_without_yes::check_prompts;
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::apt::PackageCommand;
use crate::shell::rpm::dnf;
use crate::syntax::{Instruction, Kind};

/// DL3038
pub struct DnfWithoutYes;

const META: Meta = Meta {
    code: "DL3038",
    name: "dnf-without-yes",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`dnf install` without `-y` waits for an answer that never comes",
    doc: include_str!("../../../rules/dnf-without-yes.md"),
    target: Target::Dockerfile,
};

/// `dnf` (and `dnf5`, `tdnf`), but not `microdnf`, which never asks.
fn prompting_dnf(cmd: &SimpleCommand) -> Option<PackageCommand<'_>> {
    dnf(cmd).filter(|pc| pc.args.program() != "microdnf")
}

impl Rule for DnfWithoutYes {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        check_prompts(cx, prompting_dnf);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_yes() {
        fires(
            "DL3038",
            "FROM fedora:40\nRUN dnf install nginx-1.26.1 && dnf clean all\n",
            &["2:9 DL3038 `dnf install` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3038",
            "FROM fedora:40\nRUN dnf \\\n  # web\n  module enable nginx:1.24\n",
            &["4:3 DL3038 `dnf module enable` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3038",
            "FROM fedora:40\nONBUILD RUN dnf5 upgrade\n",
            &["2:18 DL3038 `dnf5 upgrade` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3038",
            "FROM fedora:40\nRUN <<EOF\ndnf install git\nEOF\n",
            &["3:5 DL3038 `dnf install` without `-y` stops at a confirmation prompt"],
        );
    }

    #[test]
    fn fixes_by_adding_yes() {
        assert_eq!(
            fixed(
                "DL3038",
                "FROM fedora:40\nRUN dnf --setopt=tsflags=nodocs install git\n",
                Applicability::Safe
            ),
            "FROM fedora:40\nRUN dnf --setopt=tsflags=nodocs install -y git\n"
        );
    }

    #[test]
    fn passes_with_yes_and_for_microdnf() {
        for run in [
            "dnf install -y git",
            "dnf -y install git",
            "dnf install --assumeyes git",
            "microdnf install git",
            "dnf clean all",
            "dnf makecache",
            "yum install git",
        ] {
            passes("DL3038", &format!("FROM fedora:40\nRUN {run}\n"));
        }
    }
}
