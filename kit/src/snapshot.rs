//! Snapshot files: compare produced text with a committed expected file.
//!
//! Run with `BLESS=1` to (re)write expected files instead of comparing — the one
//! command to refresh every snapshot is `cargo xtask bless`.

use std::path::{Path, PathBuf};

/// What went wrong comparing a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The expected file does not exist and `BLESS` is not set.
    #[error("no snapshot at {path}; run `cargo xtask bless` to create it")]
    Missing {
        /// The expected file.
        path: PathBuf,
    },
    /// The produced text differs from the expected file.
    #[error(
        "snapshot {path} differs (first difference at line {line}):\n  expected: {expected}\n  actual:   {actual}\nrun `cargo xtask bless` if the change is intended"
    )]
    Differs {
        /// The expected file.
        path: PathBuf,
        /// 1-based line of the first difference.
        line: usize,
        /// That line in the expected file (`<end>` if it has fewer lines).
        expected: String,
        /// That line in the produced text (`<end>` if it has fewer lines).
        actual: String,
    },
    /// Reading or writing the file failed.
    #[error("snapshot {path}: {source}")]
    Io {
        /// The expected file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// True when the environment asks to rewrite snapshots (`BLESS=1`).
pub fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Compare `actual` with the file at `path`, or write it when [`blessing`].
pub fn check(path: &Path, actual: &str) -> Result<(), SnapshotError> {
    check_with(path, actual, blessing())
}

/// [`check`] with the bless decision made by the caller.
pub fn check_with(path: &Path, actual: &str, bless: bool) -> Result<(), SnapshotError> {
    let io = |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    };
    if bless {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        return std::fs::write(path, actual).map_err(io);
    }
    let expected = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SnapshotError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(io(e)),
    };
    if expected == actual {
        return Ok(());
    }
    let (mut e, mut a) = (expected.lines(), actual.lines());
    let mut line = 1;
    loop {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                return Err(SnapshotError::Differs {
                    path: path.to_path_buf(),
                    line,
                    expected: x.unwrap_or("<end>").to_string(),
                    actual: y.unwrap_or("<end>").to_string(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_then_blessed_then_equal_then_differs() {
        let dir = std::env::temp_dir().join(format!("kit-snap-{}", std::process::id()));
        let path = dir.join("a.txt");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(
            check_with(&path, "x\n", false),
            Err(SnapshotError::Missing { .. })
        ));
        check_with(&path, "one\ntwo\n", true).expect("bless writes");
        check_with(&path, "one\ntwo\n", false).expect("equal passes");
        match check_with(&path, "one\nTWO\n", false) {
            Err(SnapshotError::Differs {
                line,
                expected,
                actual,
                ..
            }) => {
                assert_eq!(
                    (line, expected.as_str(), actual.as_str()),
                    (2, "two", "TWO")
                );
            }
            other => panic!("expected Differs, got {other:?}"),
        }
        assert!(
            check_with(&path, "one\n", false).is_err(),
            "shorter output must differ"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
