//! A file that holds credentials, in the image or in a lower layer.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};
use crate::image::layer::EntryKind;

pub const META: Meta = Meta {
    code: "IL7005",
    name: "credential-file",
    aliases: &["CIS-DI-0010"],
    severity: Severity::Error,
    category: Category::Security,
    summary: "A file that usually holds credentials is in the image",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/credential-file.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "keep credentials out of the build context (`.dockerignore`) and use `RUN --mount=type=secret`; deleting them in a later layer does not remove them";

const NAMES: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".env",
    "credentials.json",
    "credential.json",
    ".netrc",
    "_netrc",
    ".git-credentials",
    ".pypirc",
    ".htpasswd",
    ".pgpass",
    ".my.cnf",
    "secrets.yml",
    "secrets.yaml",
    "master.key",
];
const SUFFIXES: &[&str] = &[
    ".p12",
    ".pfx",
    ".keystore",
    ".jks",
    "_rsa",
    "_ecdsa",
    "_ed25519",
];
const PATHS: &[&str] = &[
    ".aws/credentials",
    ".docker/config.json",
    ".kube/config",
    ".ssh/id_rsa",
    ".config/gcloud/credentials.db",
    ".azure/accessTokens.json",
];
const IGNORED_DIRS: &[&str] = &[
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/common-licenses/",
];

/// Does this path name a credential file?
pub fn is_credential_path(path: &str) -> bool {
    if IGNORED_DIRS.iter().any(|d| path.starts_with(d)) {
        return false;
    }
    let base = path.rsplit('/').next().unwrap_or(path);
    if NAMES.contains(&base) {
        return true;
    }
    if let Some(rest) = base.strip_prefix(".env.") {
        return !matches!(
            rest,
            "example" | "sample" | "template" | "dist" | "defaults"
        );
    }
    if base.starts_with("client_secret") && base.ends_with(".json") {
        return true;
    }
    SUFFIXES
        .iter()
        .any(|s| base.ends_with(s) && base.len() > s.len())
        || PATHS.iter().any(|p| {
            path.ends_with(p) && (path.len() == p.len() || path.ends_with(&format!("/{p}")))
        })
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    // layers from the top, so a visible file is reported where it is seen
    for layer in cx.layers.iter().rev() {
        for e in &layer.entries {
            if e.kind != EntryKind::File || !is_credential_path(&e.path) {
                continue;
            }
            if !seen.insert((e.path.clone(), layer.index)) {
                continue;
            }
            let visible = cx.fs.get(&e.path).is_some_and(|n| n.layer == layer.index);
            let message = if visible {
                format!("`/{}` is a credential file", e.path)
            } else {
                format!(
                    "`/{}` is a credential file; it is hidden later but still stored in layer {}",
                    e.path, layer.index
                )
            };
            out.push(
                Finding::new(&META, message)
                    .layer(layer.index)
                    .path(&e.path),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn recognizes_credential_paths() {
        for p in [
            "app/.env",
            "root/.ssh/id_ed25519",
            "home/u/.aws/credentials",
            "srv/.env.production",
            "k/server.p12",
        ] {
            assert!(is_credential_path(p), "{p}");
        }
        for p in [
            "app/.env.example",
            "usr/share/doc/x/.env",
            "etc/environment",
            "p12",
            "app/.envrc",
        ] {
            assert!(!is_credential_path(p), "{p}");
        }
    }

    #[test]
    fn fires_on_visible_and_deleted_files() {
        let img = TestImage::new()
            .file("root/.ssh/id_rsa", b"-----BEGIN")
            .file("app/.env", b"A=b")
            .layer("RUN rm /root/.ssh/id_rsa")
            .whiteout("root/.ssh/id_rsa");
        let f = img.run(check);
        assert_eq!(
            messages(&f),
            [
                "`/root/.ssh/id_rsa` is a credential file; it is hidden later but still stored in layer 0",
                "`/app/.env` is a credential file",
            ]
        );
    }

    #[test]
    fn quiet_without_credential_files() {
        let img = TestImage::new()
            .file("app/.env.example", b"A=")
            .file("app/main.py", b"x");
        assert!(img.run(check).is_empty());
    }
}
