//! The pinned mdBook toolchain, installed once per machine into a versioned cache.
//!
//! mdbook-cmdrun 0.7.3 (the latest) links mdBook 0.4 and fails under mdBook 0.5 with
//! "Unable to parse the input" (upstream FauconFan/mdbook-cmdrun#22). So the book pins
//! mdBook 0.4.52 (the last 0.4 release) and cmdrun 0.7.3, installs them with
//! `cargo install --locked` into `<cache>/<crate>-<version>/`, and always runs those
//! binaries by path — never whatever `mdbook` happens to be on `PATH`.
//!
//! Some page programs also run Python tools (cfn-lint, checkov, schemathesis): those live
//! in one virtual environment in the same cache, made from the pins in
//! `xtask/python-tools.txt` + `python-tools.lock`, and their `bin` folder goes first on
//! the `PATH` of every page program xtask or the book test runs.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

/// Environment variable that overrides the tool cache folder.
pub const CACHE_ENV: &str = kit::pytools::CACHE_ENV;

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
/// `~/.cache/workbook-tools` (the rule lives in `kit::pytools`, where chapters look too).
pub fn cache_dir() -> PathBuf {
    kit::pytools::cache_dir()
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

/// The Python tools some page programs and tests run (cfn-lint and checkov for Day 16,
/// schemathesis for Day 9): top-level pins, and the full `pip freeze` used as constraints.
pub const PYTHON_REQUIREMENTS: &str = include_str!("../python-tools.txt");
/// Every package the Python tools pull in, pinned (`pip install -c`).
pub const PYTHON_CONSTRAINTS: &str = include_str!("../python-tools.lock");

/// The virtual environment holding the pinned Python tools: `<cache>/python-tools`.
pub fn python_venv() -> PathBuf {
    cache_dir().join("python-tools")
}

/// The folder with the Python tools' executables (`cfn-lint`, `checkov`, `schemathesis`).
pub fn python_bin() -> PathBuf {
    kit::pytools::bin_dir()
}

/// The record `ensure_python` writes after a successful install: the pins it installed.
fn python_record() -> PathBuf {
    python_venv().join("workbook-pins.txt")
}

/// Whether the venv holds exactly the pinned tools (its record matches the pins).
pub fn python_installed() -> bool {
    let record = std::fs::read_to_string(python_record()).unwrap_or_default();
    record == format!("{PYTHON_REQUIREMENTS}{PYTHON_CONSTRAINTS}")
        && python_bin().join("checkov").is_file()
}

/// Create the venv and `pip install` the pinned tools if needed; return its `bin` folder.
pub fn ensure_python() -> anyhow::Result<PathBuf> {
    if python_installed() {
        return Ok(python_bin());
    }
    let venv = python_venv();
    eprintln!(
        "xtask: installing cfn-lint, checkov and schemathesis into {} (once per machine; a few minutes)",
        venv.display()
    );
    if venv.exists() {
        std::fs::remove_dir_all(&venv)?;
    }
    let python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    let status = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()?;
    anyhow::ensure!(
        status.success(),
        "python3 -m venv {} failed ({status})",
        venv.display()
    );
    let pins = venv.join("requirements.txt");
    let constraints = venv.join("constraints.txt");
    std::fs::write(&pins, PYTHON_REQUIREMENTS)?;
    std::fs::write(&constraints, PYTHON_CONSTRAINTS)?;
    let status = Command::new(python_bin().join("pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&pins)
        .arg("-c")
        .arg(&constraints)
        .status()?;
    anyhow::ensure!(
        status.success(),
        "pip install of the Python tools failed ({status})"
    );
    std::fs::write(
        python_record(),
        format!("{PYTHON_REQUIREMENTS}{PYTHON_CONSTRAINTS}"),
    )?;
    Ok(python_bin())
}

/// `PATH` with the given folders first.
pub fn path_with(first: &[PathBuf]) -> anyhow::Result<OsString> {
    let mut dirs: Vec<PathBuf> = first.to_vec();
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Ok(std::env::join_paths(dirs)?)
}

/// Install every pinned tool if needed; return `PATH` with their folders first, so
/// mdBook finds the pinned `mdbook-cmdrun` preprocessor and page programs find the
/// Python tools.
pub fn ensure_all() -> anyhow::Result<OsString> {
    let mdbook = MDBOOK.ensure()?;
    let cmdrun = CMDRUN.ensure()?;
    let python = ensure_python()?;
    let mut dirs: Vec<PathBuf> = [cmdrun, mdbook]
        .iter()
        .filter_map(|b| b.parent().map(PathBuf::from))
        .collect();
    dirs.push(python);
    path_with(&dirs)
}

/// puppeteer-core, the Node.js library the Try it browser test drives Chromium with
/// (the last major line that runs on Node.js 20, the machine's Node).
pub const PUPPETEER_CORE: &str = "24.43.1";

/// `<cache>/puppeteer-core-<version>/node_modules`, installing it with npm if needed.
pub fn ensure_puppeteer() -> anyhow::Result<PathBuf> {
    let prefix = cache_dir().join(format!("puppeteer-core-{PUPPETEER_CORE}"));
    let modules = prefix.join("node_modules");
    let record = prefix.join("workbook-installed");
    if record.is_file() && modules.join("puppeteer-core").is_dir() {
        return Ok(modules);
    }
    eprintln!(
        "xtask: installing puppeteer-core {PUPPETEER_CORE} into {} (once per machine)",
        prefix.display()
    );
    std::fs::create_dir_all(&prefix)?;
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&prefix)
        .arg(format!("puppeteer-core@{PUPPETEER_CORE}"))
        // the browser is the machine's Chromium: never download one
        .env("PUPPETEER_SKIP_DOWNLOAD", "1")
        .status()
        .map_err(|e| {
            anyhow::anyhow!("running npm (Node.js is needed for the Try it browser test): {e}")
        })?;
    anyhow::ensure!(
        status.success(),
        "npm install puppeteer-core@{PUPPETEER_CORE} failed ({status})"
    );
    std::fs::write(&record, PUPPETEER_CORE)?;
    Ok(modules)
}
