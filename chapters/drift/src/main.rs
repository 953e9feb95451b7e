//! `drift`: compare an intended infrastructure document with the actual one.
//!
//! ```text
//! drift --intended plan.yaml --actual actual.yaml
//! drift --intended plan.yaml --actual actual.yaml --format json --ignore /notes
//! drift --intended a.json --actual b.json --policy my-policy.yaml
//! drift --intended plan.yaml --actual actual.yaml --write-adopted adopted.yaml
//! ```
//!
//! Exit codes, as `terraform plan -detailed-exitcode`: 0 in sync, 2 drift found,
//! 1 error (one line on stderr naming the file and the line, column or field).

use kit::{print, println};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

/// Compare intended and actual infrastructure: managed, unmanaged and missing
/// resources, changed attributes, severities from a policy, and how to fix each.
///
/// Exit codes: 0 in sync, 2 drift found, 1 error.
#[derive(Parser)]
#[command(name = "drift", version, about)]
struct Cli {
    /// The intended state: environments YAML, or a CloudFormation template
    /// (.json, or any file with a top-level `Resources` key).
    #[arg(long)]
    intended: PathBuf,
    /// The actual state, in either format.
    #[arg(long)]
    actual: PathBuf,
    /// Output format (the JSON shape is schema/report.schema.json).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// A severity policy YAML replacing the built-in policy/default.yaml.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Leave out changes at or under this JSON pointer, in every resource
    /// (e.g. /notes, /tags/owner). Repeatable.
    #[arg(long, value_name = "JSON-POINTER")]
    ignore: Vec<String>,
    /// Also write an "adopt all" intended state to FILE: the intended document with
    /// every reported difference accepted (ignored paths keep their intended value).
    #[arg(long, value_name = "FILE")]
    write_adopted: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn run(cli: &Cli) -> Result<bool, drift::DriftError> {
    let ignore = cli
        .ignore
        .iter()
        .map(|p| drift::Pointer::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = match &cli.policy {
        Some(p) => drift::Policy::from_file(p)?,
        None => drift::Policy::builtin(),
    };
    let intended = drift::load(&cli.intended)?;
    let actual = drift::load(&cli.actual)?;
    let a = drift::Assessment::new(
        &cli.intended.display().to_string(),
        &intended,
        &cli.actual.display().to_string(),
        &actual,
        &ignore,
        &policy,
    );
    if let Some(out) = &cli.write_adopted {
        let adopted = drift::adopt(&intended, &actual, &ignore);
        let text = drift::inventory::to_text(&adopted)?;
        std::fs::write(out, text).map_err(|source| drift::DriftError::Io {
            file: out.display().to_string(),
            source,
        })?;
    }
    match cli.format {
        Format::Text => print!("{}", drift::render_text(&a)),
        Format::Json => {
            let v = drift::to_json(&a);
            println!(
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_else(|_| v.to_string())
            );
        }
    }
    Ok(a.report.in_sync())
}

fn main() -> ExitCode {
    // clap's own exit code for a usage error is 2, which here means "drift found".
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("drift: {e}");
            ExitCode::from(1)
        }
    }
}
