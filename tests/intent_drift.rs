//! The Day 16 → Day 2 program: every manual change it injects into DCAF's template is
//! found by drift with the severity its default policy gives, and none means in sync.

use kit::programs::run_example;

fn run(args: &[&str]) -> String {
    let out = run_example("workbook", "intent_drift", args, "").expect("cargo runs");
    assert!(
        out.status.success(),
        "intent_drift {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

const ALL: [&str; 5] = [
    "resize-database",
    "disable-backups",
    "extra-server",
    "public-bucket",
    "leftover-role",
];

#[test]
fn no_manual_change_means_in_sync() {
    let mut args = Vec::new();
    for c in ALL {
        args.extend(["--skip", c]);
    }
    let out = run(&args);
    assert!(out.contains("verdict: IN SYNC (exit code 0)"), "{out}");
}

#[test]
fn each_manual_change_is_found_with_its_severity() {
    // (change, what drift must report, the severity its finding must carry)
    let expected = [
        ("resize-database", "/DBInstanceClass", "medium"),
        ("disable-backups", "/BackupRetentionPeriod", "critical"),
        ("extra-server", "AWS::EC2::Instance[DebugServer4]", "medium"),
        (
            "public-bucket",
            "/PublicAccessBlockConfiguration",
            "critical",
        ),
        (
            "leftover-role",
            "AWS::IAM::Role[ContractorAccessRole]",
            "critical",
        ),
    ];
    for (only, needle, severity) in expected {
        let mut args = vec!["--format", "json"];
        for c in ALL.iter().filter(|c| **c != only) {
            args.extend(["--skip", c]);
        }
        let report: serde_json::Value =
            serde_json::from_str(&run(&args)).expect("drift's JSON report");
        let findings = report["findings"].as_array().expect("a findings array");
        assert!(!findings.is_empty(), "{only}: no finding");
        for f in findings {
            let text = f.to_string();
            assert!(text.contains(needle), "{only}: unexpected finding {text}");
            assert_eq!(f["severity"], severity, "{only}: {text}");
        }
    }
}
