//! What the seed meant: runs, merges and galloping, on data big enough to have them.
//!
//! Orders arrive in three batches — pending (sorted by date), shipped (mixed), delivered
//! (sorted) — like the seed's nine, but `--batch` of each. TimSort finds the sorted
//! batches as long natural runs, builds short runs from the mixed one, and merges them;
//! because whole batches lie before one another, the merges gallop.
//!
//! `cargo run -q --release -p timsort --example runs [-- --batch 500 --policy powersort]`

use clap::Parser;
use kit::rng::{SliceRandom, seeded};
use timsort::compare::count_with;
use timsort::{Event, MergeDirection, MergePolicy, TimSort, minrun, textbook};

/// Trace TimSort on three batches of order dates.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Orders per batch.
    #[arg(long, default_value_t = 500)]
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
    println!(
        "{n} orders: {b} pending (sorted), {b} shipped (mixed), {b} delivered (sorted); minrun({n}) = {}\n",
        minrun(n)
    );
    let mut short_runs = 0;
    let stats = TimSort::with_policy(args.policy).sort_by_traced(&mut keys, i64::cmp, &mut |e| match e {
        Event::Run { start, natural_len, descending, len, comparisons } => {
            if *natural_len >= 32 || *start >= 2 * b {
                println!(
                    "run   [{start:>5}..{:>5})  natural {natural_len:>4}{}  → {len:>4}   {comparisons:>5} cmp",
                    start + len,
                    if *descending { " desc" } else { "     " }
                );
            } else {
                short_runs += 1;
                if short_runs <= 2 {
                    println!(
                        "run   [{start:>5}..{:>5})  natural {natural_len:>4}       → {len:>4}   {comparisons:>5} cmp   (mixed batch: binary insertion builds the run)",
                        start + len
                    );
                } else if short_runs == 3 {
                    println!("      … more runs built the same way from the mixed batch …");
                }
            }
        }
        Event::Merge { start, len_a, len_b, trimmed_front, trimmed_back, direction, gallop_entries, comparisons, pending_after } => {
            let how = match direction {
                MergeDirection::Skipped => "skipped: the trims placed everything".to_string(),
                d => format!("merge_{} on {} + {}", if *d == MergeDirection::Lo { "lo" } else { "hi" }, len_a - trimmed_front, len_b - trimmed_back),
            };
            println!(
                "merge [{start:>5}..{:>5})  {len_a:>4} + {len_b:>4}  trims {trimmed_front:>4}/{trimmed_back:<4} {how}; galloped {gallop_entries}×; {comparisons:>5} cmp; {pending_after} pending",
                start + len_a + len_b
            );
        }
    });
    println!(
        "\ntotal: {} comparisons ({:.2} per element), {} runs, {} merges, {} gallop entries, deepest stack {}",
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
        "textbook merge sort on the same input: {merge} comparisons ({:.2} per element)",
        merge as f64 / n as f64
    );
}
