//! What is known about common base images without pulling them: whether an
//! image is a compiler/SDK image, which user it runs as, whether it has a
//! shell and CA certificates. The rows of the base-image table decide for
//! the images they cover; patterns over repository names and tags decide
//! for the rest.

use super::table::{self, Entry};
use crate::graph::ImageRef;

/// The default user of an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultUser {
    Root,
    /// Runs as an unprivileged user (named).
    NonRoot(&'static str),
}

/// What kind of image it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// A compiler or SDK image.
    Toolchain,
    /// A language runtime or server image.
    Runtime,
    /// A general-purpose distribution.
    Distro,
    /// A minimal image (busybox, alpine-like, static bases).
    Minimal,
    /// No shell, no package manager.
    Distroless,
    Scratch,
}

/// The facts known about one image reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    pub family: Option<Family>,
    /// The language whose toolchain the image ships (`Go`, `Rust`, …).
    pub toolchain: Option<&'static str>,
    pub user: Option<DefaultUser>,
    pub shell: Option<bool>,
    pub ca_certificates: Option<bool>,
}

impl Facts {
    const UNKNOWN: Facts = Facts {
        family: None,
        toolchain: None,
        user: None,
        shell: None,
        ca_certificates: None,
    };
}

/// Official images that run as an unprivileged user by default.
const NONROOT_OFFICIAL: &[(&str, &str)] = &[
    ("elasticsearch", "elasticsearch"),
    ("kibana", "kibana"),
    ("logstash", "logstash"),
    ("sonarqube", "sonarqube"),
    ("solr", "solr"),
];

fn tag_has(r: &ImageRef, needle: &str) -> bool {
    r.tag
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains(needle))
}

/// The toolchain an image ships, if it is a compiler or SDK image.
fn toolchain(r: &ImageRef) -> Option<&'static str> {
    let name = r.name();
    let base = name.as_str();
    let jre = tag_has(r, "jre");
    match base {
        "golang" | "tinygo/tinygo" => Some("Go"),
        "rust" | "clux/muslrust" | "ekidd/rust-musl-builder" | "messense/rust-musl-cross" => {
            Some("Rust")
        }
        "gcc" => Some("C/C++"),
        "maven" => Some("Java (Maven)"),
        "gradle" => Some("Java (Gradle)"),
        "openjdk"
        | "eclipse-temurin"
        | "amazoncorretto"
        | "azul/zulu-openjdk"
        | "azul/zulu-openjdk-alpine"
        | "sapmachine"
        | "ibm-semeru-runtimes"
        | "bellsoft/liberica-openjdk-alpine"
        | "bellsoft/liberica-openjdk-debian"
        | "bellsoft/liberica-openjdk-centos"
        | "adoptopenjdk"
        | "adoptopenjdk/openjdk8"
        | "adoptopenjdk/openjdk11"
        | "adoptopenjdk/openjdk17" => {
            if jre {
                None
            } else {
                Some("Java (JDK)")
            }
        }
        "mcr.microsoft.com/dotnet/sdk" | "mcr.microsoft.com/dotnet/core/sdk" => Some(".NET SDK"),
        "swift" => {
            if tag_has(r, "slim") {
                None
            } else {
                Some("Swift")
            }
        }
        "haskell" => Some("Haskell"),
        "ghcr.io/graalvm/native-image"
        | "ghcr.io/graalvm/native-image-community"
        | "ghcr.io/graalvm/graalvm-ce" => Some("Java (GraalVM)"),
        _ => None,
    }
}

/// What is known about `r`: the table's row for its repository and variant
/// (any version), completed by [`by_pattern`].
pub fn facts(r: &ImageRef) -> Facts {
    let guess = by_pattern(r);
    match table::builtin().lookup(r) {
        Some(found) => from_entry(found.entry, guess),
        None => guess,
    }
}

fn family_of(name: &str) -> Option<Family> {
    Some(match name {
        "toolchain" => Family::Toolchain,
        "runtime" => Family::Runtime,
        "distro" => Family::Distro,
        "minimal" => Family::Minimal,
        "distroless" => Family::Distroless,
        "scratch" => Family::Scratch,
        _ => return None,
    })
}

/// A row's facts; what the row leaves open comes from `guess`.
fn from_entry(e: &'static Entry, guess: Facts) -> Facts {
    Facts {
        family: e.family.as_deref().and_then(family_of).or(guess.family),
        toolchain: e.toolchain.as_deref().or(guess.toolchain),
        user: e
            .user
            .as_deref()
            .map(|u| {
                if u == "root" || u == "0" {
                    DefaultUser::Root
                } else {
                    DefaultUser::NonRoot(u)
                }
            })
            .or(guess.user),
        shell: e.shell.or(guess.shell),
        ca_certificates: e.ca_certificates.or(guess.ca_certificates),
    }
}

/// What patterns over the repository name and tag say about `r`.
pub fn by_pattern(r: &ImageRef) -> Facts {
    if r.is_scratch() {
        return Facts {
            family: Some(Family::Scratch),
            toolchain: None,
            user: Some(DefaultUser::Root),
            shell: Some(false),
            ca_certificates: Some(false),
        };
    }
    let name = r.name();
    let tc = toolchain(r);
    let official = r.registry.is_none() && !r.repository.contains('/')
        || r.registry_host() == "docker.io" && r.repository.starts_with("library/");
    let debug = tag_has(r, "debug");
    if let Some(rest) = name.strip_prefix("gcr.io/distroless/") {
        let _ = rest;
        return Facts {
            family: Some(Family::Distroless),
            toolchain: None,
            user: Some(if tag_has(r, "nonroot") {
                DefaultUser::NonRoot("nonroot")
            } else {
                DefaultUser::Root
            }),
            shell: Some(debug),
            ca_certificates: Some(true),
        };
    }
    if name.starts_with("cgr.dev/chainguard/") {
        // `wolfi-base`, `busybox` and `bash` are the images with a shell
        let dev = tag_has(r, "-dev")
            || tag_has(r, "latest-dev")
            || matches!(r.basename(), "wolfi-base" | "busybox" | "bash");
        return Facts {
            family: Some(if dev {
                Family::Minimal
            } else {
                Family::Distroless
            }),
            toolchain: tc,
            user: if dev {
                None
            } else {
                Some(DefaultUser::NonRoot("nonroot"))
            },
            shell: Some(dev),
            ca_certificates: Some(true),
        };
    }
    if name.starts_with("mcr.microsoft.com/dotnet/") {
        let chiseled = tag_has(r, "chiseled") || tag_has(r, "distroless");
        return Facts {
            family: Some(if tc.is_some() {
                Family::Toolchain
            } else if chiseled {
                Family::Distroless
            } else {
                Family::Runtime
            }),
            toolchain: tc,
            user: Some(if chiseled {
                DefaultUser::NonRoot("app")
            } else {
                DefaultUser::Root
            }),
            shell: Some(!chiseled),
            ca_certificates: Some(true),
        };
    }
    if name == "nginxinc/nginx-unprivileged" {
        return Facts {
            family: Some(Family::Runtime),
            toolchain: None,
            user: Some(DefaultUser::NonRoot("nginx")),
            shell: Some(true),
            ca_certificates: Some(true),
        };
    }
    if name.starts_with("bitnami/") {
        return Facts {
            user: Some(DefaultUser::NonRoot("1001")),
            shell: Some(true),
            ..Facts::UNKNOWN
        };
    }
    if let Some(rest) = name
        .strip_prefix("registry.access.redhat.com/")
        .or_else(|| name.strip_prefix("registry.redhat.io/"))
    {
        let plain = rest.ends_with("/ubi")
            || rest.ends_with("-minimal")
            || rest.ends_with("-micro")
            || rest.ends_with("-init");
        return Facts {
            family: Some(if plain {
                Family::Distro
            } else {
                Family::Runtime
            }),
            toolchain: None,
            user: Some(if plain {
                DefaultUser::Root
            } else {
                DefaultUser::NonRoot("1001")
            }),
            // UBI micro has no package manager, but bash and coreutils
            shell: Some(true),
            ca_certificates: Some(true),
        };
    }
    if official {
        let repo = r.basename();
        if let Some((_, user)) = NONROOT_OFFICIAL.iter().find(|(n, _)| *n == repo) {
            return Facts {
                family: Some(Family::Runtime),
                toolchain: None,
                user: Some(DefaultUser::NonRoot(user)),
                shell: Some(true),
                ca_certificates: Some(true),
            };
        }
        let (family, ca) = match repo {
            "busybox" => (Family::Minimal, Some(false)),
            "alpine" => (Family::Minimal, Some(true)),
            "debian" | "ubuntu" => (Family::Distro, Some(false)),
            "fedora" | "centos" | "rockylinux" | "almalinux" | "amazonlinux" | "oraclelinux"
            | "archlinux" | "photon" | "clearlinux" | "mageia" | "opensuse" => {
                (Family::Distro, Some(true))
            }
            _ if tc.is_some() => (Family::Toolchain, Some(true)),
            _ => (Family::Runtime, None),
        };
        return Facts {
            family: Some(family),
            toolchain: tc,
            user: Some(DefaultUser::Root),
            shell: Some(true),
            ca_certificates: ca,
        };
    }
    Facts {
        family: tc.map(|_| Family::Toolchain),
        toolchain: tc,
        user: if tc.is_some() {
            Some(DefaultUser::Root)
        } else {
            None
        },
        shell: if tc.is_some() { Some(true) } else { None },
        ..Facts::UNKNOWN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Facts {
        facts(&ImageRef::parse(s).unwrap())
    }

    #[test]
    fn toolchains() {
        assert_eq!(f("golang:1.22-alpine").toolchain, Some("Go"));
        assert_eq!(f("rust:1.80-slim").toolchain, Some("Rust"));
        assert_eq!(f("eclipse-temurin:21-jdk").toolchain, Some("Java (JDK)"));
        assert_eq!(f("eclipse-temurin:21-jre").toolchain, None);
        assert_eq!(
            f("mcr.microsoft.com/dotnet/sdk:8.0").toolchain,
            Some(".NET SDK")
        );
        assert_eq!(f("mcr.microsoft.com/dotnet/aspnet:8.0").toolchain, None);
        assert_eq!(f("node:20").toolchain, None);
        assert_eq!(f("swift:5.10-slim").toolchain, None);
    }

    #[test]
    fn default_users() {
        assert_eq!(
            f("gcr.io/distroless/static-debian12:nonroot").user,
            Some(DefaultUser::NonRoot("nonroot"))
        );
        assert_eq!(
            f("gcr.io/distroless/static-debian12").user,
            Some(DefaultUser::Root)
        );
        assert_eq!(
            f("cgr.dev/chainguard/static").user,
            Some(DefaultUser::NonRoot("nonroot"))
        );
        assert_eq!(f("alpine:3.20").user, Some(DefaultUser::Root));
        assert_eq!(f("node:20").user, Some(DefaultUser::Root));
        assert_eq!(
            f("elasticsearch:8.15.0").user,
            Some(DefaultUser::NonRoot("elasticsearch"))
        );
        assert_eq!(f("ghcr.io/acme/app:1").user, None);
        assert_eq!(
            f("mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled").user,
            Some(DefaultUser::NonRoot("app"))
        );
    }

    #[test]
    fn table_rows_agree_with_the_patterns() {
        // the table decides, but where both know a fact they must agree
        for e in &table::builtin().images {
            for tag in &e.tags {
                let r = ImageRef::parse(&format!("{}:{tag}", e.name)).unwrap();
                let (row, pattern) = (facts(&r), by_pattern(&r));
                let r = &r.original;
                for (what, a, b) in [
                    (
                        "user",
                        row.user.map(|u| u == DefaultUser::Root),
                        pattern.user.map(|u| u == DefaultUser::Root),
                    ),
                    ("shell", row.shell, pattern.shell),
                    ("ca", row.ca_certificates, pattern.ca_certificates),
                    (
                        "toolchain",
                        row.toolchain.map(|_| true),
                        pattern.toolchain.map(|_| true),
                    ),
                ] {
                    if let (Some(a), Some(b)) = (a, b) {
                        assert_eq!(a, b, "{what} of {r}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_table_fills_what_patterns_leave_open() {
        assert_eq!(f("python:3.11-slim").ca_certificates, Some(true));
        assert_eq!(
            by_pattern(&ImageRef::parse("python:3.11-slim").unwrap()).ca_certificates,
            None
        );
        assert_eq!(f("eclipse-temurin:17-jre").family, Some(Family::Runtime));
        assert_eq!(
            f("cgr.dev/chainguard/static:latest").family,
            Some(Family::Distroless)
        );
    }

    #[test]
    fn shells_and_certificates() {
        assert_eq!(f("gcr.io/distroless/static").shell, Some(false));
        assert_eq!(f("gcr.io/distroless/static:debug").shell, Some(true));
        assert_eq!(f("cgr.dev/chainguard/wolfi-base").shell, Some(true));
        assert_eq!(
            f("registry.access.redhat.com/ubi9/ubi-micro:latest").shell,
            Some(true)
        );
        assert_eq!(f("busybox").ca_certificates, Some(false));
        assert_eq!(f("debian:bookworm-slim").ca_certificates, Some(false));
        assert_eq!(f("alpine").ca_certificates, Some(true));
    }
}
