use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// IL4006
pub struct VolumeOnSystemDirectory;

const META: Meta = Meta {
    code: "IL4006",
    name: "volume-on-system-directory",
    aliases: &["DKL-DI-0002"],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`VOLUME` over `/`, `/proc`, `/sys`, `/dev` or `/boot`",
    doc: include_str!("../../../rules/volume-on-system-directory.md"),
    target: Target::Dockerfile,
};

const SYSTEM: [&str; 5] = ["/", "/proc", "/sys", "/dev", "/boot"];

/// The system directory `path` is or lies in (`/` only itself).
pub(super) fn system_directory(path: &str, dirs: &[&'static str]) -> Option<&'static str> {
    let clean = path.trim_end_matches('/');
    let clean = if clean.is_empty() { "/" } else { clean };
    dirs.iter().copied().find(|d| {
        clean == *d || (*d != "/" && clean.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
    })
}

impl Rule for VolumeOnSystemDirectory {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Volume]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Paths(paths) = &ins.args else {
            return;
        };
        let index = cx.instruction_index().unwrap_or(0);
        for w in &paths.words {
            let value = cx.expand_at(index, &w.text);
            if let Some(dir) = system_directory(&value, &SYSTEM) {
                cx.report(
                    w.span,
                    format!("`VOLUME {value}` puts a volume over `{dir}`"),
                )
                .help("declare volumes for application data only, such as `/data`");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_system_directories() {
        fires(
            "IL4006",
            "FROM alpine\nVOLUME /data /proc\n",
            &["2:14 IL4006 `VOLUME /proc` puts a volume over `/proc`"],
        );
        fires(
            "IL4006",
            "FROM alpine\nVOLUME [\"/sys/fs/cgroup\"]\n",
            &["2:9 IL4006 `VOLUME /sys/fs/cgroup` puts a volume over `/sys`"],
        );
        assert_eq!(spans("IL4006", "FROM alpine\nARG D=/\nVOLUME $D\n"), ["$D"]);
    }

    #[test]
    fn passes_for_data_directories() {
        passes(
            "IL4006",
            "FROM alpine\nVOLUME /data /var/lib/postgresql/data /devices /system\n",
        );
    }
}
