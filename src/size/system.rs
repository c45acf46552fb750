//! What a base image's system provides to the programs put into it: its C
//! library and that library's version, the distribution release, the
//! language runtime versions of the official images, time zone data and the
//! accounts in `/etc/passwd`. The table's `libc` column decides where it has
//! a row; patterns over repository names and tags decide for the rest.
//! Tags that name no suite (`golang:1.25`, `rust:1`) resolve to the suite
//! the official images default to, and say so (`exact: false`).

use super::table;
use crate::graph::ImageRef;

/// The C library a base image provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    Glibc,
    Musl,
    /// No C library at all (`scratch`, static distroless images).
    None,
}

impl Libc {
    pub fn name(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
            Libc::None => "no C library",
        }
    }
}

fn tag(r: &ImageRef) -> String {
    r.tag.as_deref().unwrap_or("latest").to_ascii_lowercase()
}

/// The tag's words: `3.12-slim-bookworm` gives `3.12`, `slim`, `bookworm`.
fn tag_words(r: &ImageRef) -> Vec<String> {
    tag(r).split('-').map(str::to_string).collect()
}

fn tag_has_word(r: &ImageRef, word: &str) -> bool {
    tag_words(r)
        .iter()
        .any(|w| w == word || w.strip_prefix(word).is_some_and(is_version))
}

fn is_version(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Whether the image is one of Docker Hub's official images.
pub fn is_official(r: &ImageRef) -> bool {
    (r.registry.is_none() || matches!(r.registry_host(), "docker.io" | "index.docker.io"))
        && (!r.repository.contains('/') || r.repository.starts_with("library/"))
}

/// Whether the image is Alpine or built on it (an `alpine` tag word).
pub fn is_alpine(r: &ImageRef) -> bool {
    tag_has_word(r, "alpine")
        || r.repository
            .to_ascii_lowercase()
            .split(['/', '-', '_'])
            .any(|w| w == "alpine")
}

/// The C library of `r`, when known.
pub fn libc(r: &ImageRef) -> Option<Libc> {
    if r.is_scratch() {
        return Some(Libc::None);
    }
    let name = r.name();
    if let Some(rest) = name.strip_prefix("gcr.io/distroless/") {
        return Some(if rest.starts_with("static") {
            Libc::None
        } else {
            Libc::Glibc
        });
    }
    if let Some(rest) = name.strip_prefix("cgr.dev/chainguard/") {
        return Some(if rest == "static" {
            Libc::None
        } else {
            Libc::Glibc
        });
    }
    if r.basename() == "busybox" && is_official(r) {
        let t = tag(r);
        return Some(if t.contains("musl") {
            Libc::Musl
        } else if t.contains("uclibc") {
            Libc::None
        } else {
            Libc::Glibc
        });
    }
    if is_alpine(r) {
        return Some(Libc::Musl);
    }
    // a Debian or Ubuntu release named in the tag (`-bookworm`, `-ubuntu22.04`)
    if named_release(r).is_some() {
        return Some(Libc::Glibc);
    }
    if let Some(found) = table::builtin().lookup(r)
        && let Some(l) = found.entry.libc.as_deref()
    {
        return match l {
            "glibc" => Some(Libc::Glibc),
            "musl" => Some(Libc::Musl),
            "none" => Some(Libc::None),
            _ => None,
        };
    }
    if name.starts_with("mcr.microsoft.com/dotnet/")
        || name == "lukemathwalker/cargo-chef"
        || name.starts_with("registry.access.redhat.com/")
        || name.starts_with("registry.redhat.io/")
        || is_official(r)
    {
        return Some(Libc::Glibc);
    }
    None
}

/// Whether a program linked against glibc cannot start on `r`: it has no
/// glibc (`scratch`, static distroless and Chainguard images, Alpine).
pub fn lacks_glibc(r: &ImageRef) -> bool {
    matches!(libc(r), Some(Libc::None | Libc::Musl))
}

/// Debian and Ubuntu releases with their glibc versions.
const SUITES: &[(&str, &str, (u32, u32))] = &[
    ("stretch", "9", (2, 24)),
    ("buster", "10", (2, 28)),
    ("bullseye", "11", (2, 31)),
    ("bookworm", "12", (2, 36)),
    ("trixie", "13", (2, 41)),
    ("bionic", "18.04", (2, 27)),
    ("focal", "20.04", (2, 31)),
    ("jammy", "22.04", (2, 35)),
    ("noble", "24.04", (2, 39)),
    ("oracular", "24.10", (2, 40)),
    ("plucky", "25.04", (2, 41)),
];

/// The glibc an image provides, and the release it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Glibc {
    pub version: (u32, u32),
    /// `bookworm`, `jammy` …
    pub suite: &'static str,
    /// The tag names the release; `false` when the release is the
    /// repository's default at the time of writing.
    pub exact: bool,
}

impl Glibc {
    pub fn render(&self) -> String {
        format!("{}.{}", self.version.0, self.version.1)
    }
}

fn suite(name: &str) -> Option<(&'static str, (u32, u32))> {
    SUITES
        .iter()
        .find(|(s, v, _)| *s == name || *v == name)
        .map(|(s, _, g)| (*s, *g))
}

/// `1.25.3` as numbers.
fn numbers(s: &str) -> Vec<u32> {
    s.split('.').map_while(|p| p.parse().ok()).collect()
}

/// The version at the start of the tag (`1.25` of `1.25-alpine`).
fn tag_version(r: &ImageRef) -> Option<Vec<u32>> {
    let first = tag_words(r).into_iter().next()?;
    let v = numbers(&first);
    (!v.is_empty()).then_some(v)
}

/// The Debian release an official language image defaults to when its tag
/// names none: docker-library moved its images to trixie in August 2025.
fn default_suite(r: &ImageRef) -> Option<&'static str> {
    let v = tag_version(r);
    let at_least = |min: &[u32]| v.as_deref().is_some_and(|v| v >= min);
    let floating = v.is_none() && matches!(tag(r).as_str(), "latest" | "slim");
    let trixie_from: &[u32] = match r.basename() {
        "debian" if floating || matches!(tag(r).as_str(), "stable" | "stable-slim") => {
            return Some("trixie");
        }
        "ubuntu" if floating || tag(r) == "rolling" => return Some("noble"),
        "golang" => &[1, 24],
        "rust" => &[1, 90],
        "python" => &[3, 9],
        _ => return None,
    };
    if floating || at_least(trixie_from) || v.as_deref() == Some(&[1][..]) {
        Some("trixie")
    } else if r.basename() == "rust" && !at_least(&[1, 89]) && at_least(&[1, 70])
        || r.basename() == "golang" && at_least(&[1, 21])
        || r.basename() == "python" && at_least(&[3, 8])
    {
        Some("bookworm")
    } else {
        None
    }
}

/// A Debian or Ubuntu release named by a tag word: a code name
/// (`bookworm`, `jammy`) or a distribution and version (`ubuntu22.04`,
/// `debian12`).
fn named_release(r: &ImageRef) -> Option<&'static (&'static str, &'static str, (u32, u32))> {
    // the tag's words, then the repository path's (`rocm/dev-ubuntu-22.04`)
    let mut words = tag_words(r);
    words.extend(
        r.repository
            .to_ascii_lowercase()
            .split(['/', '-', '_'])
            .map(str::to_string),
    );
    words.iter().enumerate().find_map(|(i, w)| {
        SUITES.iter().find(|(s, v, _)| {
            w == s
                || w.strip_prefix("ubuntu").is_some_and(|x| x == *v)
                || w.strip_prefix("debian").is_some_and(|x| x == *v)
                || (w == "ubuntu" && words.get(i + 1).is_some_and(|n| n == v))
        })
    })
}

/// The glibc of `r`, when it has one whose release is known.
pub fn glibc(r: &ImageRef) -> Option<Glibc> {
    if libc(r) != Some(Libc::Glibc) {
        return None;
    }
    let name = r.name();
    // distroless: the release is in the repository name
    if let Some(rest) = name.strip_prefix("gcr.io/distroless/") {
        let n = rest
            .rsplit("-debian")
            .next()
            .filter(|_| rest.contains("-debian"))?;
        let (suite, version) = suite(n)?;
        return Some(Glibc {
            version,
            suite,
            exact: true,
        });
    }
    if let Some((s, _, g)) = named_release(r) {
        return Some(Glibc {
            version: *g,
            suite: s,
            exact: true,
        });
    }
    // cargo-chef's images follow the `rust` image of the version they name
    if name == "lukemathwalker/cargo-chef" {
        let t = tag(r);
        let v = t.split("rust-").nth(1)?;
        let rust = ImageRef::parse(&format!("rust:{v}")).ok()?;
        return glibc(&rust);
    }
    if !is_official(r) {
        return None;
    }
    let words = tag_words(r);
    let base = r.basename();
    // `debian:12`, `ubuntu:22.04`, or a code name anywhere in the tag
    let named = words
        .iter()
        .find_map(|w| SUITES.iter().find(|(s, _, _)| s == w))
        .or_else(|| match base {
            "debian" | "ubuntu" => words.first().and_then(|w| {
                let w = if base == "debian" {
                    w.split('.').next().unwrap_or(w)
                } else {
                    w.as_str()
                };
                SUITES.iter().find(|(_, v, _)| *v == w)
            }),
            _ => None,
        });
    if let Some((s, _, g)) = named {
        return Some(Glibc {
            version: *g,
            suite: s,
            exact: true,
        });
    }
    let s = default_suite(r)?;
    let (suite, version) = suite(s)?;
    Some(Glibc {
        version,
        suite,
        exact: false,
    })
}

/// The Python `X.Y` an image ships, with the interpreter's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Python {
    pub version: (u32, u32),
    pub path: &'static str,
}

/// The Python of the official `python` images and distroless `python3`.
pub fn python(r: &ImageRef) -> Option<Python> {
    let name = r.name();
    if let Some(rest) = name.strip_prefix("gcr.io/distroless/python3-debian") {
        let version = match rest {
            "11" => (3, 9),
            "12" => (3, 11),
            "13" => (3, 13),
            _ => return None,
        };
        return Some(Python {
            version,
            path: "/usr/bin/python3",
        });
    }
    if is_official(r) && r.basename() == "python" {
        let v = tag_version(r)?;
        if let [major, minor, ..] = v[..] {
            return Some(Python {
                version: (major, minor),
                path: "/usr/local/bin/python",
            });
        }
    }
    None
}

/// The major Node.js version of an official `node` image; `None` for
/// floating tags (`latest`, `lts`, `alpine`) and other repositories.
pub fn node_major(r: &ImageRef) -> Option<u32> {
    if !is_official(r) || r.basename() != "node" {
        return None;
    }
    tag_version(r)?.first().copied()
}

/// The major Ruby version of an official `ruby` image.
pub fn ruby_major(r: &ImageRef) -> Option<u32> {
    if !is_official(r) || r.basename() != "ruby" {
        return None;
    }
    tag_version(r)?.first().copied()
}

/// Whether the distribution's own Python is marked externally managed
/// (PEP 668): Debian 12 and later, Ubuntu 23.04 and later, Alpine 3.19 and
/// later, including their floating tags. `None` when the image is none of
/// these distributions.
pub fn externally_managed_python(r: &ImageRef) -> Option<bool> {
    if !is_official(r) {
        return None;
    }
    let t = tag(r);
    let first = tag_words(r).into_iter().next().unwrap_or_default();
    match r.basename() {
        "debian" => {
            if let Some((s, _)) = suite(&first) {
                return Some(matches!(s, "bookworm" | "trixie"));
            }
            if let Some(v) = numbers(&first).first() {
                return Some(*v >= 12);
            }
            Some(matches!(
                t.as_str(),
                "latest"
                    | "stable"
                    | "stable-slim"
                    | "testing"
                    | "testing-slim"
                    | "sid"
                    | "sid-slim"
                    | "unstable"
                    | "unstable-slim"
                    | "forky"
                    | "forky-slim"
            ))
        }
        "ubuntu" => {
            if let Some((s, _)) = suite(&first) {
                return Some(!matches!(s, "bionic" | "focal" | "jammy"));
            }
            let v = numbers(&first);
            if v.len() >= 2 {
                return Some(v >= vec![23, 4]);
            }
            Some(matches!(t.as_str(), "latest" | "rolling" | "devel"))
        }
        "alpine" => {
            let v = numbers(&first);
            if v.len() >= 2 {
                return Some(v >= vec![3, 19]);
            }
            Some(matches!(t.as_str(), "latest" | "edge"))
        }
        _ => None,
    }
}

/// Whether the image has time zone data in `/usr/share/zoneinfo`.
pub fn zoneinfo(r: &ImageRef) -> Option<bool> {
    if r.is_scratch() {
        return Some(false);
    }
    let name = r.name();
    if name.starts_with("gcr.io/distroless/") || name.starts_with("cgr.dev/chainguard/") {
        return Some(true);
    }
    None
}

/// The accounts of the image's `/etc/passwd`, for images known to have
/// few: `scratch` has none, distroless and Chainguard images define `root`,
/// `nobody` and `nonroot`, .NET chiseled images `root` and `app`.
pub fn passwd_users(r: &ImageRef) -> Option<&'static [&'static str]> {
    if r.is_scratch() {
        return Some(&[]);
    }
    let name = r.name();
    if name.starts_with("gcr.io/distroless/") || name.starts_with("cgr.dev/chainguard/") {
        return Some(&["root", "nobody", "nonroot"]);
    }
    if name.starts_with("mcr.microsoft.com/dotnet/") {
        let t = tag(r);
        if t.contains("chiseled") || t.contains("distroless") {
            return Some(&["root", "app"]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn libc_by_image() {
        for (image, want) in [
            ("scratch", Libc::None),
            ("gcr.io/distroless/static-debian12:nonroot", Libc::None),
            ("gcr.io/distroless/cc-debian12", Libc::Glibc),
            ("cgr.dev/chainguard/static", Libc::None),
            ("cgr.dev/chainguard/glibc-dynamic", Libc::Glibc),
            ("alpine:3.20", Libc::Musl),
            ("ghcr.io/linuxserver/baseimage-alpine:3.21", Libc::Musl),
            ("golang:1.22-alpine3.19", Libc::Musl),
            ("golang:1.22", Libc::Glibc),
            ("node:22-slim", Libc::Glibc),
            ("busybox:1.36-musl", Libc::Musl),
            ("busybox", Libc::Glibc),
            ("debian:bookworm-slim", Libc::Glibc),
            ("eclipse-temurin:21-jre-alpine", Libc::Musl),
            (
                "mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine",
                Libc::Musl,
            ),
        ] {
            assert_eq!(libc(&r(image)), Some(want), "{image}");
        }
        assert_eq!(libc(&r("ghcr.io/acme/app:1")), None);
    }

    #[test]
    fn glibc_versions_from_tags_and_defaults() {
        let g = |s: &str| glibc(&r(s)).map(|g| (g.suite, g.exact));
        assert_eq!(g("rust:1.85-bookworm"), Some(("bookworm", true)));
        assert_eq!(g("debian:bullseye-slim"), Some(("bullseye", true)));
        assert_eq!(g("debian:12"), Some(("bookworm", true)));
        assert_eq!(g("debian:12.5-slim"), Some(("bookworm", true)));
        assert_eq!(g("ubuntu:22.04"), Some(("jammy", true)));
        assert_eq!(g("gcr.io/distroless/cc-debian12"), Some(("bookworm", true)));
        assert_eq!(g("golang:1.25"), Some(("trixie", false)));
        assert_eq!(g("golang:1.22"), Some(("bookworm", false)));
        assert_eq!(g("rust:1"), Some(("trixie", false)));
        assert_eq!(g("rust:1.85"), Some(("bookworm", false)));
        assert_eq!(g("rust:1.89"), None);
        assert_eq!(g("debian:stable-slim"), Some(("trixie", false)));
        assert_eq!(g("node:22"), None);
        assert_eq!(g("alpine:3.20"), None);
        assert_eq!(
            g("nvidia/cuda:12.4.0-base-ubuntu22.04"),
            Some(("jammy", true))
        );
        assert_eq!(
            g("rocm/dev-ubuntu-22.04:6.3.1-complete"),
            Some(("jammy", true))
        );
        assert_eq!(
            g("lukemathwalker/cargo-chef:latest-rust-1.85.1"),
            Some(("bookworm", false))
        );
        assert_eq!(glibc(&r("debian:bookworm")).unwrap().render(), "2.36");
    }

    #[test]
    fn pythons() {
        assert_eq!(python(&r("python:3.12-slim")).unwrap().version, (3, 12));
        assert_eq!(
            python(&r("gcr.io/distroless/python3-debian12"))
                .unwrap()
                .version,
            (3, 11)
        );
        assert_eq!(python(&r("python:3")), None);
        assert_eq!(python(&r("python:latest")), None);
    }

    #[test]
    fn externally_managed_pythons() {
        for (image, want) in [
            ("debian:bookworm", Some(true)),
            ("debian:12-slim", Some(true)),
            ("debian:bullseye", Some(false)),
            ("debian:latest", Some(true)),
            ("ubuntu:22.04", Some(false)),
            ("ubuntu:24.04", Some(true)),
            ("ubuntu:noble", Some(true)),
            ("ubuntu", Some(true)),
            ("alpine:3.18", Some(false)),
            ("alpine:3.20", Some(true)),
            ("alpine", Some(true)),
            ("python:3.12", None),
        ] {
            assert_eq!(externally_managed_python(&r(image)), want, "{image}");
        }
    }

    #[test]
    fn versions_of_language_images() {
        assert_eq!(node_major(&r("node:26-alpine")), Some(26));
        assert_eq!(node_major(&r("node:lts")), None);
        assert_eq!(ruby_major(&r("ruby:4.0-slim")), Some(4));
    }
}
