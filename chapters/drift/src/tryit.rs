//! The page's Try it block: edit the *actual* (deployed) YAML, pick the intended state and
//! the policy, and see the classification, the ranked findings with both remediations and
//! the exit code `drift` would return. Pure computation on strings, so it also runs as
//! wasm32 in the reader's browser (see [`kit::tryit`]);
//! `cargo run -p drift --example try_it -- --help` lists the same knobs.

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

use crate::policy::DEFAULT_POLICY_YAML;
use crate::{Assessment, Inventory, Pointer, Policy, Severity, fixtures, parse_str};

/// The name the actual document has in error messages (`actual.yaml:12:5: …`).
const ACTUAL_FILE: &str = "actual.yaml";

/// Day 2's engine for the page: knobs `actual`, `intended`, `policy`, `ignore`, `show`.
pub const ENGINE: Engine = Engine {
    chapter: "drift",
    title: "edit the actual (deployed) infrastructure below — resize a server, turn backups back on, delete a role — and the drift report is recomputed.",
    knobs: &[
        Knob {
            name: "actual",
            label: "actual state (YAML)",
            help: "what a scan of the cloud found: environments YAML (or a CloudFormation template)",
            kind: Kind::Text {
                rows: 14,
                max_bytes: 20_000,
            },
            default: fixtures::ACTUAL_YAML,
        },
        Knob {
            name: "intended",
            label: "intended state",
            help: "plan = the seed's infrastructure-plan.yaml; adopted = that plan with the seed's reality adopted, so only your edits drift",
            kind: Kind::Choice(&["plan", "adopted"]),
            default: "plan",
        },
        Knob {
            name: "policy",
            label: "policy",
            help: "built-in = policy/default.yaml; critical-as-high = every critical rule made high; no-rules = every finding gets the default severity",
            kind: Kind::Choice(&["built-in", "critical-as-high", "no-rules"]),
            default: "built-in",
        },
        Knob {
            name: "ignore",
            label: "ignore (JSON pointers)",
            help: "attribute paths to leave out in every resource, separated by spaces or commas, e.g. /notes /custom_packages",
            kind: Kind::Text {
                rows: 1,
                max_bytes: 1_000,
            },
            default: "",
        },
        Knob {
            name: "show",
            label: "findings shown",
            help: "how many of the most severe findings to print with their remediations",
            kind: Kind::Int { min: 0, max: 10 },
            default: "5",
        },
    ],
    run,
};

/// The policy a `policy` knob value names.
fn policy(name: &str) -> Result<Policy, TryItError> {
    match name {
        "built-in" => Ok(Policy::builtin()),
        "critical-as-high" => Policy::parse(
            "built-in, critical made high",
            &DEFAULT_POLICY_YAML.replace("severity: critical", "severity: high"),
        )
        .map_err(TryItError::engine),
        "no-rules" => Policy::parse("no rules", "default_severity: low\nrules: []\n")
            .map_err(TryItError::engine),
        other => Err(TryItError::Knob {
            knob: "policy".into(),
            message: format!("unknown policy {other:?}"),
        }),
    }
}

/// The intended inventory an `intended` knob value names.
fn intended(name: &str) -> Result<(String, Inventory), TryItError> {
    let plan = parse_str("infrastructure-plan.yaml", fixtures::INTENDED_YAML, false)
        .map_err(TryItError::engine)?;
    match name {
        "plan" => Ok(("the seed's plan".into(), plan)),
        "adopted" => {
            let seed_actual = parse_str("actual-infrastructure.yaml", fixtures::ACTUAL_YAML, false)
                .map_err(TryItError::engine)?;
            Ok((
                "the plan with the seed's reality adopted".into(),
                crate::adopt(&plan, &seed_actual, &[]),
            ))
        }
        other => Err(TryItError::Knob {
            knob: "intended".into(),
            message: format!("unknown intended state {other:?}"),
        }),
    }
}

/// `1 resource`, `2 resources`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn run(v: &Values) -> Result<String, TryItError> {
    let ignore = v
        .text("ignore")?
        .split([' ', ',', '\n', '\t'])
        .filter(|s| !s.is_empty())
        .map(Pointer::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TryItError::Knob {
            knob: "ignore".into(),
            message: e.to_string(),
        })?;
    let policy = policy(v.text("policy")?)?;
    let (intended_name, intended) = intended(v.text("intended")?)?;
    let actual = parse_str(ACTUAL_FILE, v.text("actual")?, false).map_err(TryItError::engine)?;
    let show = usize::try_from(v.int("show")?).unwrap_or(0);

    let a = Assessment::new(
        &intended_name,
        &intended,
        ACTUAL_FILE,
        &actual,
        &ignore,
        &policy,
    );
    let r = &a.report;
    let mut out = format!(
        "intended: {} ({})\nactual:   {} ({})\n\n",
        a.intended_file,
        plural(a.intended_resources, "resource"),
        a.actual_file,
        plural(a.actual_resources, "resource")
    );
    let rows = vec![
        vec![
            "managed, in sync".into(),
            (r.managed() - r.changed()).to_string(),
        ],
        vec!["managed, changed".into(), r.changed().to_string()],
        vec!["unmanaged".into(), r.unmanaged().to_string()],
        vec!["missing".into(), r.missing().to_string()],
    ];
    out += &kit::table::render(&["resources", "count"], &rows);
    out += &format!(
        "\ncoverage {} % (managed {} of {})\n",
        r.coverage_percent(),
        r.managed(),
        r.total()
    );
    if !r.ignored.is_empty() {
        out += &format!("ignored paths: {}\n", r.ignored.join(", "));
    }
    if r.in_sync() {
        out += "verdict: IN SYNC: `drift` exits 0\n";
        return Ok(out);
    }
    out += &crate::report::wrap(
        &format!(
            "verdict: DRIFT: `drift` exits 2 ({} on {}, {} unmanaged, {} missing)",
            plural(r.change_count(), "attribute change"),
            plural(r.changed(), "resource"),
            r.unmanaged(),
            r.missing()
        ),
        2,
    );
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|&s| format!("{s} {}", a.count(s)))
        .collect();
    out += &format!(
        "\n\n{}, ranked by policy \"{}\":\n  {}\n",
        plural(a.findings.len(), "finding"),
        a.policy_source,
        counts.join(" · ")
    );
    let shown = show.min(a.findings.len());
    if shown > 0 {
        out += &if shown == 1 {
            "\nthe most severe finding, with both remediations:\n\n".to_string()
        } else {
            format!("\nthe {shown} most severe findings, with both remediations:\n\n")
        };
        let mut heading = None;
        for f in &a.findings[..shown] {
            if heading != Some(f.severity) {
                heading = Some(f.severity);
                out += &format!("{}\n", f.severity.to_string().to_uppercase());
            }
            out += &crate::report::render_finding(f);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    #[test]
    fn defaults_find_the_seed_drift_and_exit_2() {
        let out = ENGINE.run_defaults().unwrap();
        assert!(out.contains("`drift` exits 2"), "{out}");
        assert!(out.contains("critical 5"), "{out}");
        assert!(
            out.contains("CRITICAL\n- database[production] /backup"),
            "{out}"
        );
    }

    #[test]
    fn adopted_plan_is_in_sync_until_the_reader_edits_reality() {
        let out = ENGINE.run_query("intended=adopted").unwrap();
        assert!(out.contains("IN SYNC: `drift` exits 0"), "{out}");
        let edited = crate::fixtures::ACTUAL_YAML.replace("backup: disabled", "backup: enabled");
        let out = ENGINE
            .run_pairs(&[("intended", "adopted"), ("actual", &edited)])
            .unwrap();
        assert!(out.contains("1 attribute change on 1 resource"), "{out}");
        assert!(
            out.contains("/backup NOT_EQUAL \"disabled\" → \"enabled\""),
            "{out}"
        );
    }

    #[test]
    fn turning_backups_back_on_removes_one_critical_finding() {
        let edited = crate::fixtures::ACTUAL_YAML.replace("backup: disabled", "backup: enabled");
        let out = ENGINE.run_pairs(&[("actual", &edited)]).unwrap();
        assert!(out.contains("critical 4"), "{out}");
    }

    #[test]
    fn the_policy_moves_severities_not_counts() {
        let out = ENGINE.run_query("policy=critical-as-high").unwrap();
        assert!(out.contains("29 findings"), "{out}");
        assert!(out.contains("critical 0 · high 15"), "{out}");
        let out = ENGINE.run_query("policy=no-rules").unwrap();
        assert!(out.contains("low 29"), "{out}");
    }

    #[test]
    fn ignore_drops_paths() {
        let out = ENGINE.run_query("ignore=/notes+/custom_packages").unwrap();
        assert!(out.contains("info 0"), "{out}");
        assert!(
            out.contains("ignored paths: /notes, /custom_packages"),
            "{out}"
        );
    }

    #[test]
    fn malformed_yaml_names_line_and_column() {
        let err = ENGINE
            .run_pairs(&[("actual", "production:\n  web_servers:\n    type: [t3\n")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("actual.yaml:"), "{err}");
        assert!(
            err.split(':').nth(1).unwrap().parse::<usize>().is_ok(),
            "{err}"
        );
    }

    #[test]
    fn bad_pointer_names_the_knob() {
        let err = ENGINE.run_query("ignore=notes").unwrap_err().to_string();
        assert!(err.contains("knob `ignore`"), "{err}");
    }
}
