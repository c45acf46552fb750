//! Reading one layer: detect the compression, stream the tar, record every
//! entry's metadata and a content hash, and verify the blob digest and the
//! diff_id on the way. Nothing is unpacked and no blob is held in memory.

use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use super::blob::{Algorithm, BlobRef, Digest, Store};
use super::error::ImageError;

/// Files whose content is kept (small, and read by the checks).
pub const CAPTURED_FILES: &[&str] = &["etc/passwd", "etc/group", "etc/shadow", "etc/gshadow"];
const MAX_CAPTURE_BYTES: u64 = 1024 * 1024;

/// Below this many uncompressed bytes the ratio limit is not applied, so
/// small, very compressible layers (a file of zeros) pass.
const RATIO_FLOOR_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression a stream's first bytes announce: gzip `1f 8b`, zstd
    /// `28 b5 2f fd`, else none.
    pub fn sniff(magic: &[u8]) -> Compression {
        if magic.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// The type of a layer entry. Whiteouts are entries too: they never reach
/// the merged filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    HardLink,
    CharDevice,
    BlockDevice,
    Fifo,
    /// `.wh.<name>`: deletes `<name>` from lower layers (`path` is `<name>`).
    Whiteout,
    /// `.wh..wh..opq`: hides the lower contents of a directory (`path` is
    /// the directory).
    Opaque,
    /// Another `.wh..wh.` name (AUFS metadata): never placed.
    Meta,
    /// An entry type we do not model.
    Other,
}

/// Something unsafe about an entry's name or link target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum EntryIssue {
    /// The name starts with `/`.
    AbsolutePath,
    /// The name has `..` components (still inside the root).
    DotDot,
    /// The name climbs out of the root; the entry was not placed.
    EscapesRoot,
    /// A symlink whose relative target climbs out of the root.
    SymlinkEscapes,
    /// A hard link whose target climbs out of the root.
    HardLinkEscapes,
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// Normalised, relative to the root, no trailing slash.
    pub path: String,
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Size in the tar header (0 for links, dirs and whiteouts).
    pub size: u64,
    /// xxh3 of the content (regular files; 0 when not hashed).
    pub hash: u64,
    /// Symlink or hard-link target, as written.
    pub link: Option<String>,
    /// The name as written, when it was not already normal.
    pub raw_name: Option<String>,
    pub issue: Option<EntryIssue>,
}

impl Entry {
    /// Whiteouts and other `.wh.` names: layer metadata, never placed.
    pub fn is_marker(&self) -> bool {
        matches!(
            self.kind,
            EntryKind::Whiteout | EntryKind::Opaque | EntryKind::Meta
        )
    }
}

/// What to read and what to expect.
#[derive(Clone, Debug)]
pub struct LayerSpec {
    pub index: usize,
    pub blob: BlobRef,
    /// Expected compressed size (from a descriptor).
    pub size: Option<u64>,
    /// Expected diff_id (from the config).
    pub diff_id: Option<Digest>,
}

impl LayerSpec {
    pub fn describe(&self) -> String {
        format!("layer {} ({})", self.index, self.blob.name())
    }
}

/// Limits that keep hostile layers bounded.
#[derive(Debug)]
pub struct Limits {
    pub max_ratio: u64,
    pub max_entries: u64,
    pub entries_seen: AtomicU64,
    /// Spent stream chunks, for the next ones.
    pub pool: ChunkPool,
}

/// Stream chunks kept for reuse across threads and layers, so that memory
/// is touched once, not once per layer.
#[derive(Debug, Default)]
pub struct ChunkPool(std::sync::Mutex<Vec<Vec<u8>>>);

/// Most spent chunks a pool keeps.
const POOL_CHUNKS: usize = 24;

impl ChunkPool {
    /// A chunk of [`CHUNK`] bytes (contents unspecified).
    pub(crate) fn take(&self) -> Vec<u8> {
        let mut chunk = self
            .0
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default();
        chunk.resize(CHUNK, 0);
        chunk
    }

    fn give(&self, chunk: Vec<u8>) {
        if chunk.capacity() >= CHUNK
            && let Ok(mut p) = self.0.lock()
            && p.len() < POOL_CHUNKS
        {
            p.push(chunk);
        }
    }
}

/// One layer, read.
#[derive(Clone, Debug)]
pub struct LayerScan {
    pub index: usize,
    pub compression: Compression,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub digest: Digest,
    pub diff_id: Digest,
    pub entries: Vec<Entry>,
    /// Content of [`CAPTURED_FILES`] written by this layer.
    pub captured: Vec<(String, Vec<u8>)>,
}

impl LayerScan {
    /// Sum of all entries' header sizes (dive's layer size).
    pub fn content_bytes(&self) -> u64 {
        self.entries
            .iter()
            .fold(0u64, |acc, e| acc.saturating_add(e.size))
    }
}

#[derive(Clone, Debug)]
enum LimitHit {
    Ratio {
        compressed: u64,
        uncompressed: u64,
        limit: u64,
    },
    /// A long-name or PAX entry larger than [`MAX_METADATA_BYTES`].
    Metadata { kind: char, size: u64 },
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for LimitHit {}

/// Applies the decompression-ratio limit to an uncompressed stream:
/// `compressed` counts the bytes read from the compressed source.
pub(crate) struct RatioLimit<R> {
    inner: R,
    compressed: std::sync::Arc<AtomicU64>,
    produced: u64,
    max_ratio: u64,
}

impl<R> RatioLimit<R> {
    pub(crate) fn new(inner: R, compressed: std::sync::Arc<AtomicU64>, max_ratio: u64) -> Self {
        RatioLimit {
            inner,
            compressed,
            produced: 0,
            max_ratio: max_ratio.max(1),
        }
    }
}

impl<R: Read> Read for RatioLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        if self.produced > RATIO_FLOOR_BYTES {
            let compressed = self.compressed.load(Ordering::Relaxed).max(1);
            if self.produced / compressed >= self.max_ratio {
                return Err(io::Error::other(LimitHit::Ratio {
                    compressed,
                    uncompressed: self.produced,
                    limit: self.max_ratio,
                }));
            }
        }
        Ok(n)
    }
}

/// A tar stream with its headers watched by a [`TarGuard`], so that the
/// metadata entries the tar reader buffers stay small.
pub(crate) struct Guarded<R> {
    inner: R,
    guard: TarGuard,
}

impl<R> Guarded<R> {
    pub(crate) fn new(inner: R) -> Self {
        Guarded {
            inner,
            guard: TarGuard::default(),
        }
    }
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.guard.feed(buf.get(..n).unwrap_or_default())?;
        Ok(n)
    }
}

/// Decodes concatenated zstd frames; skippable frames (zstd:chunked
/// metadata) are skipped.
pub(crate) struct ZstdFrames<R: BufRead> {
    src: R,
    dec: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    pub(crate) fn new(src: R) -> Self {
        let mut dec = ruzstd::decoding::FrameDecoder::new();
        // the reference decoder's default limit (window log 27): a frame
        // asking for a larger window is refused, so memory stays bounded
        dec.set_max_window_size(1 << 27);
        ZstdFrames {
            src,
            dec,
            in_frame: false,
        }
    }
}

fn zstd_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.in_frame {
                if self.dec.can_collect() > 0 {
                    return self.dec.read(buf);
                }
                if self.dec.is_finished() {
                    self.in_frame = false;
                    continue;
                }
                self.dec
                    .decode_blocks(
                        &mut self.src,
                        ruzstd::decoding::BlockDecodingStrategy::UptoBlocks(1),
                    )
                    .map_err(zstd_error)?;
                continue;
            }
            if self.src.fill_buf()?.is_empty() {
                return Ok(0);
            }
            match self.dec.init(&mut self.src) {
                Ok(()) => self.in_frame = true,
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped = io::copy(
                        &mut (&mut self.src).take(u64::from(length)),
                        &mut io::sink(),
                    )?;
                    if skipped < u64::from(length) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "zstd: truncated skippable frame",
                        ));
                    }
                }
                Err(e) => return Err(zstd_error(e)),
            }
        }
    }
}

/// Reads and verifies one layer.
pub fn scan_layer(
    store: &Store,
    spec: &LayerSpec,
    limits: &Limits,
) -> Result<LayerScan, ImageError> {
    let what = spec.describe();
    let (reader, len) = store.open(&spec.blob, &what)?;
    scan_reader(reader, len, spec, limits, &what)
}

/// Largest long-name or PAX record entry; the tar reader keeps these in
/// memory.
pub const MAX_METADATA_BYTES: u64 = 1024 * 1024;

/// Follows the tar structure of the decoded stream so that metadata
/// entries (GNU long names, PAX records), which the tar reader holds in
/// memory, stay small. It only looks at headers; the parser does the rest.
#[derive(Default)]
pub(crate) struct TarGuard {
    offset: u64,
    next_header: u64,
    block: Vec<u8>,
    /// A PAX entry being collected: (bytes left, data).
    pax: Option<(u64, Vec<u8>)>,
    pax_size: Option<u64>,
    /// Data size of a GNU sparse entry whose extension blocks follow.
    sparse_data: Option<u64>,
    done: bool,
}

fn round_block(n: u64) -> u64 {
    n.div_ceil(512).saturating_mul(512)
}

fn header_size(field: &[u8]) -> Option<u64> {
    match field.first() {
        Some(b) if b & 0x80 != 0 => field
            .get(1..)?
            .iter()
            .try_fold(u64::from(b & 0x7f), |acc, x| {
                acc.checked_mul(256)?.checked_add(u64::from(*x))
            }),
        _ => {
            let text = std::str::from_utf8(field).ok()?;
            let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
            if digits.is_empty() {
                Some(0)
            } else {
                u64::from_str_radix(digits, 8).ok()
            }
        }
    }
}

fn pax_size(data: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(data);
    text.lines().find_map(|record| {
        let (_, kv) = record.split_once(' ')?;
        kv.strip_prefix("size=")?.trim().parse().ok()
    })
}

impl TarGuard {
    /// Bytes passed over without being read (a seek over entry data).
    pub(crate) fn skip(&mut self, n: u64) {
        if let Some((left, _)) = self.pax.as_mut() {
            *left = left.saturating_sub(n);
        }
        self.offset = self.offset.saturating_add(n);
    }

    pub(crate) fn feed(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() && !self.done {
            if self.offset < self.next_header {
                let skip = usize::try_from(self.next_header - self.offset)
                    .unwrap_or(usize::MAX)
                    .min(buf.len());
                if let Some((left, data)) = self.pax.as_mut() {
                    let take = usize::try_from(*left).unwrap_or(usize::MAX).min(skip);
                    data.extend_from_slice(buf.get(..take).unwrap_or_default());
                    *left -= take as u64;
                }
                self.offset += skip as u64;
                buf = buf.get(skip..).unwrap_or_default();
                continue;
            }
            let take = (512 - self.block.len()).min(buf.len());
            self.block
                .extend_from_slice(buf.get(..take).unwrap_or_default());
            self.offset += take as u64;
            buf = buf.get(take..).unwrap_or_default();
            if self.block.len() < 512 {
                continue;
            }
            let hdr = std::mem::take(&mut self.block);
            if let Some((_, data)) = self.pax.take() {
                self.pax_size = pax_size(&data);
            }
            if let Some(size) = self.sparse_data {
                // a GNU sparse extension block; the last one has flag 0
                if hdr.get(504).copied().unwrap_or(0) == 0 {
                    self.sparse_data = None;
                    self.next_header = self.offset.saturating_add(round_block(size));
                } else {
                    self.next_header = self.offset;
                }
                continue;
            }
            if hdr.iter().all(|b| *b == 0) {
                self.done = true;
                continue;
            }
            let kind = hdr.get(156).copied().unwrap_or(0);
            let Some(mut size) = hdr.get(124..136).and_then(header_size) else {
                // the parser reports the broken header
                self.done = true;
                continue;
            };
            if matches!(kind, b'x' | b'g' | b'L' | b'K') {
                if size > MAX_METADATA_BYTES {
                    return Err(io::Error::other(LimitHit::Metadata {
                        kind: char::from(kind),
                        size,
                    }));
                }
                if kind == b'x' {
                    self.pax = Some((size, Vec::new()));
                }
            } else if let Some(s) = self.pax_size.take() {
                size = s;
            }
            if kind == b'S' && hdr.get(482).copied().unwrap_or(0) != 0 {
                self.sparse_data = Some(size);
                self.next_header = self.offset;
            } else {
                self.next_header = self.offset.saturating_add(round_block(size));
            }
        }
        Ok(())
    }
}

/// What the decoding thread measured.
struct StreamInfo {
    compression: Compression,
    compressed_size: u64,
    digest: Digest,
    uncompressed_size: u64,
    diff_id: Digest,
}

const CHUNK: usize = 1024 * 1024;

/// Reads the blob, detects the compression, decodes, hashes both streams
/// and hands the tar stream over in chunks. Runs on its own thread, so
/// hashing and tar parsing overlap.
fn decode_stream(
    mut raw: ChunkReader<'_>,
    blob_alg: Algorithm,
    diff_alg: Algorithm,
    max_ratio: u64,
    tx: &SyncSender<io::Result<Vec<u8>>>,
) -> io::Result<StreamInfo> {
    let magic = raw
        .fill_buf()?
        .get(..4)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let compression = Compression::sniff(&magic);
    let mut guard = TarGuard::default();
    let mut uncompressed = 0u64;
    if compression == Compression::None {
        // the blob is the tar stream, hashed once (digest and diff_id) as it
        // arrives; its chunks go on to the parser as they are
        while let Some(chunk) = raw.take_chunk()? {
            guard.feed(&chunk)?;
            uncompressed += chunk.len() as u64;
            if tx.send(Ok(chunk)).is_err() {
                // the parser stopped (and reports why)
                return Err(io::Error::other("layer reading stopped"));
            }
        }
        let diff_id = raw.finish_hash(diff_alg);
        return Ok(StreamInfo {
            compression,
            compressed_size: raw.received,
            digest: diff_id.clone(),
            uncompressed_size: uncompressed,
            diff_id,
        });
    }
    let compressed = std::sync::Arc::clone(&raw.count);
    let pool = raw.pool;
    let mut decoded: Box<dyn Read + '_> = match compression {
        Compression::Zstd => Box::new(RatioLimit::new(
            ZstdFrames::new(&mut raw),
            compressed,
            max_ratio,
        )),
        _ => Box::new(RatioLimit::new(
            flate2::bufread::MultiGzDecoder::new(&mut raw),
            compressed,
            max_ratio,
        )),
    };
    let mut diff = super::blob::Hasher::new(diff_alg);
    loop {
        let mut chunk = pool.take();
        let mut filled = 0;
        while filled < CHUNK {
            let n = decoded.read(chunk.get_mut(filled..).unwrap_or_default())?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        chunk.truncate(filled);
        diff.update(&chunk);
        guard.feed(&chunk)?;
        uncompressed += filled as u64;
        if tx.send(Ok(chunk)).is_err() {
            // the parser stopped (and reports why)
            return Err(io::Error::other("layer reading stopped"));
        }
    }
    drop(decoded);
    // bytes after the compressed stream still belong to the blob
    while raw.take_chunk()?.is_some() {}
    Ok(StreamInfo {
        compression,
        compressed_size: raw.received,
        digest: raw.finish_hash(blob_alg),
        uncompressed_size: uncompressed,
        diff_id: diff.finish(),
    })
}

/// Reads `reader` in chunks and sends them on, until the end, an error, or
/// the receiving side stops. Runs on its own thread, so reading overlaps
/// hashing.
fn pump(
    mut reader: Box<dyn Read + Send + '_>,
    tx: &SyncSender<io::Result<Vec<u8>>>,
    pool: &ChunkPool,
) {
    loop {
        let mut chunk = pool.take();
        let mut filled = 0;
        while filled < CHUNK {
            match reader.read(chunk.get_mut(filled..).unwrap_or_default()) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if filled == 0 {
            return;
        }
        chunk.truncate(filled);
        if tx.send(Ok(chunk)).is_err() {
            return;
        }
    }
}

/// A stream, as chunks from another thread.
pub(crate) struct ChunkReader<'p> {
    rx: Receiver<io::Result<Vec<u8>>>,
    /// Where spent chunks go.
    pool: &'p ChunkPool,
    chunk: Vec<u8>,
    pos: usize,
    /// Bytes consumed so far (the stream position).
    consumed: u64,
    /// Bytes received so far.
    received: u64,
    /// The same count, for a ratio limit on another reader.
    count: std::sync::Arc<AtomicU64>,
    /// Hashes every chunk received.
    hasher: Option<super::blob::Hasher>,
}

impl<'p> ChunkReader<'p> {
    /// A reader of the chunks `rx` delivers; spent chunks go to `pool`,
    /// and every chunk is hashed with `hash`.
    pub(crate) fn new(
        rx: Receiver<io::Result<Vec<u8>>>,
        pool: &'p ChunkPool,
        hash: Option<Algorithm>,
    ) -> Self {
        ChunkReader {
            rx,
            pool,
            chunk: Vec::new(),
            pos: 0,
            consumed: 0,
            received: 0,
            count: std::sync::Arc::default(),
            hasher: hash.map(super::blob::Hasher::new),
        }
    }

    /// The rest of the current chunk, or the next one; `None` at the end.
    fn take_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        if !self.fill()? {
            return Ok(None);
        }
        let mut chunk = std::mem::take(&mut self.chunk);
        if self.pos > 0 {
            chunk.drain(..self.pos);
        }
        self.consumed += chunk.len() as u64;
        self.pos = 0;
        Ok(Some(chunk))
    }

    /// The digest of everything received (the empty stream's without a
    /// hasher).
    fn finish_hash(&mut self, algorithm: Algorithm) -> Digest {
        self.hasher.take().map_or_else(
            || Digest::of_bytes(algorithm, b""),
            super::blob::Hasher::finish,
        )
    }

    /// Makes sure the current chunk has unread bytes; `false` at the end.
    fn fill(&mut self) -> io::Result<bool> {
        while self.pos >= self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(c)) => {
                    self.received += c.len() as u64;
                    self.count.store(self.received, Ordering::Relaxed);
                    if let Some(h) = self.hasher.as_mut() {
                        h.update(&c);
                    }
                    let spent = std::mem::replace(&mut self.chunk, c);
                    self.pool.give(spent);
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(false),
            }
        }
        Ok(true)
    }
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.fill()? {
            return Ok(0);
        }
        let available = self.chunk.get(self.pos..).unwrap_or_default();
        let n = available.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), available.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl BufRead for ChunkReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if !self.fill()? {
            return Ok(&[]);
        }
        Ok(self.chunk.get(self.pos..).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        let n = amount.min(self.chunk.len().saturating_sub(self.pos));
        self.pos += n;
        self.consumed += n as u64;
    }
}

/// Forward seeks only: the tar reader skips entry data and padding this
/// way, without copying it.
impl io::Seek for ChunkReader<'_> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let io::SeekFrom::Current(delta) = pos else {
            return Err(io::Error::other("a layer stream seeks only forward"));
        };
        let mut left = u64::try_from(delta)
            .map_err(|_| io::Error::other("a layer stream seeks only forward"))?;
        while left > 0 {
            if !self.fill()? {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "unexpected EOF during skip",
                ));
            }
            let available = (self.chunk.len() - self.pos) as u64;
            let n = available.min(left);
            self.pos += n as usize;
            self.consumed += n;
            left -= n;
        }
        Ok(self.consumed)
    }
}

pub(crate) fn scan_reader(
    reader: Box<dyn Read + Send + '_>,
    len: Option<u64>,
    spec: &LayerSpec,
    limits: &Limits,
    what: &str,
) -> Result<LayerScan, ImageError> {
    if let (Some(expected), Some(actual)) = (spec.size, len)
        && expected != actual
    {
        return Err(ImageError::SizeMismatch {
            what: what.to_string(),
            expected,
            actual,
        });
    }
    let diff_alg = spec
        .diff_id
        .as_ref()
        .map_or(Algorithm::Sha256, |d| d.algorithm);
    // an uncompressed blob is hashed once, for both
    let blob_alg = spec.blob.digest.as_ref().map_or(diff_alg, |d| d.algorithm);
    if spec.blob.digest.is_some() && spec.diff_id.is_some() && blob_alg != diff_alg {
        return Err(ImageError::invalid(
            what,
            "the blob digest and the diff_id use different algorithms",
        ));
    }
    let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(3);
    let (raw_tx, raw_rx) = sync_channel::<io::Result<Vec<u8>>>(3);
    // never read past the declared size, so an endless response stops
    let bounded: Box<dyn Read + Send + '_> = match spec.size {
        Some(s) => Box::new(reader.take(s.saturating_add(1))),
        None => reader,
    };
    let max_ratio = limits.max_ratio;
    let pool = &limits.pool;
    let (parsed, stream) = std::thread::scope(|s| {
        // three threads: reading the blob, hashing and decoding it, parsing
        // the tar stream
        s.spawn(move || pump(bounded, &raw_tx, pool));
        let raw = ChunkReader::new(raw_rx, pool, Some(blob_alg));
        let producer = s.spawn(move || {
            let r = decode_stream(raw, blob_alg, diff_alg, max_ratio, &tx);
            if let Err(e) = &r {
                // let the parser see the cause
                let _ = tx.send(Err(duplicate_error(e)));
            }
            r
        });
        let parsed = parse_tar(ChunkReader::new(rx, pool, None), limits, what);
        let stream = producer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("layer decoding failed")));
        (parsed, stream)
    });
    let (entries, captured) = parsed?;
    let info = stream.map_err(|e| layer_error(what, e))?;
    let StreamInfo {
        compression,
        compressed_size,
        digest,
        uncompressed_size,
        diff_id,
    } = info;
    let scan = LayerScan {
        index: spec.index,
        compression,
        compressed_size,
        uncompressed_size,
        digest,
        diff_id,
        entries,
        captured,
    };
    verify(&scan, spec, what)?;
    Ok(scan)
}

/// Checks what was read against what the image expects: the blob's size
/// and digest, and the diff_id.
pub(crate) fn verify(scan: &LayerScan, spec: &LayerSpec, what: &str) -> Result<(), ImageError> {
    if let Some(expected) = spec.size
        && expected != scan.compressed_size
    {
        return Err(ImageError::SizeMismatch {
            what: what.to_string(),
            expected,
            actual: scan.compressed_size,
        });
    }
    if let Some(expected) = &spec.blob.digest {
        // a docker-save blob named by its diff_id is the uncompressed stream
        if expected != &scan.digest {
            return Err(ImageError::DigestMismatch {
                what: what.to_string(),
                expected: expected.to_string(),
                actual: scan.digest.to_string(),
            });
        }
    }
    if let Some(expected) = &spec.diff_id
        && expected != &scan.diff_id
    {
        return Err(ImageError::DigestMismatch {
            what: format!("{what} (uncompressed, diff_id)"),
            expected: expected.to_string(),
            actual: scan.diff_id.to_string(),
        });
    }
    Ok(())
}

type Parsed = (Vec<Entry>, Vec<(String, Vec<u8>)>);

/// Walks the tar stream, recording entries; drains it to the end.
fn parse_tar(stream: ChunkReader<'_>, limits: &Limits, what: &str) -> Result<Parsed, ImageError> {
    let mut archive = tar::Archive::new(stream);
    let mut entries = Vec::new();
    let mut captured = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let iter = archive
        .entries_with_seek()
        .map_err(|e| layer_error(what, e))?;
    for item in iter {
        let mut entry = item.map_err(|e| layer_error(what, e))?;
        let ty = entry.header().entry_type();
        if ty.is_pax_global_extensions() || ty.is_pax_local_extensions() {
            continue;
        }
        if limits.entries_seen.fetch_add(1, Ordering::Relaxed) >= limits.max_entries {
            return Err(ImageError::TooManyEntries {
                what: what.to_string(),
                limit: limits.max_entries,
            });
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned());
        let header = entry.header();
        let mode = header.mode().unwrap_or(0);
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);
        let size = entry.size();
        let mut kind = match ty {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::HardLink,
            tar::EntryType::Char => EntryKind::CharDevice,
            tar::EntryType::Block => EntryKind::BlockDevice,
            tar::EntryType::Fifo => EntryKind::Fifo,
            _ => EntryKind::Other,
        };
        let (mut path, mut issue) = normalize_entry_name(&raw_name);
        if path.is_empty() && issue.is_none() {
            // the root directory itself
            continue;
        }
        // whiteouts
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d.to_string(), b.to_string()),
            None => (String::new(), path.clone()),
        };
        if let Some(rest) = base.strip_prefix(".wh.") {
            if base == ".wh..wh..opq" {
                kind = EntryKind::Opaque;
                path = dir;
            } else if rest.starts_with(".wh.") {
                kind = EntryKind::Meta;
            } else {
                kind = EntryKind::Whiteout;
                path = if dir.is_empty() {
                    rest.to_string()
                } else {
                    format!("{dir}/{rest}")
                };
            }
        }
        if issue.is_none() {
            issue = link_issue(kind, &path, link.as_deref());
        }
        // 0 means "content not hashed": sparse files are not expanded, since
        // a tiny sparse entry can describe a hole of many gigabytes
        let mut hash = 0;
        if kind == EntryKind::File && ty != tar::EntryType::GNUSparse {
            let mut hasher = Xxh3::new();
            let capture = size <= MAX_CAPTURE_BYTES && CAPTURED_FILES.contains(&path.as_str());
            let mut content = Vec::new();
            loop {
                let n = entry.read(&mut buf).map_err(|e| layer_error(what, e))?;
                if n == 0 {
                    break;
                }
                let chunk = buf.get(..n).unwrap_or_default();
                hasher.update(chunk);
                if capture {
                    content.extend_from_slice(chunk);
                }
            }
            hash = hasher.digest();
            if capture {
                captured.push((path.clone(), content));
            }
        }
        let raw_name = (raw_name.trim_end_matches('/') != path).then_some(raw_name);
        entries.push(Entry {
            path,
            kind,
            mode,
            uid,
            gid,
            size,
            hash,
            link,
            raw_name,
            issue,
        });
    }
    // drain the end-of-archive blocks and padding so the hashes cover the
    // whole stream
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|e| layer_error(what, e))?;
    Ok((entries, captured))
}

pub(crate) fn layer_error(what: &str, e: io::Error) -> ImageError {
    if let Some(hit) = e.get_ref().and_then(|inner| find_limit(inner, 0)) {
        return match hit {
            LimitHit::Ratio {
                compressed,
                uncompressed,
                limit,
            } => ImageError::DecompressionBomb {
                what: what.to_string(),
                limit: *limit,
                compressed: *compressed,
                uncompressed: *uncompressed,
            },
            LimitHit::Metadata { kind, size } => ImageError::Layer {
                what: what.to_string(),
                message: format!(
                    "tar metadata entry of type `{kind}` has {size} bytes, more than the {MAX_METADATA_BYTES}-byte limit"
                ),
            },
        };
    }
    let text = e.to_string();
    let message = if e.kind() == io::ErrorKind::UnexpectedEof
        || text.contains("unexpected EOF")
        || text.contains("failed to fill whole buffer")
    {
        format!("truncated or corrupt blob ({text})")
    } else {
        format!("corrupt layer ({text})")
    };
    ImageError::Layer {
        what: what.to_string(),
        message,
    }
}

/// Describes a metadata-size limit hit, if that is what `e` is.
pub(crate) fn metadata_limit(e: &io::Error) -> Option<String> {
    match e.get_ref().and_then(|inner| find_limit(inner, 0))? {
        LimitHit::Metadata { kind, size } => Some(format!(
            "tar metadata entry of type `{kind}` has {size} bytes, more than the {MAX_METADATA_BYTES}-byte limit"
        )),
        LimitHit::Ratio { .. } => None,
    }
}

/// A copy of an I/O error for the other thread, keeping our limit errors.
pub(crate) fn duplicate_error(e: &io::Error) -> io::Error {
    match e.get_ref().and_then(|inner| find_limit(inner, 0)) {
        Some(hit) => io::Error::other(hit.clone()),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

/// Finds our limit error however deep the decoders and the tar reader
/// wrapped it.
fn find_limit<'a>(
    e: &'a (dyn std::error::Error + Send + Sync + 'static),
    depth: usize,
) -> Option<&'a LimitHit> {
    if depth > 8 {
        return None;
    }
    if let Some(hit) = e.downcast_ref::<LimitHit>() {
        return Some(hit);
    }
    if let Some(io) = e.downcast_ref::<io::Error>()
        && let Some(inner) = io.get_ref()
    {
        return find_limit(inner, depth + 1);
    }
    let mut cur = e.source();
    while let Some(x) = cur {
        if let Some(hit) = x.downcast_ref::<LimitHit>() {
            return Some(hit);
        }
        if let Some(io) = x.downcast_ref::<io::Error>()
            && let Some(inner) = io.get_ref()
        {
            return find_limit(inner, depth + 1);
        }
        cur = x.source();
    }
    None
}

/// Normalises an entry name: relative, no `.`/`..`, no trailing slash.
pub fn normalize_entry_name(raw: &str) -> (String, Option<EntryIssue>) {
    let mut issue = raw.starts_with('/').then_some(EntryIssue::AbsolutePath);
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return (String::new(), Some(EntryIssue::EscapesRoot));
                }
                issue = Some(EntryIssue::DotDot);
            }
            p => parts.push(p),
        }
    }
    (parts.join("/"), issue)
}

/// Does a link target climb out of the root?
fn link_issue(kind: EntryKind, path: &str, link: Option<&str>) -> Option<EntryIssue> {
    let target = link?;
    match kind {
        EntryKind::Symlink if !target.starts_with('/') => {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            let mut depth: i64 = dir.split('/').filter(|p| !p.is_empty()).count() as i64;
            for part in target.split('/') {
                match part {
                    "" | "." => {}
                    ".." => {
                        depth -= 1;
                        if depth < 0 {
                            return Some(EntryIssue::SymlinkEscapes);
                        }
                    }
                    _ => depth += 1,
                }
            }
            None
        }
        EntryKind::HardLink => {
            let (_, issue) = normalize_entry_name(target);
            (issue == Some(EntryIssue::EscapesRoot)).then_some(EntryIssue::HardLinkEscapes)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_are_normalized() {
        assert_eq!(normalize_entry_name("./a/b/"), ("a/b".into(), None));
        assert_eq!(
            normalize_entry_name("/etc/passwd"),
            ("etc/passwd".into(), Some(EntryIssue::AbsolutePath))
        );
        assert_eq!(
            normalize_entry_name("a/../b"),
            ("b".into(), Some(EntryIssue::DotDot))
        );
        assert_eq!(
            normalize_entry_name("../../etc/passwd").1,
            Some(EntryIssue::EscapesRoot)
        );
    }

    #[test]
    fn tar_guard_follows_headers_and_limits_metadata() {
        let mut b = tar::Builder::new(Vec::new());
        let long = format!("{}/file", "d".repeat(300));
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o644);
        b.append_data(&mut h, &long, &b"abc"[..]).unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_size(0);
        h.set_entry_type(tar::EntryType::Directory);
        b.append_data(&mut h, "dir/", std::io::empty()).unwrap();
        let tar = b.into_inner().unwrap();
        let mut g = TarGuard::default();
        // byte by byte: headers split across chunks
        for byte in &tar {
            g.feed(std::slice::from_ref(byte)).unwrap();
        }
        assert!(g.done, "reached the end-of-archive block");

        // a GNU long name of 2 MiB is refused before it is buffered
        let mut bomb = Vec::new();
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::GNULongName);
        h.set_size(2 * 1024 * 1024);
        h.set_cksum();
        bomb.extend_from_slice(h.as_bytes());
        let err = TarGuard::default().feed(&bomb).unwrap_err();
        assert!(find_limit(err.get_ref().unwrap(), 0).is_some());
    }

    #[test]
    fn tar_guard_applies_pax_sizes() {
        let mut g = TarGuard::default();
        let record = b"16 size=1048576\n";
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_size(record.len() as u64);
        h.set_cksum();
        g.feed(h.as_bytes()).unwrap();
        g.feed(record).unwrap();
        g.feed(&[0u8; 512 - 16]).unwrap();
        let mut f = tar::Header::new_ustar();
        f.set_size(0);
        f.set_cksum();
        g.feed(f.as_bytes()).unwrap();
        assert_eq!(g.next_header, 512 * 3 + 1_048_576);
        assert!(!g.done);
    }

    #[test]
    fn zstd_frames_and_skippable_frames_decode() {
        let a = crate::image::fixture::seeded_bytes(1, 300_000);
        let b = b"second frame".to_vec();
        let mut stream = ruzstd::encoding::compress_to_vec(
            a.as_slice(),
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        // a skippable frame between two frames
        stream.extend_from_slice(&0x184D_2A50u32.to_le_bytes());
        stream.extend_from_slice(&5u32.to_le_bytes());
        stream.extend_from_slice(b"meta!");
        stream.extend(ruzstd::encoding::compress_to_vec(
            b.as_slice(),
            ruzstd::encoding::CompressionLevel::Fastest,
        ));
        let mut out = Vec::new();
        ZstdFrames::new(std::io::BufReader::new(stream.as_slice()))
            .read_to_end(&mut out)
            .unwrap();
        let mut want = a.clone();
        want.extend_from_slice(&b);
        assert_eq!(out, want);
        // a truncated stream is an error, not a short read
        let cut = &stream[..stream.len() / 3];
        let mut out = Vec::new();
        assert!(
            ZstdFrames::new(std::io::BufReader::new(cut))
                .read_to_end(&mut out)
                .is_err()
        );
    }

    #[test]
    fn symlink_escapes_are_detected() {
        let k = EntryKind::Symlink;
        assert_eq!(link_issue(k, "bin/sh", Some("busybox")), None);
        assert_eq!(link_issue(k, "bin/sh", Some("/bin/busybox")), None);
        assert_eq!(link_issue(k, "a/b/c", Some("../../x")), None);
        assert_eq!(
            link_issue(k, "a/b/c", Some("../../../etc/shadow")),
            Some(EntryIssue::SymlinkEscapes)
        );
        assert_eq!(
            link_issue(EntryKind::HardLink, "a", Some("../../etc/shadow")),
            Some(EntryIssue::HardLinkEscapes)
        );
    }
}
