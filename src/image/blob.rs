//! Where blobs live (a directory, a tar archive, a registry) and how they
//! are read: bounded, hashed and verified.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use sha2::Digest as _;

use super::error::ImageError;
use super::registry::Client;

/// Largest JSON document (index, manifest, config) we read into memory.
pub const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;
/// Most members we index in an outer archive.
const MAX_ARCHIVE_MEMBERS: usize = 1_000_000;
/// Most symlinks followed when resolving an archive member.
const MAX_LINK_HOPS: usize = 16;

/// A content digest such as `sha256:…`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    pub algorithm: Algorithm,
    pub hex: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Digest {
    /// Parses `algorithm:hex`, accepting only sha256 and sha512 with the
    /// right number of lower-case hex digits.
    pub fn parse(text: &str) -> Option<Digest> {
        let (alg, hex) = text.split_once(':')?;
        let (algorithm, len) = match alg {
            "sha256" => (Algorithm::Sha256, 64),
            "sha512" => (Algorithm::Sha512, 128),
            _ => return None,
        };
        let ok = hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    pub fn algorithm_name(&self) -> &'static str {
        match self.algorithm {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// The blob's path inside an OCI image layout.
    pub fn layout_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm_name(), self.hex)
    }

    pub fn of_bytes(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        let mut h = Hasher::new(algorithm);
        h.update(bytes);
        h.finish()
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm_name(), self.hex)
    }
}

/// A running sha256 or sha512.
#[derive(Clone)]
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> Digest {
        let (algorithm, bytes) = match self {
            Hasher::Sha256(h) => (Algorithm::Sha256, h.finalize().to_vec()),
            Hasher::Sha512(h) => (Algorithm::Sha512, h.finalize().to_vec()),
        };
        Digest {
            algorithm,
            hex: to_hex(&bytes),
        }
    }
}

pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Where a blob is found: a path inside a layout or archive, and/or its
/// digest (the only key a registry knows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobRef {
    pub path: String,
    pub digest: Option<Digest>,
}

impl BlobRef {
    pub fn digest(d: Digest) -> Self {
        BlobRef {
            path: d.layout_path(),
            digest: Some(d),
        }
    }

    pub fn path(path: impl Into<String>) -> Self {
        BlobRef {
            path: path.into(),
            digest: None,
        }
    }

    pub fn name(&self) -> String {
        match &self.digest {
            Some(d) => d.to_string(),
            None => self.path.clone(),
        }
    }
}

/// The container the image's blobs are read from.
#[derive(Clone)]
pub enum Store {
    Dir(PathBuf),
    Tar(Arc<TarIndex>),
    Registry(Arc<Client>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Store::Dir(p) => write!(f, "Dir({})", p.display()),
            Store::Tar(t) => write!(f, "Tar({})", t.path.display()),
            Store::Registry(c) => write!(f, "Registry({})", c.describe()),
        }
    }
}

pub type BlobReader = Box<dyn Read + Send>;

impl Store {
    /// Does the store hold a file at `path` (layouts and archives only)?
    pub fn has_path(&self, path: &str) -> bool {
        match self {
            Store::Dir(root) => safe_join(root, path).is_some_and(|p| p.is_file()),
            Store::Tar(t) => t.resolve(path).is_ok(),
            Store::Registry(_) => false,
        }
    }

    /// Opens a blob, returning the reader and its length when known.
    pub fn open(
        &self,
        blob: &BlobRef,
        what: &str,
    ) -> Result<(BlobReader, Option<u64>), ImageError> {
        let missing = || ImageError::MissingBlob {
            what: what.to_string(),
            name: blob.name(),
        };
        match self {
            Store::Dir(root) => {
                let path = safe_join(root, &blob.path).ok_or_else(missing)?;
                // refuse a layout whose blob links point outside it
                let real = std::fs::canonicalize(&path).map_err(|_| missing())?;
                let real_root =
                    std::fs::canonicalize(root).map_err(|e| ImageError::io(root.clone(), e))?;
                if !real.starts_with(&real_root) {
                    return Err(ImageError::invalid(
                        what,
                        format!("`{}` points outside the image layout", blob.path),
                    ));
                }
                let file = File::open(&real).map_err(|_| missing())?;
                let meta = file.metadata().map_err(|e| ImageError::io(&real, e))?;
                if !meta.is_file() {
                    return Err(missing());
                }
                Ok((Box::new(file), Some(meta.len())))
            }
            Store::Tar(index) => {
                let member = index.resolve(&blob.path).map_err(|e| match e {
                    ResolveError::Missing => missing(),
                    ResolveError::Bad(message) => ImageError::invalid(what, message),
                })?;
                if let Some(packed) = &index.packed {
                    let (name, _) = index.resolve_name(&blob.path).map_err(|_| missing())?;
                    if let Some(bytes) = packed.small.get(&name) {
                        let reader = io::Cursor::new(Arc::clone(bytes));
                        return Ok((Box::new(reader), Some(member.size)));
                    }
                    // decompress again up to the member
                    let mut stream =
                        unpack_archive(&index.path, packed.compression, packed.max_ratio)?;
                    let skipped = io::copy(&mut (&mut stream).take(member.offset), &mut io::sink())
                        .map_err(|e| super::layer::layer_error(what, e))?;
                    if skipped < member.offset {
                        return Err(missing());
                    }
                    return Ok((Box::new(stream.take(member.size)), Some(member.size)));
                }
                let mut file =
                    File::open(&index.path).map_err(|e| ImageError::io(index.path.clone(), e))?;
                file.seek(SeekFrom::Start(member.offset))
                    .map_err(|e| ImageError::io(index.path.clone(), e))?;
                Ok((Box::new(file.take(member.size)), Some(member.size)))
            }
            Store::Registry(client) => {
                let digest = blob.digest.as_ref().ok_or_else(missing)?;
                let reader = client.open_blob(digest)?;
                Ok((reader, None))
            }
        }
    }

    /// Reads a small JSON document, verifying its digest and size when
    /// expected ones are given.
    pub fn read_document(
        &self,
        blob: &BlobRef,
        expected_size: Option<u64>,
        what: &str,
    ) -> Result<Vec<u8>, ImageError> {
        let (reader, len) = self.open(blob, what)?;
        let limit = MAX_DOCUMENT_BYTES;
        if len.is_some_and(|l| l > limit) || expected_size.is_some_and(|l| l > limit) {
            return Err(ImageError::DocumentTooLarge {
                what: what.to_string(),
                limit,
            });
        }
        let mut bytes = Vec::new();
        reader
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ImageError::Layer {
                what: what.to_string(),
                message: format!("read failed: {e}"),
            })?;
        if bytes.len() as u64 > limit {
            return Err(ImageError::DocumentTooLarge {
                what: what.to_string(),
                limit,
            });
        }
        verify_bytes(&bytes, blob.digest.as_ref(), expected_size, what)?;
        Ok(bytes)
    }
}

/// Checks a whole in-memory blob against its descriptor.
pub fn verify_bytes(
    bytes: &[u8],
    digest: Option<&Digest>,
    size: Option<u64>,
    what: &str,
) -> Result<(), ImageError> {
    if let Some(expected) = size
        && expected != bytes.len() as u64
    {
        return Err(ImageError::SizeMismatch {
            what: what.to_string(),
            expected,
            actual: bytes.len() as u64,
        });
    }
    if let Some(d) = digest {
        let actual = Digest::of_bytes(d.algorithm, bytes);
        if &actual != d {
            return Err(ImageError::DigestMismatch {
                what: what.to_string(),
                expected: d.to_string(),
                actual: actual.to_string(),
            });
        }
    }
    Ok(())
}

/// Joins a relative, `..`-free path under `root`.
fn safe_join(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = Path::new(rel);
    let mut out = root.to_path_buf();
    for c in rel.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Normalises a path inside an archive: no leading `./` or `/`, no `.`
/// components; `..` pops a component and fails above the root.
pub fn normalize_member(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// One member of an outer archive.
#[derive(Clone, Debug)]
pub struct Member {
    pub offset: u64,
    pub size: u64,
    pub kind: MemberKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberKind {
    File,
    Dir,
    Symlink(String),
    HardLink(String),
    Other,
}

/// The member table of a tar archive, built in one pass over its headers.
/// A compressed archive (`docker save | gzip`) is decompressed on the fly:
/// offsets count decompressed bytes, and small members are kept in memory.
#[derive(Debug)]
pub struct TarIndex {
    pub path: PathBuf,
    pub members: HashMap<String, Member>,
    /// Set when the archive itself is compressed.
    pub packed: Option<Packed>,
}

/// What is known about a compressed archive.
#[derive(Debug)]
pub struct Packed {
    pub compression: super::layer::Compression,
    /// Largest accepted decompressed/compressed ratio.
    pub max_ratio: u64,
    /// Contents of the small regular members (manifests, configs, small
    /// layers), by normalised name.
    pub small: HashMap<String, Arc<[u8]>>,
}

/// Members up to this size are kept in memory when the archive is
/// compressed, up to [`MAX_KEPT_BYTES`] in all.
const MAX_KEPT_MEMBER: u64 = 4 * 1024 * 1024;
const MAX_KEPT_BYTES: u64 = 64 * 1024 * 1024;

/// Counts the bytes read from a compressed archive, for the ratio limit.
struct Counted<R> {
    inner: R,
    count: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// A decompressing reader over a whole compressed archive, with the ratio
/// limit applied once it has produced 64 MiB.
pub(crate) fn unpack_archive(
    path: &Path,
    compression: super::layer::Compression,
    max_ratio: u64,
) -> Result<BlobReader, ImageError> {
    use super::layer::Compression;
    let file = File::open(path).map_err(|e| ImageError::io(path, e))?;
    let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = io::BufReader::with_capacity(
        256 * 1024,
        Counted {
            inner: file,
            count: Arc::clone(&count),
        },
    );
    let decoded: BlobReader = match compression {
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(counted)),
        Compression::Zstd => Box::new(super::layer::ZstdFrames::new(counted)),
        Compression::None => Box::new(counted),
    };
    Ok(Box::new(super::layer::RatioLimit::new(
        decoded, count, max_ratio,
    )))
}

pub enum ResolveError {
    Missing,
    Bad(String),
}

/// The normalised name and table entry of an archive member; `None` for
/// PAX global headers and names climbing out of the archive (never a blob
/// we read).
pub(crate) fn member_of<R: Read>(entry: &tar::Entry<'_, R>) -> Option<(String, Member)> {
    let ty = entry.header().entry_type();
    if ty.is_pax_global_extensions() {
        return None;
    }
    let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    let name = normalize_member(&raw)?;
    let link = entry
        .link_name_bytes()
        .map(|l| String::from_utf8_lossy(&l).into_owned());
    let kind = match ty {
        tar::EntryType::Regular | tar::EntryType::Continuous => MemberKind::File,
        tar::EntryType::Directory => MemberKind::Dir,
        tar::EntryType::Symlink => MemberKind::Symlink(link.unwrap_or_default()),
        tar::EntryType::Link => MemberKind::HardLink(link.unwrap_or_default()),
        _ => MemberKind::Other,
    };
    Some((
        name,
        Member {
            offset: entry.raw_file_position(),
            size: entry.size(),
            kind,
        },
    ))
}

/// The outer archive file, with its headers watched so that long-name and
/// PAX entries, which the tar reader buffers, stay small.
struct GuardedFile {
    file: File,
    guard: super::layer::TarGuard,
}

impl Read for GuardedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.guard.feed(buf.get(..n).unwrap_or_default())?;
        Ok(n)
    }
}

impl Seek for GuardedFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let before = self.file.stream_position()?;
        let after = self.file.seek(pos)?;
        if after >= before {
            self.guard.skip(after - before);
        } else {
            return Err(io::Error::other("unexpected backward seek in the archive"));
        }
        Ok(after)
    }
}

impl TarIndex {
    /// Indexes the archive at `path`, compressed or not (the kind is told
    /// by its first bytes).
    pub fn build(path: &Path, max_ratio: u64) -> Result<TarIndex, ImageError> {
        let mut file = File::open(path).map_err(|e| ImageError::io(path, e))?;
        let mut magic = [0u8; 4];
        let mut got = 0;
        while got < magic.len() {
            match file.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => return Err(ImageError::io(path, e)),
            }
        }
        let compression = super::layer::Compression::sniff(magic.get(..got).unwrap_or_default());
        if compression != super::layer::Compression::None {
            return TarIndex::build_packed(path, compression, max_ratio);
        }
        file.seek(SeekFrom::Start(0))
            .map_err(|e| ImageError::io(path, e))?;
        let mut archive = tar::Archive::new(GuardedFile {
            file,
            guard: super::layer::TarGuard::default(),
        });
        let bad = |e: io::Error| ImageError::UnknownFormat {
            path: path.to_path_buf(),
            reason: match super::layer::metadata_limit(&e) {
                Some(limit) => limit,
                None => format!("not a readable tar archive ({e})"),
            },
        };
        let mut members = HashMap::new();
        for entry in archive.entries_with_seek().map_err(bad)? {
            let entry = entry.map_err(bad)?;
            if let Some((name, member)) = member_of(&entry) {
                members.insert(name, member);
            }
            if members.len() > MAX_ARCHIVE_MEMBERS {
                return Err(ImageError::TooManyEntries {
                    what: path.display().to_string(),
                    limit: MAX_ARCHIVE_MEMBERS as u64,
                });
            }
        }
        TarIndex::finish(path, members, None)
    }

    /// One pass over a compressed archive: the member table, and the
    /// contents of its small members.
    fn build_packed(
        path: &Path,
        compression: super::layer::Compression,
        max_ratio: u64,
    ) -> Result<TarIndex, ImageError> {
        let what = path.display().to_string();
        let kind = match compression {
            super::layer::Compression::Zstd => "zstd",
            _ => "gzip",
        };
        let stream = unpack_archive(path, compression, max_ratio)?;
        let mut archive = tar::Archive::new(super::layer::Guarded::new(stream));
        let bad = |e: io::Error| match super::layer::metadata_limit(&e) {
            Some(reason) => ImageError::UnknownFormat {
                path: path.to_path_buf(),
                reason,
            },
            None => {
                let text = e.to_string();
                match super::layer::layer_error(&what, e) {
                    // a decompression bomb stays one
                    ImageError::Layer { .. } => ImageError::UnknownFormat {
                        path: path.to_path_buf(),
                        reason: format!("its {kind} stream is truncated or corrupt ({text})"),
                    },
                    other => other,
                }
            }
        };
        let mut members = HashMap::new();
        let mut small = HashMap::new();
        let mut kept = 0u64;
        for entry in archive.entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            let Some((name, member)) = member_of(&entry) else {
                continue;
            };
            if member.kind == MemberKind::File
                && member.size <= MAX_KEPT_MEMBER
                && kept + member.size <= MAX_KEPT_BYTES
            {
                let mut bytes = Vec::with_capacity(usize::try_from(member.size).unwrap_or(0));
                entry.read_to_end(&mut bytes).map_err(bad)?;
                kept += bytes.len() as u64;
                small.insert(name.clone(), Arc::from(bytes));
            }
            members.insert(name, member);
            if members.len() > MAX_ARCHIVE_MEMBERS {
                return Err(ImageError::TooManyEntries {
                    what,
                    limit: MAX_ARCHIVE_MEMBERS as u64,
                });
            }
        }
        // the rest of the stream (end blocks, padding) must decode too
        let mut rest = archive.into_inner();
        io::copy(&mut rest, &mut io::sink()).map_err(bad)?;
        TarIndex::finish(
            path,
            members,
            Some(Packed {
                compression,
                max_ratio,
                small,
            }),
        )
    }

    fn finish(
        path: &Path,
        members: HashMap<String, Member>,
        packed: Option<Packed>,
    ) -> Result<TarIndex, ImageError> {
        if members.is_empty() {
            return Err(ImageError::UnknownFormat {
                path: path.to_path_buf(),
                reason: "empty or not a tar archive".into(),
            });
        }
        Ok(TarIndex {
            path: path.to_path_buf(),
            members,
            packed,
        })
    }

    /// Finds a regular-file member, following symlinks (relative to the
    /// link's directory) and hard links (archive-absolute), with a hop limit.
    pub fn resolve(&self, name: &str) -> Result<&Member, ResolveError> {
        self.resolve_name(name).map(|(_, m)| m)
    }

    /// Like [`TarIndex::resolve`], with the name of the member found.
    pub fn resolve_name(&self, name: &str) -> Result<(String, &Member), ResolveError> {
        let mut current = normalize_member(name).ok_or(ResolveError::Missing)?;
        for _ in 0..=MAX_LINK_HOPS {
            let member = self.members.get(&current).ok_or(ResolveError::Missing)?;
            match &member.kind {
                MemberKind::File => return Ok((current, member)),
                MemberKind::Symlink(target) => {
                    let base = current.rsplit_once('/').map_or("", |(dir, _)| dir);
                    let joined = if target.starts_with('/') {
                        target.clone()
                    } else {
                        format!("{base}/{target}")
                    };
                    current = normalize_member(&joined).ok_or_else(|| {
                        ResolveError::Bad(format!(
                            "archive member `{current}` links outside the archive"
                        ))
                    })?;
                }
                MemberKind::HardLink(target) => {
                    current = normalize_member(target).ok_or_else(|| {
                        ResolveError::Bad(format!(
                            "archive member `{current}` links outside the archive"
                        ))
                    })?;
                }
                MemberKind::Dir | MemberKind::Other => {
                    return Err(ResolveError::Bad(format!(
                        "archive member `{current}` is not a regular file"
                    )));
                }
            }
        }
        Err(ResolveError::Bad(format!(
            "archive member `{name}`: too many levels of links"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_digests_strictly() {
        let d = Digest::parse(&format!("sha256:{}", "a".repeat(64))).unwrap();
        assert_eq!(d.layout_path(), format!("blobs/sha256/{}", "a".repeat(64)));
        assert!(Digest::parse("sha256:abc").is_none());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64))).is_none());
        assert!(Digest::parse(&format!("md5:{}", "a".repeat(32))).is_none());
        assert!(Digest::parse("nonsense").is_none());
    }

    #[test]
    fn hashes_known_value() {
        let d = Digest::of_bytes(Algorithm::Sha256, b"");
        assert_eq!(
            d.hex,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn normalizes_member_names() {
        assert_eq!(normalize_member("./a/b/").as_deref(), Some("a/b"));
        assert_eq!(normalize_member("/a/./b").as_deref(), Some("a/b"));
        assert_eq!(normalize_member("a/../b").as_deref(), Some("b"));
        assert_eq!(normalize_member("../b"), None);
    }

    #[test]
    fn safe_join_refuses_escapes() {
        let root = Path::new("/r");
        assert!(safe_join(root, "../x").is_none());
        assert!(safe_join(root, "/etc/passwd").is_none());
        assert_eq!(
            safe_join(root, "blobs/x"),
            Some(PathBuf::from("/r/blobs/x"))
        );
    }
}
