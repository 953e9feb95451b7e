//! `cargo xtask`: the workbook's chores. See the library docs (`xtask::`) for each command.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use xtask::{
    book::Book, check, commands, freeze, render, report, scaffold, site, smoke, tools, wasm,
};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "The Concepts Workbook's chores: serve, build, check, bless, smoke, new-entry"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install the pinned tools if needed, serve the book with live reload (unchanged page
    /// programs come from the freeze cache; an edit re-runs only what it touches).
    Serve {
        /// Ignore the freeze cache: run every page program on the first build.
        #[arg(long)]
        fresh: bool,
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Open the book in a browser.
        #[arg(long)]
        open: bool,
    },
    /// Build the HTML book into `book/` with the pinned tools, then check the site.
    /// Page programs whose inputs did not change come from the freeze cache.
    Build {
        /// Ignore the freeze cache: run every page program (the outputs are still recorded).
        #[arg(long)]
        fresh: bool,
    },
    /// Template and consistency checks on the sources (fast; builds nothing).
    Check {
        /// Also run every page program and compare it with its snapshot.
        #[arg(long)]
        outputs: bool,
        /// With --outputs: only this page (its file name, e.g. `day-10-timsort.md`).
        #[arg(long, requires = "outputs")]
        page: Option<String>,
    },
    /// Re-run every page program and rewrite its snapshot under tests/snapshots/.
    Bless {
        /// Only this page (its file name, e.g. `day-10-timsort.md`).
        #[arg(long)]
        page: Option<String>,
    },
    /// Load every built chapter page in headless Chromium and check its output is there.
    Smoke,
    /// Scaffold a new daily entry: crate, page, SUMMARY line, re-export, snapshot.
    NewEntry {
        /// The day number, e.g. 17.
        #[arg(long)]
        day: u32,
        /// The concept, e.g. "Circuit Breaker" (without "Day N —").
        #[arg(long)]
        title: String,
        /// Crate and page slug (default: from the title).
        #[arg(long)]
        slug: Option<String>,
    },
    /// Print where the pinned tools live (mdBook, cmdrun, the Python tools), installing them if needed.
    /// The last line is the Python tools' folder: `PATH="$(cargo xtask tools | tail -n 1):$PATH"`.
    Tools,
    /// Before class: install the pinned tools and compile everything the pages, tests and
    /// benches need, so nothing compiles in front of the room; then build the book.
    Prepare,
    /// Run every "Run it yourself" command of the pages as printed, from the repository root,
    /// and check each does what its page says (the book test `page_commands` does the same).
    Commands {
        /// Only this page (its file name, e.g. `day-3-heartbeat.md`).
        #[arg(long)]
        page: Option<String>,
    },
    /// Compile each chapter's Try it engine to wasm32 (`src/tryit/<chapter>.wasm`), finding
    /// or, once per machine, unpacking the toolchain. `build`, `serve` and `prepare` do this
    /// too; without a toolchain the pages keep their build-time output.
    Wasm {
        /// Only this chapter's engine (its crate name, e.g. `timsort`).
        #[arg(long)]
        chapter: Option<String>,
    },
}

/// Build the Try it engines before a book build. Without a wasm32 toolchain the pages
/// still work (they show the build-time output): say why and go on, unless
/// `WORKBOOK_REQUIRE_TOOLS=1` (CI) makes it an error.
fn try_it_engines(root: &Path) -> anyhow::Result<()> {
    let required = std::env::var_os("WORKBOOK_REQUIRE_TOOLS").is_some_and(|v| v == "1");
    let result = wasm::ensure().and_then(|t| wasm::build(root, &t, None));
    match result {
        Ok(built) => {
            eprint!("{}", wasm::report(&built));
            Ok(())
        }
        Err(e) if !required => {
            eprintln!(
                "xtask: warning: the Try it engines were not built, so pages show only their build-time output: {e:#}"
            );
            Ok(())
        }
        Err(e) => Err(e.context("building the Try it engines (WORKBOOK_REQUIRE_TOOLS=1)")),
    }
}

fn root() -> PathBuf {
    // xtask's manifest is <root>/xtask/Cargo.toml. `cargo run` (the `cargo xtask` alias)
    // names it at run time: the checkout the command was typed in, even when a shared
    // target folder holds an xtask built in another checkout (CI's scratch clone does
    // exactly that). The path compiled in is the fallback for running the binary alone.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn fail(what: &str, problems: &[xtask::Problem]) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{what}: {} problem(s)\n{}",
        problems.len(),
        report(problems)
    );
    Ok(ExitCode::FAILURE)
}

fn render_options(fresh: bool) -> anyhow::Result<render::Options> {
    Ok(render::Options {
        xtask: std::env::current_exe()?,
        path: tools::ensure_all()?,
        fresh,
    })
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let root = root();
    let book = || Book::load(&root).map_err(|p| anyhow::anyhow!("{p}"));
    match cli.command {
        Cmd::Check { outputs, page } => {
            let book = book()?;
            let mut problems = check::check_sources(&book);
            if outputs {
                tools::ensure_python()?;
                problems.extend(check::check_outputs_of(&book, page.as_deref(), false));
            }
            if !problems.is_empty() {
                return fail("check", &problems);
            }
            println!(
                "check: {} SUMMARY entries, every page follows the template",
                book.summary.len()
            );
        }
        Cmd::Bless { page } => {
            tools::ensure_python()?;
            let book = book()?;
            let problems: Vec<_> = check::check_outputs_of(&book, page.as_deref(), true);
            if !problems.is_empty() {
                return fail("bless", &problems);
            }
            println!(
                "bless: snapshots rewritten under tests/snapshots/ — review them with `git diff`"
            );
        }
        Cmd::Build { fresh } => {
            let started = Instant::now();
            let book = book()?;
            let problems = check::check_sources(&book);
            if !problems.is_empty() {
                return fail("check", &problems);
            }
            try_it_engines(&root)?;
            let report = render::build(&book, &render_options(fresh)?)?;
            eprint!("{}", report.summary());
            let problems = site::check_site(&book, &root.join("book"));
            if !problems.is_empty() {
                return fail("site", &problems);
            }
            println!(
                "build: book/ is complete in {:.1} s — no cmdrun errors, no missing pages, no broken links",
                started.elapsed().as_secs_f64()
            );
        }
        Cmd::Serve { port, open, fresh } => {
            let book = book()?;
            let setup = render::setup(&book, &render_options(fresh)?)?;
            try_it_engines(&root)?;
            render::build_programs(&book, &setup)?;
            println!(
                "xtask: serving the book at http://127.0.0.1:{port}/ (Ctrl-C to stop; edits to src/ and chapters/ reload it)"
            );
            let engines_root = root.clone();
            freeze::follow_log(setup.log.clone(), move |command| {
                // A Try it block re-ran, so its chapter's code changed: rebuild the engine
                // the page loads too (mdBook sees the new module and reloads the page).
                let args: Vec<&str> = command.split_whitespace().collect();
                let is_try_it = args.windows(2).any(|w| w == ["--example", "try_it"]);
                let package = args.windows(2).find(|w| w[0] == "-p").map(|w| w[1]);
                if let (true, Some(package), Some(toolchain)) = (is_try_it, package, wasm::find()) {
                    match wasm::build(&engines_root, &toolchain, Some(package)) {
                        Ok(built) => eprint!("{}", wasm::report(&built)),
                        Err(e) => {
                            eprintln!("xtask: the {package} Try it engine did not build: {e:#}")
                        }
                    }
                }
            });
            let mut cmd = render::mdbook(&book, &setup);
            cmd.args(["serve", "--hostname", "127.0.0.1", "--port"])
                .arg(port.to_string());
            if open {
                cmd.arg("--open");
            }
            let status = cmd.status()?;
            anyhow::ensure!(status.success(), "mdbook serve exited with {status}");
        }
        Cmd::Smoke => {
            let book = book()?;
            let problems = smoke::smoke(&book, &root.join("book"))?;
            if !problems.is_empty() {
                return fail("smoke", &problems);
            }
            println!("smoke: every chapter page renders its program output in Chromium");
        }
        Cmd::NewEntry { day, title, slug } => {
            let entry = scaffold::NewEntry { day, title, slug };
            let plan = match scaffold::plan(&root, &entry) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("new-entry: {e}\nnothing was changed");
                    return Ok(ExitCode::from(2));
                }
            };
            scaffold::apply(&root, &plan).context("writing the new entry")?;
            for (p, _) in plan.create.iter().chain(&plan.rewrite) {
                println!("  wrote {}", p.display());
            }
            // The templates are formatted for short names; let rustfmt settle the real one.
            let fmt = cargo()
                .current_dir(&root)
                .args(["fmt", "-p", &plan.slug])
                .status();
            if !fmt.is_ok_and(|s| s.success()) {
                eprintln!(
                    "new-entry: warning: `cargo fmt -p {}` failed; run it before committing",
                    plan.slug
                );
            }
            let book = book()?;
            let page = format!("day-{day}-{}.md", plan.slug);
            let directives = book
                .page(&page)
                .map_err(|p| anyhow::anyhow!("{p}"))?
                .directives();
            let mut problems = Vec::new();
            for d in &directives {
                let out = check::run_directive(&root, d)?;
                problems.extend(check::check_output(&root, d, &out, true));
            }
            if !problems.is_empty() {
                return fail("new-entry snapshot", &problems);
            }
            println!(
                "new-entry: day {day} is in the book. Next: edit chapters/{}/ and src/{page}, then `cargo xtask bless` and `cargo test --workspace`",
                plan.slug
            );
        }
        Cmd::Prepare => {
            let started = Instant::now();
            let path = tools::ensure_all()?;
            for args in [
                &["build", "--release", "--workspace", "--examples", "--bins"][..],
                &["test", "--workspace", "--no-run"],
                &["bench", "--workspace", "--no-run"],
                &[
                    "build",
                    "--release",
                    "--manifest-path",
                    "chapters/timsort/peer/Cargo.toml",
                    "--examples",
                    "--benches",
                ],
            ] {
                eprintln!("prepare: cargo {}", args.join(" "));
                let status = cargo().current_dir(&root).args(args).status()?;
                anyhow::ensure!(status.success(), "cargo {} failed", args.join(" "));
            }
            try_it_engines(&root)?;
            let book = book()?;
            let report = render::build(
                &book,
                &render::Options {
                    xtask: std::env::current_exe()?,
                    path,
                    fresh: false,
                },
            )?;
            eprint!("{}", report.summary());
            println!(
                "prepare: everything is compiled and book/ is built, in {:.0} s; `cargo xtask serve` to teach",
                started.elapsed().as_secs_f64()
            );
        }
        Cmd::Commands { page } => {
            let book = book()?;
            let cmds = match commands::book_commands(&book, page.as_deref()) {
                Ok(c) => c,
                Err(p) => return fail("commands", &p),
            };
            let mut problems = Vec::new();
            for c in &cmds {
                if let commands::Expect::Skip(why) = &c.expect {
                    println!(
                        "  skip         {}:{}  {} ({why})",
                        c.page.display(),
                        c.line,
                        c.text
                    );
                    continue;
                }
                let r = commands::run(&root, c)?;
                let v = commands::verdict(&r);
                println!(
                    "  {} {:>6.1} s  {}:{}  {}",
                    if v.is_none() { "ok  " } else { "FAIL" },
                    r.seconds,
                    c.page.display(),
                    c.line,
                    c.text
                );
                problems.extend(v);
            }
            if !problems.is_empty() {
                return fail("commands", &problems);
            }
            println!(
                "commands: {} page commands do what their pages say",
                cmds.len()
            );
        }
        Cmd::Wasm { chapter } => {
            let started = Instant::now();
            let toolchain = wasm::ensure()?;
            eprintln!("wasm: using {}", toolchain.describe());
            let built = wasm::build(&root, &toolchain, chapter.as_deref())?;
            eprint!("{}", wasm::report(&built));
            println!(
                "wasm: done in {:.0} s; `cargo xtask build` publishes them with the book",
                started.elapsed().as_secs_f64()
            );
        }
        Cmd::Tools => {
            tools::ensure_all()?;
            println!(
                "{}\n{}\n{}",
                tools::MDBOOK.binary().display(),
                tools::CMDRUN.binary().display(),
                tools::python_bin().display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    // `target/freeze/bin/cargo` (the freeze cache's shim) calls `xtask freeze-run <cargo args>`:
    // dispatched before clap, so no cargo argument is ever taken for one of xtask's.
    let mut args = std::env::args();
    if args.nth(1).as_deref() == Some("freeze-run") {
        return freeze::shim_main(args.collect());
    }
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
