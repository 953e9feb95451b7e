//! What the seed meant: runs, merges and galloping, on data big enough to have them.
//!
//! Orders arrive in three batches — pending (sorted by date), shipped (mixed), delivered
//! (sorted) — like the seed's nine, but `--batch` of each. TimSort finds the sorted
//! batches as long natural runs, builds short runs from the mixed one, and merges them;
//! because whole batches lie before one another, the merges gallop.
//!
//! `cargo run -q --release -p timsort --example runs [-- --batch 500 --policy powersort]`

use clap::Parser;
use kit::println;
use kit::rng::{SliceRandom, seeded};
use timsort::compare::count_with;
use timsort::{Event, MergeDirection, MergePolicy, TimSort, minrun, textbook};

/// Trace TimSort on three batches of order dates.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Orders per batch (1 to 100000).
    #[arg(long, default_value_t = 500, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    batch: usize,
    /// Merge policy: `classic` or `powersort`.
    #[arg(long, default_value = "classic")]
    policy: MergePolicy,
    /// Seed for the shipped batch's order.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Date keys (days since an epoch): pending are newest, delivered oldest.
fn batches(batch: usize, seed: u64) -> Vec<i64> {
    let b = batch as i64;
    let mut shipped: Vec<i64> = (b..2 * b).collect();
    shipped.shuffle(&mut seeded(seed));
    let pending = 2 * b..3 * b;
    let delivered = 0..b;
    pending.chain(shipped).chain(delivered).collect()
}

fn main() {
    let args = Args::parse();
    let mut keys = batches(args.batch, args.seed);
    let n = keys.len();
    let b = args.batch;
    println!("{n} orders: {b} pending (sorted), {b} shipped (mixed), {b} delivered (sorted).");
    println!(
        "minrun({n}) = {}. lengths: natural → after binary insertion. trims: elements",
        minrun(n)
    );
    println!("the pre-merge gallops left in place (front/back). merge: merge_lo or merge_hi");
    println!("on what remained. gallops: times the merge switched to galloping.\n");
    let mut rows: Vec<Vec<String>> = Vec::new();
    let policy = TimSort::with_policy(args.policy);
    let stats = policy.sort_by_traced(&mut keys, i64::cmp, &mut |e| rows.push(row(e)));
    let header = [
        "step", "range", "lengths", "trims", "merge", "gallops", "cmp", "stack",
    ];
    println!("{}", kit::table::render(&header, &rows));
    println!(
        "\ntotal: {} comparisons ({:.2} per element), {} runs, {} merges,\n       {} gallop entries, deepest stack {}",
        stats.comparisons,
        stats.comparisons as f64 / n as f64,
        stats.runs,
        stats.merges,
        stats.gallop_entries,
        stats.max_pending
    );
    let plain = batches(args.batch, args.seed);
    let merge = count_with(&plain, |v, c| textbook::merge_sort_by(v, c));
    println!(
        "textbook merge sort, same input: {merge} comparisons ({:.2} per element)",
        merge as f64 / n as f64
    );
}

/// One table row per traced event.
fn row(event: &Event) -> Vec<String> {
    match event {
        Event::Run {
            start,
            natural_len,
            descending,
            len,
            comparisons,
        } => {
            let lengths = match (natural_len == len, descending) {
                (true, false) => format!("{len}"),
                (true, true) => format!("{len} reversed"),
                (false, _) => format!("{natural_len} → {len}"),
            };
            let range = format!("{start}..{}", start + len);
            let blank = String::new;
            vec![
                "run".into(),
                range,
                lengths,
                blank(),
                blank(),
                blank(),
                comparisons.to_string(),
                blank(),
            ]
        }
        Event::Merge {
            start,
            len_a,
            len_b,
            trimmed_front,
            trimmed_back,
            direction,
            gallop_entries,
            comparisons,
            pending_after,
        } => {
            let rest = format!("{}+{}", len_a - trimmed_front, len_b - trimmed_back);
            let how = match direction {
                MergeDirection::Skipped => "—".to_string(),
                MergeDirection::Lo => format!("lo {rest}"),
                MergeDirection::Hi => format!("hi {rest}"),
            };
            vec![
                "merge".into(),
                format!("{start}..{}", start + len_a + len_b),
                format!("{len_a} + {len_b}"),
                format!("{trimmed_front}/{trimmed_back}"),
                how,
                gallop_entries.to_string(),
                comparisons.to_string(),
                pending_after.to_string(),
            ]
        }
    }
}
