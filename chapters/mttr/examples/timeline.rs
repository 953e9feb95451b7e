//! One incident as an SVG timeline (printed unfenced into the page).
//!
//! `cargo run -q --release -p mttr --example timeline > /tmp/shopfast.svg`

use kit::print;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Draw one incident's milestones and intervals as a Gantt-like SVG.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The incident file.
    #[arg(long, default_value_os_t = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/shopfast.csv")))]
    file: PathBuf,
    /// Which incident (default: the first).
    #[arg(long)]
    id: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let incidents = match mttr::read_incidents(&args.file) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("timeline: {e}");
            return ExitCode::from(1);
        }
    };
    let chosen = match &args.id {
        Some(id) => incidents.iter().find(|i| &i.id == id),
        None => incidents.first(),
    };
    let Some(inc) = chosen else {
        let ids: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
        eprintln!(
            "timeline: {}: no incident with id `{}`; its ids are: {}",
            args.file.display(),
            args.id.as_deref().unwrap_or_default(),
            ids.join(", ")
        );
        return ExitCode::from(1);
    };
    print!("{}", mttr::timeline_svg(inc));
    ExitCode::SUCCESS
}
