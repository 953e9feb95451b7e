//! Day 16: the seed's ecommerce platform, synthesised — the plan, the template, or its picture.
//!
//! `cargo run -q --release -p dcaf --example ecommerce -- --help`

use kit::{print, println};
use std::process::ExitCode;

use clap::Parser;

/// Build the seed's `ecommerce-platform` and print what a deployment would create.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Print the whole CloudFormation template (JSON) instead of the plan.
    #[arg(long)]
    json: bool,
    /// Print the architecture picture (one inline `<svg>`) instead of the plan.
    #[arg(long)]
    svg: bool,
    /// Print only this resource of the template (e.g. `ProductsDb`, `ImagesBucket`).
    #[arg(long, value_name = "LOGICAL_ID")]
    resource: Option<String>,
    /// Opt out: make the images bucket public.
    #[arg(long)]
    public_bucket: bool,
    /// Opt out: run the database in a single AZ.
    #[arg(long)]
    single_az: bool,
    /// Opt out: keep no automated database backups.
    #[arg(long)]
    no_backups: bool,
    /// Opt out: one NAT gateway instead of one per AZ.
    #[arg(long)]
    one_nat: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut app = dcaf::seed::ecommerce_platform();
    if args.public_bucket || args.single_az || args.no_backups || args.one_nat {
        // Rebuild the components with the opt-outs, through the same builder.
        app = dcaf::App::new("ecommerce-platform")
            .add_database(
                dcaf::Database::postgres("products-db", "14.19")
                    .size(dcaf::Size::Medium)
                    .storage(dcaf::gib(100), dcaf::gib(500))
                    .backup_retention_days(if args.no_backups { 0 } else { 7 })
                    .multi_az(!args.single_az),
            )
            .add_storage(
                dcaf::Storage::new("images")
                    .public(args.public_bucket)
                    .archive_after(dcaf::days(90))
                    .delete_after(dcaf::days(365)),
            )
            .nat_gateways(if args.one_nat { 1 } else { 3 });
    }
    let template = match app.synth() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(id) = &args.resource {
        let json = template.to_json();
        match json["Resources"].get(id) {
            Some(r) => println!("{}", serde_json::to_string_pretty(r).unwrap_or_default()),
            None => {
                eprintln!("error: no resource `{id}` in the template (try --json)");
                return ExitCode::FAILURE;
            }
        }
    } else if args.svg {
        print!("{}", dcaf::picture::architecture_svg(&template));
    } else if args.json {
        print!("{}", template.to_json_string());
    } else {
        println!("{}", dcaf::plan(&template));
    }
    ExitCode::SUCCESS
}
