//! No CA certificate bundle in the image.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};
use crate::image::layer::EntryKind;

pub const META: Meta = Meta {
    code: "IL7015",
    name: "image-lacks-ca-certificates",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Correctness,
    summary: "The image has no CA certificate bundle, so TLS connections fail",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/image-lacks-ca-certificates.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "install the distribution's `ca-certificates` package, or copy a bundle to `/etc/ssl/certs/ca-certificates.crt`";

/// Where distributions and TLS libraries look for the bundle.
pub const BUNDLES: &[&str] = &[
    "etc/ssl/certs/ca-certificates.crt",
    "etc/pki/tls/certs/ca-bundle.crt",
    "etc/ssl/ca-bundle.pem",
    "etc/ssl/cert.pem",
    "etc/pki/tls/cacert.pem",
    "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
];

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let found = BUNDLES.iter().any(|p| {
        cx.fs
            .resolve(p)
            .is_some_and(|(_, n)| n.kind == EntryKind::File && n.size > 0)
    });
    if !found {
        out.push(Finding::new(
            &META,
            "the image has no CA certificate bundle",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::TestImage;
    use super::*;

    #[test]
    fn fires_without_bundle_or_with_deleted_one() {
        assert_eq!(TestImage::new().file("app/x", b"x").run(check).len(), 1);
        let deleted = TestImage::new()
            .file(
                "etc/ssl/certs/ca-certificates.crt",
                b"-----BEGIN CERTIFICATE-----",
            )
            .layer("RUN rm -rf /etc/ssl")
            .whiteout("etc/ssl");
        assert_eq!(deleted.run(check).len(), 1);
    }

    #[test]
    fn quiet_with_bundle_or_link_to_one() {
        let direct = TestImage::new().file("etc/ssl/certs/ca-certificates.crt", b"-----BEGIN");
        assert!(direct.run(check).is_empty());
        let linked = TestImage::new()
            .file("etc/pki/tls/certs/ca-bundle.crt", b"-----BEGIN")
            .symlink("etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt");
        assert!(linked.run(check).is_empty());
    }
}
