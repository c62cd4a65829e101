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

/// What discovery found: the files, and every path it had to pass over (a
/// directory it cannot read, one past the depth limit), with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The files, in a stable order, each once.
    pub files: Vec<PathBuf>,
    /// Paths passed over, with the reason: a run that skips anything fails.
    pub skipped: Vec<(PathBuf, String)>,
    /// The files found so far, as the file system names them (`a.yaml`,
    /// `./a.yaml` and its absolute path are one file).
    seen: std::collections::HashSet<PathBuf>,
}

impl Discovery {
    /// Adds `file` unless it was found already under any spelling.
    fn add(&mut self, file: PathBuf) {
        let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if self.seen.insert(key) {
            self.files.push(file);
        }
    }
}

/// Every `*.yaml`/`*.yml` file under `paths` (files are taken as given), sorted
/// within each directory so runs are stable; with a partition, only its share.
pub fn discover_partition(
    paths: &[PathBuf],
    partition: Option<Partition>,
) -> Result<Discovery, ReadError> {
    let mut kept = Discovery::default();
    for path in paths {
        let found = discover_with(std::slice::from_ref(path), &["yaml", "yml"])?;
        kept.skipped.extend(found.skipped);
        for file in found.files {
            let relative = file.strip_prefix(path).unwrap_or(&file);
            let relative = if relative.as_os_str().is_empty() {
                file.as_path()
            } else {
                relative
            };
            if partition.is_none_or(|p| p.contains(relative)) {
                kept.add(file.clone());
            }
        }
    }
    Ok(kept)
}

/// Every `*.yaml`/`*.yml` file under `paths` (files are taken as given), sorted
/// within each directory so runs are stable.
pub fn discover(paths: &[PathBuf]) -> Result<Discovery, ReadError> {
    discover_with(paths, &["yaml", "yml"])
}

/// Every file with one of `extensions` under `paths` (files are taken as
/// given), sorted within each directory, each once however often it is
/// named; what had to be passed over is listed apart.
pub fn discover_with(paths: &[PathBuf], extensions: &[&str]) -> Result<Discovery, ReadError> {
    let mut found = Discovery::default();
    for path in paths {
        if crate::files::is_stdin(path) {
            found.add(path.clone());
            continue;
        }
        let metadata = std::fs::metadata(path).map_err(|e| ReadError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if metadata.is_dir() {
            walk(path, 0, extensions, &mut found);
        } else {
            found.add(path.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, depth: usize, extensions: &[&str], found: &mut Discovery) {
    if depth > MAX_DEPTH {
        found.skipped.push((
            dir.to_path_buf(),
            format!("deeper than {MAX_DEPTH} directories (a link that loops?)"),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            found.skipped.push((dir.to_path_buf(), error.to_string()));
            return;
        }
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let metadata = match std::fs::symlink_metadata(&entry) {
            Ok(metadata) => metadata,
            Err(error) => {
                found.skipped.push((entry, error.to_string()));
                continue;
            }
        };
        if metadata.is_dir() {
            walk(&entry, depth + 1, extensions, found);
        } else if entry
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            found.add(entry);
        }
    }
}
