//! Finding an image: detect the kind of source, then resolve it to one
//! manifest, its config and its layers, verifying every document read.
//!
//! Sources: an OCI image layout directory, an OCI layout tar, a
//! `docker save` tar (legacy `manifest.json` + `<id>/layer.tar`, or Docker
//! 25+'s OCI layout with `manifest.json`), or a registry reference.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use serde::{Deserialize, Serialize};

use super::blob::{BlobRef, Digest, Store, TarIndex};
use super::config::ImageConfig;
use super::error::ImageError;
use super::layer::LayerSpec;
use super::registry::{Client, RegistryOptions};
use super::{Image, LayerInfo, Options};

/// How the image was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// An OCI image layout directory.
    OciLayout,
    /// An OCI image layout in a tar archive.
    OciArchive,
    /// A `docker save` tar (legacy or Docker 25+).
    DockerArchive,
    /// A `docker save` layout extracted into a directory.
    DockerDirectory,
    /// A registry, over the OCI distribution API.
    Registry,
}

/// A platform such as `linux/arm64/v8`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(text: &str) -> Result<Platform, ImageError> {
        let bad = || ImageError::InvalidPlatform {
            value: text.to_string(),
        };
        let parts: Vec<&str> = text.split('/').collect();
        let (os, arch, variant) = match parts.as_slice() {
            [os, arch] => (*os, *arch, None),
            [os, arch, variant] => (*os, *arch, Some(*variant)),
            _ => return Err(bad()),
        };
        if os.is_empty() || arch.is_empty() || variant.is_some_and(str::is_empty) {
            return Err(bad());
        }
        Ok(Platform {
            os: os.to_string(),
            architecture: arch.to_string(),
            variant: variant.map(str::to_string),
        })
    }

    /// The platform this program runs on.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: None,
        }
    }

    fn matches(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }

    fn of_descriptor(d: &Descriptor) -> Option<Platform> {
        let p = d.platform().as_ref()?;
        Some(Platform {
            os: p.os().to_string(),
            architecture: p.architecture().to_string(),
            variant: p.variant().clone().filter(|v| !v.is_empty()),
        })
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Opens `source` (see [`super::open`]).
pub fn open(source: &str, options: &Options) -> Result<Image, ImageError> {
    let wanted = options
        .platform
        .as_deref()
        .map(Platform::parse)
        .transpose()?;
    let (forced_path, rest) = strip_prefix(source);
    if let Some(reference) = rest
        .strip_prefix("registry:")
        .or(rest.strip_prefix("docker://"))
    {
        return open_registry(source, reference, options, wanted.as_ref());
    }
    let path = Path::new(rest);
    if path.exists() {
        return open_path(source, path, None, options, wanted.as_ref());
    }
    // `path:tag` picks a tagged image inside a layout or archive
    if let Some((p, tag)) = rest.rsplit_once(':')
        && !p.is_empty()
        && !tag.contains('/')
        && Path::new(p).exists()
    {
        return open_path(source, Path::new(p), Some(tag), options, wanted.as_ref());
    }
    if forced_path {
        return Err(ImageError::SourceNotFound {
            source_name: source.to_string(),
        });
    }
    if looks_like_reference(rest) {
        return open_registry(source, rest, options, wanted.as_ref());
    }
    Err(ImageError::SourceNotFound {
        source_name: source.to_string(),
    })
}

fn strip_prefix(source: &str) -> (bool, &str) {
    for prefix in ["oci:", "oci-archive:", "docker-archive:", "oci-dir:"] {
        if let Some(rest) = source.strip_prefix(prefix) {
            return (true, rest);
        }
    }
    (false, source)
}

/// A registry reference, not a mistyped path? (`app.tar` parses as a
/// Docker Hub repository, but nobody means that.)
fn looks_like_reference(s: &str) -> bool {
    let path_like = s.starts_with('.')
        || s.starts_with('/')
        || s.starts_with('~')
        || [".tar", ".tgz", ".tar.gz", ".tar.zst", ".tzst", ".json"]
            .iter()
            .any(|ext| s.ends_with(ext));
    !s.is_empty() && !path_like && s.parse::<oci_spec::distribution::Reference>().is_ok()
}

fn open_path(
    source: &str,
    path: &Path,
    tag: Option<&str>,
    options: &Options,
    wanted: Option<&Platform>,
) -> Result<Image, ImageError> {
    let meta = std::fs::metadata(path).map_err(|e| ImageError::io(path, e))?;
    let (store, is_dir) = if meta.is_dir() {
        (Store::Dir(path.to_path_buf()), true)
    } else {
        (
            Store::Tar(Arc::new(TarIndex::build(
                path,
                options.max_compression_ratio,
            )?)),
            false,
        )
    };
    let has_index = store.has_path("index.json");
    let has_manifest = store.has_path("manifest.json");
    // a tag names an OCI ref when there is an index; docker-save's
    // manifest.json keeps the layer order most reliably otherwise
    if has_manifest && !(tag.is_some() && has_index) {
        let format = if is_dir {
            SourceFormat::DockerDirectory
        } else {
            SourceFormat::DockerArchive
        };
        return open_docker_save(source, store, format, tag, options, wanted);
    }
    if has_index {
        let format = if is_dir {
            SourceFormat::OciLayout
        } else {
            SourceFormat::OciArchive
        };
        return open_oci(source, store, format, tag, options, wanted);
    }
    Err(ImageError::UnknownFormat {
        path: PathBuf::from(path),
        reason: "it has neither `index.json` nor `manifest.json`".into(),
    })
}

#[derive(Deserialize)]
struct DockerSaveEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// A blob path inside a docker-save archive; `blobs/<alg>/<hex>` and
/// `<hex>.json` names carry their digest.
fn docker_save_blob(path: &str, config: bool) -> BlobRef {
    let mut blob = BlobRef::path(path);
    if let Some(rest) = path.strip_prefix("blobs/")
        && let Some((alg, hex)) = rest.split_once('/')
    {
        blob.digest = Digest::parse(&format!("{alg}:{hex}"));
    } else if config && let Some(hex) = path.strip_suffix(".json") {
        blob.digest = Digest::parse(&format!("sha256:{hex}"));
    }
    blob
}

fn open_docker_save(
    source: &str,
    store: Store,
    format: SourceFormat,
    tag: Option<&str>,
    options: &Options,
    wanted: Option<&Platform>,
) -> Result<Image, ImageError> {
    let bytes = store.read_document(&BlobRef::path("manifest.json"), None, "manifest.json")?;
    let entries: Vec<DockerSaveEntry> =
        serde_json::from_slice(&bytes).map_err(|e| ImageError::json("manifest.json", &e))?;
    let entry = match tag {
        Some(tag) => entries.iter().find(|e| {
            e.repo_tags.iter().flatten().any(|t| {
                t == tag || t.ends_with(&format!("/{tag}")) || t.ends_with(&format!(":{tag}"))
            })
        }),
        None => entries.first(),
    }
    .ok_or_else(|| {
        ImageError::invalid(
            "manifest.json",
            match tag {
                Some(t) => format!("no image tagged `{t}`"),
                None => "lists no image".to_string(),
            },
        )
    })?;
    let config_blob = docker_save_blob(&entry.config, true);
    let what = format!("config `{}`", entry.config);
    let config_bytes = store.read_document(&config_blob, None, &what)?;
    let config = ImageConfig::parse(&config_bytes, &what)?;
    check_platform(&config, wanted, "manifest.json")?;
    if entry.layers.len() != config.diff_ids.len() {
        return Err(ImageError::invalid(
            "manifest.json",
            format!(
                "lists {} layers but the config has {} diff_ids",
                entry.layers.len(),
                config.diff_ids.len()
            ),
        ));
    }
    let layers = entry
        .layers
        .iter()
        .zip(&config.diff_ids)
        .enumerate()
        .map(|(index, (path, diff_id))| LayerInfo {
            media_type: None,
            spec: LayerSpec {
                index,
                blob: docker_save_blob(path, false),
                size: None,
                diff_id: Some(diff_id.clone()),
            },
        })
        .collect();
    Ok(Image {
        source: source.to_string(),
        format,
        names: entry.repo_tags.clone().unwrap_or_default(),
        manifest_digest: None,
        config_digest: config_blob.digest.map(|d| d.to_string()).or_else(|| {
            Some(Digest::of_bytes(super::blob::Algorithm::Sha256, &config_bytes).to_string())
        }),
        config,
        layers,
        store,
        limits: options.limits(),
    })
}

fn check_platform(
    config: &ImageConfig,
    wanted: Option<&Platform>,
    what: &str,
) -> Result<(), ImageError> {
    let Some(w) = wanted else { return Ok(()) };
    let have = Platform {
        os: config.os.clone(),
        architecture: config.architecture.clone(),
        variant: config.variant.clone().filter(|v| !v.is_empty()),
    };
    if w.matches(&have) {
        Ok(())
    } else {
        Err(ImageError::NoMatchingPlatform {
            what: what.to_string(),
            wanted: w.to_string(),
            available: have.to_string(),
        })
    }
}

/// Reads a manifest or index by digest: from `blobs/` in a layout, from
/// `/manifests/` in a registry.
fn read_manifest_doc(
    store: &Store,
    digest: &Digest,
    size: Option<u64>,
    what: &str,
) -> Result<Vec<u8>, ImageError> {
    match store {
        Store::Registry(client) => {
            let (bytes, _) = client.get_manifest(&digest.to_string())?;
            super::blob::verify_bytes(&bytes, Some(digest), size, what)?;
            Ok(bytes)
        }
        _ => store.read_document(&BlobRef::digest(digest.clone()), size, what),
    }
}

fn is_index_type(media_type: &str) -> bool {
    media_type == "application/vnd.oci.image.index.v1+json"
        || media_type == "application/vnd.docker.distribution.manifest.list.v2+json"
}

fn is_attestation(d: &Descriptor) -> bool {
    let annotated = d.annotations().as_ref().is_some_and(|a| {
        a.get("vnd.docker.reference.type")
            .is_some_and(|v| v == "attestation-manifest")
    });
    let unknown = Platform::of_descriptor(d)
        .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
    annotated || unknown
}

/// A manifest found by walking indexes, with the platform its index gave.
struct Candidate {
    descriptor: Descriptor,
    platform: Option<Platform>,
}

fn parse_digest(d: &Descriptor, what: &str) -> Result<Digest, ImageError> {
    let text = d.digest().to_string();
    Digest::parse(&text).ok_or_else(|| {
        ImageError::invalid(what, format!("unsupported or malformed digest `{text}`"))
    })
}

fn collect_candidates(
    store: &Store,
    index: &ImageIndex,
    what: &str,
    depth: usize,
    out: &mut Vec<Candidate>,
) -> Result<(), ImageError> {
    if depth > 4 {
        return Err(ImageError::invalid(what, "image indexes nested too deeply"));
    }
    for d in index.manifests() {
        if is_attestation(d) {
            continue;
        }
        let media_type = d.media_type().to_string();
        if is_index_type(&media_type) {
            let digest = parse_digest(d, what)?;
            let nested_what = format!("index {digest}");
            let bytes = read_manifest_doc(store, &digest, Some(d.size()), &nested_what)?;
            let nested: ImageIndex = serde_json::from_slice(&bytes)
                .map_err(|e| ImageError::json(nested_what.clone(), &e))?;
            collect_candidates(store, &nested, &nested_what, depth + 1, out)?;
        } else {
            out.push(Candidate {
                descriptor: d.clone(),
                platform: Platform::of_descriptor(d),
            });
        }
        if out.len() > 4096 {
            return Err(ImageError::invalid(what, "too many manifests"));
        }
    }
    Ok(())
}

fn ref_name_matches(d: &Descriptor, tag: &str) -> bool {
    d.annotations().as_ref().is_some_and(|a| {
        a.get("org.opencontainers.image.ref.name")
            .is_some_and(|v| v == tag)
            || a.get("io.containerd.image.name")
                .is_some_and(|v| v == tag || v.ends_with(&format!(":{tag}")))
    })
}

fn choose(
    candidates: Vec<Candidate>,
    wanted: Option<&Platform>,
    what: &str,
) -> Result<Candidate, ImageError> {
    let available = || {
        let names: Vec<String> = candidates
            .iter()
            .map(|c| {
                c.platform
                    .as_ref()
                    .map_or("unknown".into(), Platform::to_string)
            })
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    if candidates.is_empty() {
        return Err(ImageError::invalid(what, "lists no image manifest"));
    }
    if let Some(w) = wanted {
        if candidates.len() == 1 && candidates.first().is_some_and(|c| c.platform.is_none()) {
            // checked against the config later
            return candidates
                .into_iter()
                .next()
                .ok_or_else(|| unreachable_none(what));
        }
        let pos = candidates
            .iter()
            .position(|c| c.platform.as_ref().is_some_and(|p| w.matches(p)));
        return match pos {
            Some(i) => Ok(candidates
                .into_iter()
                .nth(i)
                .ok_or_else(|| unreachable_none(what))?),
            None => Err(ImageError::NoMatchingPlatform {
                what: what.to_string(),
                wanted: w.to_string(),
                available: available(),
            }),
        };
    }
    if candidates.len() > 1 {
        let host = Platform::host();
        if let Some(i) = candidates
            .iter()
            .position(|c| c.platform.as_ref().is_some_and(|p| host.matches(p)))
        {
            return candidates
                .into_iter()
                .nth(i)
                .ok_or_else(|| unreachable_none(what));
        }
    }
    candidates
        .into_iter()
        .next()
        .ok_or_else(|| unreachable_none(what))
}

fn unreachable_none(what: &str) -> ImageError {
    ImageError::invalid(what, "lists no image manifest")
}

fn open_oci(
    source: &str,
    store: Store,
    format: SourceFormat,
    tag: Option<&str>,
    options: &Options,
    wanted: Option<&Platform>,
) -> Result<Image, ImageError> {
    let bytes = store.read_document(&BlobRef::path("index.json"), None, "index.json")?;
    let mut index: ImageIndex =
        serde_json::from_slice(&bytes).map_err(|e| ImageError::json("index.json", &e))?;
    let mut names = Vec::new();
    if let Some(tag) = tag {
        let kept: Vec<Descriptor> = index
            .manifests()
            .iter()
            .filter(|d| ref_name_matches(d, tag))
            .cloned()
            .collect();
        if kept.is_empty() {
            return Err(ImageError::invalid(
                "index.json",
                format!("no image is tagged `{tag}`"),
            ));
        }
        index.set_manifests(kept);
        names.push(tag.to_string());
    } else {
        for d in index.manifests() {
            if let Some(a) = d.annotations() {
                if let Some(n) = a.get("io.containerd.image.name") {
                    names.push(n.clone());
                } else if let Some(n) = a.get("org.opencontainers.image.ref.name") {
                    names.push(n.clone());
                }
            }
        }
    }
    let mut candidates = Vec::new();
    collect_candidates(&store, &index, "index.json", 0, &mut candidates)?;
    let chosen = choose(candidates, wanted, "index.json")?;
    resolve_manifest(source, store, format, names, chosen, options, wanted)
}

fn resolve_manifest(
    source: &str,
    store: Store,
    format: SourceFormat,
    names: Vec<String>,
    chosen: Candidate,
    options: &Options,
    wanted: Option<&Platform>,
) -> Result<Image, ImageError> {
    let digest = parse_digest(&chosen.descriptor, "index")?;
    let what = format!("manifest {digest}");
    let bytes = read_manifest_doc(&store, &digest, Some(chosen.descriptor.size()), &what)?;
    let manifest: ImageManifest =
        serde_json::from_slice(&bytes).map_err(|e| ImageError::json(what.clone(), &e))?;
    let image = from_manifest(
        source,
        store,
        format,
        names,
        &manifest,
        Some(digest),
        options,
    )?;
    check_platform(&image.config, wanted, &what)?;
    Ok(image)
}

fn from_manifest(
    source: &str,
    store: Store,
    format: SourceFormat,
    names: Vec<String>,
    manifest: &ImageManifest,
    manifest_digest: Option<Digest>,
    options: &Options,
) -> Result<Image, ImageError> {
    let mwhat = manifest_digest
        .as_ref()
        .map_or("manifest".to_string(), |d| format!("manifest {d}"));
    let cdesc = manifest.config();
    let cdigest = parse_digest(cdesc, &mwhat)?;
    let cwhat = format!("config {cdigest}");
    let config_bytes = store.read_document(
        &BlobRef::digest(cdigest.clone()),
        Some(cdesc.size()),
        &cwhat,
    )?;
    let config = ImageConfig::parse(&config_bytes, &cwhat)?;
    if manifest.layers().len() != config.diff_ids.len() {
        return Err(ImageError::invalid(
            mwhat,
            format!(
                "lists {} layers but the config has {} diff_ids",
                manifest.layers().len(),
                config.diff_ids.len()
            ),
        ));
    }
    let mut layers = Vec::new();
    for (index, (d, diff_id)) in manifest.layers().iter().zip(&config.diff_ids).enumerate() {
        let digest = parse_digest(d, &mwhat)?;
        let media_type = d.media_type().to_string();
        if !is_layer_type(d.media_type()) {
            return Err(ImageError::invalid(
                format!("layer {index} ({digest})"),
                format!("unsupported layer media type `{media_type}`"),
            ));
        }
        layers.push(LayerInfo {
            media_type: Some(media_type),
            spec: LayerSpec {
                index,
                blob: BlobRef::digest(digest),
                size: Some(d.size()),
                diff_id: Some(diff_id.clone()),
            },
        });
    }
    Ok(Image {
        source: source.to_string(),
        format,
        names,
        manifest_digest: manifest_digest.map(|d| d.to_string()),
        config_digest: Some(cdigest.to_string()),
        config,
        layers,
        store,
        limits: options.limits(),
    })
}

fn is_layer_type(m: &MediaType) -> bool {
    match m {
        MediaType::ImageLayer
        | MediaType::ImageLayerGzip
        | MediaType::ImageLayerZstd
        | MediaType::ImageLayerNonDistributable
        | MediaType::ImageLayerNonDistributableGzip
        | MediaType::ImageLayerNonDistributableZstd => true,
        MediaType::Other(s) => {
            s.starts_with("application/vnd.docker.image.rootfs.")
                || s.starts_with("application/vnd.oci.image.layer.")
        }
        _ => false,
    }
}

fn open_registry(
    source: &str,
    reference: &str,
    options: &Options,
    wanted: Option<&Platform>,
) -> Result<Image, ImageError> {
    let client = Client::connect(
        reference,
        &RegistryOptions {
            insecure: options.insecure,
            docker_config: options.docker_config.clone(),
        },
    )?;
    let client = Arc::new(client);
    let (bytes, content_type) = client.get_manifest(client.reference_tag())?;
    let what = format!("manifest {}", client.reference_tag());
    let store = Store::Registry(Arc::clone(&client));
    let names = vec![client.describe()];
    let is_index = content_type.as_deref().is_some_and(is_index_type) || {
        // some registries omit the type; look at the document
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("manifests").map(|m| m.is_array()))
            .unwrap_or(false)
    };
    if is_index {
        let index: ImageIndex =
            serde_json::from_slice(&bytes).map_err(|e| ImageError::json(what.clone(), &e))?;
        let mut candidates = Vec::new();
        collect_candidates(&store, &index, &what, 0, &mut candidates)?;
        let chosen = choose(candidates, wanted, &what)?;
        return resolve_manifest(
            source,
            store,
            SourceFormat::Registry,
            names,
            chosen,
            options,
            wanted,
        );
    }
    let digest = Digest::of_bytes(super::blob::Algorithm::Sha256, &bytes);
    if let Some(pinned) = client.reference_digest()
        && *pinned != digest
    {
        return Err(ImageError::DigestMismatch {
            what,
            expected: pinned.to_string(),
            actual: digest.to_string(),
        });
    }
    let manifest: ImageManifest =
        serde_json::from_slice(&bytes).map_err(|e| ImageError::json(what.clone(), &e))?;
    let image = from_manifest(
        source,
        store,
        SourceFormat::Registry,
        names,
        &manifest,
        Some(digest),
        options,
    )?;
    check_platform(&image.config, wanted, &what)?;
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_platforms() {
        let p = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//v8").is_err());
        let any_variant = Platform::parse("linux/arm64").unwrap();
        assert!(any_variant.matches(&p));
        assert!(!p.matches(&Platform::parse("linux/arm64/v7").unwrap()));
    }

    #[test]
    fn mistyped_paths_are_not_references() {
        assert!(looks_like_reference("registry.example.com/team/app:1.4"));
        assert!(looks_like_reference("alpine"));
        assert!(looks_like_reference(
            "127.0.0.1:5000/a/b@sha256:0000000000000000000000000000000000000000000000000000000000000000"
        ));
        for p in ["app.tar", "./img", "/nope", "img.tar.gz"] {
            assert!(!looks_like_reference(p), "{p}");
        }
        let err = open("missing-image.tar", &Options::default()).unwrap_err();
        assert!(matches!(err, ImageError::SourceNotFound { .. }), "{err}");
    }

    #[test]
    fn docker_save_names_carry_digests() {
        let hex = "a".repeat(64);
        assert!(
            docker_save_blob(&format!("blobs/sha256/{hex}"), false)
                .digest
                .is_some()
        );
        assert!(
            docker_save_blob(&format!("{hex}.json"), true)
                .digest
                .is_some()
        );
        assert!(docker_save_blob("abc/layer.tar", false).digest.is_none());
    }
}
