//! The pages' Try it engines: each chapter's engine compiled to `wasm32-unknown-unknown`.
//!
//! `cargo xtask wasm` builds the `tryit` crate once per chapter that has a
//! `src/tryit.rs`, with that chapter's feature, and copies the module to
//! `src/tryit/<chapter>.wasm` (git-ignored), which mdBook publishes as `book/tryit/`.
//!
//! The toolchain is found, not assumed:
//! - a rustup toolchain with the `wasm32-unknown-unknown` target installed (GitHub
//!   Actions: `rustup target add wasm32-unknown-unknown`) is used as it is;
//! - otherwise Debian's `rustc-web` toolchain, unpacked once per machine with `apt-get
//!   download` + `dpkg -x` into `<tool cache>/rust-web-<version>/` (no root needed, nothing
//!   installed system-wide). It has no prebuilt wasm32 standard library, so the build
//!   compiles std from `rust-web-src` (`-Zbuild-std`, allowed by `RUSTC_BOOTSTRAP=1`).
//!   Compiler and std source come from the same apt version, checked, not pinned (security
//!   updates move it). See `../shared/guide/toolchain.md`, "WebAssembly on this machine type".
//!
//! Without either (a laptop without apt, say) the pages keep their build-time output and
//! `cargo xtask build` says why.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};

/// The target every engine is built for.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Debian packages that make up the rust-web toolchain, plus the shared libraries its
/// `cargo` links that a minimal machine may lack. All are unpacked, none installed.
const DEB_PACKAGES: &[&str] = &[
    "rustc-web",
    "cargo-web",
    "libstd-rust-web-dev",
    "rust-web-src",
    "lld-22",
    "libllvm22",
    "libgit2-1.5",
    "libhttp-parser2.9",
    "libmbedcrypto7",
    "libmbedtls14",
    "libmbedx509-1",
];

/// How to run cargo for wasm32 on this machine.
#[derive(Debug, Clone)]
pub enum Toolchain {
    /// rustup's toolchain already has the target's standard library.
    Rustup,
    /// Debian's rust-web toolchain unpacked at this prefix (its `usr/` inside).
    Debian(PathBuf),
}

/// `<tool cache>/rust-web-<version>`, if unpacked and complete.
fn debian_prefixes() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(crate::tools::cache_dir()) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("rust-web-"))
                && p.join(".complete").is_file()
        })
        .collect();
    found.sort();
    found
}

fn rustup_has_target() -> bool {
    let Ok(out) = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
    else {
        return false;
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    out.status.success()
        && std::fs::read_dir(&dir).is_ok_and(|mut d| {
            d.any(|e| {
                e.is_ok_and(|e| {
                    let n = e.file_name();
                    let n = n.to_string_lossy();
                    n.starts_with("libstd-") && n.ends_with(".rlib")
                })
            })
        })
}

/// The toolchain to use, without installing anything.
pub fn find() -> Option<Toolchain> {
    if rustup_has_target() {
        return Some(Toolchain::Rustup);
    }
    debian_prefixes().pop().map(Toolchain::Debian)
}

fn candidate_version(package: &str) -> anyhow::Result<String> {
    let out = Command::new("apt-cache")
        .args(["policy", package])
        .output()
        .context(
            "running apt-cache (the wasm32 toolchain comes from Debian's rust-web packages)",
        )?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Candidate:"))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v != "(none)")
        .with_context(|| {
            format!("apt has no candidate for `{package}` (is this Debian bookworm with bookworm-security?)")
        })
}

/// Find the toolchain, or unpack Debian's rust-web packages into the tool cache.
pub fn ensure() -> anyhow::Result<Toolchain> {
    if let Some(t) = find() {
        return Ok(t);
    }
    let version = candidate_version("rustc-web")?;
    let upstream = version.split('+').next().unwrap_or(&version).to_string();
    let prefix = crate::tools::cache_dir().join(format!("rust-web-{upstream}"));
    eprintln!(
        "wasm: unpacking Debian's rust-web {version} (compiler, std source, wasm-ld) into {}",
        prefix.display()
    );
    let download = std::env::temp_dir().join(format!("workbook-rust-web-{}", std::process::id()));
    std::fs::create_dir_all(&download)?;
    let _ = std::fs::remove_dir_all(&prefix);
    std::fs::create_dir_all(&prefix)?;
    let mut args: Vec<String> = vec!["download".into()];
    for p in DEB_PACKAGES {
        // the Rust packages must be one version: compiler and std source match
        if [
            "rustc-web",
            "cargo-web",
            "libstd-rust-web-dev",
            "rust-web-src",
        ]
        .contains(p)
        {
            args.push(format!("{p}={version}"));
        } else {
            args.push((*p).to_string());
        }
    }
    args.push(format!("libstd-rust-web-{}={version}", minor(&upstream)));
    let status = Command::new("apt-get")
        .args(&args)
        .current_dir(&download)
        .status()
        .context("running apt-get download")?;
    ensure!(status.success(), "apt-get {} failed", args.join(" "));
    for deb in std::fs::read_dir(&download)? {
        let deb = deb?.path();
        if deb.extension().is_some_and(|e| e == "deb") {
            let status = Command::new("dpkg")
                .arg("-x")
                .arg(&deb)
                .arg(&prefix)
                .status()?;
            ensure!(status.success(), "dpkg -x {} failed", deb.display());
        }
    }
    let _ = std::fs::remove_dir_all(&download);
    let t = Toolchain::Debian(prefix.clone());
    let rustc = t.command("rustc").arg("-V").output()?;
    let said = String::from_utf8_lossy(&rustc.stdout).to_string();
    ensure!(
        said.contains(&upstream),
        "the unpacked rustc says {said:?}, expected {upstream}"
    );
    ensure!(
        prefix
            .join(format!("usr/src/rustc-{upstream}/library/std"))
            .is_dir(),
        "rust-web-src {upstream} did not unpack the standard library's source"
    );
    std::fs::write(prefix.join(".complete"), &version)?;
    Ok(t)
}

/// "1.96.0" → "1.96" (the runtime library package's name carries it).
fn minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

impl Toolchain {
    /// A command for one of the toolchain's programs, with the environment it needs.
    fn command(&self, program: &str) -> Command {
        match self {
            Toolchain::Rustup => Command::new(program),
            Toolchain::Debian(prefix) => {
                let mut c = Command::new(prefix.join("usr/bin").join(program));
                c.env("LD_LIBRARY_PATH", prefix.join("usr/lib/x86_64-linux-gnu"));
                c
            }
        }
    }

    /// `cargo build` of the `tryit` crate for wasm32 with one chapter's feature.
    fn cargo_build(&self, root: &Path, feature: &str) -> Command {
        let mut c = self.command("cargo");
        c.current_dir(root)
            .env("CARGO_TARGET_DIR", target_dir(root))
            .env_remove("RUSTFLAGS")
            .args(["build", "-p", "tryit", "--features", feature])
            .args(["--profile", "wasm", "--target", TARGET]);
        if let Toolchain::Debian(prefix) = self {
            c.env("RUSTC", prefix.join("usr/bin/rustc"))
                .env("RUSTDOC", prefix.join("usr/bin/rustdoc"))
                .env("RUSTC_BOOTSTRAP", "1")
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER",
                    prefix.join("usr/lib/llvm-22/bin/wasm-ld"),
                )
                .arg("-Zbuild-std=std,panic_abort");
        }
        c
    }

    /// One line for reports.
    pub fn describe(&self) -> String {
        match self {
            Toolchain::Rustup => "rustup's wasm32-unknown-unknown target".into(),
            Toolchain::Debian(p) => format!(
                "Debian's rust-web toolchain in {} (std built from source)",
                p.display()
            ),
        }
    }
}

/// `<target dir>/wasm`: its own folder, since a different compiler (and `-Zbuild-std`)
/// would otherwise rebuild the native artefacts' shared dependencies.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("wasm")
}

/// The chapters with a Try it engine: a `tryit` feature and a `src/tryit.rs`.
pub fn chapters(root: &Path) -> anyhow::Result<Vec<String>> {
    let manifest = std::fs::read_to_string(root.join("tryit/Cargo.toml"))?;
    let mut out = Vec::new();
    let mut in_features = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
            continue;
        }
        if in_features && let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if root
                .join("chapters")
                .join(name)
                .join("src/tryit.rs")
                .is_file()
            {
                out.push(name.to_string());
            }
        }
    }
    Ok(out)
}

/// Where a chapter's module goes: `src/tryit/<chapter>.wasm` (published as `book/tryit/`).
pub fn module_path(root: &Path, chapter: &str) -> PathBuf {
    root.join("src/tryit").join(format!("{chapter}.wasm"))
}

/// One built module.
#[derive(Debug)]
pub struct Built {
    /// The chapter (crate) name.
    pub chapter: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// Build every chapter's engine with `toolchain` (only `only`, when given).
pub fn build(root: &Path, toolchain: &Toolchain, only: Option<&str>) -> anyhow::Result<Vec<Built>> {
    let mut built = Vec::new();
    let chapters = chapters(root)?;
    if let Some(o) = only
        && !chapters.iter().any(|c| c == o)
    {
        bail!(
            "no Try it engine named `{o}` (have: {})",
            chapters.join(", ")
        );
    }
    for chapter in chapters.iter().filter(|c| only.is_none_or(|o| o == *c)) {
        eprintln!("wasm: {chapter}");
        let status = toolchain
            .cargo_build(root, chapter)
            .status()
            .with_context(|| format!("running cargo for {chapter}'s wasm32 build"))?;
        ensure!(
            status.success(),
            "the wasm32 build of `{chapter}`'s engine failed (see cargo's output above)"
        );
        let from = target_dir(root).join(format!("{TARGET}/wasm/tryit.wasm"));
        let to = module_path(root, chapter);
        std::fs::create_dir_all(to.parent().unwrap_or(root))?;
        let bytes = std::fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
        // rewrite only on change: `mdbook serve` watches src/
        if std::fs::read(&to).ok().as_deref() != Some(&bytes[..]) {
            std::fs::write(&to, &bytes).with_context(|| format!("writing {}", to.display()))?;
        }
        built.push(Built {
            chapter: chapter.clone(),
            bytes: bytes.len() as u64,
        });
    }
    Ok(built)
}

/// A short report of built modules and sizes.
pub fn report(built: &[Built]) -> String {
    let total: u64 = built.iter().map(|b| b.bytes).sum();
    let mut s = String::new();
    for b in built {
        s += &format!("  {:<12} {:>8.1} KiB\n", b.chapter, b.bytes as f64 / 1024.0);
    }
    s += &format!(
        "wasm: {} engines, {:.1} KiB in all, in src/tryit/ (published as book/tryit/)\n",
        built.len(),
        total as f64 / 1024.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_version() {
        assert_eq!(minor("1.96.0"), "1.96");
    }

    #[test]
    fn chapters_with_an_engine_are_listed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let list = chapters(root).unwrap();
        assert!(list.iter().any(|c| c == "timsort"), "{list:?}");
    }
}
