use crate::rules::*;
use crate::shell::rpm::zypper;
use crate::syntax::{Instruction, Kind};

/// DL3035
pub struct ZypperDistUpgrade;

const META: Meta = Meta {
    code: "DL3035",
    name: "zypper-dist-upgrade",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`zypper dist-upgrade` in a build: the base image's distribution changes under it",
    doc: include_str!("../../../rules/zypper-dist-upgrade.md"),
    target: Target::Dockerfile,
};

impl Rule for ZypperDistUpgrade {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let found = cx
            .scripts()
            .iter()
            .flat_map(|s| s.commands.iter())
            .find_map(|c| {
                let pc = zypper(c)?;
                let sub = pc.subcommand?;
                matches!(sub.value.as_str(), "dist-upgrade" | "dup")
                    .then(|| (sub.span, sub.value.clone()))
            });
        if let Some((span, sub)) = found {
            cx.report(
                span,
                format!("`zypper {sub}` upgrades the whole distribution during the build"),
            )
            .help("use a newer base image, or `zypper update` for the packages you need");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_dist_upgrade() {
        fires(
            "DL3035",
            "FROM opensuse/tumbleweed\nRUN zypper -n dist-upgrade\n",
            &["2:15 DL3035 `zypper dist-upgrade` upgrades the whole distribution during the build"],
        );
        fires(
            "DL3035",
            "FROM opensuse/tumbleweed\nRUN zypper refresh \\\n  # all\n  && zypper -n dup\n",
            &["4:16 DL3035 `zypper dup` upgrades the whole distribution during the build"],
        );
        fires(
            "DL3035",
            "FROM opensuse/tumbleweed\nONBUILD RUN zypper -n dup\n",
            &["2:23 DL3035 `zypper dup` upgrades the whole distribution during the build"],
        );
        fires(
            "DL3035",
            "FROM opensuse/tumbleweed\nRUN <<EOF\nzypper -n dup\nEOF\n",
            &["3:11 DL3035 `zypper dup` upgrades the whole distribution during the build"],
        );
    }

    #[test]
    fn passes_on_other_subcommands() {
        passes("DL3035", "FROM opensuse/leap\nRUN zypper -n update\n");
        passes(
            "DL3035",
            "FROM opensuse/leap\nRUN apt-get dist-upgrade -y\n",
        );
    }
}
