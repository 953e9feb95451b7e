//! The pinned mdBook toolchain, installed once per machine into a versioned cache.
//!
//! mdbook-cmdrun 0.7.3 (the latest) links mdBook 0.4 and fails under mdBook 0.5 with
//! "Unable to parse the input" (upstream FauconFan/mdbook-cmdrun#22). So the book pins
//! mdBook 0.4.52 (the last 0.4 release) and cmdrun 0.7.3, installs them with
//! `cargo install --locked` into `<cache>/<crate>-<version>/`, and always runs those
//! binaries by path — never whatever `mdbook` happens to be on `PATH`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// Environment variable that overrides the tool cache folder.
pub const CACHE_ENV: &str = "WORKBOOK_TOOLS_DIR";

/// A pinned tool installed from crates.io.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The crate to `cargo install`.
    pub krate: &'static str,
    /// The exact version.
    pub version: &'static str,
}

/// mdBook, pinned to the last 0.4 release (cmdrun does not work with 0.5).
pub const MDBOOK: Tool = Tool {
    krate: "mdbook",
    version: "0.4.52",
};
/// mdbook-cmdrun, the preprocessor that pastes a program's output into a page.
pub const CMDRUN: Tool = Tool {
    krate: "mdbook-cmdrun",
    version: "0.7.3",
};

/// The cache folder: `$WORKBOOK_TOOLS_DIR`, else `$XDG_CACHE_HOME/workbook-tools`, else
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

impl Tool {
    /// `<cache>/<crate>-<version>`: the `--root` of its `cargo install`.
    pub fn root(&self) -> PathBuf {
        cache_dir().join(format!("{}-{}", self.krate, self.version))
    }

    /// The installed binary's path.
    pub fn binary(&self) -> PathBuf {
        self.root().join("bin").join(self.krate)
    }

    /// Whether the pinned version is installed: the binary exists and cargo's install
    /// record in the `--root` (`.crates.toml`) names exactly this crate and version.
    /// (mdbook-cmdrun has no `--version` flag, so the record is the one reliable witness.)
    pub fn is_installed(&self) -> bool {
        let record = std::fs::read_to_string(self.root().join(".crates.toml")).unwrap_or_default();
        self.binary().is_file() && record.contains(&format!("\"{} {} (", self.krate, self.version))
    }

    /// Install the pinned version if it is not there yet; return the binary's path.
    pub fn ensure(&self) -> anyhow::Result<PathBuf> {
        if self.is_installed() {
            return Ok(self.binary());
        }
        eprintln!(
            "xtask: installing {} {} into {} (once per machine; several minutes on 2 cores)",
            self.krate,
            self.version,
            self.root().display()
        );
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "install",
                "--locked",
                "--version",
                self.version,
                self.krate,
                "--root",
            ])
            .arg(self.root())
            .status()?;
        anyhow::ensure!(
            status.success(),
            "cargo install {} {} failed ({status})",
            self.krate,
            self.version
        );
        anyhow::ensure!(
            self.is_installed(),
            "{} {} was installed but {} or its install record is missing",
            self.krate,
            self.version,
            self.binary().display()
        );
        Ok(self.binary())
    }
}

/// Install both pinned tools if needed; return `PATH` with their folders first, so
/// mdBook finds the pinned `mdbook-cmdrun` preprocessor.
pub fn ensure_all() -> anyhow::Result<OsString> {
    let mdbook = MDBOOK.ensure()?;
    let cmdrun = CMDRUN.ensure()?;
    let mut dirs: Vec<PathBuf> = [cmdrun, mdbook]
        .iter()
        .filter_map(|b| b.parent().map(PathBuf::from))
        .collect();
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Ok(std::env::join_paths(dirs)?)
}
