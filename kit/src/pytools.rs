//! Where the book's pinned Python tools live (cfn-lint, checkov, schemathesis), so a page
//! program run by hand finds the exact versions the book was built with.
//!
//! `cargo xtask tools` installs them into one virtual environment in a per-machine cache:
//! `$WORKBOOK_TOOLS_DIR`, else `$XDG_CACHE_HOME/workbook-tools`, else
//! `~/.cache/workbook-tools`, in `python-tools/bin`. [`find`] looks there first and then on
//! `PATH`, so a different global install of the same tool is only a fallback.
//!
//! ```
//! // The folder is the same whoever asks (xtask installs there, chapters look there).
//! assert!(kit::pytools::bin_dir().ends_with("python-tools/bin"));
//! ```

use std::ffi::OsString;
use std::path::PathBuf;

/// Environment variable that overrides the tool cache folder.
pub const CACHE_ENV: &str = "WORKBOOK_TOOLS_DIR";

/// The tool cache: `$WORKBOOK_TOOLS_DIR`, else `$XDG_CACHE_HOME/workbook-tools`, else
/// `~/.cache/workbook-tools`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("workbook-tools");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| OsString::from("."));
    PathBuf::from(home).join(".cache/workbook-tools")
}

/// The virtual environment's `bin` folder.
pub fn bin_dir() -> PathBuf {
    cache_dir().join("python-tools/bin")
}

/// The executable `name`: the pinned one if `cargo xtask tools` installed it, else the
/// first on `PATH`, else `None`.
pub fn find(name: &str) -> Option<PathBuf> {
    let pinned = bin_dir().join(name);
    if pinned.is_file() {
        return Some(pinned);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_path_and_says_none_when_missing() {
        assert!(find("workbook-no-such-tool").is_none());
        // `sh` is on every PATH this book runs on.
        assert!(find("sh").is_some_and(|p| p.is_file()));
    }
}
