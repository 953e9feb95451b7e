//! Fan-out in three situations — all systems up, Germany down, Germany too slow —
//! and the same sources queried one after another, on tokio's virtual clock (or the
//! wall clock with --realtime). `--svg` prints only the picture of the all-up run and
//! the sequential one (virtual clock).

use kit::{print, println};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use erp_rag::config::Role;
use erp_rag::engine::{Engine, FixtureEngine};
use erp_rag::record::Entity;
use erp_rag::retrieve::Retriever;
use erp_rag::sources::Fault;

/// Concurrent fan-out with per-source timeouts, and what a missing division does to
/// the answer.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Run on the wall clock and print measured times.
    #[arg(long)]
    realtime: bool,
    /// Print only an SVG picture of the all-up fan-out, the sequential run and the
    /// pipeline after it (virtual clock).
    #[arg(long, conflicts_with = "realtime")]
    svg: bool,
    /// The source to break.
    #[arg(long, default_value = "r3-de")]
    victim: String,
    /// Its latency in the "slow" scenario, in ms (its timeout is 2000 ms).
    #[arg(long, default_value_t = 5000)]
    slow_ms: u64,
    /// Multiply every latency and timeout by this (e.g. 0.25 for a quick wall-clock run).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
}

const Q: &str = "What's our inventory value across all divisions?";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = erp_rag::runtime(!args.realtime);
    let mut fixtures = FixtureEngine::open(&rt, "fanout")?;
    run(&rt, &mut fixtures.engine, &args)
}

fn scenario_name(victim: &str, name: &str, faulty: bool) -> String {
    if faulty {
        format!("{victim} {name}")
    } else {
        name.to_string()
    }
}

fn run(rt: &tokio::runtime::Runtime, engine: &mut Engine, args: &Args) -> anyhow::Result<()> {
    if !(args.scale > 0.0 && args.scale <= 10.0) {
        anyhow::bail!("--scale {} must be in (0, 10]", args.scale);
    }
    for s in &mut engine.sources {
        let mut c = (**s).clone();
        c.config.latency = c.config.latency.mul_f64(args.scale);
        c.config.timeout = c.config.timeout.mul_f64(args.scale);
        *s = Arc::new(c);
    }
    let timeout_ms = engine.sources[0].config.timeout.as_millis();
    let clock = if args.realtime {
        "wall clock, measured"
    } else {
        "virtual clock"
    };
    if !args.svg {
        println!("Question: {Q}\n");
    }
    // On the wall clock, each source's result prints the moment it arrives (flushed:
    // stdout to a pipe is block-buffered); the tables follow once everything is in.
    let live = |text: &str| {
        if args.realtime {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
    };
    live("Live (wall clock): each source prints when it finishes.");
    let mut rows = Vec::new();
    let scenarios: [(&str, Option<Fault>); 3] = [
        ("all up", None),
        ("down", Some(Fault::Down)),
        (
            "slow",
            Some(Fault::Slow(
                Duration::from_millis(args.slow_ms).mul_f64(args.scale),
            )),
        ),
    ];
    let mut details = Vec::new();
    let mut all_up = None;
    for (name, fault) in scenarios {
        let mut e = Engine {
            config: engine.config.clone(),
            normaliser: Arc::clone(&engine.normaliser),
            sources: engine.sources.clone(),
        };
        if let Some(f) = fault {
            e.inject(&args.victim, f)?;
        }
        live(&format!(
            "{}:",
            scenario_name(&args.victim, name, fault.is_some())
        ));
        let f = rt.block_on(
            e.gather_observed(Q, Role::Analyst, Retriever::Hybrid, &mut |o| {
                live(&erp_rag::render::live_outcome(o))
            }),
        );
        // Every source's finish time is measured from the start of the fan-out.
        let took = f
            .outcomes
            .iter()
            .map(|o| o.latency)
            .max()
            .unwrap_or_default();
        let scenario = scenario_name(&args.victim, name, fault.is_some());
        rows.push(vec![
            scenario.clone(),
            format!("{} ms", took.as_millis()),
            f.total
                .map(|t| format!("USD {}", t.to_grouped(2)))
                .unwrap_or_else(|| "none".into()),
            if f.missing.is_empty() {
                "-".into()
            } else {
                f.missing
                    .iter()
                    .map(|m| erp_rag::config::division_name(&m.division).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ]);
        if fault.is_some() {
            details.push((scenario, f));
        } else {
            all_up = Some(f);
        }
    }
    if args.realtime {
        println!();
    }
    if !args.svg {
        println!("Concurrent fan-out ({clock}; every source has a {timeout_ms} ms timeout):");
        println!(
            "{}",
            kit::table::render(&["scenario", "answer after", "total", "missing"], &rows)
        );
    }
    // The same five queries, one after another.
    let mut seq = Vec::new();
    let mut total = Duration::ZERO;
    let mut times = Vec::new();
    live("");
    live("Live (wall clock), the same sources one after another:");
    for s in &engine.sources {
        let (o, _) = rt.block_on(erp_rag::fanout::fan_out_observed(
            &[(Arc::clone(s), true)],
            &Entity::ALL,
            Role::Analyst,
            &engine.normaliser,
            &mut |o| live(&erp_rag::render::live_outcome(o)),
        ));
        let took = o.first().map(|o| o.latency).unwrap_or_default();
        total += took;
        times.push((s.config.id.clone(), took));
        seq.push(vec![
            s.config.id.clone(),
            format!("{} ms", took.as_millis()),
        ]);
    }
    if args.svg {
        let f = all_up.ok_or_else(|| anyhow::anyhow!("the all-up scenario did not run"))?;
        print!("{}", erp_rag::picture::fanout_svg(&f, Some(&times)));
        return Ok(());
    }
    seq.push(vec!["sum".into(), format!("{} ms", total.as_millis())]);
    println!();
    println!("The same sources queried sequentially ({clock}):");
    println!("{}", kit::table::render(&["source", "took"], &seq));
    for (scenario, f) in details {
        println!();
        println!("What the answer says when {scenario}:");
        let w = rt.block_on(erp_rag::answer::write(
            &erp_rag::answer::OfflineSynthesiser,
            &f,
        ));
        let first: Vec<&str> = w.text.lines().collect();
        let mut shown = String::new();
        shown.push_str(first.first().copied().unwrap_or(""));
        shown.push('\n');
        for l in &first {
            if l.contains("MISSING") || l.contains("NOT the company") {
                shown.push_str(l);
                shown.push('\n');
            }
        }
        print!("{}", erp_rag::render::wrap(&shown, 78, "  "));
    }
    if args.realtime {
        println!();
        println!("{}", kit::measured::footer());
    }
    Ok(())
}
