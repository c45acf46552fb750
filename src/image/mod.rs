//! Container image analysis without a container engine.
//!
//! [`open`] finds an image (OCI layout directory or tar, `docker save` tar,
//! registry) and reads its manifest and config; [`analyze`] streams every
//! layer once, verifies digests, stacks the layers into the merged
//! filesystem, accounts for every hidden byte, computes dive-compatible
//! numbers, evaluates CI gates and runs the image checks.
//!
//! ```no_run
//! use imglint::image::{self, AnalyzeOptions, Options};
//! let img = image::open("oci:./build/oci", &Options::default())?;
//! let analysis = image::analyze(&img, &AnalyzeOptions::default())?;
//! println!("{} bytes reclaimable", analysis.waste.reclaimable_bytes);
//! # Ok::<(), image::ImageError>(())
//! ```

pub mod blob;
pub mod checks;
pub mod config;
pub mod dive;
pub mod dockerfile;
mod error;
pub mod findings;
#[doc(hidden)]
pub mod fixture;
pub mod fs;
pub mod layer;
pub mod registry;
pub mod report;
pub mod source;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use serde::Serialize;

pub use checks::{Category, Severity, Subject};
pub use config::ImageConfig;
pub use dive::DiveMetrics;
pub use error::ImageError;
pub use fs::{LayerChanges, Merge, MergedFs, WasteEntry, WasteReason};
pub use layer::{Compression, LayerScan, LayerSpec};
pub use source::{Platform, SourceFormat};

use blob::Store;

/// How to find and read an image.
#[derive(Clone, Debug)]
pub struct Options {
    /// `os/arch[/variant]` to pick from a multi-platform index.
    pub platform: Option<String>,
    /// Talk plain HTTP to the registry.
    pub insecure: bool,
    /// The Docker config file with registry credentials.
    pub docker_config: Option<PathBuf>,
    /// Largest accepted decompressed/compressed ratio of a layer (applied
    /// once a layer has produced 64 MiB).
    pub max_compression_ratio: u64,
    /// Most filesystem entries over all layers.
    pub max_entries: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            platform: None,
            insecure: false,
            docker_config: None,
            max_compression_ratio: 200,
            max_entries: 2_000_000,
        }
    }
}

impl Options {
    fn limits(&self) -> (u64, u64) {
        (self.max_compression_ratio, self.max_entries)
    }
}

/// One layer of an opened image.
#[derive(Clone, Debug)]
pub struct LayerInfo {
    pub media_type: Option<String>,
    pub spec: LayerSpec,
}

/// An opened image: its metadata is read and verified, its layers not yet.
#[derive(Debug)]
pub struct Image {
    /// The source as given.
    pub source: String,
    pub format: SourceFormat,
    /// Tags or names recorded with the image.
    pub names: Vec<String>,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    pub config: ImageConfig,
    pub layers: Vec<LayerInfo>,
    store: Store,
    /// (max ratio, max entries)
    limits: (u64, u64),
}

/// Opens an image.
///
/// `source` is a path to an OCI image layout directory, an OCI layout tar
/// or a `docker save` tar (the kind is detected; `oci:`, `oci-archive:` and
/// `docker-archive:` prefixes are accepted, and `PATH:TAG` picks a tagged
/// image), or a registry reference (`registry.example.com/repo:tag`,
/// optionally prefixed `registry:` or `docker://`).
pub fn open(source: &str, options: &Options) -> Result<Image, ImageError> {
    source::open(source, options)
}

/// CI thresholds, on the dive-compatible numbers (as dive's `--ci`).
#[derive(Clone, Debug, Default)]
pub struct Gates {
    pub min_efficiency: Option<f64>,
    pub max_wasted_bytes: Option<u64>,
    pub max_wasted_ratio: Option<f64>,
}

/// What to compute.
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    pub gates: Gates,
    /// Map layers and findings to this Dockerfile's instructions.
    pub dockerfile: Option<PathBuf>,
    /// Skip the image checks.
    pub no_checks: bool,
    /// Which checks run, at which severity (the rule selection).
    pub selection: crate::rules::Selection,
    /// Ignore `# imglint ignore=` / `# hadolint ignore=` comments in the
    /// Dockerfile.
    pub disable_pragmas: bool,
    /// Layers read concurrently (0: one per core, at most 4).
    pub jobs: usize,
}

/// Where a layer came from in the Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DockerfileLocation {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    /// Byte range `[start, end)` of the instruction.
    pub span: (u32, u32),
    pub instruction: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LayerReport {
    pub index: usize,
    pub digest: String,
    pub diff_id: String,
    pub media_type: Option<String>,
    pub compression: Compression,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    pub content_bytes: u64,
    pub entries: usize,
    pub files_added: u64,
    pub files_changed: u64,
    pub files_deleted: u64,
    /// Bytes this layer wrote that a later layer hid.
    pub wasted_bytes: u64,
    pub history_index: Option<usize>,
    pub created_by: Option<String>,
    pub dockerfile: Option<DockerfileLocation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WasteReport {
    pub reclaimable_bytes: u64,
    pub total_content_bytes: u64,
    pub visible_content_bytes: u64,
    /// Bytes per reason.
    pub by_reason: std::collections::BTreeMap<WasteReason, u64>,
    /// Largest first.
    pub entries: Vec<WasteEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GateResult {
    pub name: &'static str,
    pub limit: f64,
    pub actual: f64,
    pub passed: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImageSummary {
    pub source: String,
    pub format: SourceFormat,
    pub names: Vec<String>,
    pub platform: String,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    pub compressed_bytes: u64,
    pub uncompressed_bytes: u64,
    pub content_bytes: u64,
    pub dockerfile: Option<String>,
}

/// Everything [`analyze`] found; serialises to the stable JSON report.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// Format version of the JSON report.
    pub version: u32,
    pub image: ImageSummary,
    pub layers: Vec<LayerReport>,
    pub waste: WasteReport,
    pub dive: DiveMetrics,
    pub gates: Vec<GateResult>,
    /// The findings, as reports for the shared renderers: the image's
    /// (findings without a source location) first, then the Dockerfile's
    /// when one was given. The JSON report lists them under `findings`.
    #[serde(skip)]
    pub reports: Vec<crate::lint::FileReport>,
}

impl Analysis {
    pub fn gates_failed(&self) -> bool {
        self.gates.iter().any(|g| !g.passed)
    }

    /// All findings, the image's first.
    pub fn findings(&self) -> impl Iterator<Item = &crate::rules::Finding> {
        self.reports.iter().flat_map(|r| &r.findings)
    }
}

/// Reads every layer (concurrently, each streamed once).
pub fn scan_layers(image: &Image, jobs: usize) -> Result<Vec<LayerScan>, ImageError> {
    let limits = layer::Limits {
        max_ratio: image.limits.0,
        max_entries: image.limits.1,
        entries_seen: AtomicU64::new(0),
        pool: layer::ChunkPool::default(),
    };
    if let Store::Tar(index) = &image.store
        && let Some(packed) = &index.packed
    {
        return scan_packed(image, index, packed, &limits);
    }
    let n = image.layers.len();
    let jobs = match jobs {
        0 => std::thread::available_parallelism().map_or(1, |p| p.get().min(4)),
        j => j,
    }
    .clamp(1, n.max(1));
    let results: Vec<Mutex<Option<Result<LayerScan, ImageError>>>> =
        (0..n).map(|_| Mutex::new(None)).collect();
    // the largest layers first, so that no large layer is left to read
    // alone at the end while the other workers are idle
    let mut order: Vec<usize> = (0..n).collect();
    let size = |i: usize| {
        let spec = &image.layers[i].spec;
        spec.size.or_else(|| match &image.store {
            // a `docker save` member: its size in the archive
            Store::Tar(index) => index.resolve(&spec.blob.path).ok().map(|m| m.size),
            _ => None,
        })
    };
    order.sort_by_cached_key(|&i| std::cmp::Reverse(size(i).unwrap_or(0)));
    let next = AtomicU64::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    if failed.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as usize;
                    let Some(&i) = order.get(k) else {
                        break;
                    };
                    let Some(info) = image.layers.get(i) else {
                        break;
                    };
                    let r = layer::scan_layer(&image.store, &info.spec, &limits);
                    if r.is_err() {
                        failed.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    if let Some(slot) = results.get(i)
                        && let Ok(mut g) = slot.lock()
                    {
                        *g = Some(r);
                    }
                }
            });
        }
    });
    let mut out = Vec::with_capacity(n);
    let mut first_error = None;
    for (i, slot) in results.into_iter().enumerate() {
        match slot.into_inner().ok().flatten() {
            Some(Ok(scan)) => out.push(scan),
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {
                first_error.get_or_insert_with(|| {
                    ImageError::invalid(format!("layer {i}"), "was not read")
                });
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Reads the layers of a compressed archive (`docker save | gzip`) with
/// one decompression: each layer member is handed to its scan as the
/// stream passes it. Small members were kept when the archive was indexed.
fn scan_packed(
    image: &Image,
    index: &blob::TarIndex,
    packed: &blob::Packed,
    limits: &layer::Limits,
) -> Result<Vec<LayerScan>, ImageError> {
    use std::collections::HashMap;
    use std::io::Read;
    let n = image.layers.len();
    let mut results: Vec<Option<Result<LayerScan, ImageError>>> = (0..n).map(|_| None).collect();
    // the streamed members, and the layers each one is
    let mut wanted: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, info) in image.layers.iter().enumerate() {
        match index.resolve_name(&info.spec.blob.path) {
            Ok((name, _)) if !packed.small.contains_key(&name) => {
                wanted.entry(name).or_default().push(i);
            }
            // kept in memory, or an error the store reports
            _ => results[i] = Some(layer::scan_layer(&image.store, &info.spec, limits)),
        }
    }
    let archive_name = index.path.display().to_string();
    let mut stream_error = None;
    if !wanted.is_empty() {
        let stream = blob::unpack_archive(&index.path, packed.compression, packed.max_ratio)?;
        let mut archive = tar::Archive::new(layer::Guarded::new(stream));
        std::thread::scope(|s| {
            let mut running = Vec::new();
            let outer = (|| -> std::io::Result<()> {
                for entry in archive.entries()? {
                    let mut entry = entry?;
                    let Some((name, member)) = blob::member_of(&entry) else {
                        continue;
                    };
                    let Some(layers) = wanted.remove(&name) else {
                        continue;
                    };
                    // a member several layers share is read once
                    let Some(info) = layers.first().and_then(|&i| image.layers.get(i)) else {
                        continue;
                    };
                    let (tx, rx) = std::sync::mpsc::sync_channel(3);
                    let size = member.size;
                    let scan = s.spawn(move || {
                        let reader = Box::new(layer::ChunkReader::new(rx, &limits.pool, None));
                        let what = info.spec.describe();
                        layer::scan_reader(reader, Some(size), &info.spec, limits, &what)
                    });
                    running.push((layers, scan));
                    // once the scan stops (and reports why) it takes no more
                    let mut sender = Some(tx);
                    loop {
                        let mut chunk = limits.pool.take();
                        let got = match entry.read(&mut chunk) {
                            Ok(got) => got,
                            Err(e) => {
                                if let Some(tx) = &sender {
                                    let _ = tx.send(Err(layer::duplicate_error(&e)));
                                }
                                return Err(e);
                            }
                        };
                        if got == 0 {
                            break;
                        }
                        chunk.truncate(got);
                        if sender
                            .as_ref()
                            .is_some_and(|tx| tx.send(Ok(chunk)).is_err())
                        {
                            sender = None;
                        }
                    }
                }
                // the rest of the stream (end blocks, padding) must decode too
                std::io::copy(&mut archive.into_inner(), &mut std::io::sink())?;
                Ok(())
            })();
            if let Err(e) = outer {
                stream_error = Some(layer::layer_error(&archive_name, e));
            }
            for (layers, scan) in running {
                let read = scan.join().unwrap_or_else(|_| {
                    Err(ImageError::invalid(
                        archive_name.clone(),
                        "a layer was not read",
                    ))
                });
                // the first layer is the one read, and keeps its error; the
                // others are checked against its scan
                let shared = if layers.len() > 1 {
                    read.as_ref().ok().cloned()
                } else {
                    None
                };
                let mut rest = layers.into_iter();
                if let Some(slot) = rest.next().and_then(|i| results.get_mut(i)) {
                    *slot = Some(read);
                }
                for i in rest {
                    let Some(info) = image.layers.get(i) else {
                        continue;
                    };
                    let what = info.spec.describe();
                    let this = match &shared {
                        Some(scan) => {
                            let mut scan = scan.clone();
                            scan.index = i;
                            layer::verify(&scan, &info.spec, &what).map(|()| scan)
                        }
                        None => Err(ImageError::invalid(what, "its blob could not be read")),
                    };
                    if let Some(slot) = results.get_mut(i) {
                        *slot = Some(this);
                    }
                }
            }
        });
    }
    if let Some(e) = stream_error {
        return Err(e);
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                let (what, name) = image.layers.get(i).map_or_else(
                    || (format!("layer {i}"), archive_name.clone()),
                    |l| (l.spec.describe(), l.spec.blob.name()),
                );
                Err(ImageError::MissingBlob { what, name })
            })
        })
        .collect()
}

/// Analyses an opened image.
pub fn analyze(image: &Image, options: &AnalyzeOptions) -> Result<Analysis, ImageError> {
    let scans = scan_layers(image, options.jobs)?;
    // the two accountings are independent: one on each core
    let (merge, dive) = std::thread::scope(|s| {
        let dive = s.spawn(|| dive::compute(&scans));
        let merge = fs::merge(&scans);
        (merge, dive.join())
    });
    let dive = dive.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mapping = match &options.dockerfile {
        Some(path) => Some(dockerfile::Mapping::load(path, &image.config)?),
        None => None,
    };
    let layer_history = image.config.layer_history();

    let mut wasted_by_layer = vec![0u64; scans.len()];
    let mut by_reason: std::collections::BTreeMap<WasteReason, u64> = Default::default();
    for w in &merge.waste {
        if let Some(slot) = wasted_by_layer.get_mut(w.added_in) {
            *slot = slot.saturating_add(w.bytes);
        }
        let slot = by_reason.entry(w.reason).or_default();
        *slot = slot.saturating_add(w.bytes);
    }
    let layers: Vec<LayerReport> = scans
        .iter()
        .enumerate()
        .map(|(i, scan)| {
            let history_index = layer_history.get(i).copied().flatten();
            let created_by = history_index
                .and_then(|h| image.config.history.get(h))
                .map(|h| h.created_by.clone());
            let changes = merge.changes.get(i).cloned().unwrap_or_default();
            LayerReport {
                index: i,
                digest: image
                    .layers
                    .get(i)
                    .and_then(|l| l.spec.blob.digest.as_ref())
                    .map_or_else(|| scan.digest.to_string(), ToString::to_string),
                diff_id: scan.diff_id.to_string(),
                media_type: image.layers.get(i).and_then(|l| l.media_type.clone()),
                compression: scan.compression,
                compressed_bytes: scan.compressed_size,
                uncompressed_bytes: scan.uncompressed_size,
                content_bytes: scan.content_bytes(),
                entries: scan.entries.len(),
                files_added: changes.added,
                files_changed: changes.changed,
                files_deleted: changes.deleted,
                wasted_bytes: wasted_by_layer.get(i).copied().unwrap_or(0),
                history_index,
                created_by,
                dockerfile: history_index
                    .and_then(|h| mapping.as_ref().and_then(|m| m.location(h))),
            }
        })
        .collect();

    let mut entries = merge.waste.clone();
    entries.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    let waste = WasteReport {
        reclaimable_bytes: merge.reclaimable(),
        total_content_bytes: merge.total_content,
        visible_content_bytes: merge.visible_content,
        by_reason,
        entries,
    };
    let gates = evaluate_gates(&options.gates, &dive);

    let found = if options.no_checks {
        Vec::new()
    } else {
        let cx = checks::Context {
            config: &image.config,
            fs: &merge.fs,
            layers: &scans,
            merge: &merge,
            layer_history: &layer_history,
        };
        checks::run_all(&cx, |meta| findings::is_enabled(&options.selection, meta))
    };
    let reports = findings::into_reports(
        found,
        &findings::Placement {
            source: &image.source,
            selection: &options.selection,
            mapping: mapping.as_ref(),
            layer_history: &layer_history,
            disable_pragmas: options.disable_pragmas,
        },
    );

    let image_summary = ImageSummary {
        source: image.source.clone(),
        format: image.format,
        names: image.names.clone(),
        platform: image.config.platform(),
        manifest_digest: image.manifest_digest.clone(),
        config_digest: image.config_digest.clone(),
        compressed_bytes: scans
            .iter()
            .fold(0u64, |a, s| a.saturating_add(s.compressed_size)),
        uncompressed_bytes: scans
            .iter()
            .fold(0u64, |a, s| a.saturating_add(s.uncompressed_size)),
        content_bytes: merge.total_content,
        dockerfile: options.dockerfile.as_ref().map(|p| p.display().to_string()),
    };
    Ok(Analysis {
        version: 1,
        image: image_summary,
        layers,
        waste,
        dive,
        gates,
        reports,
    })
}

fn evaluate_gates(gates: &Gates, dive: &DiveMetrics) -> Vec<GateResult> {
    let mut out = Vec::new();
    if let Some(min) = gates.min_efficiency {
        out.push(GateResult {
            name: "min-efficiency",
            limit: min,
            actual: dive.efficiency,
            passed: dive.efficiency >= min,
        });
    }
    if let Some(max) = gates.max_wasted_bytes {
        out.push(GateResult {
            name: "max-wasted-bytes",
            limit: max as f64,
            actual: dive.wasted_bytes as f64,
            passed: dive.wasted_bytes <= max,
        });
    }
    if let Some(max) = gates.max_wasted_ratio {
        out.push(GateResult {
            name: "max-wasted-ratio",
            limit: max,
            actual: dive.user_wasted_ratio,
            passed: dive.user_wasted_ratio <= max,
        });
    }
    out
}
