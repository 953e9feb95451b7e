//! The technical contract, checked by a real third-party tool: schemathesis
//! generates requests from the served OpenAPI document (valid and invalid ones) and
//! checks every response against it: status codes, content types, schemas, no 5xx.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use thiserror::Error;

/// The executable's name.
pub const EXECUTABLE: &str = "schemathesis";

/// Running schemathesis went wrong (as opposed to it finding a problem).
#[derive(Debug, Error)]
pub enum SchemathesisError {
    /// Neither the pinned one nor one on `PATH`.
    #[error(
        "schemathesis not found in {} nor on PATH: run `cargo xtask tools` from the \
         repository root (it installs the pinned version there)",
        .pinned_dir.display()
    )]
    NotInstalled {
        /// Where `cargo xtask tools` installs the pinned tools.
        pinned_dir: PathBuf,
    },
    /// It could not be started, or its scratch folder could not be made.
    #[error("cannot run schemathesis: {0}")]
    Io(#[from] std::io::Error),
    /// It exited with a code that means neither "passed" nor "failures found".
    #[error("schemathesis exited with {code:?}; last output:\n{tail}")]
    Crashed {
        /// Its exit code, if any.
        code: Option<i32>,
        /// The end of its output.
        tail: String,
    },
}

/// The pinned `schemathesis` that `cargo xtask tools` installs, else the first on
/// `PATH` ([`kit::pytools::find`]).
pub fn find() -> Result<PathBuf, SchemathesisError> {
    kit::pytools::find(EXECUTABLE).ok_or_else(|| SchemathesisError::NotInstalled {
        pinned_dir: kit::pytools::bin_dir(),
    })
}

/// The verdict of one run.
#[derive(Debug, Clone, Serialize)]
pub struct TechnicalVerdict {
    /// Exit code 0: no check failed.
    pub passed: bool,
    /// The line with the test-case counts, e.g. `101 generated, 101 passed`.
    pub cases: Option<String>,
    /// Everything it printed (for a failure report).
    pub output: String,
}

/// The largest `--max-examples` the programs pass: hypothesis's default is 100, and
/// each example is a request; 1000 per operation is minutes already.
pub const MAX_EXAMPLES: u32 = 1000;

/// What to ask schemathesis for.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `--seed`.
    pub seed: u64,
    /// `--max-examples` per operation.
    pub max_examples: u32,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: 9,
            max_examples: 30,
        }
    }
}

/// The arguments given to schemathesis (shown on the page).
pub fn arguments(openapi_url: &str, options: &RunOptions) -> Vec<String> {
    vec![
        "run".into(),
        openapi_url.into(),
        "--checks".into(),
        "all".into(),
        "--max-examples".into(),
        options.max_examples.to_string(),
        "--seed".into(),
        options.seed.to_string(),
        "--generation-database".into(),
        "none".into(),
        "--workers".into(),
        "1".into(),
        "--no-color".into(),
    ]
}

/// Make a new, empty folder under the system temp dir for one run. `create_dir`, not
/// `create_dir_all`: a folder of that name that is already there (another program's,
/// or a stale one) is never used, so the clean-up after the run can only remove what
/// this run made.
pub fn fresh_scratch_dir() -> std::io::Result<PathBuf> {
    static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    loop {
        let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("contracts-schemathesis-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 10_000 => continue,
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("cannot make a scratch folder {}: {e}", dir.display()),
                ));
            }
        }
    }
}

/// Run `exe` against the OpenAPI document at `openapi_url`, in a scratch folder
/// (schemathesis and hypothesis write state into their working directory).
pub fn run(
    exe: &Path,
    openapi_url: &str,
    options: &RunOptions,
) -> Result<TechnicalVerdict, SchemathesisError> {
    let scratch = fresh_scratch_dir()?;
    let result = Command::new(exe)
        .args(arguments(openapi_url, options))
        .current_dir(&scratch)
        .env("NO_COLOR", "1")
        .output();
    let _ = std::fs::remove_dir_all(&scratch);
    let out = result?;
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    let cases = output
        .lines()
        .map(str::trim)
        .find(|l| l.contains(" generated, "))
        .map(str::to_string);
    match out.status.code() {
        Some(0) => Ok(TechnicalVerdict {
            passed: true,
            cases,
            output,
        }),
        Some(1) if output.contains("SUMMARY") => Ok(TechnicalVerdict {
            passed: false,
            cases,
            output,
        }),
        code => {
            let lines: Vec<&str> = output.lines().collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n");
            Err(SchemathesisError::Crashed { code, tail })
        }
    }
}
