//! Builds small in-memory images for the checks' unit tests.

use super::super::blob::{Algorithm, Digest};
use super::super::config::{History, ImageConfig};
use super::super::fs;
use super::super::layer::{CAPTURED_FILES, Compression, Entry, EntryIssue, EntryKind, LayerScan};
use super::{Context, Finding};

pub struct TestImage {
    pub config: ImageConfig,
    pub layers: Vec<LayerScan>,
}

impl TestImage {
    /// One empty layer and an empty config.
    pub fn new() -> Self {
        TestImage {
            config: ImageConfig::default(),
            layers: Vec::new(),
        }
        .layer("ADD rootfs.tar /")
    }

    /// Starts a new layer made by `created_by`.
    pub fn layer(mut self, created_by: &str) -> Self {
        let d = Digest::of_bytes(Algorithm::Sha256, b"");
        self.layers.push(LayerScan {
            index: self.layers.len(),
            compression: Compression::None,
            compressed_size: 0,
            uncompressed_size: 0,
            digest: d.clone(),
            diff_id: d.clone(),
            entries: Vec::new(),
            captured: Vec::new(),
        });
        self.config.diff_ids.push(d);
        self.config.history.push(History {
            created_by: created_by.into(),
            ..History::default()
        });
        self
    }

    /// A history entry without a layer.
    pub fn empty_history(mut self, created_by: &str) -> Self {
        self.config.history.push(History {
            created_by: created_by.into(),
            empty_layer: true,
            ..History::default()
        });
        self
    }

    pub fn entry(mut self, e: Entry) -> Self {
        if let Some(l) = self.layers.last_mut() {
            l.entries.push(e);
        }
        self
    }

    fn base(path: &str, kind: EntryKind, mode: u32) -> Entry {
        Entry {
            path: path.trim_start_matches('/').into(),
            kind,
            mode,
            uid: 0,
            gid: 0,
            size: 0,
            hash: 0,
            link: None,
            raw_name: None,
            issue: None,
        }
    }

    pub fn file_mode(mut self, path: &str, content: &[u8], mode: u32) -> Self {
        let mut e = Self::base(path, EntryKind::File, mode);
        e.size = content.len() as u64;
        e.hash = xxhash_rust::xxh3::xxh3_64(content);
        if CAPTURED_FILES.contains(&e.path.as_str())
            && let Some(l) = self.layers.last_mut()
        {
            l.captured.push((e.path.clone(), content.to_vec()));
        }
        self.entry(e)
    }

    pub fn file(self, path: &str, content: &[u8]) -> Self {
        self.file_mode(path, content, 0o644)
    }

    pub fn dir(self, path: &str, mode: u32) -> Self {
        self.entry(Self::base(path, EntryKind::Dir, mode))
    }

    pub fn symlink(self, path: &str, target: &str) -> Self {
        let mut e = Self::base(path, EntryKind::Symlink, 0o777);
        e.link = Some(target.into());
        self.entry(e)
    }

    pub fn hardlink(self, path: &str, target: &str) -> Self {
        let mut e = Self::base(path, EntryKind::HardLink, 0o644);
        e.link = Some(target.into());
        self.entry(e)
    }

    pub fn whiteout(self, path: &str) -> Self {
        self.entry(Self::base(path, EntryKind::Whiteout, 0))
    }

    pub fn with_issue(self, path: &str, issue: EntryIssue) -> Self {
        let mut e = Self::base(path, EntryKind::File, 0o644);
        e.raw_name = Some(format!("/{path}"));
        e.issue = Some(issue);
        self.entry(e)
    }

    pub fn config(mut self, f: impl FnOnce(&mut ImageConfig)) -> Self {
        f(&mut self.config);
        self
    }

    pub fn run(&self, check: fn(&Context<'_>, &mut Vec<Finding>)) -> Vec<Finding> {
        let merge = fs::merge(&self.layers);
        let layer_history = self.config.layer_history();
        let cx = Context {
            config: &self.config,
            fs: &merge.fs,
            layers: &self.layers,
            merge: &merge,
            layer_history: &layer_history,
        };
        let mut out = Vec::new();
        check(&cx, &mut out);
        out
    }
}

/// The findings' messages, for compact assertions.
pub fn messages(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.message.clone()).collect()
}
