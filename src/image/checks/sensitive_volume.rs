//! Volumes over system directories.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7012",
    name: "sensitive-volume",
    aliases: &["DKL-DI-0002"],
    severity: Severity::Warning,
    category: Category::Security,
    summary: "The image declares a volume over a sensitive system path",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/sensitive-volume.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "declare volumes only for application data directories";

const SENSITIVE: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/root",
    "/run",
    "/sys",
    "/usr",
    "/var/run",
    "/var/lib/docker",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/lib/modules",
    "/etc/ssh",
    "/etc/ssl",
];

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for v in &cx.config.volumes {
        let trimmed = v.trim_end_matches('/');
        let normal = if trimmed.is_empty() { "/" } else { trimmed };
        if SENSITIVE.contains(&normal) {
            out.push(
                Finding::new(
                    &META,
                    format!("volume `{v}` covers a sensitive system path"),
                )
                .config("Volumes"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_system_paths() {
        let img = TestImage::new()
            .config(|c| c.volumes = vec!["/etc/".into(), "/var/run/docker.sock".into()]);
        assert_eq!(
            messages(&img.run(check)),
            [
                "volume `/etc/` covers a sensitive system path",
                "volume `/var/run/docker.sock` covers a sensitive system path",
            ]
        );
    }

    #[test]
    fn quiet_on_data_volumes() {
        let img = TestImage::new()
            .config(|c| c.volumes = vec!["/data".into(), "/var/lib/postgresql/data".into()]);
        assert!(img.run(check).is_empty());
    }
}
