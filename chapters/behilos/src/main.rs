//! `behilos`: generate items, run a model on them, score the answers.
//!
//! ```text
//! behilos generate --seed 12 --n 500 > items.jsonl
//! behilos run --model lexical items.jsonl > answers.jsonl
//! behilos run --model http://127.0.0.1:8080/v1 --model-name my-model items.jsonl >> answers.jsonl
//! behilos score items.jsonl answers.jsonl --format text
//! ```
//!
//! Errors go to stderr with exit code 2; the program never panics on input.

use kit::{print, println};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use behilos::Error;
use behilos::client::{ClientError, MAX_ATTEMPTS, RetryPolicy, parse_base_url};
use behilos::generate::{GenConfig, MAX_ITEMS, generate};
use behilos::item::{Position, read_items, to_jsonl};
use behilos::mock::MockServer;
use behilos::report::{Section, render_text};
use behilos::runner::{ModelSpec, RunEvent, RunOptions, model_name, run_model_with};
use behilos::score::{TiePolicy, read_answers, score};
use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The BEHILOS benchmark: superlative questions over lists of entities.
#[derive(Parser)]
#[command(name = "behilos", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write N seeded items as JSONL to stdout.
    Generate {
        /// Seed: the same seed always gives the same items.
        #[arg(long, default_value_t = 12)]
        seed: u64,
        /// Number of items, 1 to 100000 (item 0 is the seed's own example unless
        /// --no-seed-example).
        #[arg(long, default_value_t = 100,
              value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_ITEMS as u64))]
        n: usize,
        /// Probability of a tie for the winning value (0 to 1).
        #[arg(long, default_value_t = 0.25, value_parser = kit::cli::f64_in(0.0, 1.0))]
        ties: f64,
        /// Probability of a loser one step from the winner (0 to 1).
        #[arg(long, default_value_t = 0.25, value_parser = kit::cli::f64_in(0.0, 1.0))]
        near_duplicates: f64,
        /// Probability of negative values, where the attribute allows them (0 to 1).
        #[arg(long, default_value_t = 0.3, value_parser = kit::cli::f64_in(0.0, 1.0))]
        negatives: f64,
        /// Probability of mixed notations: 1,200 / 1.2k / 1.2 thousand (0 to 1).
        #[arg(long, default_value_t = 0.4, value_parser = kit::cli::f64_in(0.0, 1.0))]
        mixed_notation: f64,
        /// Probability of mixed units: g / kg, m / km (0 to 1).
        #[arg(long, default_value_t = 0.4, value_parser = kit::cli::f64_in(0.0, 1.0))]
        mixed_units: f64,
        /// Most distractor attributes per option (0 to 2).
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=2))]
        max_distractors: u8,
        /// Shortest list (3 to 10, at most --max-len).
        #[arg(long, default_value_t = 3,
              value_parser = RangedU64ValueParser::<usize>::new().range(3..=10))]
        min_len: usize,
        /// Longest list (3 to 10, at least --min-len).
        #[arg(long, default_value_t = 8,
              value_parser = RangedU64ValueParser::<usize>::new().range(3..=10))]
        max_len: usize,
        /// Force where the (earliest) gold option sits.
        #[arg(long, value_enum)]
        position: Option<PositionArg>,
        /// Do not make item 0 the seed's example.
        #[arg(long)]
        no_seed_example: bool,
    },
    /// Ask a model every item; write one JSON answer per line to stdout.
    Run {
        /// first | random | lexical | solver | mock | an http:// base URL
        #[arg(long, required_unless_present = "model_url", value_parser = model_flag)]
        model: Option<String>,
        /// An OpenAI-compatible base URL (POST {url}/chat/completions).
        #[arg(long, conflicts_with = "model", value_parser = url_flag)]
        model_url: Option<String>,
        /// The `model` field sent to a URL, and the name written in the answers.
        #[arg(long, default_value = "remote", value_parser = model_name)]
        model_name: String,
        /// Seed for requests and for the random baseline.
        #[arg(long, default_value_t = 12)]
        seed: u64,
        /// Attempts per item for HTTP models, the first included (1 to 10).
        #[arg(long, default_value_t = 4,
              value_parser = clap::value_parser!(u32).range(1..=MAX_ATTEMPTS as i64))]
        attempts: u32,
        /// First backoff in milliseconds, 1 to 8000 (doubles per retry, capped at 8 s).
        #[arg(long, default_value = "500", value_parser = kit::cli::millis_in(1, 8_000))]
        backoff_ms: Duration,
        /// The items file.
        items: PathBuf,
    },
    /// Score answers against items.
    Score {
        /// The items file.
        items: PathBuf,
        /// The answers file (answers of several models may share it).
        answers: PathBuf,
        /// text (tables) or json (the whole report, per-item verdicts included).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// How tied gold sets are scored.
        #[arg(long, value_enum, default_value = "all")]
        tie_policy: PolicyArg,
    },
    /// Serve the mock endpoint for ITEMS on 127.0.0.1 until interrupted.
    ServeMock {
        /// Port (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The items file the mock should recognise.
        items: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum PolicyArg {
    Any,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum PositionArg {
    First,
    Middle,
    Last,
}

/// `--model`: a baseline's name, `mock`, or a usable http(s) URL.
fn model_flag(s: &str) -> Result<String, String> {
    ModelSpec::parse(s, 0)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

/// `--model-url`: a usable http(s) URL.
fn url_flag(s: &str) -> Result<String, String> {
    parse_base_url(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("behilos: {e}");
            ExitCode::from(2)
        }
    }
}

/// A bar on stderr for a run that talks to a server (baselines answer at once). It
/// draws only when stderr is a terminal, so piped or redirected output never sees it.
fn progress_bar(spec: &ModelSpec, items: usize) -> ProgressBar {
    let target = match spec {
        ModelSpec::Baseline(_) => ProgressDrawTarget::hidden(),
        ModelSpec::Url(_) | ModelSpec::Mock => ProgressDrawTarget::stderr(),
    };
    let bar = ProgressBar::with_draw_target(Some(items as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:20}] {pos}/{len}, eta {eta}: {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(match spec {
        ModelSpec::Url(url) => format!("asking {url}"),
        _ => "asking mock".to_string(),
    });
    bar
}

/// What the bar says about one event of the run.
fn show(bar: &ProgressBar, event: &RunEvent<'_>) {
    match event {
        RunEvent::Asking { id, .. } => bar.set_message(format!("{id}: waiting for the reply")),
        RunEvent::Retrying {
            id,
            attempt,
            of,
            wait,
            error,
        } => bar.set_message(format!(
            "{id}: retry in {:.1} s ({}, attempt {attempt} of {of})",
            wait.as_secs_f64(),
            match error {
                ClientError::Status { status, .. } => format!("HTTP {status}"),
                ClientError::Malformed { .. } => "malformed reply".to_string(),
                other => other.to_string(),
            }
        )),
        RunEvent::Answered { index } => bar.set_position(*index as u64 + 1),
    }
}

fn execute(command: Command) -> Result<(), Error> {
    match command {
        Command::Generate {
            seed,
            n,
            ties,
            near_duplicates,
            negatives,
            mixed_notation,
            mixed_units,
            max_distractors,
            min_len,
            max_len,
            position,
            no_seed_example,
        } => {
            let config = GenConfig {
                ties,
                near_duplicates,
                negatives,
                mixed_notation,
                mixed_units,
                max_distractors,
                min_len,
                max_len,
                position: position.map(|p| match p {
                    PositionArg::First => Position::First,
                    PositionArg::Middle => Position::Middle,
                    PositionArg::Last => Position::Last,
                }),
                include_seed_example: !no_seed_example,
            };
            let items = generate(seed, n, &config)?;
            print!("{}", to_jsonl(&items));
            Ok(())
        }
        Command::Run {
            model,
            model_url,
            model_name,
            seed,
            attempts,
            backoff_ms,
            items,
        } => {
            let spec = match (model, model_url) {
                (_, Some(url)) => ModelSpec::Url(url),
                (Some(name), None) => ModelSpec::parse(&name, seed)?,
                (None, None) => return Err(Error::UnknownModel(String::new())),
            };
            let items = read_items(&items)?;
            let options = RunOptions {
                seed,
                model_name,
                retry: RetryPolicy {
                    max_attempts: attempts,
                    base_delay: backoff_ms,
                    max_delay: Duration::from_secs(8),
                },
            };
            let bar = progress_bar(&spec, items.len());
            let result = run_model_with(
                &spec,
                &items,
                &options,
                |answer| {
                    let line = serde_json::to_string(answer).unwrap_or_default();
                    // One line at a time, flushed: a long HTTP run streams its answers.
                    print!("{line}\n");
                    Ok(())
                },
                |event| show(&bar, &event),
            );
            bar.finish_and_clear();
            result
        }
        Command::Score {
            items,
            answers,
            format,
            tie_policy,
        } => {
            let items = read_items(&items)?;
            let answers = read_answers(&answers)?;
            let policy = match tie_policy {
                PolicyArg::Any => TiePolicy::Any,
                PolicyArg::All => TiePolicy::All,
            };
            let report = score(&items, &answers, policy);
            for s in &report.stray {
                eprintln!(
                    "behilos: answers line {}: {} ({} for {:?})",
                    s.line, s.reason, s.model, s.id
                );
            }
            match format {
                Format::Text => print!("{}", render_text(&report, &items, &Section::ALL)),
                Format::Json => {
                    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
                    println!("{json}");
                }
            }
            Ok(())
        }
        Command::ServeMock { port, items } => {
            let items = read_items(&items)?;
            let server = MockServer::start_on(&items, port).map_err(Error::Mock)?;
            println!("mock endpoint: {} (Ctrl-C to stop)", server.url());
            loop {
                std::thread::park();
            }
        }
    }
}
