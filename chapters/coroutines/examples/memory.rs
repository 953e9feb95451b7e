//! MEASURED: what a paused generator costs in bytes, and the peak heap of streaming
//! a large generated input versus collecting it. Sizes depend on the compiler,
//! heap figures on the allocator, times on the machine.
//!
//! `cargo run -q --release -p coroutines --example memory -- --help`

use kit::println;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use coroutines::alloc_meter::{self, CountingAlloc};
use coroutines::memory::{
    LINE_BYTES, buffer_futures, collect_lines, human_bytes, lines_for, state_sizes, stream_lines,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Measure generator frame sizes and streaming vs collecting.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The generators count 1..=limit (the vec row holds all of them).
    #[arg(long, default_value_t = 1_000_000)]
    limit: u64,
    /// Megabytes (10^6 bytes) of generated lines to stream and to collect.
    #[arg(long, default_value_t = 100)]
    mb: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.limit > coroutines::counter::MAX_VEC_LIMIT {
        eprintln!(
            "memory: --limit {} is above {}: the vec row would not fit",
            args.limit,
            coroutines::counter::MAX_VEC_LIMIT
        );
        return ExitCode::from(2);
    }
    println!("MEASURED with this build's compiler and allocator");
    println!(
        "\n1. Counting 1..={}, paused after the first value",
        args.limit
    );
    let rows: Vec<Vec<String>> = state_sizes(args.limit)
        .iter()
        .map(|r| {
            vec![
                r.flavour.to_string(),
                human_bytes(r.handle_bytes),
                human_bytes(r.frame_bytes),
                human_bytes(r.heap_bytes),
                r.lives.to_string(),
            ]
        })
        .collect();
    println!(
        "{}",
        kit::table::render(
            &["flavour", "handle", "frame", "heap", "frame lives"],
            &rows
        )
    );

    let b = buffer_futures();
    println!("\n2. A future and a 1 KiB buffer");
    let rows = vec![
        vec!["buffer held across .await".into(), human_bytes(b.held)],
        vec![
            "buffer dropped before .await".into(),
            human_bytes(b.dropped),
        ],
        vec![
            "Box::pin(held): the handle".into(),
            human_bytes(b.boxed_handle),
        ],
        vec![
            "Box::pin(held): on the heap".into(),
            human_bytes(b.boxed_heap),
        ],
    ];
    println!("{}", kit::table::render(&["future", "size"], &rows));

    println!(
        "\n3. {} MB of generated lines ({} lines of {LINE_BYTES} B)",
        args.mb,
        lines_for(args.mb)
    );
    // Progress on stderr, drawn only when stderr is a terminal (never on the page).
    // It says which step runs, and is drawn only between the measurements: drawing
    // allocates, and the counting allocator would add that to the peak heap.
    let bar = ProgressBar::with_draw_target(Some(2), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("step {pos}/{len}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(1);
    bar.set_message(format!("streaming {} MB through a generator", args.mb));
    bar.tick();
    let t = Instant::now();
    let streamed = alloc_meter::measure(|| stream_lines(args.mb));
    let stream_ms = t.elapsed().as_secs_f64() * 1e3;
    bar.set_position(2);
    bar.set_message(format!(
        "collecting {} MB into a Vec<String>, then reading it",
        args.mb
    ));
    bar.tick();
    let t = Instant::now();
    let collected = alloc_meter::measure(|| collect_lines(args.mb));
    let collect_ms = t.elapsed().as_secs_f64() * 1e3;
    bar.finish_and_clear();
    let (s, c) = match (streamed.value, collected.value) {
        (Ok(s), Ok(c)) => (s, c),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("memory: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = vec![
        vec![
            "stream (generator)".into(),
            human_bytes(streamed.peak_bytes),
            format!("{stream_ms:.0}"),
        ],
        vec![
            "collect into Vec".into(),
            human_bytes(collected.peak_bytes),
            format!("{collect_ms:.0}"),
        ],
    ];
    println!(
        "{}",
        kit::table::render(&["strategy", "peak heap", "ms"], &rows)
    );
    println!(
        "same digest ({} lines, {} bytes): {}",
        s.lines,
        s.bytes,
        if s == c { "yes" } else { "NO" }
    );
    if !alloc_meter::is_installed() {
        println!("(the counting allocator is not installed: heap figures are zero)");
    }
    println!("{}", kit::measured::footer());
    ExitCode::SUCCESS
}
