//! `erp-rag`: ask GlobalTech's five systems one question, or score the engine.
//!
//! ```text
//! erp-rag ask "What's our inventory value across all divisions?"
//! erp-rag ask "Who is the quality inspector in Mexico?" --role hr --format json
//! erp-rag ask "..." --down r3-de          # a division that doesn't answer
//! erp-rag eval
//! ```

use kit::{print, println};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use erp_rag::answer::{Llm, OfflineSynthesiser, openai::OpenAiCompatible};
use erp_rag::config::Role;
use erp_rag::engine::{Database, Engine};
use erp_rag::retrieve::Retriever;
use erp_rag::sources::Fault;

/// One cited answer from five disagreeing ERP systems.
#[derive(Parser)]
#[command(name = "erp-rag", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Data {
    /// Data directory: sources.json, the systems' exports, FX rates, parts, SQL script.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// SQLite file to create the consolidated-reporting database in
    /// [default: a file in the temp dir, removed at exit].
    #[arg(long, value_name = "FILE")]
    sqlite: Option<PathBuf>,
    /// Use PostgreSQL for the consolidated-reporting database instead (schema
    /// `erp_rag` is dropped and reloaded). Also read from env ERP_RAG_PG_URL.
    /// Implies --realtime.
    #[arg(long, value_name = "URL")]
    pg_url: Option<String>,
    /// Run on the wall clock (real sleeps, measured latencies) instead of tokio's
    /// virtual clock.
    #[arg(long)]
    realtime: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Answer a question, with citations.
    Ask {
        /// The question.
        question: String,
        /// Who is asking: analyst, finance or hr (hr may read personnel records).
        #[arg(long, default_value = "analyst")]
        role: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Retriever for open questions.
        #[arg(long, value_enum, default_value_t = RetrieverArg::Hybrid)]
        retriever: RetrieverArg,
        /// OpenAI-compatible endpoint to write the answer, e.g.
        /// http://127.0.0.1:11434/v1 (Ollama). Default: the offline synthesiser.
        #[arg(long, value_name = "URL")]
        llm_url: Option<String>,
        /// Model name sent to --llm-url.
        #[arg(long, default_value = "llama3.1")]
        llm_model: String,
        /// Seed sent to --llm-url.
        #[arg(long, default_value_t = 6)]
        seed: u64,
        /// Make a source refuse connections (repeatable), e.g. --down r3-de.
        #[arg(long, value_name = "SOURCE")]
        down: Vec<String>,
        /// Make a source answer after MS milliseconds (repeatable), e.g.
        /// --slow r3-de=5000.
        #[arg(long, value_name = "SOURCE=MS")]
        slow: Vec<String>,
        #[command(flatten)]
        data: Data,
    },
    /// Score routing, retrieval and answers against the labelled questions.
    Eval {
        /// The labelled set [default: DATA/eval.json].
        #[arg(long, value_name = "FILE")]
        set: Option<PathBuf>,
        #[command(flatten)]
        data: Data,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RetrieverArg {
    Bm25,
    Vector,
    Hybrid,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("erp-rag: {e}");
            ExitCode::from(1)
        }
    }
}

struct Opened {
    engine: Engine,
    rt: tokio::runtime::Runtime,
    scratch: Option<PathBuf>,
    clock: &'static str,
    /// On the wall clock: print each source's outcome as it arrives.
    live: bool,
}

fn open(d: &Data) -> erp_rag::Result<Opened> {
    let data = d
        .data
        .clone()
        .unwrap_or_else(erp_rag::config::default_data_dir);
    let pg = d.pg_url.clone().or_else(|| {
        std::env::var("ERP_RAG_PG_URL")
            .ok()
            .filter(|s| !s.is_empty())
    });
    let realtime = d.realtime || pg.is_some();
    let rt = erp_rag::runtime(!realtime);
    let (db, scratch) = match (pg, &d.sqlite) {
        (Some(url), _) => (Database::Postgres(url), None),
        (None, Some(p)) => (Database::Sqlite(p.clone()), None),
        (None, None) => {
            let p = erp_rag::scratch_sqlite("cli")?;
            (Database::Sqlite(p.clone()), Some(p))
        }
    };
    let env = |k: &str| std::env::var(k).ok();
    let engine = rt.block_on(Engine::open(&data, db, &env));
    let engine = match engine {
        Ok(e) => e,
        Err(e) => {
            if let Some(p) = &scratch {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
    };
    Ok(Opened {
        engine,
        rt,
        scratch,
        live: realtime,
        clock: if realtime {
            "wall clock, measured"
        } else {
            "virtual clock"
        },
    })
}

fn run(cli: Cli) -> erp_rag::Result<()> {
    match cli.command {
        Command::Ask {
            question,
            role,
            format,
            retriever,
            llm_url,
            llm_model,
            seed,
            down,
            slow,
            data,
        } => {
            let role = Role::parse(&role)?;
            if question.trim().is_empty() {
                return Err(erp_rag::Error::Usage("the question is empty".into()));
            }
            if question.len() > 2000 {
                return Err(erp_rag::Error::Usage(
                    "the question is longer than 2000 bytes".into(),
                ));
            }
            let llm: Box<dyn Llm> = match &llm_url {
                Some(u) => Box::new(OpenAiCompatible::new(u, &llm_model, seed)?),
                None => Box::new(OfflineSynthesiser),
            };
            let mut o = open(&data)?;
            let result = (|| {
                for id in &down {
                    o.engine.inject(id, Fault::Down)?;
                }
                for s in &slow {
                    let (id, ms) = s.split_once('=').ok_or_else(|| {
                        erp_rag::Error::Usage(format!("--slow {s:?}: expected SOURCE=MS"))
                    })?;
                    let ms: u64 = ms.parse().map_err(|_| {
                        erp_rag::Error::Usage(format!("--slow {s:?}: {ms:?} is not milliseconds"))
                    })?;
                    o.engine
                        .inject(id, Fault::Slow(Duration::from_millis(ms)))?;
                }
                let r = match retriever {
                    RetrieverArg::Bm25 => Retriever::Bm25,
                    RetrieverArg::Vector => Retriever::Vector,
                    RetrieverArg::Hybrid => Retriever::Hybrid,
                };
                let f = if o.live {
                    // On the wall clock, say what each source did the moment it finishes
                    // (flushed: stdout to a pipe is block-buffered). JSON keeps stdout
                    // for the document, so its live lines go to stderr.
                    let json = matches!(format, Format::Json);
                    let line = |text: &str| {
                        if json {
                            eprintln!("{text}");
                        } else {
                            let mut out = std::io::stdout().lock();
                            let _ = writeln!(out, "{text}");
                            let _ = out.flush();
                        }
                    };
                    line("Live fan-out (wall clock): each source prints when it finishes.");
                    let f = o.rt.block_on(o.engine.gather_observed(
                        &question,
                        role,
                        r,
                        &mut |outcome| line(&erp_rag::render::live_outcome(outcome)),
                    ));
                    line("");
                    f
                } else {
                    o.rt.block_on(o.engine.gather(&question, role, r))
                };
                // The LLM call runs on the wall clock: a paused clock would fire the
                // HTTP timeout while the request is in flight.
                let written =
                    erp_rag::runtime(false).block_on(erp_rag::answer::write(llm.as_ref(), &f));
                match format {
                    Format::Text => print!("{}", erp_rag::render::ask_text(&f, &written, o.clock)),
                    Format::Json => {
                        let v = serde_json::json!({"findings": f, "answer": written});
                        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                    }
                }
                // Unreadable data is an error of the input, not an outage: say which
                // source and record, and exit non-zero (the answer above already
                // names the division it lacks).
                let bad: Vec<String> = f
                    .outcomes
                    .iter()
                    .filter_map(|o| match &o.status {
                        erp_rag::fanout::Status::BadData(m) => Some(m.clone()),
                        _ => None,
                    })
                    .collect();
                if bad.is_empty() {
                    Ok(())
                } else {
                    Err(erp_rag::Error::Usage(bad.join("\nerp-rag: ")))
                }
            })();
            if let Some(p) = &o.scratch {
                let _ = std::fs::remove_file(p);
            }
            result
        }
        Command::Eval { set, data } => {
            let o = open(&data)?;
            let path = set.unwrap_or_else(|| o.engine.config.data_dir.join("eval.json"));
            let result = erp_rag::eval::load(&path)
                .and_then(|items| o.rt.block_on(erp_rag::eval::run(&o.engine, &items)));
            if let Some(p) = &o.scratch {
                let _ = std::fs::remove_file(p);
            }
            print!("{}", result?.text());
            Ok(())
        }
    }
}
