//! `imglint size --refresh`: recompute the table's compressed sizes from
//! registry manifests. Per image: one HEAD of the tag (registries do not
//! count it as a pull); when its digest is the one the row already has,
//! nothing else. Otherwise a GET of the index or manifest, a GET of each
//! platform's manifest (amd64 and arm64), and, for a manifest without an
//! index, of the small config blob to learn its architecture. Layers are
//! never downloaded.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::Value;

use super::table::{Entry, Table};
use crate::graph::ImageRef;
use crate::image::ImageError;
use crate::image::blob::Digest;
use crate::image::registry::{Client, RegistryOptions};

/// The architectures the table keeps.
const ARCHES: &[&str] = &["amd64", "arm64"];

/// Whether `s` names a registry host rather than an image: no path, and a
/// host with a dot or `localhost`, optionally with a numeric port.
pub fn is_registry_host(s: &str) -> bool {
    let s = s.trim_end_matches('/');
    if s.contains('/') || s.contains('@') {
        return false;
    }
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && (host.contains('.') || host == "localhost")
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a calendar date (proleptic Gregorian).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Sizes read for one image.
#[derive(Debug, PartialEq, Eq)]
pub struct Measured {
    pub digest: Option<String>,
    /// Compressed bytes per architecture; empty when unchanged.
    pub compressed: BTreeMap<String, u64>,
    pub unchanged: bool,
}

fn json(bytes: &[u8], what: &str) -> Result<Value, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| ImageError::json(what.to_string(), &e))
}

fn layer_sum(manifest: &Value) -> u64 {
    manifest
        .get("layers")
        .and_then(Value::as_array)
        .map(|ls| ls.iter().filter_map(|l| l.get("size")?.as_u64()).sum())
        .unwrap_or(0)
}

/// Reads the compressed sizes of `reference` from its registry.
pub fn measure(
    reference: &str,
    known_digest: Option<&str>,
    options: &RegistryOptions,
) -> Result<Measured, ImageError> {
    let client = Client::connect(reference, options)?;
    let tag = client.reference_tag().to_string();
    let digest = client.head_manifest(&tag)?;
    if digest.is_some() && digest.as_deref() == known_digest {
        return Ok(Measured {
            digest,
            compressed: BTreeMap::new(),
            unchanged: true,
        });
    }
    let (bytes, _) = client.get_manifest(&tag)?;
    let doc = json(&bytes, &format!("manifest {tag}"))?;
    let digest = digest.or_else(|| {
        Some(Digest::of_bytes(crate::image::blob::Algorithm::Sha256, &bytes).to_string())
    });
    let mut compressed = BTreeMap::new();
    if let Some(list) = doc.get("manifests").and_then(Value::as_array) {
        for arch in ARCHES {
            let d = list.iter().find(|m| {
                let p = m.get("platform");
                let os = p.and_then(|p| p.get("os")).and_then(Value::as_str);
                let a = p
                    .and_then(|p| p.get("architecture"))
                    .and_then(Value::as_str);
                os == Some("linux") && a == Some(arch)
            });
            let Some(d) = d.and_then(|d| d.get("digest")).and_then(Value::as_str) else {
                continue;
            };
            let (bytes, _) = client.get_manifest(d)?;
            compressed.insert(arch.to_string(), layer_sum(&json(&bytes, d)?));
        }
    } else {
        // a single manifest: its config tells the architecture
        let arch = doc
            .get("config")
            .and_then(|c| c.get("digest"))
            .and_then(Value::as_str)
            .and_then(Digest::parse)
            .and_then(|d| {
                let mut r = client.open_blob(&d).ok()?;
                let mut text = Vec::new();
                (&mut r).take(1024 * 1024).read_to_end(&mut text).ok()?;
                let v: Value = serde_json::from_slice(&text).ok()?;
                v.get("architecture")?.as_str().map(str::to_string)
            })
            .unwrap_or_else(|| "amd64".into());
        compressed.insert(arch, layer_sum(&doc));
    }
    Ok(Measured {
        digest,
        compressed,
        unchanged: false,
    })
}

fn apply(e: &mut Entry, m: Measured, reference: &str, date: &str) {
    e.digest = m.digest;
    if m.unchanged {
        return;
    }
    e.compressed = m.compressed;
    e.compressed_range = None;
    e.uncompressed.clear();
    e.observed = date.to_string();
    e.source = format!("registry manifests of {reference}, read {date}");
}

/// Refreshes `table` from `sources` (registry hosts or image references);
/// returns the table and one line per image saying what happened.
pub fn refresh(
    mut table: Table,
    sources: &[String],
    options: &RegistryOptions,
) -> (Table, Vec<String>) {
    let date = today();
    let mut log = Vec::new();
    let mut changed = false;
    for source in sources {
        if is_registry_host(source) {
            let host = source.trim_end_matches('/');
            for e in table.images.iter_mut().filter(|e| e.name != "scratch") {
                let Ok(r) = ImageRef::parse(&e.reference()) else {
                    continue;
                };
                let reference = format!("{host}/{}:{}", r.full_repository(), e.tag());
                match measure(&reference, e.digest.as_deref(), options) {
                    Ok(m) => {
                        log.push(describe(&e.reference(), &m));
                        changed |= !m.unchanged;
                        apply(e, m, &reference, &date);
                    }
                    Err(err) => log.push(format!("{}: not refreshed: {err}", e.reference())),
                }
            }
            continue;
        }
        let r = match ImageRef::parse(source) {
            Ok(r) => r,
            Err(err) => {
                log.push(format!("{source}: not an image reference: {err}"));
                continue;
            }
        };
        let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
        let name = r.name();
        let known = table.find_mut(&name, &tag).and_then(|e| e.digest.clone());
        match measure(source, known.as_deref(), options) {
            Ok(m) => {
                log.push(describe(&format!("{name}:{tag}"), &m));
                changed |= !m.unchanged;
                match table.find_mut(&name, &tag) {
                    Some(e) => apply(e, m, source, &date),
                    None => {
                        let mut e = Entry {
                            name,
                            tags: vec![tag],
                            resolved: String::new(),
                            family: None,
                            toolchain: None,
                            user: None,
                            shell: None,
                            package_manager: None,
                            ca_certificates: None,
                            libc: None,
                            compressed: BTreeMap::new(),
                            compressed_range: None,
                            uncompressed: BTreeMap::new(),
                            digest: None,
                            observed: date.clone(),
                            source: String::new(),
                            note: None,
                        };
                        apply(&mut e, m, source, &date);
                        table.images.push(e);
                    }
                }
            }
            Err(err) => log.push(format!("{source}: not refreshed: {err}")),
        }
    }
    if changed {
        table.last_verified = date;
    }
    (table, log)
}

fn describe(what: &str, m: &Measured) -> String {
    if m.unchanged {
        return format!("{what}: unchanged (same digest)");
    }
    let sizes: Vec<String> = m
        .compressed
        .iter()
        .map(|(a, n)| format!("{a} {n} B"))
        .collect();
    format!("{what}: {}", sizes.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_registries_from_images() {
        assert!(is_registry_host("127.0.0.1:5000"));
        assert!(is_registry_host("registry.example.com"));
        assert!(is_registry_host("localhost:5000/"));
        assert!(!is_registry_host("alpine:3.21"));
        assert!(!is_registry_host("myimage:1.0"));
        assert!(!is_registry_host("127.0.0.1:5000/team/app:1"));
        assert!(!is_registry_host("alpine"));
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_785), "2026-11-28");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}
