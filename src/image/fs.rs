//! The merged filesystem, built layer by layer with OCI whiteout semantics,
//! and the ledger of every byte that a layer hid.
//!
//! Per layer: opaque markers first (they hide the lower contents of their
//! directory), then whiteouts (they hide a lower path and its subtree),
//! then the layer's entries in tar order. A whiteout only ever affects lower
//! layers. A non-directory replacing a directory hides the directory's
//! subtree; a directory replacing a non-directory hides the file.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use serde::Serialize;

use super::layer::{Entry, EntryIssue, EntryKind, LayerScan, normalize_entry_name};

/// A visible entry of the merged filesystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub hash: u64,
    pub link: Option<String>,
    /// The layer that wrote it.
    pub layer: usize,
}

impl Node {
    fn from_entry(e: &Entry, layer: usize) -> Node {
        Node {
            kind: e.kind,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.size,
            hash: e.hash,
            link: e.link.clone(),
            layer,
        }
    }

    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }
}

/// Why bytes written by one layer are not visible in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WasteReason {
    /// A later layer wrote different content at the same path.
    Overwritten,
    /// A later layer deleted the path (a whiteout).
    Deleted,
    /// A later layer made a parent directory opaque.
    Opaque,
    /// A later layer put a different type of entry at the path or at a
    /// parent (a file over a directory, a directory over a file).
    Replaced,
    /// A later layer wrote the same bytes again, changing only metadata
    /// (`chmod`, `chown`, `touch`).
    SameContent,
    /// The entry was never placed: its name climbs out of the root, or it is
    /// a whiteout marker that carries data.
    Rejected,
}

impl WasteReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WasteReason::Overwritten => "overwritten",
            WasteReason::Deleted => "deleted",
            WasteReason::Opaque => "opaque",
            WasteReason::Replaced => "replaced",
            WasteReason::SameContent => "same-content",
            WasteReason::Rejected => "rejected",
        }
    }
}

/// Bytes of one path, written by `added_in` and hidden by `hidden_by`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WasteEntry {
    pub path: String,
    pub bytes: u64,
    pub added_in: usize,
    pub hidden_by: usize,
    pub reason: WasteReason,
}

/// What one layer did to the merged filesystem (non-directory entries).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LayerChanges {
    pub added: u64,
    pub changed: u64,
    pub deleted: u64,
}

/// The final filesystem.
#[derive(Clone, Debug, Default)]
pub struct MergedFs {
    pub nodes: BTreeMap<String, Node>,
    /// Visible hard links by target path.
    links: HashMap<String, Vec<String>>,
}

/// The result of stacking all layers.
#[derive(Clone, Debug, Default)]
pub struct Merge {
    pub fs: MergedFs,
    pub waste: Vec<WasteEntry>,
    pub changes: Vec<LayerChanges>,
    /// Σ header sizes over all layers.
    pub total_content: u64,
    /// Σ sizes of visible entries.
    pub visible_content: u64,
}

impl Merge {
    /// Bytes that could be removed without changing the final filesystem.
    pub fn reclaimable(&self) -> u64 {
        self.total_content.saturating_sub(self.visible_content)
    }
}

/// The key range of everything strictly below `dir`.
fn below(dir: &str) -> (Bound<String>, Bound<String>) {
    if dir.is_empty() {
        return (Bound::Unbounded, Bound::Unbounded);
    }
    // '0' is the byte after '/'
    (
        Bound::Excluded(format!("{dir}/")),
        Bound::Excluded(format!("{dir}0")),
    )
}

impl MergedFs {
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path.trim_start_matches('/'))
    }

    /// Entries strictly below `dir` (`""` for all).
    pub fn below<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a String, &'a Node)> + 'a {
        let dir = dir.trim_start_matches('/').trim_end_matches('/');
        self.nodes.range(below(dir))
    }

    /// Is there anything strictly below `dir`?
    pub fn has_children(&self, dir: &str) -> bool {
        self.below(dir).next().is_some()
    }

    /// Follows symlinks in every component of `path` (absolute targets
    /// from the root, relative ones from the link's directory), with a hop
    /// limit so link loops end. Returns the final path and node.
    pub fn resolve(&self, path: &str) -> Option<(String, &Node)> {
        let mut pending: Vec<String> = path
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .rev()
            .collect();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                current.pop();
                continue;
            }
            current.push(part);
            let joined = current.join("/");
            let node = self.nodes.get(&joined);
            if let Some(n) = node
                && n.kind == EntryKind::Symlink
            {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                let target = n.link.clone().unwrap_or_default();
                current.pop();
                if target.starts_with('/') {
                    current.clear();
                }
                for p in target.split('/').rev() {
                    if !p.is_empty() && p != "." {
                        pending.push(p.to_string());
                    }
                }
            } else if node.is_none() && !pending.is_empty() {
                // an implicit directory is fine; a missing one ends here
                if !self.has_children(&joined) {
                    return None;
                }
            }
        }
        let joined = current.join("/");
        let node = self.nodes.get(&joined)?;
        Some((joined, node))
    }

    /// A file's path is hidden, but a hard link to it from the same layer
    /// is still visible: the link keeps the content. Moves the content to
    /// the link and returns true.
    fn pass_to_link(&mut self, path: &str, node: &Node) -> bool {
        if node.kind != EntryKind::File {
            return false;
        }
        let Some(candidates) = self.links.remove(path) else {
            return false;
        };
        let holder = candidates
            .iter()
            .find(|l| {
                self.nodes
                    .get(l.as_str())
                    .is_some_and(|n| n.kind == EntryKind::HardLink && n.layer == node.layer)
            })
            .cloned();
        let Some(holder) = holder else {
            return false;
        };
        if let Some(n) = self.nodes.get_mut(&holder) {
            n.kind = EntryKind::File;
            n.size = node.size;
            n.hash = node.hash;
            n.link = None;
        }
        let rest: Vec<String> = candidates.into_iter().filter(|l| *l != holder).collect();
        if !rest.is_empty() {
            self.links.entry(holder).or_default().extend(rest);
        }
        true
    }

    /// Takes a hidden node out of view: its bytes become waste unless a
    /// hard link keeps them.
    fn retire(
        &mut self,
        path: &str,
        node: &Node,
        by: usize,
        reason: WasteReason,
        ledger: &mut Ledger<'_>,
    ) {
        if self.pass_to_link(path, node) {
            ledger.count(node, reason);
        } else {
            ledger.charge(path, node, by, reason);
        }
    }

    /// Removes `path` and everything below it, charging hidden bytes.
    fn hide_tree(&mut self, path: &str, by: usize, reason: WasteReason, ledger: &mut Ledger<'_>) {
        if let Some(node) = self.nodes.remove(path) {
            self.retire(path, &node, by, reason, ledger);
        }
        self.hide_below(path, by, reason, ledger);
    }

    /// Removes everything strictly below `dir`.
    fn hide_below(&mut self, dir: &str, by: usize, reason: WasteReason, ledger: &mut Ledger<'_>) {
        let keys: Vec<String> = self
            .nodes
            .range(below(dir))
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            if let Some(node) = self.nodes.remove(&k) {
                self.retire(&k, &node, by, reason, ledger);
            }
        }
    }
}

struct Ledger<'a> {
    waste: &'a mut Vec<WasteEntry>,
    visible: &'a mut u64,
    deleted: u64,
}

impl Ledger<'_> {
    /// Counts a removed name without charging bytes.
    fn count(&mut self, node: &Node, reason: WasteReason) {
        if !node.is_dir() && matches!(reason, WasteReason::Deleted | WasteReason::Opaque) {
            self.deleted += 1;
        }
    }

    fn charge(&mut self, path: &str, node: &Node, by: usize, reason: WasteReason) {
        *self.visible -= node.size.min(*self.visible);
        self.count(node, reason);
        if node.size > 0 {
            self.waste.push(WasteEntry {
                path: path.to_string(),
                bytes: node.size,
                added_in: node.layer,
                hidden_by: by,
                reason,
            });
        }
    }
}

/// Stacks the layers.
pub fn merge(layers: &[LayerScan]) -> Merge {
    let mut fs = MergedFs::default();
    let mut waste = Vec::new();
    let mut changes = Vec::with_capacity(layers.len());
    let mut total_content = 0u64;
    let mut visible = 0u64;
    for (i, layer) in layers.iter().enumerate() {
        let mut ledger = Ledger {
            waste: &mut waste,
            visible: &mut visible,
            deleted: 0,
        };
        let mut change = LayerChanges::default();
        // 1. opaque directories, 2. whiteouts: both only affect lower layers
        for e in layer.entries.iter().filter(|e| e.kind == EntryKind::Opaque) {
            if e.issue != Some(EntryIssue::EscapesRoot) {
                fs.hide_below(&e.path, i, WasteReason::Opaque, &mut ledger);
            }
        }
        for e in layer
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Whiteout)
        {
            if e.issue != Some(EntryIssue::EscapesRoot) && !e.path.is_empty() {
                fs.hide_tree(&e.path, i, WasteReason::Deleted, &mut ledger);
            }
        }
        // 3. the layer's own entries
        let mut last_parent: Option<&str> = None;
        for e in &layer.entries {
            total_content = total_content.saturating_add(e.size);
            if e.is_marker() || e.issue == Some(EntryIssue::EscapesRoot) || e.path.is_empty() {
                if e.size > 0 {
                    ledger.waste.push(WasteEntry {
                        path: e.raw_name.clone().unwrap_or_else(|| e.path.clone()),
                        bytes: e.size,
                        added_in: i,
                        hidden_by: i,
                        reason: WasteReason::Rejected,
                    });
                }
                continue;
            }
            // a non-directory parent is replaced by an implicit directory
            let parent = e.path.rsplit_once('/').map(|(d, _)| d);
            if parent.is_some() && parent != last_parent {
                let mut dir = String::new();
                for part in parent.unwrap_or_default().split('/') {
                    if !dir.is_empty() {
                        dir.push('/');
                    }
                    dir.push_str(part);
                    if fs.nodes.get(&dir).is_some_and(|n| !n.is_dir())
                        && let Some(node) = fs.nodes.remove(&dir)
                    {
                        fs.retire(&dir, &node, i, WasteReason::Replaced, &mut ledger);
                    }
                }
                last_parent = parent;
            }
            let new = Node::from_entry(e, i);
            if let Some(old) = fs.nodes.get(&e.path).cloned() {
                let reason = if old.is_dir() != new.is_dir() {
                    WasteReason::Replaced
                } else if old.kind == EntryKind::File
                    && new.kind == EntryKind::File
                    && old.size == new.size
                    && old.hash == new.hash
                    && old.hash != 0
                    && old.layer < i
                {
                    WasteReason::SameContent
                } else {
                    WasteReason::Overwritten
                };
                if old.is_dir() && !new.is_dir() {
                    fs.hide_below(&e.path, i, WasteReason::Replaced, &mut ledger);
                }
                if !new.is_dir() {
                    if old.layer < i && !old.is_dir() {
                        change.changed += 1;
                    } else if old.is_dir() {
                        change.added += 1;
                    }
                }
                fs.retire(&e.path, &old, i, reason, &mut ledger);
            } else if !new.is_dir() {
                change.added += 1;
            }
            if !new.is_dir() {
                // later entries below this path must replace it again
                last_parent = None;
            }
            *ledger.visible = ledger.visible.saturating_add(new.size);
            if new.kind == EntryKind::HardLink
                && let Some(target) = &new.link
            {
                let (target, _) = normalize_entry_name(target);
                fs.links.entry(target).or_default().push(e.path.clone());
            }
            fs.nodes.insert(e.path.clone(), new);
        }
        change.deleted = ledger.deleted;
        changes.push(change);
    }
    Merge {
        fs,
        waste,
        changes,
        total_content,
        visible_content: visible,
    }
}

#[cfg(test)]
mod tests {
    use super::super::blob::{Algorithm, Digest};
    use super::super::layer::Compression;
    use super::*;

    fn entry(path: &str, kind: EntryKind, size: u64, hash: u64) -> Entry {
        Entry {
            path: path.into(),
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size,
            hash,
            link: None,
            raw_name: None,
            issue: None,
        }
    }

    fn file(path: &str, size: u64, hash: u64) -> Entry {
        entry(path, EntryKind::File, size, hash)
    }

    fn layer(index: usize, entries: Vec<Entry>) -> LayerScan {
        let d = Digest::of_bytes(Algorithm::Sha256, b"");
        LayerScan {
            index,
            compression: Compression::None,
            compressed_size: 0,
            uncompressed_size: 0,
            digest: d.clone(),
            diff_id: d,
            entries,
            captured: Vec::new(),
        }
    }

    fn reasons(m: &Merge) -> Vec<(String, u64, usize, usize, WasteReason)> {
        m.waste
            .iter()
            .map(|w| (w.path.clone(), w.bytes, w.added_in, w.hidden_by, w.reason))
            .collect()
    }

    #[test]
    fn overwrite_and_same_content() {
        let m = merge(&[
            layer(0, vec![file("a", 10, 1), file("b", 5, 2)]),
            layer(1, vec![file("a", 7, 3), file("b", 5, 2)]),
        ]);
        assert_eq!(
            reasons(&m),
            vec![
                ("a".into(), 10, 0, 1, WasteReason::Overwritten),
                ("b".into(), 5, 0, 1, WasteReason::SameContent),
            ]
        );
        assert_eq!(m.reclaimable(), 15);
        assert_eq!(m.changes[1].changed, 2);
    }

    #[test]
    fn whiteout_hides_subtree_but_not_same_layer() {
        let m = merge(&[
            layer(
                0,
                vec![file("d/x", 3, 1), file("d/y/z", 4, 2), file("dz", 9, 3)],
            ),
            layer(
                1,
                vec![file("d/new", 2, 4), entry("d", EntryKind::Whiteout, 0, 0)],
            ),
        ]);
        let r = reasons(&m);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(r.iter().all(|w| w.4 == WasteReason::Deleted));
        assert!(m.fs.get("d/new").is_some(), "same-layer entry survives");
        assert!(
            m.fs.get("dz").is_some(),
            "sibling with a common prefix survives"
        );
        assert_eq!(m.reclaimable(), 7);
        assert_eq!(m.changes[1].deleted, 2);
    }

    #[test]
    fn opaque_hides_lower_children_only() {
        let m = merge(&[
            layer(0, vec![entry("d", EntryKind::Dir, 0, 0), file("d/a", 3, 1)]),
            layer(
                1,
                vec![entry("d", EntryKind::Opaque, 0, 0), file("d/b", 1, 2)],
            ),
        ]);
        assert_eq!(
            reasons(&m),
            vec![("d/a".into(), 3, 0, 1, WasteReason::Opaque)]
        );
        assert!(m.fs.get("d").is_some());
        assert!(m.fs.get("d/b").is_some());
    }

    #[test]
    fn file_replacing_directory_and_back() {
        let m = merge(&[
            layer(0, vec![entry("d", EntryKind::Dir, 0, 0), file("d/a", 3, 1)]),
            layer(1, vec![file("d", 2, 2)]),
            layer(2, vec![file("d/b", 4, 3)]),
        ]);
        assert_eq!(
            reasons(&m),
            vec![
                ("d/a".into(), 3, 0, 1, WasteReason::Replaced),
                ("d".into(), 2, 1, 2, WasteReason::Replaced),
            ]
        );
        assert_eq!(m.reclaimable(), 5);
    }

    #[test]
    fn hard_link_keeps_deleted_content() {
        let mut link = entry("b", EntryKind::HardLink, 0, 0);
        link.link = Some("a".into());
        let m = merge(&[
            layer(0, vec![file("a", 100, 7), link]),
            layer(1, vec![entry("a", EntryKind::Whiteout, 0, 0)]),
        ]);
        assert!(m.waste.is_empty(), "{:?}", m.waste);
        assert_eq!(m.reclaimable(), 0);
        let b = m.fs.get("b").unwrap();
        assert_eq!((b.kind, b.size, b.hash), (EntryKind::File, 100, 7));
        assert_eq!(m.changes[1].deleted, 1);
        // once the link goes too, the bytes are waste
        let mut link = entry("b", EntryKind::HardLink, 0, 0);
        link.link = Some("/a".into());
        let m = merge(&[
            layer(0, vec![file("a", 100, 7), link]),
            layer(1, vec![entry("a", EntryKind::Whiteout, 0, 0)]),
            layer(2, vec![entry("b", EntryKind::Whiteout, 0, 0)]),
        ]);
        assert_eq!(
            reasons(&m),
            vec![("b".into(), 100, 0, 2, WasteReason::Deleted)]
        );
        assert_eq!(m.reclaimable(), 100);
    }

    #[test]
    fn ghost_whiteout_is_harmless() {
        let m = merge(&[
            layer(0, vec![file("a", 1, 1)]),
            layer(
                1,
                vec![
                    entry("nothing/here", EntryKind::Whiteout, 0, 0),
                    file("b", 1, 2),
                ],
            ),
        ]);
        assert!(m.waste.is_empty());
        assert!(m.fs.get("b").is_some());
    }

    #[test]
    fn resolves_symlinks_in_any_component() {
        let mut link = entry("bin", EntryKind::Symlink, 0, 0);
        link.link = Some("usr/bin".into());
        let mut sh = entry("usr/bin/sh", EntryKind::Symlink, 0, 0);
        sh.link = Some("busybox".into());
        let mut lp = entry("loop", EntryKind::Symlink, 0, 0);
        lp.link = Some("/loop".into());
        let m = merge(&[layer(0, vec![link, sh, file("usr/bin/busybox", 9, 1), lp])]);
        let (path, node) = m.fs.resolve("/bin/sh").unwrap();
        assert_eq!(path, "usr/bin/busybox");
        assert_eq!(node.size, 9);
        assert!(m.fs.resolve("/loop").is_none());
        assert!(m.fs.resolve("/bin/bash").is_none());
    }
}
