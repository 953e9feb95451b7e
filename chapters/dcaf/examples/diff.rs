//! Day 16: change the app, diff it against the previous template — DCAF's `cdk diff`.
//!
//! `cargo run -q --release -p dcaf --example diff -- --help`

use kit::println;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dcaf::{App, Cache, Cdn, Database, Email, Engine, Eviction, Queue, Size, Storage};
use dcaf::{days, gib, hours, minutes};

/// Build a changed ecommerce-platform and print what deploying it over the previous
/// template would create, update, replace and delete.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The previous template (default: the seed app's, committed in fixtures/).
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// Database size: small, medium, large or xlarge.
    #[arg(long, default_value = "medium")]
    db_size: String,
    /// Database backup retention, days.
    #[arg(long, default_value_t = 7)]
    retention: u32,
    /// Database engine: postgres or mysql (a different family replaces the database).
    #[arg(long, default_value = "postgres")]
    engine: String,
    /// Fix the images bucket's name (bucket names are create-only: replace).
    #[arg(long, value_name = "NAME")]
    bucket_name: Option<String>,
    /// Remove the session cache.
    #[arg(long)]
    drop_cache: bool,
    /// Add a second queue with this name.
    #[arg(long, value_name = "NAME")]
    add_queue: Option<String>,
}

fn size(s: &str) -> Option<Size> {
    Some(match s {
        "small" => Size::Small,
        "medium" => Size::Medium,
        "large" => Size::Large,
        "xlarge" => Size::XLarge,
        _ => return None,
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    let path = args.previous.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ecommerce.template.json")
    });
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let previous = match std::fs::read_to_string(&path)
        .map_err(|e| format!("{name}: {e}"))
        .and_then(|text| dcaf::Template::from_json_str(&text, &name).map_err(|e| e.to_string()))
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(db_size) = size(&args.db_size) else {
        eprintln!(
            "error: --db-size: {:?} is not small, medium, large or xlarge",
            args.db_size
        );
        return ExitCode::FAILURE;
    };
    let engine = match args.engine.as_str() {
        "postgres" => Engine::Postgres("14.19".into()),
        "mysql" => Engine::MySql("8.0.42".into()),
        other => {
            eprintln!("error: --engine: {other:?} is not postgres or mysql");
            return ExitCode::FAILURE;
        }
    };
    let mut images = Storage::new("images")
        .versioning(true)
        .archive_after(days(90))
        .delete_after(days(365));
    if let Some(b) = &args.bucket_name {
        images = images.bucket_name(b);
    }
    // The seed's app, with the changes asked for.
    let mut app = App::new("ecommerce-platform")
        .environment("production")
        .region("us-east-1")
        .add_database(
            Database::postgres("products-db", "14.19")
                .engine(engine)
                .size(db_size)
                .storage(gib(100), gib(500))
                .backup_retention_days(args.retention),
        );
    if !args.drop_cache {
        app = app.add_cache(
            Cache::redis("session-cache", "7.0")
                .size(Size::Small)
                .eviction(Eviction::AllKeysLru),
        );
    }
    app = app
        .add_storage(images)
        .add_cdn(Cdn::for_storage("images").ttl(hours(1), hours(24)))
        .add_email(Email::from_domain("ecommerce.com"))
        .add_queue(Queue::new("orders").retries(3).timeout(minutes(5)));
    if let Some(q) = &args.add_queue {
        app = app.add_queue(Queue::new(q));
    }
    match app.synth() {
        Ok(next) => {
            println!("{}", dcaf::diff(&previous, &next));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
