//! One policy for every program's command line and output (CONTRIBUTING.md, "Hostile
//! input"): a value outside a flag's range is a usage error, a closed or full standard
//! output ends the program cleanly, and a file the program did not create is left alone.
//!
//! - [`println!`](crate::println) and [`print!`](crate::print) shadow std's macros: a
//!   program that starts with `use kit::{print, println};` writes through [`write_stdout`],
//!   which ends the program with [`BROKEN_PIPE`] when the reader has gone (`| head`) and
//!   with [`IO_ERROR`] and one line on stderr when the write fails otherwise
//!   (`> /dev/full`), where std's macros panic.
//! - [`f64_in`] and [`millis_in`]: clap value parsers with a range, for the flags clap's
//!   own `value_parser!(u64).range(..)` does not cover (fractions, durations). A value
//!   outside the range is clap's usage error (exit 2) naming the flag and the range.
//! - [`sqlite_ours`]: whether a path is absent, or a SQLite database this program made
//!   (its `application_id`), before anything opens it for writing.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit code for a standard output whose reader has gone: what a shell reports for a
/// process killed by `SIGPIPE` (128 + 13), as `yes | head -1` leaves `yes`.
pub const BROKEN_PIPE: i32 = 141;

/// Exit code for any other failed write to standard output (`EX_IOERR` of sysexits.h).
pub const IO_ERROR: i32 = 74;

/// Write `args` (and a newline when `line`) to standard output, then flush what a line
/// buffer would keep back, so a full disk is seen here and not lost at exit (where std
/// ignores a failed flush). On failure, end the program as [`stdout_failed`] does.
pub fn write_stdout(args: fmt::Arguments<'_>, line: bool) {
    let mut out = io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| {
        if line {
            out.write_all(b"\n")
        } else {
            out.flush()
        }
    });
    if let Err(e) = written {
        stdout_failed(&e);
    }
}

/// End the program after a failed write to standard output: silently with
/// [`BROKEN_PIPE`] when the reader has gone, else with one line on stderr and [`IO_ERROR`].
pub fn stdout_failed(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(BROKEN_PIPE);
    }
    let _ = writeln!(io::stderr(), "error: cannot write to standard output: {e}");
    std::process::exit(IO_ERROR);
}

/// `println!` that ends the program cleanly when standard output is closed or full
/// (see the [module docs](crate::cli)). Import it with `use kit::println;`.
#[macro_export]
macro_rules! println {
    () => {
        $crate::cli::write_stdout(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*), true)
    };
}

/// `print!` that ends the program cleanly when standard output is closed or full (see the
/// [module docs](crate::cli)). Import it with `use kit::print;`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!($($arg)*), false)
    };
}

/// A clap value parser for a finite number in `lo..=hi` (e.g. seconds, a rate):
/// `#[arg(long, value_parser = kit::cli::f64_in(0.001, 3600.0))]`.
pub fn f64_in(lo: f64, hi: f64) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync {
    move |s: &str| {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number; expected {lo}..={hi}"))?;
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{s} is outside {lo}..={hi}"))
        }
    }
}

/// A clap value parser for a whole number of milliseconds in `lo..=hi`, as a [`Duration`]:
/// `#[arg(long, value_parser = kit::cli::millis_in(1, 60_000))]`.
pub fn millis_in(
    lo: u64,
    hi: u64,
) -> impl Fn(&str) -> Result<Duration, String> + Clone + Send + Sync {
    move |s: &str| {
        let v: u64 = s.trim().parse().map_err(|_| {
            format!("`{s}` is not a whole number of milliseconds; expected {lo}..={hi}")
        })?;
        if (lo..=hi).contains(&v) {
            Ok(Duration::from_millis(v))
        } else {
            Err(format!("{s} ms is outside {lo}..={hi} ms"))
        }
    }
}

/// What [`sqlite_ours`] found at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Nothing is there: the program may create its database.
    Absent,
    /// A SQLite database carrying the program's `application_id`: it made it.
    Ours,
}

/// A path a program must not open for writing: it holds something the program did not make.
#[derive(Debug, thiserror::Error)]
pub enum NotOurs {
    /// The file is not a SQLite database, or one made by another program.
    #[error(
        "{path}: {why}; this program only opens a database it created (application_id {id:#010x}), and left the file as it was. Choose another path, or remove this one if it is an old copy of ours"
    )]
    Foreign {
        /// The path given.
        path: PathBuf,
        /// What it holds instead.
        why: String,
        /// The application id the program looked for.
        id: u32,
    },
    /// The path could not be read to decide.
    #[error("{path}: cannot read it to check whose it is: {source}")]
    Unreadable {
        /// The path given.
        path: PathBuf,
        /// The error reading it.
        source: io::Error,
    },
}

/// The 16 bytes every SQLite 3 database file starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether `path` is absent or a SQLite database whose header carries `application_id`
/// (offset 68, big-endian; set with `PRAGMA application_id` when the program creates it).
/// Reads the header only; never opens the file for writing, so a refusal changes nothing.
///
/// An empty file is refused too: SQLite would happily turn it into a database.
pub fn sqlite_ours(path: &Path, application_id: u32) -> Result<Existing, NotOurs> {
    use std::io::Read;
    let foreign = |why: String| NotOurs::Foreign {
        path: path.to_path_buf(),
        why,
        id: application_id,
    };
    let unreadable = |source| NotOurs::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(unreadable(e)),
    };
    if !meta.is_file() {
        return Err(foreign("it is not a regular file".into()));
    }
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(unreadable)?;
    if header.len() < 100 || &header[..16] != SQLITE_MAGIC {
        return Err(foreign(if header.is_empty() {
            "it is an empty file".into()
        } else {
            "it is not a SQLite database".into()
        }));
    }
    let found = u32::from_be_bytes([header[68], header[69], header[70], header[71]]);
    if found == application_id {
        Ok(Existing::Ours)
    } else {
        Err(foreign(format!(
            "it is a SQLite database of another program (application_id {found:#010x})"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranged_parsers_name_the_range() {
        let p = f64_in(0.001, 60.0);
        assert_eq!(p("2.5"), Ok(2.5));
        assert!(p("1e20").unwrap_err().contains("outside 0.001..=60"));
        assert!(p("NaN").is_err() && p("inf").is_err() && p("-0.5").is_err());
        assert!(p("ten").unwrap_err().contains("not a number"));
        let m = millis_in(1, 60_000);
        assert_eq!(m("250"), Ok(Duration::from_millis(250)));
        assert!(
            m("18446744073709551615")
                .unwrap_err()
                .contains("outside 1..=60000")
        );
        assert!(
            m("18446744073709551616")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert!(m("0").is_err() && m("-1").is_err());
    }

    #[test]
    fn sqlite_guard_accepts_only_absent_or_ours() {
        let dir = std::env::temp_dir().join(format!("kit-guard-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let absent = dir.join("none.db");
        assert_eq!(sqlite_ours(&absent, 7).unwrap(), Existing::Absent);

        let mut db = SQLITE_MAGIC.to_vec();
        db.resize(100, 0);
        db[68..72].copy_from_slice(&7u32.to_be_bytes());
        let ours = dir.join("ours.db");
        std::fs::write(&ours, &db).unwrap();
        assert_eq!(sqlite_ours(&ours, 7).unwrap(), Existing::Ours);
        let e = sqlite_ours(&ours, 8).unwrap_err().to_string();
        assert!(
            e.contains("another program (application_id 0x00000007)"),
            "{e}"
        );

        let notes = dir.join("notes.txt");
        std::fs::write(&notes, "my notes\n").unwrap();
        let e = sqlite_ours(&notes, 7).unwrap_err().to_string();
        assert!(e.contains("notes.txt: it is not a SQLite database"), "{e}");
        assert_eq!(std::fs::read(&notes).unwrap(), b"my notes\n");

        let empty = dir.join("empty.db");
        std::fs::write(&empty, "").unwrap();
        assert!(
            sqlite_ours(&empty, 7)
                .unwrap_err()
                .to_string()
                .contains("empty file")
        );
        assert!(
            sqlite_ours(&dir, 7)
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
