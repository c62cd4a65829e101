//! Finding scenario files: directories searched recursively, sorted within
//! each directory so runs are stable, and stable shares of a suite for CI.

use std::path::{Path, PathBuf};

use crate::files::ReadError;

/// How deep directory discovery descends; deeper trees are surely links gone
/// round in a loop.
const MAX_DEPTH: usize = 32;

/// A stable share of a suite: `--partition K/N` keeps the files whose path,
/// relative to the directory it was found under, hashes to K among N. Like
/// `cargo nextest --partition hash:K/N`: the N shares are disjoint, cover the
/// suite, and do not move when unrelated files are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// 1-based share.
    pub index: u64,
    /// Number of shares.
    pub count: u64,
}

impl std::str::FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not K/N (e.g. 1/4)"))?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("`{text}`: K must be between 1 and N"));
        }
        Ok(Partition { index, count })
    }
}

impl Partition {
    /// Whether a file (its path relative to the suite root) is in this share.
    pub fn contains(&self, relative: &Path) -> bool {
        // FNV-1a over the path with `/` separators: stable across runs,
        // platforms and Rust versions, unlike the standard library's hasher.
        let text = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash % self.count == self.index - 1
    }
}

/// Every `*.yaml`/`*.yml` file under `paths` (files are taken as given), sorted
/// within each directory so runs are stable; with a partition, only its share.
pub fn discover_partition(
    paths: &[PathBuf],
    partition: Option<Partition>,
) -> Result<Vec<PathBuf>, ReadError> {
    let mut kept = Vec::new();
    for path in paths {
        let found = discover(std::slice::from_ref(path))?;
        for file in found {
            let relative = file.strip_prefix(path).unwrap_or(&file);
            let relative = if relative.as_os_str().is_empty() {
                file.as_path()
            } else {
                relative
            };
            if partition.is_none_or(|p| p.contains(relative)) {
                kept.push(file.clone());
            }
        }
    }
    Ok(kept)
}

/// Every `*.yaml`/`*.yml` file under `paths` (files are taken as given), sorted
/// within each directory so runs are stable.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut found = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| ReadError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if metadata.is_dir() {
            walk(path, 0, &mut found);
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let Ok(metadata) = std::fs::symlink_metadata(&entry) else {
            continue;
        };
        if metadata.is_dir() {
            walk(&entry, depth + 1, found);
        } else if entry.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            found.push(entry);
        }
    }
}
