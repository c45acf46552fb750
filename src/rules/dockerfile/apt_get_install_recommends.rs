use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::apt::apt_get;
use crate::syntax::{Instruction, Kind};

/// DL3015
pub struct AptGetInstallRecommends;

const META: Meta = Meta {
    code: "DL3015",
    name: "apt-get-install-recommends",
    aliases: &["DS-0029", "DS029", "docker-use-apt-no-install-recommends"],
    severity: Severity::Info,
    category: Category::Size,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`apt-get install` also installs recommended packages",
    doc: include_str!("../../../rules/apt-get-install-recommends.md"),
    target: Target::Dockerfile,
};

impl Rule for AptGetInstallRecommends {
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
                let Some(sub) = apt.subcommand.filter(|s| s.value == "install") else {
                    continue;
                };
                let off = apt.args.has(&[], &["no-install-recommends"])
                    || apt.args.words.iter().any(|w| {
                        let v = w.value.to_ascii_lowercase();
                        v.contains("apt::install-recommends=false")
                            || v.contains("apt::install-recommends=0")
                            || v.contains("apt::install-recommends=no")
                    });
                if off {
                    continue;
                }
                let fix = Fix::unsafe_(
                    "add `--no-install-recommends`",
                    vec![Edit::insert(sub.span.end, " --no-install-recommends")],
                );
                cx.report(
                    sub.span,
                    "`apt-get install` also installs every recommended package",
                )
                .help("add `--no-install-recommends` and list what the image really needs")
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
    fn fires_without_the_flag() {
        fires(
            "DL3015",
            "FROM debian\nRUN apt-get update && apt-get install -y curl\n",
            &["2:31 DL3015 `apt-get install` also installs every recommended package"],
        );
    }

    #[test]
    fn fix_is_unsafe() {
        let text = "FROM debian\nRUN apt-get install -y curl\n";
        assert_eq!(fixed("DL3015", text, Applicability::Safe), text);
        assert_eq!(
            fixed("DL3015", text, Applicability::Unsafe),
            "FROM debian\nRUN apt-get install --no-install-recommends -y curl\n"
        );
    }

    #[test]
    fn passes_with_the_flag_or_option() {
        passes(
            "DL3015",
            "FROM debian\nRUN apt-get install -y --no-install-recommends curl\n",
        );
        passes(
            "DL3015",
            "FROM debian\nRUN apt-get -o APT::Install-Recommends=false install -y curl\n",
        );
        passes("DL3015", "FROM debian\nRUN apt-get update\n");
    }
}
