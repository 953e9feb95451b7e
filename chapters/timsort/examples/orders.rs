//! The seed's example, honestly: sort its nine orders by date and show what TimSort
//! really does — then recount the seed's performance table.
//!
//! `cargo run -q --release -p timsort --example orders [-- --policy powersort]`

use clap::Parser;
use kit::println;
use timsort::compare::count_with;
use timsort::orders::{Order, seed_orders};
use timsort::reference::CpythonCounts;
use timsort::{Event, MergePolicy, TimSort, minrun, textbook};

/// Sort the seed's nine orders by date with a traced TimSort.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Merge policy: `classic` or `powersort` (no difference for one run).
    #[arg(long, default_value = "classic")]
    policy: MergePolicy,
}

fn table(orders: &[Order]) -> String {
    let rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.customer_id.to_string(),
                o.date.to_string(),
                o.total.to_string(),
                o.status.name().to_string(),
            ]
        })
        .collect();
    kit::table::render(&["id", "customer", "date", "total", "status"], &rows)
}

fn main() {
    let args = Args::parse();
    let mut orders = seed_orders();
    let n = orders.len();
    println!(
        "The seed's {n} orders, in arrival order:\n\n{}\n",
        table(&orders)
    );

    println!("TimSort ({} policy) sorting them by date:", args.policy);
    println!(
        "  minrun({n}) = {}: fewer than 64 items, so the whole list is one run",
        minrun(n)
    );
    let stats = TimSort::with_policy(args.policy).sort_by_traced(
        &mut orders,
        |a, b| a.date.cmp(b.date),
        &mut |e| match e {
            Event::Run { start, natural_len, descending, len, comparisons } => println!(
                "  run at {start}: {natural_len} in {} order, binary insertion extends it to {len}\n    ({comparisons} comparisons)",
                if *descending { "strictly descending" } else { "ascending" }
            ),
            Event::Merge { len_a, len_b, direction, gallop_entries, comparisons, .. } => println!(
                "  merge {len_a} + {len_b} ({direction:?}): {comparisons} comparisons, galloped {gallop_entries} times"
            ),
        },
    );
    println!(
        "  total: {} comparisons, {} run(s), {} merge(s), {} gallop(s)\n",
        stats.comparisons, stats.runs, stats.merges, stats.gallop_entries
    );
    let keys: Vec<i64> = seed_orders().iter().map(Order::date_key).collect();
    match CpythonCounts::load()
        .ok()
        .and_then(|r| r.for_orders(&keys).map(|c| (r.python, c)))
    {
        Some((version, c)) => println!(
            "CPython {version} on the same {n} dates: {c} comparisons ({})\n",
            if c == stats.comparisons {
                "identical"
            } else {
                "DIFFERENT"
            }
        ),
        None => println!("CPython reference: not available for this input\n"),
    }

    println!("Sorted by date, oldest first:\n\n{}\n", table(&orders));

    let textbook_count = count_with(&keys, |v, c| textbook::merge_sort_by(v, c));
    let std_stable = count_with(&keys, |v, c| v.sort_by(c));
    let std_unstable = count_with(&keys, |v, c| v.sort_unstable_by(c));
    let bound = (2..=n as u32).map(f64::from).map(f64::log2).sum::<f64>();
    let rows = vec![
        vec![
            "TimSort (this crate)".into(),
            "~9".into(),
            stats.comparisons.to_string(),
        ],
        vec![
            "textbook merge sort".into(),
            "~16".into(),
            textbook_count.to_string(),
        ],
        vec![
            "QuickSort (seed) / std sort_unstable".into(),
            "~18".into(),
            std_unstable.to_string(),
        ],
        vec![
            "std sort (driftsort)".into(),
            "—".into(),
            std_stable.to_string(),
        ],
    ];
    println!("The seed's performance table, recounted on these {n} dates:\n");
    println!(
        "{}",
        kit::table::render(&["sort", "seed claimed", "counted"], &rows)
    );
    println!(
        "\nlog2({n}!) = {bound:.1}: no comparison sort can promise fewer than {}\ncomparisons for {n} items in unknown order.",
        bound.ceil()
    );
}
