use super::yum_without_yes::piped_yes;
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::rpm::{ZYPPER_PROMPTING, assumes_yes, zypper};
use crate::syntax::{Instruction, Kind};

/// DL3034
pub struct ZypperWithoutYes;

const META: Meta = Meta {
    code: "DL3034",
    name: "zypper-without-yes",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`zypper install` without `-n` waits for an answer that never comes",
    doc: include_str!("../../../rules/zypper-without-yes.md"),
    target: Target::Dockerfile,
};

impl Rule for ZypperWithoutYes {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        for script in cx.scripts() {
            for cmd in &script.commands {
                let Some(pc) = zypper(cmd) else { continue };
                let Some(sub) = pc.subcommand else { continue };
                if !ZYPPER_PROMPTING.contains(&sub.value.as_str())
                    || assumes_yes(&pc)
                    || piped_yes(script, cmd)
                {
                    continue;
                }
                // `-n` is a global option: it goes before the subcommand
                cx.report(
                    sub.span,
                    format!(
                        "`zypper {}` without `-n` stops at a confirmation prompt",
                        sub.value
                    ),
                )
                .help("add `-n` (`--non-interactive`) before the subcommand")
                .fix(Fix::safe(
                    "add `-n`",
                    vec![Edit::insert(pc.args.name.span.end, " -n")],
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_non_interactive() {
        fires(
            "DL3034",
            "FROM opensuse/leap:15.6\nRUN zypper install curl=8.0.1\n",
            &["2:12 DL3034 `zypper install` without `-n` stops at a confirmation prompt"],
        );
        fires(
            "DL3034",
            "FROM opensuse/leap:15.6\nRUN zypper --quiet \\\n  # tools\n  in -n curl\n",
            &["4:3 DL3034 `zypper in` without `-n` stops at a confirmation prompt"],
        );
        fires(
            "DL3034",
            "FROM opensuse/leap:15.6\nONBUILD RUN zypper rm curl\n",
            &["2:20 DL3034 `zypper rm` without `-n` stops at a confirmation prompt"],
        );
        fires(
            "DL3034",
            "FROM opensuse/leap:15.6\nRUN <<EOF\nzypper patch\nEOF\n",
            &["3:8 DL3034 `zypper patch` without `-n` stops at a confirmation prompt"],
        );
    }

    #[test]
    fn fixes_by_adding_n_before_the_subcommand() {
        assert_eq!(
            fixed(
                "DL3034",
                "FROM opensuse/leap\nRUN zypper install curl && zypper clean\n",
                Applicability::Safe
            ),
            "FROM opensuse/leap\nRUN zypper -n install curl && zypper clean\n"
        );
    }

    #[test]
    fn passes_when_non_interactive() {
        for run in [
            "zypper -n install curl",
            "zypper --non-interactive in curl",
            "zypper install -y curl",
            "zypper in --no-confirm curl",
            "zypper refresh",
            "zypper clean -a",
        ] {
            passes("DL3034", &format!("FROM opensuse/leap\nRUN {run}\n"));
        }
    }
}
