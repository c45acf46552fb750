//! The dated table of base images (`data/base-images.toml`) and of
//! per-package figures (`data/packages.toml`), embedded in the binary: what
//! an image weighs, per architecture, and what it contains, each row with its
//! source.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::graph::ImageRef;

const BASE_IMAGES: &str = include_str!("../../data/base-images.toml");
const PACKAGES: &str = include_str!("../../data/packages.toml");

/// Bounds of a size that no source gives exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct SizeRange {
    pub low: u64,
    pub high: u64,
}

/// One row: an image at one or more tags.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The repository as people name it: `golang`,
    /// `gcr.io/distroless/static-debian12`.
    pub name: String,
    /// The tags the row stands for; the first is the one measured.
    pub tags: Vec<String>,
    #[serde(default)]
    pub resolved: String,
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub toolchain: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub shell: Option<bool>,
    #[serde(default)]
    pub package_manager: Option<String>,
    #[serde(default)]
    pub ca_certificates: Option<bool>,
    #[serde(default)]
    pub libc: Option<String>,
    /// Bytes of the layer blobs, per architecture.
    #[serde(default)]
    pub compressed: BTreeMap<String, u64>,
    /// Bounds when no exact compressed figure is known.
    #[serde(default)]
    pub compressed_range: Option<SizeRange>,
    /// On-disk bytes, per architecture.
    #[serde(default)]
    pub uncompressed: BTreeMap<String, u64>,
    /// The digest of the manifest or index the sizes were read from.
    #[serde(default)]
    pub digest: Option<String>,
    pub observed: String,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A size with its uncertainty, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Size {
    pub low: u64,
    pub estimate: u64,
    pub high: u64,
}

impl Size {
    pub const ZERO: Size = Size {
        low: 0,
        estimate: 0,
        high: 0,
    };

    pub fn exact(n: u64) -> Size {
        Size {
            low: n,
            estimate: n,
            high: n,
        }
    }

    /// `n` give or take `percent`.
    pub fn around(n: u64, percent: u64) -> Size {
        let d = n.saturating_mul(percent) / 100;
        Size {
            low: n.saturating_sub(d),
            estimate: n,
            high: n.saturating_add(d),
        }
    }

    /// Between `low` and `high`, estimated at their geometric mean.
    pub fn between(low: u64, high: u64) -> Size {
        let (low, high) = (low.min(high), low.max(high));
        let estimate = ((low as f64) * (high as f64)).sqrt().round() as u64;
        Size {
            low,
            estimate: estimate.clamp(low, high),
            high,
        }
    }

    pub fn is_exact(&self) -> bool {
        self.low == self.high
    }
}

impl std::ops::Add for Size {
    type Output = Size;

    fn add(self, other: Size) -> Size {
        Size {
            low: self.low.saturating_add(other.low),
            estimate: self.estimate.saturating_add(other.estimate),
            high: self.high.saturating_add(other.high),
        }
    }
}

impl Entry {
    /// The row's first (measured) tag.
    pub fn tag(&self) -> &str {
        self.tags.first().map(String::as_str).unwrap_or("latest")
    }

    /// `name:tag` of the measured tag.
    pub fn reference(&self) -> String {
        if self.name == "scratch" {
            return "scratch".into();
        }
        format!("{}:{}", self.name, self.tag())
    }

    /// The compressed size for `arch`, and whether it is the figure of
    /// another architecture.
    pub fn compressed_size(&self, arch: &str) -> Option<(Size, Option<&str>)> {
        if let Some(&n) = self.compressed.get(arch) {
            return Some((Size::exact(n), None));
        }
        if let Some(r) = self.compressed_range {
            return Some((Size::between(r.low, r.high), None));
        }
        // architectures differ by up to about 10 % (research notes, §5)
        let (other, &n) = self
            .compressed
            .get_key_value("amd64")
            .or_else(|| self.compressed.iter().next())?;
        Some((Size::around(n, 10), Some(other.as_str())))
    }
}

/// The whole table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub last_verified: String,
    #[serde(rename = "image", default)]
    pub images: Vec<Entry>,
}

/// An apt package's figures against `debian:12-slim`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// Its own `.deb`.
    pub own: u64,
    /// The `.deb`s it adds with its dependencies.
    pub download: u64,
    /// Their installed size.
    pub installed: u64,
    pub adds: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Packages {
    pub source: String,
    pub observed: String,
    #[serde(rename = "package", default)]
    pub packages: Vec<Package>,
}

impl Packages {
    pub fn get(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }
}

/// The packages table shipped with imglint.
pub fn packages() -> &'static Packages {
    static P: OnceLock<Packages> = OnceLock::new();
    P.get_or_init(|| toml::from_str(PACKAGES).expect("data/packages.toml is valid"))
}

/// The table shipped with imglint.
pub fn builtin() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table::parse(BASE_IMAGES).expect("data/base-images.toml is valid"))
}

/// How a reference was matched to a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved<'t> {
    pub entry: &'t Entry,
    /// The tag is one of the row's tags.
    pub exact: bool,
}

/// Debian and Ubuntu code names, with their versions.
const CODENAMES: &[(&str, &str)] = &[
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("sid", ""),
    ("xenial", "16.04"),
    ("bionic", "18.04"),
    ("focal", "20.04"),
    ("jammy", "22.04"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
    ("resolute", "26.04"),
];

/// Tag words that name a version line rather than a variant.
const VERSION_ALIASES: &[&str] = &["latest", "stable", "current", "lts", "mainline"];

/// A tag reduced to its version numbers and its variant words.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shape {
    version: Vec<u64>,
    flavour: BTreeSet<String>,
}

fn parse_version(token: &str) -> Vec<u64> {
    token
        .split(['.', '_', '+'])
        .map_while(|p| {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

fn shape(tag: &str) -> Shape {
    let mut version = Vec::new();
    let mut flavour = BTreeSet::new();
    let mut codename_version = None;
    for token in tag.to_ascii_lowercase().split('-') {
        if token.is_empty() {
            continue;
        }
        if token.starts_with(|c: char| c.is_ascii_digit()) {
            if version.is_empty() {
                version = parse_version(token);
            }
            continue;
        }
        if VERSION_ALIASES.contains(&token) {
            continue;
        }
        if let Some((_, v)) = CODENAMES.iter().find(|(n, _)| *n == token) {
            codename_version.get_or_insert(*v);
            continue;
        }
        // `alpine3.20`, `windowsservercore-ltsc2022`, `jdk21`: the word
        let word: String = token
            .chars()
            .take_while(|c| !c.is_ascii_digit() && *c != '.')
            .collect();
        if !word.is_empty() {
            flavour.insert(word);
        }
    }
    if version.is_empty()
        && let Some(v) = codename_version
    {
        version = parse_version(v);
    }
    Shape { version, flavour }
}

/// How far `have` is from `want`, component by component.
fn distance(want: &[u64], have: &[u64]) -> Vec<u64> {
    want.iter().zip(have).map(|(a, b)| a.abs_diff(*b)).collect()
}

impl Table {
    pub fn parse(text: &str) -> Result<Table, String> {
        let t: Table = toml::from_str(text).map_err(|e| e.to_string())?;
        for e in &t.images {
            if e.tags.is_empty() {
                return Err(format!("`{}` has no tags", e.name));
            }
            if e.compressed.is_empty() && e.compressed_range.is_none() {
                return Err(format!("`{}` has no compressed size", e.reference()));
            }
        }
        Ok(t)
    }

    /// The row for `r`: the row listing its tag, else the row of the same
    /// repository and variant (`slim`, `alpine`, `jre` …) whose version is
    /// nearest. `None` for repositories or variants the table lacks.
    pub fn lookup(&self, r: &ImageRef) -> Option<Resolved<'_>> {
        let name = if r.is_scratch() {
            "scratch".to_string()
        } else {
            r.name()
        };
        let tag = r.tag.as_deref().unwrap_or("latest");
        let rows: Vec<&Entry> = self.images.iter().filter(|e| e.name == name).collect();
        if let Some(e) = rows.iter().find(|e| e.tags.iter().any(|t| t == tag)) {
            return Some(Resolved {
                entry: e,
                exact: true,
            });
        }
        if name == "scratch" {
            return rows.first().map(|e| Resolved {
                entry: e,
                exact: true,
            });
        }
        let want = shape(tag);
        let mut best: Option<(Vec<u64>, Vec<u64>, &Entry)> = None;
        for e in rows {
            for t in &e.tags {
                let have = shape(t);
                if have.flavour != want.flavour {
                    continue;
                }
                let d = distance(&want.version, &have.version);
                let better = match &best {
                    None => true,
                    // nearer, or as near and newer
                    Some((bd, bv, _)) => d < *bd || (d == *bd && have.version > *bv),
                };
                if better {
                    best = Some((d, have.version, e));
                }
            }
        }
        best.map(|(_, _, e)| Resolved {
            entry: e,
            exact: false,
        })
    }

    /// The row for `name:tag` exactly, for refreshing.
    pub fn find_mut(&mut self, name: &str, tag: &str) -> Option<&mut Entry> {
        self.images
            .iter_mut()
            .find(|e| e.name == name && e.tags.iter().any(|t| t == tag))
    }

    /// The table as TOML, in the layout of the shipped file.
    pub fn render(&self, header: &str) -> String {
        let mut out = String::new();
        out.push_str(header);
        out.push_str(&format!(
            "last_verified = {}\n",
            toml_string(&self.last_verified)
        ));
        for e in &self.images {
            out.push_str("\n[[image]]\n");
            let mut kv = |k: &str, v: String| out.push_str(&format!("{k} = {v}\n"));
            kv("name", toml_string(&e.name));
            kv(
                "tags",
                format!(
                    "[{}]",
                    e.tags
                        .iter()
                        .map(|t| toml_string(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            if !e.resolved.is_empty() {
                kv("resolved", toml_string(&e.resolved));
            }
            let opt_str = [
                ("family", &e.family),
                ("toolchain", &e.toolchain),
                ("user", &e.user),
            ];
            for (k, v) in opt_str {
                if let Some(v) = v {
                    kv(k, toml_string(v));
                }
            }
            if let Some(v) = e.shell {
                kv("shell", v.to_string());
            }
            if let Some(v) = &e.package_manager {
                kv("package_manager", toml_string(v));
            }
            if let Some(v) = e.ca_certificates {
                kv("ca_certificates", v.to_string());
            }
            if let Some(v) = &e.libc {
                kv("libc", toml_string(v));
            }
            if !e.compressed.is_empty() {
                kv("compressed", inline_map(&e.compressed));
            }
            if let Some(r) = e.compressed_range {
                kv(
                    "compressed_range",
                    format!("{{ low = {}, high = {} }}", r.low, r.high),
                );
            }
            if !e.uncompressed.is_empty() {
                kv("uncompressed", inline_map(&e.uncompressed));
            }
            if let Some(d) = &e.digest {
                kv("digest", toml_string(d));
            }
            kv("observed", toml_string(&e.observed));
            kv("source", toml_string(&e.source));
            if let Some(n) = &e.note {
                kv("note", toml_string(n));
            }
        }
        out
    }
}

/// The comment block at the top of the shipped table.
pub fn builtin_header() -> &'static str {
    let end = BASE_IMAGES.find("last_verified").unwrap_or(0);
    &BASE_IMAGES[..end]
}

fn inline_map(m: &BTreeMap<String, u64>) -> String {
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Option<(String, bool)> {
        builtin()
            .lookup(&ImageRef::parse(s).unwrap())
            .map(|r| (r.entry.reference(), r.exact))
    }

    #[test]
    fn the_shipped_tables_parse() {
        let t = builtin();
        assert!(t.images.len() >= 25);
        for e in &t.images {
            assert!(!e.source.is_empty(), "{} has a source", e.reference());
            assert_eq!(e.observed.len(), 10, "{}: a date", e.reference());
        }
        assert!(packages().get("curl").is_some_and(|p| p.download > p.own));
    }

    #[test]
    fn rows_cover_the_images_the_estimator_names() {
        for r in [
            "scratch",
            "busybox:1.37",
            "alpine:3.21",
            "debian:12",
            "debian:12-slim",
            "ubuntu:24.04",
            "gcr.io/distroless/static-debian12",
            "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/base-debian12:nonroot",
            "gcr.io/distroless/cc-debian12",
            "cgr.dev/chainguard/static",
            "golang:1.25",
            "golang:1.25-alpine",
            "rust:1-slim",
            "rust:1-alpine",
            "node:22-slim",
            "node:22-alpine",
            "python:3.12-slim",
            "python:3.12-alpine",
            "eclipse-temurin:21-jre",
            "eclipse-temurin:21-jdk",
            "nginx:1.30-alpine",
        ] {
            assert_eq!(find(r).map(|f| f.1), Some(true), "{r}");
        }
    }

    #[test]
    fn other_tags_resolve_to_the_nearest_row_of_the_same_variant() {
        assert_eq!(find("golang:1.22"), Some(("golang:1.25".into(), false)));
        assert_eq!(
            find("golang:1.22-alpine3.19"),
            Some(("golang:1.25-alpine".into(), false))
        );
        assert_eq!(
            find("node:20-bullseye-slim"),
            Some(("node:22-slim".into(), false))
        );
        assert_eq!(
            find("python:3.11-slim-bookworm"),
            Some(("python:3.12-slim".into(), false))
        );
        assert_eq!(
            find("eclipse-temurin:17"),
            Some(("eclipse-temurin:21-jdk".into(), false))
        );
        assert_eq!(
            find("eclipse-temurin:17-jre-jammy"),
            Some(("eclipse-temurin:21-jre".into(), false))
        );
        assert_eq!(find("ubuntu:20.04"), Some(("ubuntu:22.04".into(), false)));
        assert_eq!(find("ubuntu:focal"), Some(("ubuntu:22.04".into(), false)));
        assert_eq!(find("ubuntu"), Some(("ubuntu:24.04".into(), false)));
        assert_eq!(
            find("debian:bullseye-slim"),
            Some(("debian:12-slim".into(), false))
        );
        assert_eq!(find("alpine:3.22"), Some(("alpine:3.21".into(), false)));
        assert_eq!(
            find("docker.io/library/alpine:3.21").map(|f| f.1),
            Some(true)
        );
        // a variant the table lacks, and unknown repositories
        assert_eq!(find("python:3.12-windowsservercore"), None);
        assert_eq!(find("eclipse-temurin:17-jre-alpine"), None);
        assert_eq!(find("gcr.io/distroless/static-debian12:debug"), None);
        assert_eq!(find("registry.example.com/team/base:1"), None);
    }

    #[test]
    fn sizes_are_exact_ranges_or_another_architecture() {
        let t = builtin();
        let node = t
            .lookup(&ImageRef::parse("node:22-alpine").unwrap())
            .unwrap()
            .entry;
        assert_eq!(
            node.compressed_size("amd64"),
            Some((Size::exact(60_697_390), None))
        );
        let (s, other) = node.compressed_size("arm64").unwrap();
        assert_eq!(other, Some("amd64"));
        assert!(s.low < 60_697_390 && s.high > 60_697_390);
        let cc = t
            .lookup(&ImageRef::parse("gcr.io/distroless/cc-debian12").unwrap())
            .unwrap()
            .entry;
        let (s, _) = cc.compressed_size("amd64").unwrap();
        assert!(s.low < s.estimate && s.estimate < s.high);
    }

    #[test]
    fn rendering_round_trips() {
        let t = builtin();
        let text = t.render(builtin_header());
        let back = Table::parse(&text).unwrap();
        assert_eq!(back.images, t.images);
        assert_eq!(
            text, BASE_IMAGES,
            "the shipped file is in the rendered layout"
        );
    }
}
