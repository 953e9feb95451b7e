//! The page's Try it block: sort your own numbers (or a generated pattern) with both merge
//! policies and compare what each did. Pure computation, so it also runs as wasm32 in the
//! reader's browser (see [`kit::tryit`]); `cargo run -p timsort --example try_it -- --help`
//! lists the same knobs.

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

use crate::input::parse_integers;
use crate::patterns::Pattern;
use crate::{MergePolicy, TimSort};

const PATTERNS: &[&str] = &[
    "random",
    "ascending",
    "descending",
    "16-runs",
    "4-distinct",
    "all-equal",
    "3-swaps",
];

/// Day 10's engine for the page: knobs `numbers`, `pattern`, `n`, `seed`.
pub const ENGINE: Engine = Engine {
    chapter: "timsort",
    title: "type numbers to sort (or leave the box empty and pick a pattern and n); both merge policies sort them, counting every comparison.",
    knobs: &[
        Knob {
            name: "numbers",
            label: "your numbers",
            help: "integers separated by spaces or newlines; empty = use the pattern below",
            kind: Kind::Text {
                rows: 2,
                max_bytes: 200_000,
            },
            default: "",
        },
        Knob {
            name: "pattern",
            label: "pattern",
            help: "the shape of generated input (used when no numbers are typed)",
            kind: Kind::Choice(PATTERNS),
            default: "random",
        },
        Knob {
            name: "n",
            label: "n",
            help: "how many integers to generate",
            kind: Kind::Int {
                min: 1,
                max: 100_000,
            },
            default: "1000",
        },
        Knob {
            name: "seed",
            label: "seed",
            help: "seed for the random patterns",
            kind: Kind::Int {
                min: 0,
                max: 4_294_967_295,
            },
            default: "42",
        },
    ],
    run,
};

fn run(v: &Values) -> Result<String, TryItError> {
    let typed = v.text("numbers")?;
    let (input, source) = if typed.trim().is_empty() {
        let name = v.text("pattern")?;
        let pattern: Pattern = name.parse().map_err(TryItError::engine)?;
        let n = v.int("n")? as usize;
        let seed = v.int("seed")? as u64;
        (
            pattern.generate(n, seed),
            format!("pattern {name}, n = {n}, seed {seed}"),
        )
    } else {
        let xs =
            parse_integers(typed).map_err(|e| TryItError::engine(format!("your numbers: {e}")))?;
        let n = xs.len();
        (xs, format!("your {n} numbers"))
    };
    let n = input.len();
    let mut out = format!("Input: {source}.\n");
    let log2_factorial: f64 = (2..=n).map(|k| (k as f64).log2()).sum();
    out += &format!(
        "minrun({n}) = {}; log2({n}!) = {log2_factorial:.0}: the fewest comparisons that sort every order of {n} items\n(input that is already partly in order can beat it).\n\n",
        crate::minrun(n)
    );
    let mut rows = Vec::new();
    let mut sorted = Vec::new();
    for policy in MergePolicy::ALL {
        let mut xs: Vec<(i64, usize)> = input.iter().copied().zip(0..).collect();
        let stats = TimSort::with_policy(policy).sort_by_counted(&mut xs, |a, b| a.0.cmp(&b.0));
        rows.push(vec![
            policy.name().to_string(),
            stats.comparisons.to_string(),
            stats.runs.to_string(),
            stats.natural_runs_descending.to_string(),
            stats.merges.to_string(),
            stats.gallop_entries.to_string(),
            stats.max_pending.to_string(),
        ]);
        sorted = xs;
    }
    out += &kit::table::render(
        &[
            "policy",
            "comparisons",
            "runs",
            "descending",
            "merges",
            "gallops",
            "max stack",
        ],
        &rows,
    );
    let shown: Vec<String> = sorted.iter().take(12).map(|x| x.0.to_string()).collect();
    out += &format!(
        "\n\nSorted: {}{}\n",
        shown.join(" "),
        if n > 12 { " …" } else { "" }
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    #[test]
    fn defaults_run_and_sorted_input_is_one_run() {
        assert!(ENGINE.run_defaults().unwrap().contains("pattern random"));
        let out = ENGINE.run_query("numbers=1+2+3+4+5").unwrap();
        // 4 comparisons to find one ascending run, no merges
        let classic = out.lines().find(|l| l.contains("classic")).unwrap();
        let cells: Vec<&str> = classic.split('|').map(str::trim).collect();
        assert_eq!(&cells[2..6], ["4", "1", "0", "0"], "{out}");
    }

    #[test]
    fn bad_number_names_its_position() {
        let err = ENGINE.run_query("numbers=1+2+x").unwrap_err().to_string();
        assert!(err.contains("line 1, column 5"), "{err}");
    }
}
