//! Every program a page runs ends cleanly when its standard output is full or closed
//! (CONTRIBUTING.md, "Hostile input"): written to `/dev/full` it exits with
//! `kit::cli::IO_ERROR` and says so in one line; piped into a reader that has gone it exits
//! with `kit::cli::BROKEN_PIPE` (or 0, if it finished before noticing). Never a panic.
//!
//! Each page directive runs as the page runs it. Measured blocks are left out: they spend
//! their time measuring before they print, through the same `kit::println!`.
//!
//! One page: `WORKBOOK_PAGE=day-13-s2s.md cargo test -p workbook --test hostile_stdout`.

use std::path::Path;
use std::process::{Command, Stdio};

use xtask::book::Book;

/// `sh -c command` in the page's folder, as cmdrun runs it, with stdout as given.
fn page_command(root: &Path, page: &Path, command: &str, stdout: Stdio) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(root.join(page.parent().unwrap_or(Path::new("src"))))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped());
    cmd
}

#[test]
fn a_full_or_closed_stdout_ends_every_program_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = Book::load(root).unwrap_or_else(|p| panic!("{p}"));
    let only = std::env::var("WORKBOOK_PAGE").ok();
    let directives = book.directives().unwrap_or_else(|p| panic!("{p}"));
    let mut problems = Vec::new();
    let mut ran = 0;
    for d in directives.iter().filter(|d| !d.measured) {
        if only
            .as_deref()
            .is_some_and(|p| d.page.file_name().is_none_or(|f| f != p))
        {
            continue;
        }
        let place = format!("{}:{} `{}`", d.page.display(), d.line, d.command);

        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = page_command(root, &d.page, &d.command, full.into())
            .output()
            .expect("sh");
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(kit::cli::IO_ERROR)
            || !err.contains("cannot write to standard output")
            || err.contains("panicked")
        {
            problems.push(format!(
                "{place} > /dev/full: exit {:?}, stderr:\n{err}",
                out.status.code()
            ));
        }

        let mut child = page_command(root, &d.page, &d.command, Stdio::piped())
            .spawn()
            .expect("sh");
        drop(child.stdout.take()); // the reader goes before the program writes
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        if !(code == Some(kit::cli::BROKEN_PIPE) || code == Some(0)) || err.contains("panicked") {
            problems.push(format!("{place} | (closed): exit {code:?}, stderr:\n{err}"));
        }
        ran += 1;
    }
    eprintln!("hostile stdout: {ran} page commands run twice");
    assert!(ran > 0, "no page command matched");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
