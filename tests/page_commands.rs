//! Every command a page prints under "Run it yourself" runs as printed, from the
//! repository root, and does what the page says: exit 0, or the code its `# [exit N]`
//! marker states; `# [skip: why]` lines are not run. Running them all leaves the checkout
//! as it was (`git status` unchanged). See `xtask::commands` for the rules.
//!
//! One page: `WORKBOOK_PAGE=day-13-s2s.md cargo test -p workbook --test page_commands`.

use std::path::Path;
use std::process::Command;

use xtask::book::Book;
use xtask::commands::{self, Expect};
use xtask::report;

fn git_status(root: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(root)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn every_page_command_runs_as_printed_and_leaves_the_checkout_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = Book::load(root).unwrap_or_else(|p| panic!("{p}"));
    let only = std::env::var("WORKBOOK_PAGE").ok();
    let cmds = commands::book_commands(&book, only.as_deref())
        .unwrap_or_else(|p| panic!("\n{}", report(&p)));
    assert!(!cmds.is_empty(), "no page prints a command");
    let before = git_status(root);
    let mut problems = Vec::new();
    let (mut ran, mut skipped) = (0, 0);
    for c in &cmds {
        if let Expect::Skip(why) = &c.expect {
            eprintln!("skip  {}:{}  {}  ({why})", c.page.display(), c.line, c.text);
            skipped += 1;
            continue;
        }
        let r = commands::run(root, c).unwrap_or_else(|e| panic!("cannot run sh: {e}"));
        eprintln!(
            "{:>5.1}s {}:{}  {}",
            r.seconds,
            c.page.display(),
            c.line,
            c.text
        );
        ran += 1;
        problems.extend(commands::verdict(&r));
    }
    eprintln!("page commands: {ran} run, {skipped} marked skip");
    if let (Some(before), Some(after)) = (before, git_status(root))
        && before != after
    {
        problems.push(xtask::Problem::new(
            "src/",
            None,
            format!(
                "the page commands changed the checkout; `git status` before:\n{before}\nafter:\n{after}\nwrite into /tmp, target/ or an explicit --out instead"
            ),
        ));
    }
    assert!(problems.is_empty(), "\n{}", report(&problems));
}
