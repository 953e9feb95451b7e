//! The freeze cache: a page program whose inputs did not change is not run again.
//!
//! mdbook-cmdrun runs every `<!-- cmdrun -0 cargo run … -->` directive through `sh -c`
//! on every build and every live reload. `cargo xtask build` and `serve` put a small
//! `cargo` shim first on the `PATH` they give mdBook (`target/freeze/bin/cargo`, which
//! calls `xtask freeze-run`), so the directive on the page stays the exact command an
//! instructor copies, while the book build can answer it from the cache.
//!
//! ## The key: everything that can change what a program prints
//! A cached output is served only when all of these are byte-for-byte what they were
//! when it was recorded:
//! - the command's arguments and the folder it runs in (the page's folder);
//! - every file of the package the command runs — `chapters/<package>/` for `-p
//!   <package>`, or for a `--manifest-path` inside `chapters/<slug>/` that whole chapter
//!   folder; the root package (`cargo run --example …` with no `-p`) reaches every chapter
//!   through its re-exports, so for it `workbook.rs`, `examples/` and all of `chapters/`;
//! - what every package builds on: `kit/`, `workspace-hack/`, the root `Cargo.toml`,
//!   `Cargo.lock`, `.cargo/config.toml`, and the pins of the Python tools some programs
//!   run (`xtask/python-tools.*`);
//! - the toolchain (`rustc -vV`, which names the exact compiler build);
//! - any argument that names an existing file, by its content;
//! - the program's standard input;
//! - the environment the program sees, every variable except those that only describe
//!   the terminal session ([`VOLATILE_ENV`]).
//!
//! The rule "a chapter depends on `kit` and crates.io, never on another chapter" is
//! what makes the package folder enough; [`chapter_path_dependencies`] checks it, and a
//! command this module cannot map to a package is run every time, never cached.
//!
//! A hit prints the recorded output and exits 0; a miss runs the real `cargo` and records
//! the output if the program exited 0 (a failure is never cached, so cmdrun reports it).
//! `--fresh` skips reading the cache (it still records). The snapshot test and CI never
//! read it: they run every program with the real `cargo`.
//!
//! A measured block keeps its measurement until its code changes; the measured programs
//! print when they measured (`kit::measured`), so the page says when it was taken.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Environment variable naming the book's root for the shim.
pub const ROOT_ENV: &str = "WORKBOOK_FREEZE_ROOT";
/// Environment variable naming the real `cargo` the shim runs on a miss.
pub const CARGO_ENV: &str = "WORKBOOK_FREEZE_CARGO";
/// Environment variable carrying the toolchain's identity (`rustc -vV`).
pub const TOOLCHAIN_ENV: &str = "WORKBOOK_FREEZE_TOOLCHAIN";
/// Environment variable: `fresh` makes the shim ignore recorded outputs.
pub const MODE_ENV: &str = "WORKBOOK_FREEZE_MODE";
/// Environment variable naming the file the shim appends one JSON line per program to.
pub const LOG_ENV: &str = "WORKBOOK_FREEZE_LOG";

/// Variables left out of the key: they describe the terminal session, and no page program
/// reads them. (The shim's own `WORKBOOK_FREEZE_*` variables are left out as well.)
pub const VOLATILE_ENV: &[&str] = &[
    "_",
    "PWD",
    "OLDPWD",
    "SHLVL",
    "TERM",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "COLORTERM",
    "COLUMNS",
    "LINES",
    "DISPLAY",
    "WINDOWID",
    "TMUX",
    "TMUX_PANE",
    "STY",
    "LS_COLORS",
    "PS1",
    "PROMPT_COMMAND",
    "SSH_AUTH_SOCK",
    "SSH_AGENT_PID",
    "SSH_CLIENT",
    "SSH_CONNECTION",
    "SSH_TTY",
    "GPG_TTY",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_SESSION_ID",
    "XDG_RUNTIME_DIR",
    "INVOCATION_ID",
    "JOURNAL_STREAM",
    "MAIL",
    "HISTFILE",
    "HISTSIZE",
];

/// Bump when the key's recipe changes, so old entries are never read.
const RECIPE: &str = "workbook-freeze-v1";

/// What one `cargo run` command line asks for, as far as the cache needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoRun {
    /// `-p` / `--package`.
    pub package: Option<String>,
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// Everything after `--`: the program's own arguments.
    pub program_args: Vec<String>,
}

/// Read a `cargo` argument list; `None` unless it is a `cargo run` this module understands
/// (anything unusual is simply not cached).
pub fn parse_cargo_run(args: &[String]) -> Option<CargoRun> {
    let (first, rest) = args.split_first()?;
    if first != "run" && first != "r" {
        return None;
    }
    let mut run = CargoRun {
        package: None,
        manifest_path: None,
        program_args: Vec::new(),
    };
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--" => {
                run.program_args = it.cloned().collect();
                break;
            }
            "-p" | "--package" => run.package = Some(it.next()?.clone()),
            "--manifest-path" => run.manifest_path = Some(PathBuf::from(it.next()?)),
            "--example" | "--bin" | "--profile" | "--features" | "-F" => {
                it.next()?;
            }
            "-q"
            | "--quiet"
            | "--release"
            | "-r"
            | "--locked"
            | "--offline"
            | "--frozen"
            | "--all-features"
            | "--no-default-features" => {}
            s if s.starts_with("--package=") => {
                run.package = Some(s["--package=".len()..].to_string());
            }
            s if s.starts_with("--manifest-path=") => {
                run.manifest_path = Some(PathBuf::from(&s["--manifest-path=".len()..]));
            }
            s if s.starts_with("--example=")
                || s.starts_with("--bin=")
                || s.starts_with("--features=")
                || s.starts_with("--profile=") => {}
            _ => return None,
        }
    }
    Some(run)
}

/// The files and folders whose content decides what `run` prints, relative to `root`;
/// `None` when the command cannot be mapped to a package of this book.
pub fn package_inputs(root: &Path, cwd: &Path, run: &CargoRun) -> Option<Vec<PathBuf>> {
    let mut inputs: Vec<PathBuf> = [
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "kit",
        "workspace-hack",
        "xtask/python-tools.txt",
        "xtask/python-tools.lock",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    match (&run.package, &run.manifest_path) {
        (Some(_), Some(_)) => return None,
        (None, Some(manifest)) => {
            let abs = normalise(&cwd.join(manifest));
            let rel = abs.strip_prefix(root).ok()?;
            let mut parts = rel.components();
            let (Some(top), Some(slug)) = (parts.next(), parts.next()) else {
                return None;
            };
            if top.as_os_str() != "chapters" || !root.join(rel).is_file() {
                return None;
            }
            inputs.push(Path::new("chapters").join(slug.as_os_str()));
        }
        (Some(p), None) if p != "workbook" => {
            if p.is_empty() || p.contains(['/', '\\', '.']) {
                return None;
            }
            let dir = Path::new("chapters").join(p);
            if !root.join(&dir).join("Cargo.toml").is_file() {
                return None;
            }
            inputs.push(dir);
        }
        // The root package `workbook`: its examples reach every chapter.
        _ => {
            if normalise(cwd).strip_prefix(root).is_err() {
                return None;
            }
            inputs.extend(["workbook.rs", "examples", "chapters"].map(PathBuf::from));
        }
    }
    Some(inputs)
}

/// Resolve `.` and `..` without touching the filesystem.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Feed every file under `path` (sorted, `target/` and `.git/` skipped) into `h`, each as
/// its relative name and its bytes. A missing path hashes as "missing".
fn hash_tree(h: &mut Sha256, root: &Path, rel: &Path) -> std::io::Result<()> {
    let path = root.join(rel);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            h.update(format!("missing {}\n", rel.display()));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if meta.is_file() {
        let bytes = std::fs::read(&path)?;
        h.update(format!("file {} {}\n", rel.display(), bytes.len()));
        h.update(&bytes);
        return Ok(());
    }
    let mut names: Vec<OsString> = std::fs::read_dir(&path)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for name in names {
        if name == "target" || name == ".git" {
            continue;
        }
        hash_tree(h, root, &rel.join(&name))?;
    }
    Ok(())
}

/// The environment as it enters the key: sorted, volatile and shim variables left out.
pub fn keyed_env(vars: impl Iterator<Item = (OsString, OsString)>) -> Vec<(OsString, OsString)> {
    let mut v: Vec<(OsString, OsString)> = vars
        .filter(|(k, _)| {
            let k = k.to_string_lossy();
            !k.starts_with("WORKBOOK_FREEZE_") && !VOLATILE_ENV.contains(&k.as_ref())
        })
        .collect();
    v.sort();
    v
}

/// Everything a key is made of besides the tree contents.
#[derive(Debug, Clone)]
pub struct KeyParts<'a> {
    /// The book's root.
    pub root: &'a Path,
    /// The folder the command runs in.
    pub cwd: &'a Path,
    /// The `cargo` arguments.
    pub args: &'a [String],
    /// Standard input.
    pub stdin: &'a [u8],
    /// The environment, as from [`keyed_env`].
    pub env: &'a [(OsString, OsString)],
    /// The toolchain's identity (`rustc -vV`).
    pub toolchain: &'a str,
}

/// The cache key of one program run (hex SHA-256), or `None` when it must not be cached.
pub fn key(parts: &KeyParts<'_>) -> std::io::Result<Option<String>> {
    let Some(run) = parse_cargo_run(parts.args) else {
        return Ok(None);
    };
    let Some(inputs) = package_inputs(parts.root, parts.cwd, &run) else {
        return Ok(None);
    };
    let mut h = Sha256::new();
    h.update(format!("{RECIPE}\n{}\n", parts.toolchain));
    let cwd = normalise(parts.cwd);
    let rel_cwd = cwd.strip_prefix(parts.root).unwrap_or(&cwd);
    h.update(format!("cwd {}\n", rel_cwd.display()));
    for a in parts.args {
        h.update(format!("arg {} {a}\n", a.len()));
    }
    for input in &inputs {
        hash_tree(&mut h, parts.root, input)?;
    }
    // Files named on the command line, wherever they are.
    let mut named = BTreeSet::new();
    for a in &run.program_args {
        let p = parts.cwd.join(a);
        if p.is_file() {
            named.insert(normalise(&p));
        }
    }
    for p in named {
        let bytes = std::fs::read(&p)?;
        h.update(format!("named {} {}\n", p.display(), bytes.len()));
        h.update(&bytes);
    }
    h.update(format!("stdin {}\n", parts.stdin.len()));
    h.update(parts.stdin);
    for (k, v) in parts.env {
        h.update(k.as_encoded_bytes());
        h.update(b"=");
        h.update(v.as_encoded_bytes());
        h.update(b"\n");
    }
    Ok(Some(hex(&h.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One recorded output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The command, for people reading the cache.
    pub command: String,
    /// When the run that produced it finished (RFC 3339, UTC).
    pub taken_at: String,
    /// How long that run took, cargo included.
    pub seconds: f64,
    /// What it printed on stdout.
    pub stdout: String,
}

/// One program of one build, as the shim logs it for the build's summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogLine {
    /// The command as written after `cargo`.
    pub command: String,
    /// The folder it ran in, relative to the book's root.
    pub cwd: String,
    /// `running` (a miss has started), then `cached`, `ran`, `failed` (ran, non-zero
    /// exit) or `uncacheable` (ran; no key).
    pub outcome: String,
    /// Seconds the shim spent on it.
    pub seconds: f64,
}

/// The cache folder: `<root>/target/freeze`.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join("target/freeze")
}

/// Where an entry for `key` lives.
pub fn entry_path(root: &Path, key: &str) -> PathBuf {
    cache_dir(root).join("entries").join(format!("{key}.json"))
}

/// Read the entry for `key`, if there is a readable one.
pub fn load(root: &Path, key: &str) -> Option<Entry> {
    let text = std::fs::read_to_string(entry_path(root, key)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Write the entry for `key` (atomically: a reader never sees half of it).
pub fn store(root: &Path, key: &str, entry: &Entry) -> std::io::Result<()> {
    let path = entry_path(root, key);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
    std::fs::write(
        &tmp,
        serde_json::to_vec(entry).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(tmp, path)
}

/// `rustc -vV` of the toolchain cargo uses: the compiler build, host and LLVM version.
pub fn toolchain_id() -> anyhow::Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output()?;
    anyhow::ensure!(out.status.success(), "`rustc -vV` failed");
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// How the shim is set up for one build: the environment to give mdBook.
#[derive(Debug, Clone)]
pub struct Setup {
    /// `PATH` with the shim's folder first, then `path`.
    pub path: OsString,
    /// Variables for the shim.
    pub vars: Vec<(&'static str, OsString)>,
    /// The log this build's programs are appended to.
    pub log: PathBuf,
    /// The book's root.
    pub root: PathBuf,
    /// The toolchain's identity, as the shim gets it.
    pub toolchain: String,
    /// Whether the cache is ignored.
    pub fresh: bool,
}

/// Write the shim (`target/freeze/bin/cargo`, a two-line script calling the `xtask`
/// binary at `xtask`) and the variables it reads. `path` is the `PATH` mdBook would
/// otherwise get.
pub fn setup(root: &Path, xtask: &Path, path: &OsString, fresh: bool) -> anyhow::Result<Setup> {
    let real_cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let bin = cache_dir(root).join("bin");
    std::fs::create_dir_all(&bin)?;
    let shim = bin.join("cargo");
    let script = format!(
        "#!/bin/sh\n# Written by `cargo xtask build|serve`: page programs through the freeze cache.\nexec '{}' freeze-run \"$@\"\n",
        xtask.display().to_string().replace('\'', r"'\''")
    );
    if std::fs::read_to_string(&shim).ok().as_deref() != Some(script.as_str()) {
        std::fs::write(&shim, &script)?;
    }
    set_executable(&shim)?;
    let log = cache_dir(root).join(format!("log-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(path));
    let toolchain = toolchain_id()?;
    Ok(Setup {
        path: std::env::join_paths(dirs)?,
        vars: vec![
            (ROOT_ENV, root.as_os_str().to_owned()),
            (CARGO_ENV, real_cargo),
            (TOOLCHAIN_ENV, toolchain.clone().into()),
            (MODE_ENV, if fresh { "fresh" } else { "use" }.into()),
            (LOG_ENV, log.clone().into_os_string()),
        ],
        log,
        root: root.to_path_buf(),
        toolchain,
        fresh,
    })
}

#[cfg(unix)]
fn set_executable(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The shim: called as `xtask freeze-run <cargo args…>` by `target/freeze/bin/cargo`.
pub fn shim_main(args: Vec<String>) -> ExitCode {
    match shim(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask freeze-run: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn shim(args: &[String]) -> anyhow::Result<ExitCode> {
    let real_cargo = std::env::var_os(CARGO_ENV).unwrap_or_else(|| "cargo".into());
    let root = std::env::var_os(ROOT_ENV).map(PathBuf::from);
    let toolchain = std::env::var(TOOLCHAIN_ENV).ok();
    let passthrough = || -> anyhow::Result<ExitCode> {
        let status = Command::new(&real_cargo).args(args).status()?;
        Ok(exit_code(status.code()))
    };
    let (Some(root), Some(toolchain)) = (root, toolchain) else {
        return passthrough();
    };
    if std::io::stdin().is_terminal() || parse_cargo_run(args).is_none() {
        return passthrough();
    }
    let started = Instant::now();
    let cwd = std::env::current_dir()?;
    let mut stdin = Vec::new();
    std::io::stdin().read_to_end(&mut stdin)?;
    let env = keyed_env(std::env::vars_os());
    let key = key(&KeyParts {
        root: &root,
        cwd: &cwd,
        args,
        stdin: &stdin,
        env: &env,
        toolchain: &toolchain,
    })?;
    let fresh = std::env::var(MODE_ENV).is_ok_and(|m| m == "fresh");
    let log = |outcome: &str| {
        log_line(
            &root,
            &LogLine {
                command: args.join(" "),
                cwd: cwd
                    .strip_prefix(&root)
                    .unwrap_or(&cwd)
                    .display()
                    .to_string(),
                outcome: outcome.into(),
                seconds: started.elapsed().as_secs_f64(),
            },
        );
    };
    if let Some(key) = &key
        && !fresh
        && let Some(entry) = load(&root, key)
    {
        std::io::stdout().write_all(entry.stdout.as_bytes())?;
        log("cached");
        return Ok(ExitCode::SUCCESS);
    }
    log("running");
    let mut child = Command::new(&real_cargo)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        // A program that exits without reading its input closes the pipe: not an error.
        let _ = input.write_all(&stdin);
    }
    let out = child.wait_with_output()?;
    std::io::stdout().write_all(&out.stdout)?;
    let outcome = match (&key, out.status.success()) {
        (_, false) => "failed",
        (None, true) => "uncacheable",
        (Some(key), true) => {
            let entry = Entry {
                command: args.join(" "),
                taken_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                seconds: started.elapsed().as_secs_f64(),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            };
            // Output that is not UTF-8 would not round-trip: run it every time instead.
            if std::str::from_utf8(&out.stdout).is_ok() {
                store(&root, key, &entry)?;
            }
            "ran"
        }
    };
    log(outcome);
    Ok(exit_code(out.status.code()))
}

fn exit_code(code: Option<i32>) -> ExitCode {
    match code {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

fn log_line(root: &Path, line: &LogLine) {
    let path = std::env::var_os(LOG_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| cache_dir(root).join("log-manual.jsonl"));
    let Ok(mut text) = serde_json::to_string(line) else {
        return;
    };
    text.push('\n');
    // One short `write` with O_APPEND: lines from concurrent programs do not interleave.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(text.as_bytes());
    }
}

/// Read a build's log.
pub fn read_log(path: &Path) -> Vec<LogLine> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The build's closing summary: programs run vs served from the cache, the slowest few.
pub fn summary(lines: &[LogLine]) -> String {
    let lines: Vec<&LogLine> = lines.iter().filter(|l| l.outcome != "running").collect();
    let count = |o: &str| lines.iter().filter(|l| l.outcome == o).count();
    let total: f64 = lines.iter().map(|l| l.seconds).sum();
    let mut s = format!(
        "programs: {} — {} from the freeze cache, {} ran, {} failed, {} uncacheable; {:.1} s in programs\n",
        lines.len(),
        count("cached"),
        count("ran"),
        count("failed"),
        count("uncacheable"),
        total
    );
    let mut slow = lines.clone();
    slow.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    for l in slow.iter().take(5).filter(|l| l.seconds >= 0.05) {
        s.push_str(&format!(
            "  {:>6.1} s  {:<8} cargo {}\n",
            l.seconds, l.outcome, l.command
        ));
    }
    s
}

/// The `cargo build` argument lists that compile what this build's misses will run: the
/// directives the cache cannot answer (by the same key the shim computes), grouped into
/// one `cargo build` per package with every target they run. A directive that is more than
/// one plain `cargo run` (a pipe, a redirect) is not predicted: the shim still answers it,
/// and cargo builds it when it runs.
pub fn predicted_builds(
    book: &crate::book::Book,
    setup: &Setup,
) -> anyhow::Result<Vec<Vec<String>>> {
    let mut env: Vec<(OsString, OsString)> =
        std::env::vars_os().filter(|(k, _)| k != "PATH").collect();
    env.push(("PATH".into(), setup.path.clone()));
    let env = keyed_env(env.into_iter());
    // (the flags that select the package and profile, the targets: `--example x`, `--bins`)
    let mut groups: Vec<(Vec<String>, Vec<Vec<String>>)> = Vec::new();
    for d in book.directives().map_err(|p| anyhow::anyhow!("{p}"))? {
        if d.command.contains(['|', ';', '&', '>', '<', '`', '$']) {
            continue;
        }
        let Some(words) = shlex::split(&d.command) else {
            continue;
        };
        let Some((cargo, args)) = words.split_first() else {
            continue;
        };
        if cargo != "cargo" || args.first().map(String::as_str) != Some("run") {
            continue;
        }
        let cwd = book.root.join(d.page.parent().unwrap_or(Path::new("src")));
        let key = key(&KeyParts {
            root: &setup.root,
            cwd: &cwd,
            args,
            stdin: b"",
            env: &env,
            toolchain: &setup.toolchain,
        })?;
        if !setup.fresh && key.is_some_and(|k| entry_path(&setup.root, &k).is_file()) {
            continue;
        }
        let (mut select, mut target) = (Vec::new(), vec!["--bins".to_string()]);
        let mut it = args[1..].iter().take_while(|a| *a != "--");
        while let Some(a) = it.next() {
            match a.as_str() {
                "-q" | "--quiet" => {}
                "--example" | "--bin" => {
                    target = vec![a.clone(), it.next().cloned().unwrap_or_default()]
                }
                _ => select.push(a.clone()),
            }
        }
        match groups.iter_mut().find(|(s, _)| *s == select) {
            Some((_, targets)) if targets.contains(&target) => {}
            Some((_, targets)) => targets.push(target),
            None => groups.push((select, vec![target])),
        }
    }
    Ok(groups
        .into_iter()
        .map(|(select, targets)| {
            let mut build = vec!["build".to_string()];
            build.extend(select);
            build.extend(targets.into_iter().flatten());
            build
        })
        .collect())
}

/// For `serve`: print, as they happen, the page programs a rebuild runs (served ones are
/// quiet), so an instructor sees what an edit re-ran and how long it took.
///
/// `on_ran` is called with the arguments of each program that ran to completion (not
/// served from the cache): `serve` uses it to rebuild a chapter's Try it engine when the
/// chapter's code changed.
pub fn follow_log(path: PathBuf, on_ran: impl Fn(&str) + Send + 'static) {
    std::thread::spawn(move || {
        let mut seen = 0;
        loop {
            std::thread::sleep(std::time::Duration::from_millis(300));
            let lines = read_log(&path);
            for l in lines.iter().skip(seen) {
                match l.outcome.as_str() {
                    "cached" => {}
                    "running" => eprintln!("xtask: running  cargo {}", l.command),
                    o => {
                        eprintln!("xtask: {o:<8} {:>5.1} s  cargo {}", l.seconds, l.command);
                        if o == "ran" {
                            on_ran(&l.command);
                        }
                    }
                }
            }
            seen = seen.max(lines.len());
        }
    });
}

/// The path dependencies of every chapter crate that are not `kit` or `workspace-hack`:
/// each one breaks the rule the freeze key relies on (a chapter's output depends only on
/// its own folder and the shared inputs). Reads each `chapters/*/Cargo.toml`.
pub fn chapter_path_dependencies(root: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut bad = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("chapters"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let slug = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut in_dependencies = false;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with('[') {
                // `[dependencies]`, `[dev-dependencies]`, `[target.'cfg(..)'.dependencies]`,
                // `[dependencies.name]`; not `[[bin]]`, `[[example]]` or `[lib]`.
                in_dependencies = !t.starts_with("[[") && t.contains("dependencies");
                continue;
            }
            let Some(at) = line.find("path = \"").filter(|_| in_dependencies) else {
                continue;
            };
            let rest = &line[at + "path = \"".len()..];
            let target = rest.split('"').next().unwrap_or_default();
            let resolved = normalise(&dir.join(target));
            let ok = ["kit", "workspace-hack"]
                .iter()
                .any(|shared| resolved == normalise(&root.join(shared)));
            if !ok {
                bad.push((slug.clone(), target.to_string()));
            }
        }
    }
    Ok(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn reads_the_books_cargo_run_forms() {
        let r = parse_cargo_run(&args(
            "run -q --release -p timsort --example runs -- --batch 2000",
        ))
        .expect("parsed");
        assert_eq!(r.package.as_deref(), Some("timsort"));
        assert_eq!(r.program_args, args("--batch 2000"));
        let r = parse_cargo_run(&args(
            "run -q --release --manifest-path ../chapters/timsort/peer/Cargo.toml --example measure",
        ))
        .expect("parsed");
        assert_eq!(
            r.manifest_path.as_deref(),
            Some(Path::new("../chapters/timsort/peer/Cargo.toml"))
        );
        assert!(parse_cargo_run(&args("build --release")).is_none());
        assert!(parse_cargo_run(&args("run --target-dir /tmp/x -p a")).is_none());
    }

    #[test]
    fn inputs_follow_the_package() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("root")
            .to_path_buf();
        let src = root.join("src");
        let timsort = parse_cargo_run(&args("run -q --release -p timsort --example runs")).unwrap();
        let inputs = package_inputs(&root, &src, &timsort).expect("a chapter");
        assert!(inputs.contains(&PathBuf::from("chapters/timsort")));
        assert!(inputs.contains(&PathBuf::from("kit")));
        assert!(!inputs.contains(&PathBuf::from("chapters")));
        let peer = parse_cargo_run(&args(
            "run --release --manifest-path ../chapters/timsort/peer/Cargo.toml --example measure",
        ))
        .unwrap();
        assert!(
            package_inputs(&root, &src, &peer)
                .expect("peer")
                .contains(&PathBuf::from("chapters/timsort"))
        );
        let cross = parse_cargo_run(&args("run -q --release --example outage")).unwrap();
        assert!(
            package_inputs(&root, &src, &cross)
                .expect("root package")
                .contains(&PathBuf::from("chapters"))
        );
        let unknown = parse_cargo_run(&args("run -p no-such-chapter")).unwrap();
        assert!(package_inputs(&root, &src, &unknown).is_none());
        let escape = parse_cargo_run(&args("run -p ../kit")).unwrap();
        assert!(package_inputs(&root, &src, &escape).is_none());
    }

    #[test]
    fn volatile_and_shim_variables_stay_out_of_the_key() {
        let env = keyed_env(
            [
                ("SHLVL", "2"),
                ("WORKBOOK_FREEZE_LOG", "/tmp/x"),
                ("ERP_RAG_PG_URL", "host=x"),
                ("A", "1"),
            ]
            .into_iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        );
        let names: Vec<_> = env.iter().map(|(k, _)| k.to_string_lossy()).collect();
        assert_eq!(names, ["A", "ERP_RAG_PG_URL"]);
    }

    #[test]
    fn only_dependency_paths_count() {
        let root = std::env::temp_dir().join(format!("freeze-deps-{}", std::process::id()));
        let dir = root.join("chapters/a");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"a\"\n[[bin]]\nname = \"a\"\npath = \"src/main.rs\"\n\n[dependencies]\nkit = { path = \"../../kit\" }\nb = { path = \"../b\" }\n[dev-dependencies.c]\npath = \"../c\"\n",
        )
        .expect("write");
        let bad = chapter_path_dependencies(&root).expect("read");
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(
            bad,
            [
                ("a".to_string(), "../b".to_string()),
                ("a".to_string(), "../c".to_string())
            ]
        );
    }

    #[test]
    fn the_summary_counts_and_ranks() {
        let line = |o: &str, s: f64| LogLine {
            command: format!("run -p x --example {o}"),
            cwd: "src".into(),
            outcome: o.into(),
            seconds: s,
        };
        let s = summary(&[line("cached", 0.01), line("ran", 3.0), line("failed", 1.0)]);
        assert!(s.starts_with("programs: 3 — 1 from the freeze cache, 1 ran, 1 failed"));
        let ran = s.find("example ran").expect("listed");
        let failed = s.find("example failed").expect("listed");
        assert!(ran < failed, "slowest first:\n{s}");
        assert!(!s.contains("example cached"), "instant hits are not listed");
    }
}
