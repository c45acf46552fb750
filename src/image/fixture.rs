//! Deterministic test images, built in memory and written in every
//! container format the reader supports. Used by the tests and the image
//! benchmark; nothing here is needed to analyse images.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};

use super::blob::{Algorithm, Digest};

/// Deterministic pseudo-random bytes (xorshift64*).
pub fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[derive(Clone, Debug)]
pub enum FxKind {
    File(Vec<u8>),
    Dir,
    Symlink(String),
    HardLink(String),
}

#[derive(Clone, Debug)]
pub struct FxEntry {
    /// Name as written in the tar (directories get a trailing slash).
    pub name: String,
    pub kind: FxKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

#[derive(Clone, Debug, Default)]
pub struct FxLayer {
    pub entries: Vec<FxEntry>,
    /// A PAX global header at the start of the layer tar.
    pub pax_global: Option<String>,
    pub created_by: String,
    /// Use these bytes as the layer tar instead of `entries`.
    pub raw_tar: Option<Vec<u8>>,
    /// Use these bytes as the layer blob, whatever the compression (the
    /// diff_id is then that of an empty tar).
    pub raw_blob: Option<Vec<u8>>,
}

impl FxLayer {
    pub fn new(created_by: &str) -> Self {
        FxLayer {
            created_by: created_by.into(),
            ..FxLayer::default()
        }
    }

    fn push(mut self, name: &str, kind: FxKind, mode: u32) -> Self {
        self.entries.push(FxEntry {
            name: name.into(),
            kind,
            mode,
            uid: 0,
            gid: 0,
        });
        self
    }

    pub fn file(self, name: &str, content: impl Into<Vec<u8>>) -> Self {
        self.push(name, FxKind::File(content.into()), 0o644)
    }

    pub fn file_mode(self, name: &str, content: impl Into<Vec<u8>>, mode: u32) -> Self {
        self.push(name, FxKind::File(content.into()), mode)
    }

    pub fn dir(self, name: &str) -> Self {
        self.push(name, FxKind::Dir, 0o755)
    }

    pub fn dir_mode(self, name: &str, mode: u32) -> Self {
        self.push(name, FxKind::Dir, mode)
    }

    pub fn symlink(self, name: &str, target: &str) -> Self {
        self.push(name, FxKind::Symlink(target.into()), 0o777)
    }

    pub fn hardlink(self, name: &str, target: &str) -> Self {
        self.push(name, FxKind::HardLink(target.into()), 0o644)
    }

    /// Content bytes (Σ file sizes).
    pub fn content_bytes(&self) -> u64 {
        self.entries
            .iter()
            .map(|e| match &e.kind {
                FxKind::File(c) => c.len() as u64,
                _ => 0,
            })
            .sum()
    }
}

#[derive(Clone, Debug)]
pub struct FxImage {
    pub layers: Vec<FxLayer>,
    /// `config` object of the image config.
    pub config: Value,
    /// History entries between layers: (before layer index, created_by).
    pub empty_history: Vec<(usize, String)>,
    pub architecture: String,
    pub variant: Option<String>,
}

/// The 3-layer image of the research notes (sizes only depend on the
/// lengths, so seeded bytes stand in for busybox and random files).
pub fn research_fixture() -> FxImage {
    let passwd1 = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n";
    let passwd2 = format!("{passwd1}app:x:1000:1000::/app:/bin/sh\n");
    let group = "root:x:0:\nnogroup:x:65534:\n";
    let l1 = FxLayer::new("ADD rootfs.tar /")
        .dir("app/")
        .file("app/config.txt", seeded_bytes(2, 1000))
        .file("app/data.bin", seeded_bytes(1, 1_048_576))
        .dir("bin/")
        .file_mode("bin/busybox", seeded_bytes(100, 1_982_256), 0o755)
        .symlink("bin/ls", "busybox")
        .symlink("bin/sh", "busybox")
        .dir("etc/")
        .file("etc/group", group)
        .file("etc/passwd", passwd1)
        .dir_mode("tmp/", 0o1777)
        .dir("usr/")
        .dir("usr/share/")
        .dir("usr/share/doc/")
        .dir("usr/share/doc/pkg/")
        .file("usr/share/doc/pkg/LICENSE", seeded_bytes(6, 20_480))
        .file("usr/share/doc/pkg/README", seeded_bytes(5, 51_200))
        .dir("var/")
        .dir("var/cache/")
        .dir("var/cache/apk/")
        .file("var/cache/apk/pkg1.apk", seeded_bytes(3, 307_200))
        .file("var/cache/apk/pkg2.apk", seeded_bytes(4, 204_800));
    let l2 = FxLayer::new("/bin/sh -c rm -rf /var/cache/apk /app/config.txt && update-data")
        .dir("app/")
        .file(
            "app/.env",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        )
        .file("app/.wh.config.txt", "")
        .file("app/data.bin", seeded_bytes(7, 524_288))
        .dir("etc/")
        .file("etc/passwd", passwd2)
        .dir("usr/")
        .dir("usr/local/")
        .dir("usr/local/bin/")
        .file_mode(
            "usr/local/bin/su-helper",
            "#!/bin/sh\nexec /bin/sh \"$@\"\n",
            0o4755,
        )
        .dir("var/")
        .dir("var/cache/")
        .file("var/cache/.wh.apk", "");
    let l3 = FxLayer::new("/bin/sh -c rm -rf /usr/share/doc/* && add-notice")
        .dir("app/")
        .file_mode("app/app.sh", "#!/bin/sh\necho hello\n", 0o755)
        .dir("etc/")
        .file("etc/group", group)
        .dir("usr/")
        .dir("usr/share/")
        .dir("usr/share/doc/")
        .file("usr/share/doc/.wh..wh..opq", "")
        .file("usr/share/doc/NOTICE", seeded_bytes(8, 1024));
    FxImage {
        layers: vec![l1, l2, l3],
        config: json!({
            "Env": ["PATH=/usr/local/bin:/bin", "DB_PASSWORD=hunter2"],
            "Cmd": ["/app/app.sh"],
            "WorkingDir": "/app",
            "ExposedPorts": {"22/tcp": {}},
            "Labels": {"org.opencontainers.image.source": "https://example.invalid/imglint-fixture"}
        }),
        empty_history: vec![
            (1, "/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2".into()),
            (3, "/bin/sh -c #(nop)  CMD [\"/app/app.sh\"]".into()),
        ],
        architecture: "amd64".into(),
        variant: None,
    }
}

/// How layer blobs are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FxCompression {
    None,
    Gzip,
    /// Two gzip members, split in the middle.
    MultiGzip,
    Zstd,
}

fn header(kind: tar::EntryType, mode: u32, uid: u64, gid: u64, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(uid);
    h.set_gid(gid);
    h.set_mtime(0);
    h.set_size(size);
    h
}

/// The layer as an uncompressed tar.
pub fn layer_tar(layer: &FxLayer) -> Vec<u8> {
    if let Some(raw) = &layer.raw_tar {
        return raw.clone();
    }
    let mut b = tar::Builder::new(Vec::new());
    if let Some(comment) = &layer.pax_global {
        let record = pax_record("comment", comment);
        let mut h = header(
            tar::EntryType::XGlobalHeader,
            0o644,
            0,
            0,
            record.len() as u64,
        );
        h.set_path("pax_global_header").ok();
        h.set_cksum();
        b.append(&h, record.as_slice()).ok();
    }
    for e in &layer.entries {
        append_entry(&mut b, e).ok();
    }
    b.into_inner().unwrap_or_default()
}

fn pax_record(key: &str, value: &str) -> Vec<u8> {
    // "<len> key=value\n" where len counts itself
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}{body}").len() != len {
        len += 1;
    }
    format!("{len}{body}").into_bytes()
}

fn append_entry(b: &mut tar::Builder<Vec<u8>>, e: &FxEntry) -> io::Result<()> {
    match &e.kind {
        FxKind::File(content) => {
            let mut h = header(
                tar::EntryType::Regular,
                e.mode,
                e.uid,
                e.gid,
                content.len() as u64,
            );
            b.append_data(&mut h, &e.name, content.as_slice())
        }
        FxKind::Dir => {
            let mut h = header(tar::EntryType::Directory, e.mode, e.uid, e.gid, 0);
            b.append_data(&mut h, &e.name, io::empty())
        }
        FxKind::Symlink(target) => {
            let mut h = header(tar::EntryType::Symlink, e.mode, e.uid, e.gid, 0);
            b.append_link(&mut h, &e.name, target)
        }
        FxKind::HardLink(target) => {
            let mut h = header(tar::EntryType::Link, e.mode, e.uid, e.gid, 0);
            b.append_link(&mut h, &e.name, target)
        }
    }
}

/// Writes a raw tar entry whose name is not checked (for hostile layers).
pub fn raw_tar_entry(out: &mut Vec<u8>, name: &str, kind: tar::EntryType, link: &str, data: &[u8]) {
    let mut h = tar::Header::new_old();
    {
        let bytes = h.as_mut_bytes();
        for (dst, src) in bytes.iter_mut().zip(name.as_bytes().iter().take(99)) {
            *dst = *src;
        }
        for (dst, src) in bytes
            .iter_mut()
            .skip(157)
            .zip(link.as_bytes().iter().take(99))
        {
            *dst = *src;
        }
    }
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(data.len() as u64);
    h.set_entry_type(kind);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.extend(std::iter::repeat_n(0u8, pad));
}

/// Ends a raw tar.
pub fn raw_tar_end(out: &mut Vec<u8>) {
    out.extend(std::iter::repeat_n(0u8, 1024));
}

pub fn compress(tar: &[u8], compression: FxCompression) -> Vec<u8> {
    match compression {
        FxCompression::None => tar.to_vec(),
        FxCompression::Gzip => gzip(tar),
        FxCompression::MultiGzip => {
            let mid = tar.len() / 2;
            let mut out = gzip(tar.get(..mid).unwrap_or_default());
            out.extend(gzip(tar.get(mid..).unwrap_or_default()));
            out
        }
        FxCompression::Zstd => {
            ruzstd::encoding::compress_to_vec(tar, ruzstd::encoding::CompressionLevel::Fastest)
        }
    }
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(data).ok();
    enc.finish().unwrap_or_default()
}

fn sha(bytes: &[u8]) -> Digest {
    Digest::of_bytes(Algorithm::Sha256, bytes)
}

pub struct LayerBlob {
    pub tar: Vec<u8>,
    pub blob: Vec<u8>,
    pub diff_id: Digest,
    pub digest: Digest,
    pub media_type: &'static str,
}

/// An image's blobs: layers, config, manifest.
pub struct Blobs {
    pub layers: Vec<LayerBlob>,
    pub config: Vec<u8>,
    pub config_digest: Digest,
    pub manifest: Vec<u8>,
    pub manifest_digest: Digest,
}

impl FxImage {
    pub fn history(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            for (_, c) in self.empty_history.iter().filter(|(at, _)| *at == i) {
                out.push(json!({"created": "2024-01-01T00:00:00Z", "created_by": c, "empty_layer": true}));
            }
            out.push(json!({"created": "2024-01-01T00:00:00Z", "created_by": layer.created_by}));
        }
        for (_, c) in self
            .empty_history
            .iter()
            .filter(|(at, _)| *at >= self.layers.len())
        {
            out.push(
                json!({"created": "2024-01-01T00:00:00Z", "created_by": c, "empty_layer": true}),
            );
        }
        out
    }

    pub fn config_json(&self, diff_ids: &[Digest]) -> Vec<u8> {
        let mut v = json!({
            "created": "2024-01-01T00:00:00Z",
            "architecture": self.architecture,
            "os": "linux",
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": diff_ids.iter().map(ToString::to_string).collect::<Vec<_>>()},
            "history": self.history(),
        });
        if let (Some(variant), Some(obj)) = (&self.variant, v.as_object_mut()) {
            obj.insert("variant".into(), json!(variant));
        }
        serde_json::to_vec(&v).unwrap_or_default()
    }

    pub fn blobs(&self, compression: FxCompression) -> Blobs {
        let layers: Vec<LayerBlob> = self
            .layers
            .iter()
            .map(|l| {
                let tar = layer_tar(l);
                let blob = match &l.raw_blob {
                    Some(b) => b.clone(),
                    None => compress(&tar, compression),
                };
                LayerBlob {
                    diff_id: sha(&tar),
                    digest: sha(&blob),
                    media_type: match compression {
                        FxCompression::None => "application/vnd.oci.image.layer.v1.tar",
                        FxCompression::Gzip | FxCompression::MultiGzip => {
                            "application/vnd.oci.image.layer.v1.tar+gzip"
                        }
                        FxCompression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
                    },
                    tar,
                    blob,
                }
            })
            .collect();
        let diff_ids: Vec<Digest> = layers.iter().map(|l| l.diff_id.clone()).collect();
        let config = self.config_json(&diff_ids);
        let config_digest = sha(&config);
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": config_digest.to_string(), "size": config.len()},
            "layers": layers.iter().map(|l| json!({
                "mediaType": l.media_type, "digest": l.digest.to_string(), "size": l.blob.len()
            })).collect::<Vec<_>>(),
        }))
        .unwrap_or_default();
        let manifest_digest = sha(&manifest);
        Blobs {
            layers,
            config,
            config_digest,
            manifest,
            manifest_digest,
        }
    }
}

/// Files of an image written as a layout or archive: (path, content) or
/// (path, symlink target).
#[derive(Default)]
pub struct Files {
    pub files: Vec<(String, Vec<u8>)>,
    pub symlinks: Vec<(String, String)>,
}

impl Files {
    fn add(&mut self, path: impl Into<String>, content: impl Into<Vec<u8>>) {
        self.files.push((path.into(), content.into()));
    }

    fn add_blob(&mut self, digest: &Digest, content: &[u8]) {
        let path = digest.layout_path();
        if !self.files.iter().any(|(p, _)| *p == path) {
            self.add(path, content.to_vec());
        }
    }

    /// Writes them under a directory.
    pub fn write_dir(&self, dir: &Path) -> io::Result<()> {
        for (path, content) in &self.files {
            let p = dir.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, content)?;
        }
        for (path, target) in &self.symlinks {
            let p = dir.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::os::unix::fs::symlink(target, p)?;
        }
        Ok(())
    }

    /// Writes them as a tar archive, sorted by name.
    pub fn write_tar(&self, path: &Path) -> io::Result<()> {
        let file = std::fs::File::create(path)?;
        let mut b = tar::Builder::new(io::BufWriter::new(file));
        type Item<'a> = (&'a str, Option<&'a [u8]>, Option<&'a str>);
        let mut all: Vec<Item<'_>> = self
            .files
            .iter()
            .map(|(p, c)| (p.as_str(), Some(c.as_slice()), None))
            .chain(
                self.symlinks
                    .iter()
                    .map(|(p, t)| (p.as_str(), None, Some(t.as_str()))),
            )
            .collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        let mut dirs = std::collections::BTreeSet::new();
        for (p, content, target) in all {
            let mut prefix = String::new();
            for part in p.split('/').collect::<Vec<_>>().iter().rev().skip(1).rev() {
                prefix.push_str(part);
                prefix.push('/');
                if dirs.insert(prefix.clone()) {
                    let mut h = header(tar::EntryType::Directory, 0o755, 0, 0, 0);
                    b.append_data(&mut h, &prefix, io::empty())?;
                }
            }
            match (content, target) {
                (Some(c), _) => {
                    let mut h = header(tar::EntryType::Regular, 0o644, 0, 0, c.len() as u64);
                    b.append_data(&mut h, p, c)?;
                }
                (None, Some(t)) => {
                    let mut h = header(tar::EntryType::Symlink, 0o777, 0, 0, 0);
                    b.append_link(&mut h, p, t)?;
                }
                _ => {}
            }
        }
        b.into_inner()?.flush()
    }
}

const OCI_LAYOUT: &str = "{\"imageLayoutVersion\":\"1.0.0\"}";

/// An OCI image layout with one tagged manifest.
pub fn oci_layout(blobs: &Blobs, tag: &str) -> Files {
    let mut f = Files::default();
    f.add("oci-layout", OCI_LAYOUT);
    for l in &blobs.layers {
        f.add_blob(&l.digest, &l.blob);
    }
    f.add_blob(&blobs.config_digest, &blobs.config);
    f.add_blob(&blobs.manifest_digest, &blobs.manifest);
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": blobs.manifest_digest.to_string(),
            "size": blobs.manifest.len(),
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"org.opencontainers.image.ref.name": tag}
        }]
    });
    f.add("index.json", serde_json::to_vec(&index).unwrap_or_default());
    f
}

/// A legacy `docker save` archive: `<id>/layer.tar`, `<id>/json`,
/// `<config-hex>.json`, `manifest.json`, `repositories`. With
/// `symlinked`, layers live at `<diff_id-hex>.tar` and `<id>/layer.tar`
/// links to them (skopeo's shape).
pub fn docker_legacy(blobs: &Blobs, repo_tag: &str, symlinked: bool) -> Files {
    let mut f = Files::default();
    let config_name = format!("{}.json", blobs.config_digest.hex);
    f.add(config_name.clone(), blobs.config.clone());
    let mut layer_paths = Vec::new();
    let mut parent = String::new();
    for l in &blobs.layers {
        // v1 ids chain the diff_ids
        let id = sha(format!("{parent}{}", l.diff_id).as_bytes()).hex;
        let top = format!("{}.tar", l.diff_id.hex);
        if symlinked {
            f.add(top.clone(), l.tar.clone());
            f.symlinks
                .push((format!("{id}/layer.tar"), format!("../{top}")));
            layer_paths.push(top);
        } else {
            f.add(format!("{id}/layer.tar"), l.tar.clone());
            layer_paths.push(format!("{id}/layer.tar"));
        }
        f.add(format!("{id}/VERSION"), "1.0");
        f.add(format!("{id}/json"), format!("{{\"id\":\"{id}\"}}"));
        parent = id;
    }
    let manifest = json!([{"Config": config_name, "RepoTags": [repo_tag], "Layers": layer_paths}]);
    f.add(
        "manifest.json",
        serde_json::to_vec(&manifest).unwrap_or_default(),
    );
    let (repo, tag) = repo_tag.rsplit_once(':').unwrap_or((repo_tag, "latest"));
    f.add(
        "repositories",
        serde_json::to_vec(&json!({repo: {tag: parent}})).unwrap_or_default(),
    );
    f
}

/// A Docker 25+ `docker save` archive: an OCI layout with uncompressed
/// layers plus `manifest.json` naming `blobs/sha256/…` paths. `blobs` must
/// be built with [`FxCompression::None`].
pub fn docker25(blobs: &Blobs, repo_tag: &str) -> Files {
    let mut f = oci_layout(
        blobs,
        repo_tag.rsplit_once(':').map_or("latest", |(_, t)| t),
    );
    let manifest = json!([{
        "Config": blobs.config_digest.layout_path(),
        "RepoTags": [repo_tag],
        "Layers": blobs.layers.iter().map(|l| l.digest.layout_path()).collect::<Vec<_>>(),
    }]);
    f.add(
        "manifest.json",
        serde_json::to_vec(&manifest).unwrap_or_default(),
    );
    f
}

/// An OCI layout whose `index.json` points at a nested index with an amd64
/// and an arm64/v8 image (same layers, different configs).
pub fn multi_arch(image: &FxImage) -> Files {
    let amd = image.blobs(FxCompression::Gzip);
    let mut arm_image = image.clone();
    arm_image.architecture = "arm64".into();
    arm_image.variant = Some("v8".into());
    let arm = arm_image.blobs(FxCompression::Gzip);
    let mut f = oci_layout(&amd, "unused");
    f.files.retain(|(p, _)| p != "index.json");
    f.add_blob(&arm.config_digest, &arm.config);
    f.add_blob(&arm.manifest_digest, &arm.manifest);
    let nested = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": amd.manifest_digest.to_string(), "size": amd.manifest.len(),
             "platform": {"architecture": "amd64", "os": "linux"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": arm.manifest_digest.to_string(), "size": arm.manifest.len(),
             "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": amd.manifest_digest.to_string(), "size": amd.manifest.len(),
             "platform": {"architecture": "unknown", "os": "unknown"},
             "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}
        ]
    }))
    .unwrap_or_default();
    let nested_digest = sha(&nested);
    f.add_blob(&nested_digest, &nested);
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": nested_digest.to_string(),
            "size": nested.len(),
            "annotations": {"org.opencontainers.image.ref.name": "multi"}
        }]
    });
    f.add("index.json", serde_json::to_vec(&index).unwrap_or_default());
    f
}
