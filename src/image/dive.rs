//! dive-compatible efficiency numbers.
//!
//! The same formulas as dive 0.13 (efficiency, wasted bytes, user-wasted
//! ratio), so CI thresholds carry over, but computed without its input
//! defects: layers in manifest order, PAX global headers skipped, and a
//! whiteout of a path that no lower layer has is ignored instead of ending
//! the layer's accounting.
//!
//! For each layer, every leaf of that layer's own tree (an entry with no
//! entries below it in the same layer) counts once for its path: with its
//! header size, or, for a whiteout, with the size of the whited-out subtree
//! if it is a directory in the lower layers stacked as dive stacks them
//! (whiteouts delete, opaque markers are ignored). Per path keep the count,
//! the sum and the minimum of those sizes; then
//! `efficiency = Σ min / Σ sum`, `wasted = Σ sum over paths counted twice
//! or more`, `user-wasted ratio = wasted / (content of all layers but the
//! first)`.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::layer::{EntryIssue, EntryKind, LayerScan};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiveMetrics {
    pub efficiency: f64,
    pub wasted_bytes: u64,
    pub user_wasted_ratio: f64,
    /// Σ layer content (dive's image `sizeBytes`).
    pub size_bytes: u64,
    /// Σ content of layers after the first.
    pub user_size_bytes: u64,
    /// Paths counted more than once, largest first.
    pub inefficient_files: Vec<InefficientFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InefficientFile {
    pub path: String,
    pub count: u32,
    pub bytes: u64,
}

#[derive(Default)]
struct PathStat {
    count: u32,
    sum: u64,
    min: u64,
}

/// dive's stacked tree: a node per path with its size and whether it is a
/// directory.
#[derive(Default)]
struct Stack {
    nodes: BTreeMap<String, (u64, bool)>,
}

impl Stack {
    fn subtree_size(&self, path: &str) -> Option<u64> {
        let &(size, is_dir) = self.nodes.get(path)?;
        if !is_dir {
            return Some(0);
        }
        let below = self
            .nodes
            .range(format!("{path}/")..format!("{path}0"))
            .fold(0u64, |acc, (_, (s, _))| acc.saturating_add(*s));
        Some(size.saturating_add(below))
    }

    fn remove_tree(&mut self, path: &str) {
        self.nodes.remove(path);
        let keys: Vec<String> = self
            .nodes
            .range(format!("{path}/")..format!("{path}0"))
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.nodes.remove(&k);
        }
    }

    fn add(&mut self, path: &str, size: u64, is_dir: bool) {
        // parents exist implicitly, without type information: dive counts
        // a whiteout of such a directory as 0 bytes. The stack holds the ancestors of every node, so only the
        // missing ones are added, deepest first.
        let mut p = path;
        while let Some((parent, _)) = p.rsplit_once('/') {
            if self.nodes.contains_key(parent) {
                break;
            }
            self.nodes.insert(parent.to_string(), (0, false));
            p = parent;
        }
        match self.nodes.get_mut(path) {
            Some(node) => *node = (size, is_dir),
            None => {
                self.nodes.insert(path.to_string(), (size, is_dir));
            }
        }
    }
}

pub fn compute(layers: &[LayerScan]) -> DiveMetrics {
    let entries: usize = layers.iter().map(|l| l.entries.len()).sum();
    let mut stats: HashMap<&str, PathStat> = HashMap::with_capacity(entries);
    let mut stack = Stack::default();
    let mut size_bytes = 0u64;
    let mut user_size_bytes = 0u64;
    for (i, layer) in layers.iter().enumerate() {
        let content = layer.content_bytes();
        size_bytes = size_bytes.saturating_add(content);
        if i > 0 {
            user_size_bytes = user_size_bytes.saturating_add(content);
        }
        // this layer's own tree: last entry per path wins; opaque markers
        // and other `.wh..wh.` names are not part of it
        let mut own: BTreeMap<&str, (u64, EntryKind)> = BTreeMap::new();
        for e in &layer.entries {
            if matches!(e.kind, EntryKind::Opaque | EntryKind::Meta)
                || e.issue == Some(EntryIssue::EscapesRoot)
                || e.path.is_empty()
            {
                continue;
            }
            own.insert(e.path.as_str(), (e.size, e.kind));
        }
        // implicit parents make a path a non-leaf, too
        let mut parents: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for path in own.keys() {
            let mut p = *path;
            while let Some((parent, _)) = p.rsplit_once('/') {
                if !parents.insert(parent) {
                    break;
                }
                p = parent;
            }
        }
        for (path, &(size, kind)) in &own {
            if parents.contains(path) {
                continue;
            }
            let size = if kind == EntryKind::Whiteout {
                match stack.subtree_size(path) {
                    Some(s) => s,
                    // dive stops the layer here; we skip the one leaf
                    None => continue,
                }
            } else {
                size
            };
            let st = stats.entry(path).or_default();
            st.min = if st.count == 0 {
                size
            } else {
                st.min.min(size)
            };
            st.count += 1;
            st.sum = st.sum.saturating_add(size);
        }
        // stack this layer onto the lower ones, as dive does: every node of
        // the layer's tree is written over the lower one, and the implicit
        // parents carry no type, so they turn a lower directory into an
        // untyped node
        for (path, &(size, kind)) in &own {
            if kind == EntryKind::Whiteout {
                stack.remove_tree(path);
            } else {
                stack.add(path, size, kind == EntryKind::Dir);
            }
        }
        for parent in parents {
            if !own.contains_key(parent) {
                stack.add(parent, 0, false);
            }
        }
    }
    let mut min_total = 0u64;
    let mut sum_total = 0u64;
    let mut wasted = 0u64;
    let mut inefficient = Vec::new();
    for (path, st) in stats {
        min_total = min_total.saturating_add(st.min);
        sum_total = sum_total.saturating_add(st.sum);
        if st.count >= 2 {
            wasted = wasted.saturating_add(st.sum);
            inefficient.push(InefficientFile {
                path: format!("/{path}"),
                count: st.count,
                bytes: st.sum,
            });
        }
    }
    inefficient.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    let efficiency = if sum_total == 0 {
        1.0
    } else {
        min_total as f64 / sum_total as f64
    };
    let user_wasted_ratio = if user_size_bytes == 0 {
        0.0
    } else {
        wasted as f64 / user_size_bytes as f64
    };
    DiveMetrics {
        efficiency,
        wasted_bytes: wasted,
        user_wasted_ratio,
        size_bytes,
        user_size_bytes,
        inefficient_files: inefficient,
    }
}
