//! Running a chapter's programs from its tests, the way a reader runs them.
//!
//! A chapter's `tests/cli.rs` checks its examples end to end — good input gives the
//! documented output, bad input a clear error and a non-zero exit — by running exactly
//! the command the page shows: `cargo run -q --release -p PACKAGE --example NAME`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Run `cargo run -q --release -p package --example example -- args…` with `stdin`
/// piped in, and collect its output. (`$CARGO` — set by cargo for the tests it runs —
/// picks the same cargo that is running the tests.)
pub fn run_example(
    package: &str,
    example: &str,
    args: &[&str],
    stdin: &str,
) -> std::io::Result<Output> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args([
            "run",
            "-q",
            "--release",
            "-p",
            package,
            "--example",
            example,
            "--",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        // A program that exits without reading its input closes the pipe: not an error here.
        let _ = input.write_all(stdin.as_bytes());
    }
    child.wait_with_output()
}

/// Write `text` to `name` in a per-process scratch folder under the system temp dir
/// (`<tmp>/<prefix>-<pid>/`), for tests that feed files to a program.
pub fn scratch_file(prefix: &str, name: &str, text: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, text)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_files_land_in_a_per_process_folder() {
        let p = scratch_file("kit-programs", "a.txt", "hello").expect("write");
        assert!(
            p.to_string_lossy()
                .contains(&format!("kit-programs-{}", std::process::id()))
        );
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "hello");
        let _ = std::fs::remove_dir_all(p.parent().expect("dir"));
    }
}
