//! Running a chapter's programs from its tests, the way a reader runs them.
//!
//! A chapter's `tests/cli.rs` checks its examples end to end — good input gives the
//! documented output, bad input a clear error and a non-zero exit — by running exactly
//! the command the page shows: `cargo run -q --release -p PACKAGE --example NAME`.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

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

/// A program's standard output, line by line, each with the time it arrived: what a live
/// (`--realtime`) demo is tested with.
#[derive(Debug, Clone)]
pub struct TimedLines {
    /// Each line and when it arrived, counted from the start of the program.
    pub lines: Vec<(Duration, String)>,
    /// When its stdout closed.
    pub ended: Duration,
    /// How it exited.
    pub status: ExitStatus,
    /// Everything it wrote to stderr.
    pub stderr: String,
}

impl TimedLines {
    /// Check that the lines `is_event` picks arrived while the program ran, not in one
    /// block at the end (stdout to a pipe is block-buffered unless a program flushes):
    /// at least `min_events` of them, the first and last at least `min_spread` apart,
    /// and not all within the last 100 ms before stdout closed. Returns what is wrong.
    pub fn check_live(
        &self,
        is_event: impl Fn(&str) -> bool,
        min_events: usize,
        min_spread: Duration,
    ) -> Result<(), String> {
        let events: Vec<&(Duration, String)> =
            self.lines.iter().filter(|(_, l)| is_event(l)).collect();
        if events.len() < min_events {
            return Err(format!(
                "{} event lines, expected at least {min_events}: {:#?}",
                events.len(),
                self.lines
            ));
        }
        let (first, last) = (events[0].0, events[events.len() - 1].0);
        if last - first < min_spread {
            return Err(format!(
                "the event lines arrived within {:?} of each other (printed in one block?): {events:#?}",
                last - first
            ));
        }
        if self.ended - first <= Duration::from_millis(100) {
            return Err(format!(
                "every event line arrived in the last 100 ms of the run: {events:#?}"
            ));
        }
        Ok(())
    }
}

/// Read `pipe` to its end on a thread of its own, so a child that writes a lot to it
/// never blocks on a full pipe while the caller waits for something else; join the
/// handle for the bytes (empty for `None`).
pub fn drain<R: std::io::Read + Send + 'static>(
    pipe: Option<R>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Run `cmd` with stdout piped and read it line by line, stamping each line's arrival.
pub fn timed_lines(mut cmd: Command) -> std::io::Result<TimedLines> {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let reader = drain(child.stderr.take());
    let mut lines = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            lines.push((started.elapsed(), line?));
        }
    }
    let ended = started.elapsed();
    let status = child.wait()?;
    let stderr = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    Ok(TimedLines {
        lines,
        ended,
        status,
        stderr,
    })
}

/// `cargo run -q --release -p package --example example -- args…`, as a [`Command`] for
/// [`timed_lines`] (`None` for `example` runs the package's binary).
pub fn cargo_run(package: &str, example: Option<&str>, args: &[&str]) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["run", "-q", "--release", "-p", package]);
    if let Some(e) = example {
        cmd.args(["--example", e]);
    }
    cmd.arg("--").args(args);
    cmd
}

/// The numbers a hostile-input table tries on every numeric flag (CONTRIBUTING.md,
/// "Hostile input"): zero, negative, `u64::MAX`, one past it, a huge float, NaN, infinity,
/// empty and a word.
pub const HOSTILE_NUMBERS: [&str; 9] = [
    "0",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "1e20",
    "NaN",
    "inf",
    "",
    "ten",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_lines_tell_live_output_from_a_block_at_the_end() {
        let mut live = Command::new("sh");
        live.args(["-c", "echo a; sleep 0.3; echo b; sleep 0.3; echo c"]);
        let t = timed_lines(live).expect("sh runs");
        assert!(t.status.success());
        assert_eq!(t.lines.len(), 3);
        assert!(
            t.check_live(|_| true, 3, Duration::from_millis(400))
                .is_ok()
        );

        let mut block = Command::new("sh");
        block.args(["-c", "sleep 0.5; printf 'a\\nb\\nc\\n'"]);
        let t = timed_lines(block).expect("sh runs");
        let err = t
            .check_live(|_| true, 3, Duration::from_millis(400))
            .expect_err("all lines at once");
        assert!(err.contains("within"), "{err}");
        assert!(t.check_live(|_| true, 4, Duration::ZERO).is_err());
    }

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
