use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::apt::apt_any;
use crate::syntax::{Instruction, Kind};

/// DL3027
pub struct AptInsteadOfAptGet;

const META: Meta = Meta {
    code: "DL3027",
    name: "apt-instead-of-apt-get",
    aliases: &["CKV_DOCKER_9"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`apt` is for people at a terminal: scripts use `apt-get` and `apt-cache`",
    doc: include_str!("../../../rules/apt-instead-of-apt-get.md"),
    target: Target::Dockerfile,
};

/// `apt` subcommands that `apt-get` has with the same meaning.
const SAME_IN_APT_GET: &[&str] = &[
    "install",
    "reinstall",
    "remove",
    "purge",
    "autoremove",
    "update",
    "clean",
    "autoclean",
    "source",
    "download",
    "build-dep",
    "dist-upgrade",
    "satisfy",
];

impl Rule for AptInsteadOfAptGet {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let text = cx.text();
        let mut found = Vec::new();
        let mut fixable = true;
        for cmd in cx.scripts().iter().flat_map(|s| s.commands.iter()) {
            let Some(apt) = apt_any(cmd) else { continue };
            if apt.args.program() != "apt" {
                continue;
            }
            let name = apt.args.name;
            // the word must be written plainly to be renamed in place
            fixable &= name.span.text(text) == name.raw
                && name.raw == name.value
                && apt
                    .subcommand
                    .is_some_and(|s| SAME_IN_APT_GET.contains(&s.value.as_str()));
            found.push(name.span);
        }
        let Some(first) = found.first().copied() else {
            return;
        };
        let fix = fixable.then(|| {
            Fix::unsafe_(
                "use `apt-get`",
                found.iter().map(|s| Edit::insert(s.end, "-get")).collect(),
            )
        });
        let mut r = cx
            .report(
                first,
                "`apt` is meant for interactive use; its behaviour and output can change",
            )
            .help("use `apt-get` (or `apt-cache` to query packages)")
            .maybe_fix(fix);
        for span in found.iter().skip(1) {
            r = r.label(*span, "and here");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_apt() {
        fires(
            "DL3027",
            "FROM ubuntu:24.04\nRUN apt update && apt install -y curl\n",
            &["2:5 DL3027 `apt` is meant for interactive use; its behaviour and output can change"],
        );
        fires(
            "DL3027",
            "FROM ubuntu:24.04\nRUN set -e \\\n  # upgrade\n  && sudo /usr/bin/apt full-upgrade -y\n",
            &[
                "4:11 DL3027 `apt` is meant for interactive use; its behaviour and output can change",
            ],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3027",
            "FROM ubuntu\nRUN <<EOF\napt-get update\napt install -y curl\nEOF\n",
            &["4:1 DL3027 `apt` is meant for interactive use; its behaviour and output can change"],
        );
        fires(
            "DL3027",
            "FROM ubuntu\nONBUILD RUN apt install -y curl\n",
            &[
                "2:13 DL3027 `apt` is meant for interactive use; its behaviour and output can change",
            ],
        );
    }

    #[test]
    fn fixes_when_apt_get_means_the_same() {
        assert_eq!(
            fixed(
                "DL3027",
                "FROM ubuntu\nRUN apt update && apt install -y curl\n",
                Applicability::Unsafe
            ),
            "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\n"
        );
        // `apt upgrade` may install new packages, `apt-get upgrade` never
        assert_eq!(
            fixed(
                "DL3027",
                "FROM ubuntu\nRUN apt update && apt upgrade -y\n",
                Applicability::Unsafe
            ),
            "FROM ubuntu\nRUN apt update && apt upgrade -y\n"
        );
    }

    #[test]
    fn passes_on_apt_get_and_friends() {
        passes(
            "DL3027",
            "FROM ubuntu\nRUN apt-get update && apt-cache policy curl && apt-key list\n",
        );
        passes("DL3027", "FROM ubuntu\nRUN echo apt install\n");
    }
}
