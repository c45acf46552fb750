use crate::rules::*;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// IL3003
pub struct AptGetDistUpgrade;

const META: Meta = Meta {
    code: "IL3003",
    name: "apt-get-dist-upgrade",
    aliases: &["DS-0024", "DS024", "docker-no-dist-upgrade"],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: false,
    summary: "`apt-get dist-upgrade` in a build step",
    doc: include_str!("../../../rules/apt-get-dist-upgrade.md"),
    target: Target::Dockerfile,
};

impl Rule for AptGetDistUpgrade {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let mut found = Vec::new();
        for cmd in cx.scripts().iter().flat_map(|s| s.commands.iter()) {
            let Some(args) = Args::of(cmd) else { continue };
            if !matches!(args.program(), "apt-get" | "apt" | "aptitude") {
                continue;
            }
            if let Some(verb) = args
                .operands(&["-o", "-c", "-t"])
                .into_iter()
                .next()
                .filter(|w| matches!(w.value.as_str(), "dist-upgrade" | "full-upgrade"))
            {
                found.push((args.program().to_string(), verb.value.clone(), verb.span));
            }
        }
        for (program, verb, span) in found {
            cx.report(span, format!("`{program} {verb}` upgrades the distribution in a build step"))
                .help("use a newer base image tag instead; the upgrade makes the image depend on the day it was built");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_dist_upgrade() {
        fires(
            "IL3003",
            "FROM debian:12\nRUN apt-get update && apt-get -y dist-upgrade\n",
            &["2:34 IL3003 `apt-get dist-upgrade` upgrades the distribution in a build step"],
        );
        assert_eq!(
            spans("IL3003", "FROM ubuntu\nRUN apt full-upgrade -y\n"),
            ["full-upgrade"]
        );
    }

    #[test]
    fn passes_for_upgrade_and_install() {
        passes(
            "IL3003",
            "FROM debian:12\nRUN apt-get update && apt-get upgrade -y && apt-get install -y dist-upgrade\n",
        );
    }
}
