//! The CPython reference: computed on exactly this crate's inputs, matched exactly by the
//! powersort policy, and reproducible from `reference/cpython_counts.py`.

use std::process::Command;

use timsort::orders::seed_orders;
use timsort::patterns::Pattern;
use timsort::reference::CpythonCounts;
use timsort::{MergePolicy, TimSort};

fn reference() -> CpythonCounts {
    CpythonCounts::load().expect("reference/cpython-counts.json parses")
}

#[test]
fn reference_inputs_are_this_crates_inputs() {
    let r = reference();
    assert!(
        r.python.starts_with("3.") && r.n == 32_768,
        "{} {}",
        r.python,
        r.n
    );
    for p in Pattern::ALL {
        assert!(
            r.for_pattern(p, r.n, r.seed).is_some(),
            "{p}: checksum differs from Pattern::generate"
        );
        assert!(
            r.for_pattern(p, r.n, r.seed + 1).is_none(),
            "{p}: another seed must not match"
        );
    }
    let keys: Vec<i64> = seed_orders().iter().map(|o| o.date_key()).collect();
    assert!(r.for_orders(&keys).is_some());
}

#[test]
fn powersort_policy_matches_cpython_comparison_for_comparison() {
    let r = reference();
    for p in Pattern::ALL {
        let cpython = r.for_pattern(p, r.n, r.seed).expect("checksum");
        let ours = TimSort::with_policy(MergePolicy::Powersort)
            .sort_by_counted(&mut p.generate(r.n, r.seed), i64::cmp)
            .comparisons;
        assert_eq!(
            ours, cpython,
            "{p}: this crate {ours}, CPython {} {cpython}",
            r.python
        );
    }
}

#[test]
fn nine_orders_cost_twenty_comparisons_in_cpython_and_here() {
    let keys: Vec<i64> = seed_orders().iter().map(|o| o.date_key()).collect();
    assert_eq!(reference().for_orders(&keys), Some(20));
    for policy in [MergePolicy::Classic, MergePolicy::Powersort] {
        let stats = TimSort::with_policy(policy).sort_by_counted(&mut keys.clone(), i64::cmp);
        assert_eq!(
            (
                stats.comparisons,
                stats.runs,
                stats.merges,
                stats.gallop_entries
            ),
            (20, 1, 0, 0)
        );
    }
}

/// Re-run the reference script when CPython ≥ 3.11 is available (it is on the project's
/// machines) and check it reproduces the committed file.
#[test]
fn reference_script_reproduces_the_committed_file() {
    let version = Command::new("python3")
        .args(["-c", "import sys; print(sys.version_info >= (3, 11))"])
        .output();
    match version {
        Ok(o) if String::from_utf8_lossy(&o.stdout).trim() == "True" => {}
        _ => {
            eprintln!(
                "skipped: python3 >= 3.11 not found; the committed reference is still checked above"
            );
            return;
        }
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/reference/cpython_counts.py");
    let out = Command::new("python3")
        .arg(script)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh: serde_json::Value = serde_json::from_slice(&out.stdout).expect("script prints JSON");
    let committed: serde_json::Value =
        serde_json::from_str(timsort::reference::JSON).expect("committed JSON");
    // The Python patch version may differ between machines; the counts must not.
    assert_eq!(fresh["orders"], committed["orders"]);
    assert_eq!(fresh["patterns"], committed["patterns"]);
}
