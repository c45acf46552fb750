use super::volume_on_system_directory::system_directory;
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// IL4007
pub struct WorkdirInSystemDirectory;

const META: Meta = Meta {
    code: "IL4007",
    name: "workdir-in-system-directory",
    aliases: &["DS-0030", "DS030", "docker-avoid-sys-workdir-mounts"],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`WORKDIR` in `/proc`, `/sys`, `/dev`, `/boot`, `/initrd` or `/lost+found`",
    doc: include_str!("../../../rules/workdir-in-system-directory.md"),
    target: Target::Dockerfile,
};

const SYSTEM: [&str; 6] = ["/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"];

impl Rule for WorkdirInSystemDirectory {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Workdir]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Text(w) = &ins.args else {
            return;
        };
        let index = cx.instruction_index().unwrap_or(0);
        let value = cx.expand_at(index, &w.text);
        // a relative path continues the working directory in force
        let base = if cx.in_onbuild() {
            None
        } else {
            cx.state().and_then(|s| s.workdir.as_deref())
        };
        let path = crate::graph::join_path(base, &value);
        if let Some(dir) = system_directory(&path, &SYSTEM) {
            cx.report(
                w.span,
                format!("the working directory `{path}` is inside `{dir}`"),
            )
            .help("work in an application directory such as `/app`");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_in_system_directories() {
        fires(
            "IL4007",
            "FROM alpine\nWORKDIR /proc/self\n",
            &["2:9 IL4007 the working directory `/proc/self` is inside `/proc`"],
        );
        fires(
            "IL4007",
            "FROM alpine\nWORKDIR /boot\nWORKDIR grub\n",
            &[
                "2:9 IL4007 the working directory `/boot` is inside `/boot`",
                "3:9 IL4007 the working directory `/boot/grub` is inside `/boot`",
            ],
        );
    }

    #[test]
    fn passes_for_application_directories() {
        passes(
            "IL4007",
            "FROM alpine\nWORKDIR /app\nWORKDIR /devel\nWORKDIR src\nWORKDIR /usr/src/boot\n",
        );
    }
}
