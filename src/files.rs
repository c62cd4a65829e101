//! The one place that reads and writes user files. Every reader gets the same
//! bounds (size, UTF-8, no NUL bytes, not a directory); every write to a user's
//! file is atomic (a temporary file in the same directory, renamed over the
//! original, its permissions kept), so a crash or a full disk never leaves a
//! half-written file.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::problem::ProblemKind;

/// The largest input file promosim reads (rules or scenario), in bytes. Real
/// files are a few kilobytes; the bound keeps a stray multi-gigabyte file from
/// eating memory.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

problem_kinds! {
    /// Why an input file could not be read at all.
    pub enum InputProblem: "input" {
        /// The path does not exist or cannot be opened.
        Unreadable = ("input::unreadable", "the file cannot be read",
            "check the path and its permissions"),
        /// The path is a directory.
        IsDirectory = ("input::is_directory", "a directory where a file is needed",
            "name a file inside it"),
        /// The file is over the size limit.
        TooLarge = ("input::too_large", "the file is larger than promosim reads (1 MiB)",
            "split it into smaller files"),
        /// The file is not UTF-8 text.
        NotUtf8 = ("input::not_utf8", "the file is not UTF-8 text",
            "save the file as UTF-8"),
        /// The file contains a NUL byte.
        NulByte = ("input::nul_byte", "the file contains a NUL byte, as binary files do",
            "remove the NUL byte or check that this is the right file"),
        /// The paths given hold no file of the kind the command reads.
        NoFiles = ("input::no_files", "no input files under the given paths",
            "name files or directories that hold *.yaml/*.yml scenarios or *.promo rules"),
        /// A directory search had to pass over a path.
        Skipped = ("input::skipped", "a path was passed over while searching directories",
            "make the directory readable, or shallower than 32 levels"),
        /// `run --filter` matched no scenario.
        NoMatch = ("input::no_match", "the filter matches no scenario",
            "check the pattern: a substring of a name or path, or a glob with * and ?"),
        /// The command line itself is wrong (an unknown flag, a bad value).
        Usage = ("input::usage", "the command line is not one promosim accepts",
            "see `promosim COMMAND --help` for the flags and their values"),
    }
}

/// Why an input file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path does not exist or cannot be opened.
    #[error("cannot read `{path}`: {reason}")]
    Unreadable {
        /// The path given.
        path: String,
        /// What the operating system said.
        reason: String,
    },
    /// The path is a directory.
    #[error("`{path}` is a directory, not a file")]
    Directory {
        /// The path given.
        path: String,
    },
    /// The file is over [`MAX_FILE_BYTES`].
    #[error("`{path}` is {size} bytes; promosim reads files of at most {limit} bytes")]
    TooLarge {
        /// The path given.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The path given.
        path: String,
        /// Where the first bad byte is.
        offset: usize,
    },
    /// The file contains a NUL byte, which no text file should.
    #[error("`{path}` contains a NUL byte at offset {offset}; it looks like a binary file")]
    NulByte {
        /// The path given.
        path: String,
        /// Where the NUL byte is.
        offset: usize,
    },
}

impl ReadError {
    /// The path it is about, as given.
    pub fn path(&self) -> &str {
        match self {
            ReadError::Unreadable { path, .. }
            | ReadError::Directory { path }
            | ReadError::TooLarge { path, .. }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::NulByte { path, .. } => path,
        }
    }

    /// Its kind, which gives its stable code and help.
    pub fn kind(&self) -> InputProblem {
        match self {
            ReadError::Unreadable { .. } => InputProblem::Unreadable,
            ReadError::Directory { .. } => InputProblem::IsDirectory,
            ReadError::TooLarge { .. } => InputProblem::TooLarge,
            ReadError::NotUtf8 { .. } => InputProblem::NotUtf8,
            ReadError::NulByte { .. } => InputProblem::NulByte,
        }
    }
}

impl miette::Diagnostic for ReadError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind().code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind().help()))
    }
}

/// The path `-`, by which a user names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// `path` with `.` and `dir/..` taken out by reading it, not the file system
/// (`scenarios/coins/../../rules/a.promo` is `rules/a.promo`); a leading `..`
/// stays. For naming a file one way in messages and URIs.
pub fn normalized(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            Component::ParentDir if out.has_root() => {}
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// How diagnostics and reports name an input: its path, or `<stdin>` for `-`.
pub fn shown(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// The name standard input goes by in diagnostics and reports.
pub const STDIN_NAME: &str = "<stdin>";

/// Reads an input: a file within promosim's bounds, or standard input for
/// `-` (within the same bounds).
pub fn read_input(path: &Path) -> Result<String, ReadError> {
    if !is_stdin(path) {
        return read_text(path);
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Unreadable {
            path: STDIN_NAME.into(),
            reason: e.to_string(),
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: STDIN_NAME.into(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    text_from_bytes(STDIN_NAME, bytes)
}

/// Reads a text input file within promosim's bounds.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let shown = path.display().to_string();
    let metadata = std::fs::metadata(path).map_err(|e| ReadError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    if metadata.is_dir() {
        return Err(ReadError::Directory { path: shown });
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: shown,
            size: metadata.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| ReadError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: shown,
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    text_from_bytes(&shown, bytes)
}

/// Checks that bytes are UTF-8 without NUL bytes and turns them into text.
pub fn text_from_bytes(path: &str, bytes: Vec<u8>) -> Result<String, ReadError> {
    let text = String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    if let Some(offset) = text.find('\0') {
        return Err(ReadError::NulByte {
            path: path.to_string(),
            offset,
        });
    }
    // A byte-order mark some editors write is not part of the text.
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Writes `contents` to `path` atomically: into a temporary file beside it,
/// flushed to disk, then renamed over `path`. An existing file keeps its
/// permissions; a symbolic link is written through (its target is replaced,
/// the link stays a link).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "promosim".into(), |n| n.to_string_lossy().into_owned());
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        if let Ok(metadata) = std::fs::metadata(path) {
            file.set_permissions(metadata.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_and_bad_utf8_are_refused() {
        assert!(matches!(
            text_from_bytes("f", b"a\0b".to_vec()),
            Err(ReadError::NulByte { offset: 1, .. })
        ));
        assert!(matches!(
            text_from_bytes("f", vec![b'a', 0xff]),
            Err(ReadError::NotUtf8 { offset: 1, .. })
        ));
    }

    #[test]
    fn paths_are_normalized_by_reading_them() {
        let n = |p: &str| normalized(Path::new(p)).display().to_string();
        assert_eq!(n("scenarios/coins/../../rules/a.promo"), "rules/a.promo");
        assert_eq!(n("./a/./b"), "a/b");
        assert_eq!(n("../x.promo"), "../x.promo");
        assert_eq!(n("a/../../x"), "../x");
        assert_eq!(n("/tmp/a/../b"), "/tmp/b");
        assert_eq!(n("/.."), "/");
        assert_eq!(n("a/.."), ".");
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_go_through_a_symbolic_link() {
        let dir = std::env::temp_dir().join(format!("promosim-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("real.yaml");
        let link = dir.join("link.yaml");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink("real.yaml", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn atomic_writes_replace_the_file_and_keep_its_permissions() {
        let dir = std::env::temp_dir().join(format!("promosim-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rules.promo");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        assert!(write_atomic(&dir.join("missing/x"), b"x").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
