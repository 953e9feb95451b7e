//! The commands a page prints for instructors, as data: every command of every ```` ```sh ````
//! block under `## Run it yourself`, which the book test `tests/page_commands.rs` runs as
//! printed, from the repository root.
//!
//! A command is one line, or several joined by a trailing `\`. Comment lines are not
//! commands. A trailing comment on a command's last line may carry a marker the test
//! reads and the reader sees:
//!
//! | marker | meaning |
//! |---|---|
//! | `# [exit N]` | the command is meant to exit with `N` (a bad input, drift found) |
//! | `# [skip: why]` | the test does not run it: a server that runs until Ctrl-C, a service the machine may not have, minutes of work |
//!
//! `cargo test …` and `cargo bench …` lines run with `--no-run` appended: the test proves
//! they compile and name a real package; `cargo test --workspace` runs the tests, and a
//! benchmark measures rather than checks.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use crate::Problem;
use crate::book::{Book, Page};

/// How long one command may run before the test calls it hung.
pub const TIME_LIMIT: Duration = Duration::from_secs(180);

/// What the page says a command does when run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Exits with this code (0 unless a `# [exit N]` marker says otherwise).
    Exit(i32),
    /// Not run by the test, for the reason given.
    Skip(String),
}

/// One command of a "Run it yourself" block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCommand {
    /// The page, relative to the book root.
    pub page: PathBuf,
    /// 1-based line where the command starts.
    pub line: usize,
    /// The command as the page prints it, continuation lines joined, marker removed.
    pub text: String,
    /// What it should do.
    pub expect: Expect,
}

impl PageCommand {
    /// The shell command the test runs: the printed one, with `--no-run` added to
    /// `cargo test` and `cargo bench`.
    pub fn runnable(&self) -> String {
        // Skip leading `NAME=value` assignments (`TIMSORT_BENCH_N=1000 cargo bench …`).
        let mut t = self.text.trim_start();
        while let Some((word, rest)) = t.split_once(' ')
            && word.contains('=')
            && !word.starts_with('-')
        {
            t = rest.trim_start();
        }
        if t.starts_with("cargo test") || t.starts_with("cargo bench") {
            match self.text.split_once(" -- ") {
                Some((cargo, rest)) => format!("{cargo} --no-run -- {rest}"),
                None => format!("{} --no-run", self.text),
            }
        } else {
            self.text.clone()
        }
    }
}

/// The marker in a command's trailing comment, and the command without it. A `#` that
/// starts a word outside quotes starts the comment.
fn split_marker(line: &str) -> Result<(String, Option<Expect>), String> {
    let mut quote = None;
    let mut prev = ' ';
    let mut comment_at = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => {
                comment_at = Some(i);
                break;
            }
            _ => {}
        }
        prev = c;
    }
    let Some(at) = comment_at else {
        return Ok((line.trim_end().to_string(), None));
    };
    let (cmd, comment) = line.split_at(at);
    let comment = comment.trim_start_matches('#').trim();
    let expect = match comment
        .strip_prefix('[')
        .and_then(|c| c.split_once(']'))
        .map(|(m, _)| m.trim())
    {
        None => None,
        Some(m) => {
            if let Some(n) = m.strip_prefix("exit ") {
                Some(Expect::Exit(n.trim().parse().map_err(|_| {
                    format!("marker `[{m}]`: the exit code must be a number")
                })?))
            } else if let Some(why) = m.strip_prefix("skip:") {
                let why = why.trim();
                if why.is_empty() {
                    return Err("marker `[skip: …]` needs a reason".into());
                }
                Some(Expect::Skip(why.to_string()))
            } else {
                return Err(format!(
                    "unknown marker `[{m}]` (use `[exit N]` or `[skip: why]`)"
                ));
            }
        }
    };
    Ok((cmd.trim_end().to_string(), expect))
}

/// The commands of a page's "Run it yourself" section, or the problems that stop them
/// being read (an unknown marker, a dangling `\`).
pub fn page_commands(page: &Page) -> Result<Vec<PageCommand>, Vec<String>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut in_section = false;
    let mut in_sh = false;
    let mut in_other_fence = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in page.text.lines().enumerate() {
        let t = line.trim();
        if !in_sh && !in_other_fence && t.starts_with("## ") {
            in_section = t == "## Run it yourself";
            continue;
        }
        if t.starts_with("```") {
            if in_sh || in_other_fence {
                if let Some((at, _)) = pending.take() {
                    problems.push(format!(
                        "{}:{at}: a `\\` continues past the end of the block",
                        page.path.display()
                    ));
                }
                in_sh = false;
                in_other_fence = false;
            } else if in_section && (t == "```sh" || t == "```bash" || t == "```shell") {
                in_sh = true;
            } else {
                in_other_fence = true;
            }
            continue;
        }
        if !in_sh {
            continue;
        }
        if pending.is_none() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        let (start, mut text) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(cont) = line.trim_end().strip_suffix('\\') {
            text.push_str(cont.trim_end());
            text.push(' ');
            pending = Some((start, text));
            continue;
        }
        text.push_str(if text.is_empty() { line.trim() } else { t });
        match split_marker(&text) {
            Ok((text, expect)) => out.push(PageCommand {
                page: page.path.clone(),
                line: start,
                text,
                expect: expect.unwrap_or(Expect::Exit(0)),
            }),
            Err(e) => problems.push(format!("{}:{start}: {e}", page.path.display())),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What running one command found.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The command.
    pub command: PageCommand,
    /// Its exit code (`None`: killed, or hung past [`TIME_LIMIT`]).
    pub code: Option<i32>,
    /// How long it took.
    pub seconds: f64,
    /// The end of its stderr.
    pub stderr_tail: String,
}

/// `PATH` as an instructor has it: without the pinned Python tools' folder (CI puts it
/// there; a reader following the page has not).
fn instructor_path() -> std::ffi::OsString {
    let venv = kit::pytools::bin_dir();
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::env::split_paths(&path).filter(|d| *d != venv)).unwrap_or(path)
}

/// Run one command as printed (`sh -c`, from `root`, no stdin), killing it and everything
/// it started after [`TIME_LIMIT`].
pub fn run(root: &Path, c: &PageCommand) -> std::io::Result<Ran> {
    run_with_limit(root, c, TIME_LIMIT)
}

/// [`run`] with another time limit.
pub fn run_with_limit(root: &Path, c: &PageCommand, limit: Duration) -> std::io::Result<Ran> {
    use std::os::unix::process::CommandExt;
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(c.runnable())
        .current_dir(root)
        .env("PATH", instructor_path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let reader = kit::programs::drain(child.stderr.take());
    let code = match child.wait_timeout(limit)? {
        Some(status) => status.code(),
        None => {
            // The whole process group (`sh`, cargo, the program): `--` so that procps'
            // `kill` reads `-PGID` as a group, not as an option.
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--"])
                .arg(format!("-{}", child.id()))
                .status();
            let _ = child.wait();
            None
        }
    };
    let stderr = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
    Ok(Ran {
        command: c.clone(),
        code,
        seconds: started.elapsed().as_secs_f64(),
        stderr_tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n      "),
    })
}

/// Every command of every linked page (or of the page whose file name is `only`).
pub fn book_commands(book: &Book, only: Option<&str>) -> Result<Vec<PageCommand>, Vec<Problem>> {
    let pages = book.linked_pages().map_err(|p| vec![p])?;
    let mut all = Vec::new();
    let mut problems = Vec::new();
    for page in pages
        .iter()
        .filter(|p| only.is_none_or(|o| p.path.file_name().is_some_and(|f| f == o)))
    {
        match page_commands(page) {
            Ok(c) => all.extend(c),
            Err(e) => problems.extend(e.into_iter().map(|m| Problem::new(&page.path, None, m))),
        }
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems)
    }
}

/// A problem for a command that did not do what its page says, else `None`.
pub fn verdict(ran: &Ran) -> Option<Problem> {
    let Expect::Exit(want) = ran.command.expect else {
        return None;
    };
    if ran.code == Some(want) {
        return None;
    }
    let got = match ran.code {
        Some(c) => format!("exited with {c}"),
        None => format!("was killed or ran past {} s", TIME_LIMIT.as_secs()),
    };
    Some(Problem::new(
        &ran.command.page,
        Some(ran.command.line),
        format!(
            "`{}` {got}, the page says {want}{}; stderr ends:\n      {}",
            ran.command.text,
            if want == 0 {
                ""
            } else {
                " (its `# [exit N]` marker)"
            },
            ran.stderr_tail
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Page {
        Page {
            path: "src/p.md".into(),
            text: text.into(),
        }
    }

    #[test]
    fn reads_commands_markers_and_continuations() {
        let p = page(
            "## Key concepts\n```sh\nnot-in-section\n```\n## Run it yourself\n\n```sh\n# a comment\ncargo run -p a -- --x '#1'   # the first\ncargo run -p a -- \\\n  --bad   # [exit 2]\nserve --port 8080  # [skip: runs until Ctrl-C]\ncargo test -p a\n```\n\n```rust\nnot a command\n```\n## Instructor notes\n```sh\nnope\n```\n",
        );
        let c = page_commands(&p).expect("reads");
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "cargo run -p a -- --x '#1'",
                "cargo run -p a -- --bad",
                "serve --port 8080",
                "cargo test -p a"
            ]
        );
        assert_eq!(c[0].expect, Expect::Exit(0));
        assert_eq!(c[1].expect, Expect::Exit(2));
        assert_eq!(c[1].line, 10);
        assert_eq!(c[2].expect, Expect::Skip("runs until Ctrl-C".into()));
        assert_eq!(c[3].runnable(), "cargo test -p a --no-run");
    }

    #[test]
    fn bad_markers_are_problems() {
        let p =
            page("## Run it yourself\n```sh\nx   # [exit two]\ny   # [later]\nz # [skip:]\n```\n");
        let e = page_commands(&p).expect_err("bad markers");
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("src/p.md:3") && e[0].contains("number"));
        assert!(e[1].contains("unknown marker"));
        assert!(e[2].contains("reason"));
    }

    #[test]
    fn a_hung_command_and_what_it_started_are_killed_at_the_limit() {
        let c = PageCommand {
            page: "p".into(),
            line: 1,
            // A child in the background holds stderr open: only killing the whole
            // process group ends the run.
            text: "sleep 60 & sleep 60".into(),
            expect: Expect::Exit(0),
        };
        let started = Instant::now();
        let r = run_with_limit(Path::new("."), &c, Duration::from_millis(500)).expect("runs");
        assert_eq!(r.code, None);
        assert!(started.elapsed() < Duration::from_secs(20), "not killed");
        assert!(verdict(&r).is_some_and(|p| p.message.contains("ran past")));
    }

    #[test]
    fn bench_arguments_stay_after_no_run() {
        let c = PageCommand {
            page: "p".into(),
            line: 1,
            text: "cargo bench -p a --bench b -- --warm-up-time 1".into(),
            expect: Expect::Exit(0),
        };
        assert_eq!(
            c.runnable(),
            "cargo bench -p a --bench b --no-run -- --warm-up-time 1"
        );
        let c = PageCommand {
            text: "N=5 cargo bench -p a --bench b".into(),
            ..c
        };
        assert_eq!(c.runnable(), "N=5 cargo bench -p a --bench b --no-run");
    }
}
