//! The drift report for a pair of documents — by default the seed's two YAML files.
//!
//! `cargo run -q --release -p drift --example report -- --help`
//!
//! The same report as the `drift` binary, but this program exits 0 after printing it
//! (the page's build needs exit 0); the last line says which exit code `drift` gives.

use kit::{print, println};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

/// Print the drift report for two documents (default: the seed's plan and reality).
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The intended state (default: fixtures/infrastructure-plan.yaml).
    #[arg(long)]
    intended: Option<PathBuf>,
    /// The actual state (default: fixtures/actual-infrastructure.yaml).
    #[arg(long)]
    actual: Option<PathBuf>,
    /// A severity policy replacing the built-in one.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// JSON pointers to leave out (repeatable), e.g. /notes.
    #[arg(long, value_name = "JSON-POINTER")]
    ignore: Vec<String>,
    /// Print only the picture (one `<svg>` element): intended and actual resources in
    /// two columns, each matched pair joined, coloured by verdict.
    #[arg(long)]
    svg: bool,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The file name only: the page must not print where the repository lives.
fn shown(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn run(args: Args) -> Result<(), drift::DriftError> {
    let intended_path = args
        .intended
        .unwrap_or_else(|| fixture("infrastructure-plan.yaml"));
    let actual_path = args
        .actual
        .unwrap_or_else(|| fixture("actual-infrastructure.yaml"));
    let ignore = args
        .ignore
        .iter()
        .map(|p| drift::Pointer::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = match &args.policy {
        Some(p) => drift::Policy::from_file(p)?,
        None => drift::Policy::builtin(),
    };
    let intended = drift::load(&intended_path)?;
    let actual = drift::load(&actual_path)?;
    let a = drift::Assessment::new(
        &shown(&intended_path),
        &intended,
        &shown(&actual_path),
        &actual,
        &ignore,
        &policy,
    );
    if args.svg {
        print!("{}", drift::picture::render_svg(&a));
        return Ok(());
    }
    print!("{}", drift::render_text(&a));
    println!(
        "\n(`drift` exits {} for this pair.)",
        if a.report.in_sync() { 0 } else { 2 }
    );
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("report: {e}");
            ExitCode::from(1)
        }
    }
}
