//! `contracts`: serve the product-search API (v1 or v2), or check any running
//! instance against the semantic contract.
//!
//! Exit codes of `check`: 0 every promise holds, 1 a promise is broken,
//! 2 the check could not be carried out (bad flags, no answer, not the documented JSON).

use kit::{print, println};
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use contracts::latency::{MAX_CONCURRENCY, MAX_REQUESTS, MAX_WARMUP};
use contracts::progress::stderr_bar;
use contracts::render;
use contracts::search::Version;
use contracts::server::{Clock, RunningServer, ServerConfig, serve};
use contracts::suite::{LatencyOn, MAX_CASES, SuiteConfig, run_suite};

/// Serve the seed's product-search API, or check an instance's semantic contract.
#[derive(Parser)]
#[command(name = "contracts", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve GET /api/products/search and GET /openapi.json on the wall clock.
    Serve {
        /// Which implementation answers.
        #[arg(long, value_enum, default_value = "v1")]
        version: Version,
        /// Port on 127.0.0.1 (0 picks a free one and prints it).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Seed of the service-time model (which requests are slow).
        #[arg(long, default_value_t = 9)]
        seed: u64,
        /// Answer at once instead of sleeping for the modelled service time.
        #[arg(long)]
        no_delay: bool,
    },
    /// Check the API at URL (e.g. http://127.0.0.1:8080) against every promise, or
    /// (with --local) this chapter's own server, started in-process for the check.
    Check {
        /// Base URL of the API.
        #[arg(required_unless_present = "local", conflicts_with = "local")]
        url: Option<String>,
        /// Instead of a URL: start v1 or v2 on a free loopback port, on the wall clock
        /// (as `serve` does), check it, stop it.
        #[arg(long, value_enum)]
        local: Option<Version>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Seed of the generated cases.
        #[arg(long, default_value_t = 9)]
        seed: u64,
        /// Generated cases per promise (proptest's own default is 256).
        #[arg(long, default_value_t = 32,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_CASES)))]
        cases: u32,
        /// Latency: warm-up requests (discarded).
        #[arg(long, default_value_t = 100,
              value_parser = RangedU64ValueParser::<usize>::new().range(0..=MAX_WARMUP as u64))]
        warmup: usize,
        /// Latency: measured requests (the contract asks for at least 1000).
        #[arg(long, default_value_t = 1000,
              value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_REQUESTS as u64))]
        requests: usize,
        /// Latency: requests in flight at once (never more than the requests).
        #[arg(long, default_value_t = 16,
              value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_CONCURRENCY as u64))]
        concurrency: usize,
        /// Skip the latency promise.
        #[arg(long)]
        no_latency: bool,
        /// Per-request timeout in seconds (0.001 to 3600).
        #[arg(long, default_value_t = 5.0, value_parser = kit::cli::f64_in(0.001, 3600.0))]
        timeout: f64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            version,
            port,
            seed,
            no_delay,
        } => match run_server(version, port, seed, !no_delay) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("contracts serve: {e}");
                ExitCode::from(2)
            }
        },
        Command::Check {
            url,
            local,
            format,
            seed,
            cases,
            warmup,
            requests,
            concurrency,
            no_latency,
            timeout,
        } => {
            // Like `serve`: modelled service times on the wall clock; --seed also picks
            // which requests are slow.
            let server = match local
                .map(|v| RunningServer::start(ServerConfig::new(v, seed), Clock::Real))
            {
                None => None,
                Some(Ok(server)) => Some(server),
                Some(Err(e)) => {
                    eprintln!("contracts check: cannot start the local server: {e}");
                    return ExitCode::from(2);
                }
            };
            let url = match (&server, url) {
                (Some(server), _) => server.base_url(),
                (None, Some(url)) => url,
                (None, None) => {
                    eprintln!("contracts check: give a URL or --local v1|v2");
                    return ExitCode::from(2);
                }
            };
            let config = SuiteConfig {
                seed,
                cases,
                warmup,
                measured: requests,
                concurrency,
                // In range (f64_in): finite, 0.001..=3600 s, so this cannot panic.
                timeout: Duration::from_secs_f64(timeout),
                progress: stderr_bar(&match local {
                    Some(v) => format!("checking the local {}", v.name()),
                    None => format!("checking {url}"),
                }),
            };
            let latency = if no_latency {
                LatencyOn::Skip
            } else {
                LatencyOn::WallClock
            };
            let checked = run_suite(&url, &config, latency);
            config.progress.finish_and_clear();
            drop(server);
            match checked {
                Ok(report) => {
                    match format {
                        Format::Text => print!("{}", render::suite_text(&report)),
                        Format::Json => match serde_json::to_string_pretty(&report) {
                            Ok(s) => println!("{s}"),
                            Err(e) => {
                                eprintln!("contracts check: {e}");
                                return ExitCode::from(2);
                            }
                        },
                    }
                    if report.all_hold() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => {
                    eprintln!("contracts check: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn run_server(version: Version, port: u16, seed: u64, service_time: bool) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        // Bind first: a port in use is an error naming it, and nothing claims to serve.
        let listener = contracts::server::bind_loopback(port).await?;
        let addr = listener.local_addr()?;
        eprintln!(
            "contracts {}: http://{addr}{} (OpenAPI at http://{addr}{}); Ctrl-C stops",
            version.name(),
            contracts::server::SEARCH_PATH,
            contracts::server::OPENAPI_PATH
        );
        let config = ServerConfig {
            version,
            seed,
            service_time,
        };
        serve(listener, config, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })?;
    Ok(())
}
