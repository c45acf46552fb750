use crate::rules::*;
use crate::shell::args::Args;
use crate::shell::{ShellWord, SimpleCommand};
use crate::syntax::{Instruction, Kind};

/// IL4004
pub struct PackageSignatureCheckDisabled;

const META: Meta = Meta {
    code: "IL4004",
    name: "package-signature-check-disabled",
    aliases: &[
        "CKV2_DOCKER_7",
        "CKV2_DOCKER_8",
        "CKV2_DOCKER_9",
        "CKV2_DOCKER_10",
        "CKV2_DOCKER_11",
    ],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A package manager told to install packages without checking their signatures",
    doc: include_str!("../../../rules/package-signature-check-disabled.md"),
    target: Target::Dockerfile,
};

fn gpgcheck_off(text: &str) -> bool {
    let t: String = text
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    [
        "gpgcheck=0",
        "gpgcheck=false",
        "gpgcheck=no",
        "[trusted=yes]",
        "allowunauthenticated=true",
        "allowinsecurerepositories=true",
        "allowunauthenticated\"true",
        "allowinsecurerepositories\"true",
    ]
    .iter()
    .any(|p| t.contains(p))
}

/// The word that turns signature checks off, and what it is.
fn unsigned(cmd: &SimpleCommand) -> Option<(&ShellWord, String)> {
    let args = Args::of(cmd)?;
    let program = args.program();
    let long = |names: &[&str]| args.find(&[], names);
    let text = |w: &ShellWord| w.value.split('=').next().unwrap_or("").to_string();
    let hit = match program {
        "apk" => long(&["allow-untrusted"]),
        "apt-get" | "apt" | "aptitude" => long(&[
            "allow-unauthenticated",
            "allow-insecure-repositories",
            "force-yes",
        ])
        .or_else(|| args.words.iter().find(|w| gpgcheck_off(&w.value))),
        "yum" | "dnf" | "microdnf" | "tdnf" | "yum-config-manager" | "dnf-config-manager" => {
            long(&["nogpgcheck"]).or_else(|| args.words.iter().find(|w| gpgcheck_off(&w.value)))
        }
        "zypper" => long(&["no-gpg-checks"]),
        "rpm" => long(&["nosignature", "nodigest", "nofiledigest", "noverify"]),
        // a local repository (`deb [trusted=yes] file:/tmp/repo ./`) needs no
        // signature: nothing crosses the network
        "echo" | "printf" | "tee" | "sed" => args.words.iter().find(|w| {
            gpgcheck_off(&w.value) && !w.value.contains("file:/") && !w.value.contains("copy:/")
        }),
        _ => None,
    }?;
    let what = if hit.value.starts_with("--") {
        format!(
            "`{program} {}` installs packages without checking signatures",
            text(hit)
        )
    } else if hit.value.to_ascii_lowercase().contains("trusted=yes") {
        "`[trusted=yes]` makes apt accept the repository unsigned".to_string()
    } else {
        format!("`{program}` configured to skip package signature checks")
    };
    Some((hit, what))
}

impl Rule for PackageSignatureCheckDisabled {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let found: Vec<_> = cx
            .scripts()
            .iter()
            .flat_map(|s| s.commands.iter())
            .filter_map(|c| unsigned(c).map(|(w, what)| (w.span, what)))
            .collect();
        for (span, what) in found {
            cx.report(span, what)
                .help("import the repository's signing key and keep signature checks on");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unsigned_installs() {
        fires(
            "IL4004",
            "FROM alpine\nRUN apk add --allow-untrusted /tmp/x.apk\n",
            &["2:13 IL4004 `apk --allow-untrusted` installs packages without checking signatures"],
        );
        assert_eq!(spans("IL4004", "FROM debian\nRUN apt-get install -y --allow-unauthenticated x && apt-get install --force-yes y\n").len(), 2);
        assert_eq!(
            spans(
                "IL4004",
                "FROM debian\nRUN apt-get -o APT::Get::AllowUnauthenticated=true install x\n"
            ),
            ["APT::Get::AllowUnauthenticated=true"]
        );
        assert_eq!(spans("IL4004", "FROM debian\nRUN echo 'deb [trusted=yes] http://x/ ./' > /etc/apt/sources.list.d/x.list\n").len(), 1);
        assert_eq!(
            spans(
                "IL4004",
                "FROM fedora\nRUN dnf install -y --nogpgcheck x && rpm -i --nosignature y.rpm\n"
            ),
            ["--nogpgcheck", "--nosignature"]
        );
        assert_eq!(
            spans(
                "IL4004",
                "FROM fedora\nRUN printf '[x]\\ngpgcheck=0\\n' > /etc/yum.repos.d/x.repo\n"
            )
            .len(),
            1
        );
        assert_eq!(
            spans(
                "IL4004",
                "FROM opensuse/leap\nRUN zypper --no-gpg-checks install -y x\n"
            ),
            ["--no-gpg-checks"]
        );
    }

    #[test]
    fn passes_for_signed_installs() {
        passes(
            "IL4004",
            "FROM debian\nRUN echo \"deb [ trusted=yes ] file://$dir ./\" > /etc/apt/sources.list.d/temp.list\nRUN apt-get install -y x && apk add --no-cache y && dnf install -y z && rpm --import key && echo 'gpgcheck=1' > /etc/yum.conf\n",
        );
    }
}
