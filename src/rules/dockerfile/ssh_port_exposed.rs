use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// IL4002
pub struct SshPortExposed;

const META: Meta = Meta {
    code: "IL4002",
    name: "ssh-port-exposed",
    aliases: &["DS-0004", "DS004", "docker-no-ssh-port", "CKV_DOCKER_1"],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`EXPOSE 22`: an SSH server in the container",
    doc: include_str!("../../../rules/ssh-port-exposed.md"),
    target: Target::Dockerfile,
};

/// Whether a port spec (`22`, `22/tcp`, `20-25`, `8022:22`) includes TCP 22.
fn includes_ssh(spec: &str) -> bool {
    let (ports, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    if !proto.eq_ignore_ascii_case("tcp") {
        return false;
    }
    let container = ports.rsplit(':').next().unwrap_or(ports);
    match container.split_once('-') {
        Some((lo, hi)) => match (lo.parse::<u32>(), hi.parse::<u32>()) {
            (Ok(lo), Ok(hi)) => lo <= 22 && 22 <= hi,
            _ => false,
        },
        None => container.parse::<u32>() == Ok(22),
    }
}

impl Rule for SshPortExposed {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Expose]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Words(words) = &ins.args else {
            return;
        };
        let index = cx.instruction_index().unwrap_or(0);
        for w in words {
            let value = cx.expand_at(index, &w.text);
            for spec in value.split_whitespace() {
                if includes_ssh(spec) {
                    cx.report(w.span, "port 22 (SSH) is exposed").help(
                        "run no SSH server in the container; use `docker exec` to get a shell",
                    );
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_port_22() {
        fires(
            "IL4002",
            "FROM alpine\nEXPOSE 80 22/tcp\n",
            &["2:11 IL4002 port 22 (SSH) is exposed"],
        );
        fires(
            "IL4002",
            "FROM alpine\nARG SSH=22\nEXPOSE ${SSH}\n",
            &["3:8 IL4002 port 22 (SSH) is exposed"],
        );
        assert_eq!(
            spans("IL4002", "FROM alpine\nONBUILD EXPOSE 20-25\n"),
            ["20-25"]
        );
    }

    #[test]
    fn passes_for_other_ports() {
        passes("IL4002", "FROM alpine\nEXPOSE 2222 22/udp 220 8022\n");
    }
}
