use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::apt::PackageCommand;
use crate::shell::rpm::{DNF_PROMPTING, action_word, assumes_yes, dnf_action, yum};
use crate::shell::{Script, SimpleCommand};
use crate::syntax::{Instruction, Kind};

/// DL3030
pub struct YumWithoutYes;

const META: Meta = Meta {
    code: "DL3030",
    name: "yum-without-yes",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`yum install` without `-y` waits for an answer that never comes",
    doc: include_str!("../../../rules/yum-without-yes.md"),
    target: Target::Dockerfile,
};

/// Whether `yes` is piped into the command.
pub fn piped_yes(script: &Script, cmd: &SimpleCommand) -> bool {
    script.pipeline_of(cmd).is_some_and(|p| {
        p.commands
            .iter()
            .any(|&c| script.commands.get(c).is_some_and(|x| x.is("yes")))
    })
}

/// Reports the first yum/dnf command of the instruction that would prompt.
pub fn check_prompts(cx: &mut Context<'_>, find: fn(&SimpleCommand) -> Option<PackageCommand<'_>>) {
    for script in cx.scripts() {
        for cmd in &script.commands {
            let Some(pc) = find(cmd) else { continue };
            let Some((action, _)) = dnf_action(&pc) else {
                continue;
            };
            if !DNF_PROMPTING.contains(&action.as_str())
                || assumes_yes(&pc)
                || pc.args.has(&[], &["assumeno"])
                || piped_yes(script, cmd)
            {
                continue;
            }
            let Some(word) = action_word(&pc) else {
                continue;
            };
            let program = pc.args.program();
            let span = pc.subcommand.map_or(word.span, |s| s.span.cover(word.span));
            cx.report(
                span,
                format!("`{program} {action}` without `-y` stops at a confirmation prompt"),
            )
            .help("add `-y` so the build does not wait for an answer")
            .fix(Fix::safe(
                "add `-y`",
                vec![Edit::insert(word.span.end, " -y")],
            ));
            return;
        }
    }
}

impl Rule for YumWithoutYes {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        check_prompts(cx, yum);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_yes() {
        fires(
            "DL3030",
            "FROM centos:7\nRUN yum install httpd-2.4.6 && yum clean all\n",
            &["2:9 DL3030 `yum install` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3030",
            "FROM centos:7\nRUN yum -q \\\n  # tools\n  groupinstall 'Development Tools'\n",
            &["4:3 DL3030 `yum groupinstall` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3030",
            "FROM centos:7\nRUN yum group install -q 'Development Tools'\n",
            &["2:9 DL3030 `yum groupinstall` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3030",
            "FROM centos:7\nONBUILD RUN yum update\n",
            &["2:17 DL3030 `yum update` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3030",
            "FROM centos:7\nRUN <<EOF\nyum remove x\nEOF\n",
            &["3:5 DL3030 `yum remove` without `-y` stops at a confirmation prompt"],
        );
    }

    #[test]
    fn points_at_the_subcommand() {
        assert_eq!(
            spans("DL3030", "FROM centos:7\nRUN yum -q group install x\n"),
            ["group install"]
        );
    }

    #[test]
    fn fixes_by_adding_yes() {
        assert_eq!(
            fixed(
                "DL3030",
                "FROM centos:7\nRUN yum group install x && yum install y\n",
                Applicability::Safe
            ),
            "FROM centos:7\nRUN yum group install -y x && yum install -y y\n"
        );
    }

    #[test]
    fn passes_with_yes() {
        for run in [
            "yum install -y httpd",
            "yum -y install httpd",
            "yum install --assumeyes httpd",
            "yum -qy update",
            "yes | yum install httpd",
            "yum clean all",
            "yum makecache",
            "dnf install httpd",
        ] {
            passes("DL3030", &format!("FROM centos:7\nRUN {run}\n"));
        }
    }
}
