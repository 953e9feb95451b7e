//! Day 16: cfn-lint and checkov on DCAF's template and on Day 2's drifted infrastructure.
//!
//! `cargo run -q --release -p dcaf --example scan -- --help`
//! Needs `cfn-lint` and `checkov`: the pinned versions `cargo xtask tools` installs (found
//! there first, through `kit::pytools`), else whatever is on PATH. While they run, a
//! spinner on stderr (only when stderr is a terminal) says what it waits for.

use kit::println;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dcaf::scan::{self, CheckResult, FOCUS_CHECKS, LintFinding, ScanError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Run cfn-lint and checkov on the seed app's template and on the drifted one, and
/// print their verdicts side by side.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The drifted template (default: fixtures/drifted.template.json).
    #[arg(long, value_name = "FILE")]
    drifted: Option<PathBuf>,
}

fn lint_row(name: &str, findings: &[LintFinding]) -> Vec<String> {
    let count = |level: &str| findings.iter().filter(|f| f.level == level).count();
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *rules.entry(f.rule.as_str()).or_default() += 1;
    }
    let rules: Vec<String> = rules
        .iter()
        .map(|(r, n)| {
            if *n > 1 {
                format!("{r} ×{n}")
            } else {
                r.to_string()
            }
        })
        .collect();
    vec![
        name.to_string(),
        count("Error").to_string(),
        count("Warning").to_string(),
        if rules.is_empty() {
            "-".into()
        } else {
            rules.join(", ")
        },
    ]
}

fn cell(results: &[CheckResult], id: &str) -> String {
    match scan::tally(results, id) {
        (0, 0) => "n/a".into(),
        (p, 0) => format!("pass {p}"),
        (p, f) => format!("FAIL {f}/{}", p + f),
    }
}

fn others(label: &str, results: &[CheckResult]) {
    let mut failed: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for r in results.iter().filter(|r| !r.passed) {
        if FOCUS_CHECKS.iter().all(|(id, _)| *id != r.check_id) {
            let e = failed
                .entry(r.check_id.as_str())
                .or_insert((0, r.name.as_str()));
            e.0 += 1;
        }
    }
    println!(
        "Failed on {label}, outside the list above ({}):",
        failed.len()
    );
    for (id, (n, name)) in failed {
        let name = ["Ensure that ", "Ensure ", "Verify "]
            .iter()
            .fold(name, |s, p| s.strip_prefix(p).unwrap_or(s));
        let mut short = String::new();
        for word in name.split(' ') {
            if short.len() + word.len() + 1 > 58 {
                short.push_str(" …");
                break;
            }
            if !short.is_empty() {
                short.push(' ');
            }
            short.push_str(word);
        }
        println!("  {id:<12} ×{n} {short}");
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let drifted = args.drifted.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/drifted.template.json")
    });
    let template = match dcaf::seed::ecommerce_platform().synth() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Both templates under fixed names in a scratch folder, so one cfn-lint and one
    // checkov process check both and their findings are told apart by file name.
    let dir = std::env::temp_dir().join(format!("dcaf-scan-{}", std::process::id()));
    let ours = dir.join("dcaf.json");
    let theirs = dir.join("drifted.json");
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&ours, template.to_json_string()))
        .and_then(|()| std::fs::copy(&drifted, &theirs).map(|_| ()));
    if let Err(e) = written {
        eprintln!("error: {}: {e}", drifted.display());
        let _ = std::fs::remove_dir_all(&dir);
        return ExitCode::FAILURE;
    }
    // The checkers take several seconds (checkov most); say so on a terminal only.
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message("asking cfn-lint and checkov for their versions");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = scan::versions().and_then(|v| {
        spinner.set_message(format!(
            "waiting for cfn-lint {} and checkov {} on 2 templates",
            v.0, v.1
        ));
        let files = [ours.clone(), theirs.clone()];
        let lint = std::thread::spawn(move || scan::cfn_lint(&[&files[0], &files[1]]));
        let checks = scan::checkov(&[&ours, &theirs])?;
        let lint = lint.join().map_err(|_| ScanError::Spawn {
            tool: "cfn-lint",
            message: "thread panicked".into(),
        })??;
        Ok((v, lint, checks))
    });
    spinner.finish_and_clear();
    let _ = std::fs::remove_dir_all(&dir);
    let ((lint_v, checkov_v), lint, checks) = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!(
                "error: this page program needs cfn-lint and checkov (run `cargo xtask tools` once)"
            );
            return ExitCode::from(2);
        }
    };
    let of = |name: &str| -> (Vec<LintFinding>, Vec<CheckResult>) {
        (
            lint.iter().filter(|f| f.file == name).cloned().collect(),
            checks.iter().filter(|c| c.file == name).cloned().collect(),
        )
    };
    let (our_lint, our_checks) = of("dcaf.json");
    let (their_lint, their_checks) = of("drifted.json");
    println!("cfn-lint {lint_v} · checkov {checkov_v} (+ DCAF's policy CKV_DCAF_1)");
    println!("dcaf    = the seed app's template, as DCAF emits it");
    println!("drifted = Day 2's actual infrastructure, as a template");
    println!();
    println!("cfn-lint: findings");
    println!(
        "{}",
        kit::table::render(
            &["template", "errors", "warnings", "rules"],
            &[
                lint_row("dcaf", &our_lint),
                lint_row("drifted", &their_lint)
            ]
        )
    );
    println!();
    println!("checkov: resources passing / failing each check");
    let rows: Vec<Vec<String>> = FOCUS_CHECKS
        .iter()
        .map(|(id, what)| {
            vec![
                id.to_string(),
                what.to_string(),
                cell(&our_checks, id),
                cell(&their_checks, id),
            ]
        })
        .collect();
    println!(
        "{}",
        kit::table::render(&["check", "what", "dcaf", "drifted"], &rows)
    );
    println!();
    let totals = |r: &[CheckResult]| {
        let failed = r.iter().filter(|c| !c.passed).count();
        format!("{} passed, {failed} failed", r.len() - failed)
    };
    println!(
        "All checkov checks: dcaf {}; drifted {}.",
        totals(&our_checks),
        totals(&their_checks)
    );
    others("dcaf", &our_checks);
    others("drifted", &their_checks);
    ExitCode::SUCCESS
}
