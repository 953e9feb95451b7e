//! Day 9: the seed's request, `GET /api/products/search?query=laptop&limit=5`,
//! answered by v1 and v2 over HTTP: the same shape, a different meaning.
//!
//! `cargo run -q --release -p contracts --example search -- --help`

use kit::{print, println};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use contracts::client::Api;
use contracts::search::{MAX_LIMIT, MAX_OFFSET, SearchRequest, Version};
use contracts::server::{Clock, RunningServer, ServerConfig};

/// Ask both versions the same question and print their answers.
#[derive(Parser)]
struct Args {
    /// The query text (at most 200 characters).
    #[arg(long, default_value = "laptop", value_parser = contracts::service::query_text)]
    query: String,
    /// Page size (1..=100).
    #[arg(long, default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_LIMIT)))]
    limit: u32,
    /// Results to skip (0..=10000).
    #[arg(long, default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_OFFSET)))]
    offset: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let run = || -> Result<String, Box<dyn std::error::Error>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut out = String::new();
        for v in [Version::V1, Version::V2] {
            let server = RunningServer::start(ServerConfig::new(v, 9), Clock::Virtual)?;
            let api = Api::new(&server.base_url(), Duration::from_secs(5))?;
            let mut req = SearchRequest::new(&args.query, args.limit);
            req.offset = args.offset;
            let url = api.url_of(&req);
            let products = rt.block_on(api.search(&req))?;
            out.push_str(&format!(
                "{}: GET {}?{}  ({} items)\n",
                v.name(),
                url.path(),
                url.query().unwrap_or(""),
                products.len()
            ));
            let rows: Vec<Vec<String>> = products
                .iter()
                .map(|p| {
                    vec![
                        p.id.clone(),
                        p.name.chars().take(16).collect(),
                        p.category.clone(),
                        format!("{:.0}", p.price),
                        p.in_stock.to_string(),
                        p.premium.to_string(),
                        p.sponsored.to_string(),
                    ]
                })
                .collect();
            out.push_str(&kit::table::render(
                &[
                    "id",
                    "name",
                    "category",
                    "price",
                    "inStock",
                    "premium",
                    "sponsored",
                ],
                &rows,
            ));
            out.push_str("\n\n");
        }
        Ok(out)
    };
    match run() {
        Ok(text) => {
            print!("{}", text.trim_end_matches('\n'));
            println!();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("search: {e}");
            ExitCode::from(2)
        }
    }
}
