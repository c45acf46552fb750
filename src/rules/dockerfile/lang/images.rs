//! What the language rules need to know about base images without pulling
//! them: which are Debian or Ubuntu (and so carry the `docker-clean` apt
//! hook), and which Go a `golang` tag ships.

use crate::graph::ImageRef;

/// Debian and Ubuntu release names found in tags (`bookworm`, `jammy`).
const APT_SUITES: &[&str] = &[
    "jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "sid", "xenial",
    "bionic", "focal", "jammy", "noble", "oracular", "plucky", "questing", "ubuntu", "debian",
];

/// Tag words of images that are not Debian or Ubuntu.
const OTHER_DISTROS: &[&str] = &[
    "alpine",
    "windowsservercore",
    "nanoserver",
    "ltsc",
    "ubi",
    "centos",
    "rockylinux",
    "almalinux",
    "fedora",
    "amazonlinux",
    "al2",
    "al2023",
    "corretto",
    "amazoncorretto",
    "oraclelinux",
    "azurelinux",
    "cbl-mariner",
    "mariner",
    "chiseled",
    "distroless",
    "wolfi",
    "musl",
];

/// Official images whose default variants are Debian or Ubuntu.
const APT_OFFICIAL: &[&str] = &[
    "debian",
    "ubuntu",
    "buildpack-deps",
    "python",
    "node",
    "golang",
    "rust",
    "ruby",
    "php",
    "perl",
    "openjdk",
    "eclipse-temurin",
    "ibm-semeru-runtimes",
    "sapmachine",
    "maven",
    "gradle",
    "gcc",
    "haskell",
    "erlang",
    "elixir",
    "julia",
    "r-base",
    "swift",
    "clojure",
    "pypy",
    "nginx",
    "httpd",
    "redis",
    "postgres",
    "mongo",
    "mariadb",
    "memcached",
    "rabbitmq",
    "tomcat",
    "jetty",
    "wordpress",
    "drupal",
    "nextcloud",
    "odoo",
    "ghost",
    "neurodebian",
];

/// Whether an image is Debian or Ubuntu based; `None` when unknown.
pub fn is_apt_based(r: &ImageRef) -> Option<bool> {
    let tag = r.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let words: Vec<&str> = tag
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words
        .iter()
        .any(|w| OTHER_DISTROS.iter().any(|d| w.starts_with(d)))
    {
        return Some(false);
    }
    if words
        .iter()
        .any(|w| *w == "slim" || APT_SUITES.iter().any(|s| w.starts_with(s)))
    {
        return Some(true);
    }
    let name = r.name();
    let base = r.basename();
    if matches!(base, "debian" | "ubuntu") {
        return Some(true);
    }
    if matches!(
        base,
        "alpine"
            | "busybox"
            | "fedora"
            | "centos"
            | "rockylinux"
            | "almalinux"
            | "amazonlinux"
            | "oraclelinux"
            | "archlinux"
            | "opensuse"
            | "photon"
            | "clearlinux"
    ) {
        return Some(false);
    }
    let official =
        r.registry.is_none() && !r.repository.contains('/') || r.repository.starts_with("library/");
    if official && APT_OFFICIAL.contains(&base) {
        return Some(true);
    }
    if name.starts_with("mcr.microsoft.com/dotnet/")
        || name.starts_with("mcr.microsoft.com/devcontainers/")
        || name.starts_with("mcr.microsoft.com/vscode/devcontainers/")
        || name == "jenkins/jenkins"
    {
        return Some(true);
    }
    None
}

/// The Go a `golang` image ships, from its tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoVersion {
    /// `golang:1.17-alpine`: minor version 17.
    Minor(u32),
    /// A tag that moves with new releases (`latest`, `alpine`, `1`).
    Floating,
}

/// The Go version of a `golang` image; `None` for other images.
pub fn go_version(r: &ImageRef) -> Option<GoVersion> {
    if r.basename() != "golang" {
        return None;
    }
    let tag = r.tag.as_deref().unwrap_or("latest");
    let version = tag.split('-').next().unwrap_or(tag);
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("1"), Some(minor)) => minor
            .parse()
            .map(GoVersion::Minor)
            .ok()
            .or(Some(GoVersion::Floating)),
        _ => Some(GoVersion::Floating),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn apt_based_images() {
        for s in [
            "debian:12",
            "ubuntu:24.04",
            "python:3.12-slim",
            "node:22",
            "golang:1.23-bookworm",
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "registry.example.com/mirror/debian:bookworm",
            "nvidia/cuda:12.4.1-devel-ubuntu22.04",
        ] {
            assert_eq!(is_apt_based(&image(s)), Some(true), "{s}");
        }
        for s in [
            "python:3.12-alpine",
            "alpine:3.20",
            "mcr.microsoft.com/dotnet/aspnet:8.0-alpine",
            "maven:3-amazoncorretto-21",
            "eclipse-temurin:21-ubi9-minimal",
        ] {
            assert_eq!(is_apt_based(&image(s)), Some(false), "{s}");
        }
        assert_eq!(is_apt_based(&image("example/app:1.0")), None);
    }

    #[test]
    fn go_versions() {
        assert_eq!(
            go_version(&image("golang:1.16-alpine")),
            Some(GoVersion::Minor(16))
        );
        assert_eq!(
            go_version(&image("golang:1.22.3")),
            Some(GoVersion::Minor(22))
        );
        assert_eq!(go_version(&image("golang")), Some(GoVersion::Floating));
        assert_eq!(
            go_version(&image("golang:alpine")),
            Some(GoVersion::Floating)
        );
        assert_eq!(go_version(&image("golang:1")), Some(GoVersion::Floating));
        assert_eq!(go_version(&image("alpine")), None);
    }
}
