//! `mttr`: report the intervals of every incident in a CSV or JSON file.
//!
//! ```text
//! mttr report incidents.csv
//! mttr report incidents.json --format json
//! mttr report shopfast.csv --each
//! ```
//!
//! Bad input prints one line to stderr naming file, line and field, and exits with 1.

use kit::{print, println};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Incident timelines → respond, repair, recover and resolve times.
#[derive(Parser)]
#[command(name = "mttr", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarise the incidents in FILE (*.csv or *.json; columns in the crate docs).
    Report {
        /// The incidents file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also print every incident's own tables (text format only).
        #[arg(long)]
        each: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let Command::Report { file, format, each } = Cli::parse().command;
    let incidents = match mttr::read_incidents(&file) {
        Ok(incidents) => incidents,
        Err(e) => {
            eprintln!("mttr: {e}");
            return ExitCode::from(1);
        }
    };
    match format {
        Format::Text => {
            print!("{}", mttr::render_report(&incidents));
            if each {
                for inc in &incidents {
                    println!();
                    print!("{}", mttr::render_incident(inc));
                }
            }
        }
        Format::Json => {
            let v = mttr::report_json(&incidents);
            println!(
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string())
            );
        }
    }
    ExitCode::SUCCESS
}
