use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::apt::apt_get;
use crate::syntax::{Instruction, Kind};

/// DL3014
pub struct AptGetWithoutYes;

const META: Meta = Meta {
    code: "DL3014",
    name: "apt-get-without-yes",
    aliases: &["DS-0021", "DS021", "docker-use-apt-auto-confirm"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`apt-get install` without `-y` waits for an answer that never comes",
    doc: include_str!("../../../rules/apt-get-without-yes.md"),
    target: Target::Dockerfile,
};

/// Whether `apt-get` was told to assume yes.
pub fn assumes_yes(apt: &crate::shell::apt::PackageCommand<'_>) -> bool {
    let a = &apt.args;
    a.has(&['y'], &["yes", "assume-yes", "force-yes"])
        || a.words.iter().any(|w| {
            let v = w.value.as_str();
            v == "-qq"
                || v == "-q=2"
                || v == "--quiet=2"
                || (v.starts_with("-q")
                    && v[1..].chars().filter(|c| *c == 'q').count() >= 2
                    && v[1..].chars().all(|c| c.is_ascii_alphabetic()))
                || v.to_ascii_lowercase().contains("apt::get::assume-yes=")
        })
}

impl Rule for AptGetWithoutYes {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        for script in cx.scripts() {
            for cmd in &script.commands {
                let Some(apt) = apt_get(cmd) else { continue };
                let Some(sub) = apt.subcommand else { continue };
                if !matches!(
                    sub.value.as_str(),
                    "install"
                        | "upgrade"
                        | "dist-upgrade"
                        | "full-upgrade"
                        | "remove"
                        | "purge"
                        | "autoremove"
                        | "build-dep"
                ) || assumes_yes(&apt)
                    || apt.args.has(
                        &['s'],
                        &["simulate", "dry-run", "just-print", "no-act", "recon"],
                    )
                {
                    continue;
                }
                // `yes | apt-get install …` answers the prompt
                let piped_yes = script.pipeline_of(cmd).is_some_and(|p| {
                    p.commands
                        .iter()
                        .any(|&c| script.commands.get(c).is_some_and(|x| x.is("yes")))
                });
                if piped_yes {
                    continue;
                }
                let fix = Fix::safe("add `-y`", vec![Edit::insert(sub.span.end, " -y")]);
                cx.report(
                    sub.span,
                    format!(
                        "`apt-get {}` without `-y` stops at a confirmation prompt",
                        sub.value
                    ),
                )
                .help("add `-y` so the build does not wait for an answer")
                .fix(fix);
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
    fn fires_without_yes() {
        fires(
            "DL3014",
            "FROM debian\nRUN apt-get update && apt-get install curl\n",
            &["2:31 DL3014 `apt-get install` without `-y` stops at a confirmation prompt"],
        );
        fires(
            "DL3014",
            "FROM debian\nONBUILD RUN apt-get install --no-install-recommends curl\n",
            &["2:21 DL3014 `apt-get install` without `-y` stops at a confirmation prompt"],
        );
    }

    #[test]
    fn fixes_by_adding_yes() {
        assert_eq!(
            fixed(
                "DL3014",
                "FROM debian\nRUN apt-get install curl\n",
                Applicability::Safe
            ),
            "FROM debian\nRUN apt-get install -y curl\n"
        );
    }

    #[test]
    fn passes_with_any_form_of_yes() {
        for run in [
            "apt-get install -y curl",
            "apt-get -yq install curl",
            "apt-get install --yes curl",
            "apt-get install --assume-yes curl",
            "apt-get -qq install curl",
            "apt-get -o APT::Get::Assume-Yes=true install curl",
            "yes | apt-get install curl",
            "apt-get -s dist-upgrade",
            "apt-get update",
        ] {
            passes("DL3014", &format!("FROM debian\nRUN {run}\n"));
        }
    }
}
