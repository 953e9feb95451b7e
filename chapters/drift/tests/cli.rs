//! The `drift` binary as a user runs it: exit codes 0 / 2 / 1, the JSON report against
//! its schema, policy override, ignore list, "adopt all", and a table of bad inputs.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn drift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drift"))
        .args(args)
        .output()
        .expect("run drift")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

fn scratch(name: &str, text: &str) -> String {
    kit::programs::scratch_file("drift-cli", name, text)
        .expect("write scratch file")
        .display()
        .to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

const PLAN: &str = "infrastructure-plan.yaml";
const REAL: &str = "actual-infrastructure.yaml";

#[test]
fn exit_code_2_on_drift_0_in_sync_1_on_error() {
    let o = drift(&["--intended", &fixture(PLAN), "--actual", &fixture(REAL)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("coverage 56 % (managed 9 of 16"), "{text}");
    let long: Vec<&str> = text.lines().filter(|l| l.chars().count() > 80).collect();
    assert!(long.is_empty(), "lines over 80: {long:#?}");

    for f in [PLAN, REAL, "cfn-intended.json"] {
        let o = drift(&["--intended", &fixture(f), "--actual", &fixture(f)]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("IN SYNC"));
    }

    let o = drift(&[
        "--intended",
        "/no/such/plan.yaml",
        "--actual",
        &fixture(REAL),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/plan.yaml"), "{}", stderr(&o));
    // A usage error is 1 too, not clap's default 2 (which would read as "drift").
    let o = drift(&["--intended", &fixture(PLAN)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = drift(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--ignore <JSON-POINTER>"));
}

#[test]
fn json_output_validates_against_the_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../schema/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let pairs = [
        (PLAN, REAL, vec![]),
        (PLAN, PLAN, vec![]),
        (REAL, PLAN, vec!["--ignore", "/notes"]),
        ("cfn-intended.json", "cfn-actual.json", vec![]),
    ];
    for (i, a, extra) in pairs {
        let mut args = vec![
            "--intended".to_string(),
            fixture(i),
            "--actual".into(),
            fixture(a),
        ];
        args.extend(["--format".into(), "json".into()]);
        args.extend(extra.iter().map(|s| s.to_string()));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = drift(&argv);
        let v = json_of(&o);
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{i} vs {a}: {errors:#?}");
        assert_eq!(v["in_sync"], o.status.code() == Some(0));
    }
    // The schema is not vacuous: a report with a wrong field fails it.
    let o = drift(&[
        "--intended",
        &fixture(PLAN),
        "--actual",
        &fixture(REAL),
        "--format",
        "json",
    ]);
    let mut v = json_of(&o);
    assert_eq!(v["summary"]["coverage_percent"], 56);
    assert_eq!(v["summary"]["unmanaged"], 7);
    v["findings"][0]["severity"] = Value::from("catastrophic");
    assert!(!validator.is_valid(&v));
    let mut v = json_of(&o);
    v["resources"][0]["changes"][0]["difference_type"] = Value::from("ADD");
    v["resources"][0]["changes"][0]["intended"] = Value::from("x");
    assert!(
        !validator.is_valid(&v),
        "ADD with an intended value must fail"
    );
}

#[test]
fn policy_override_replaces_the_builtin() {
    let policy = scratch(
        "everything-info.yaml",
        "default_severity: info\nrules:\n  - name: only-backups\n    severity: high\n    why: test\n    match: {path: /backup}\n",
    );
    let o = drift(&[
        "--intended",
        &fixture(PLAN),
        "--actual",
        &fixture(REAL),
        "--format",
        "json",
        "--policy",
        &policy,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v = json_of(&o);
    let sev = &v["summary"]["severity"];
    assert_eq!(sev["critical"], 0);
    assert_eq!(sev["high"], 1);
    assert_eq!(v["findings"][0]["rule"], "only-backups");
    assert_eq!(v["findings"][1]["rule"], Value::Null);
    assert_eq!(v["policy"], policy.as_str());
}

#[test]
fn ignore_list_drops_paths_and_can_reach_in_sync() {
    let base = drift(&[
        "--intended",
        &fixture(PLAN),
        "--actual",
        &fixture(REAL),
        "--format",
        "json",
    ]);
    let with = drift(&[
        "--intended",
        &fixture(PLAN),
        "--actual",
        &fixture(REAL),
        "--format",
        "json",
        "--ignore",
        "/notes",
        "--ignore",
        "/security_groups",
    ]);
    let (b, w) = (json_of(&base), json_of(&with));
    let n = |v: &Value| v["summary"]["attribute_changes"].as_u64().expect("count");
    // 3 notes and 6 security-group members go away.
    assert_eq!(n(&b) - n(&w), 9);
    let paths: Vec<&str> = w["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(
        paths
            .iter()
            .all(|p| !p.starts_with("/notes") && !p.starts_with("/security_groups"))
    );
    assert_eq!(
        w["ignored"],
        serde_json::json!(["/notes", "/security_groups"])
    );

    // Two documents that differ only in notes are in sync once notes are ignored.
    let a = scratch("a.yaml", "p:\n  web_servers:\n    s1: {type: t3.small}\n");
    let b = scratch(
        "b.yaml",
        "p:\n  web_servers:\n    s1: {type: t3.small, notes: hi}\n",
    );
    assert_eq!(
        drift(&["--intended", &a, "--actual", &b]).status.code(),
        Some(2)
    );
    assert_eq!(
        drift(&["--intended", &a, "--actual", &b, "--ignore", "/notes"])
            .status
            .code(),
        Some(0)
    );
    let bad = drift(&["--intended", &a, "--actual", &b, "--ignore", "notes"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("bad JSON pointer \"notes\""),
        "{}",
        stderr(&bad)
    );
}

fn drift_owned(args: &[String]) -> Output {
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    drift(&argv)
}

#[test]
fn adopt_all_round_trip_is_in_sync() {
    for (n, (i, a, ext, ignore)) in [
        (PLAN, REAL, "yaml", None),
        (PLAN, REAL, "yaml", Some("/security_groups")),
        ("cfn-intended.json", "cfn-actual.json", "json", None),
    ]
    .into_iter()
    .enumerate()
    {
        let out = scratch(&format!("adopted-{n}.{ext}"), "");
        let ignore_args: Vec<String> = ignore
            .map(|p| vec!["--ignore".to_string(), p.to_string()])
            .unwrap_or_default();
        let mut args = vec![
            "--intended".to_string(),
            fixture(i),
            "--actual".into(),
            fixture(a),
        ];
        args.extend(["--write-adopted".to_string(), out.clone()]);
        args.extend(ignore_args.iter().cloned());
        let o = drift_owned(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let mut again = vec![
            "--intended".to_string(),
            out.clone(),
            "--actual".into(),
            fixture(a),
        ];
        again.extend(ignore_args.iter().cloned());
        let o = drift_owned(&again);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{i}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            stderr(&o)
        );
        if ignore.is_some() {
            // Without the ignore list the kept intended security groups show again.
            let o = drift(&["--intended", &out, "--actual", &fixture(a)]);
            assert_eq!(o.status.code(), Some(2));
        }
    }
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_1() {
    let good = fixture(REAL);
    let cases: Vec<(&str, &str, &str)> = vec![
        (
            "malformed.yaml",
            "production:\n  web_servers:\n    type: [t3\n",
            ":4:1: ",
        ),
        ("tab.yaml", "production:\n\tregion: x\n", ":2:1: "),
        ("empty.yaml", "", "empty document"),
        ("comments.yaml", "# nothing here\n", "empty document"),
        ("null.yaml", "~\n", "empty document"),
        (
            "scalar.yaml",
            "just a string\n",
            "expected a map of environments",
        ),
        (
            "count.yaml",
            "production:\n  web_servers: {type: t3.medium, count: \"three\"}\n",
            "field `production.web_servers.count`: expected a whole number of instances (0 or more), found a string (\"three\")",
        ),
        (
            "negative.yaml",
            "production:\n  web_servers: {count: -1}\n",
            "found a number (-1)",
        ),
        (
            "huge.yaml",
            "production:\n  web_servers: {count: 1000000000000}\n",
            "more than the limit 100000",
        ),
        (
            "env.yaml",
            "production: [a, b]\n",
            "field `production`: an environment is a map of sections",
        ),
        (
            "noname.yaml",
            "production:\n  s3_buckets:\n    - versioning: enabled\n",
            "field `production.s3_buckets[0]`: a listed resource needs a `name`",
        ),
        (
            "dup.yaml",
            "production:\n  iam_roles: [a, b, a]\n",
            "field `production.iam_roles[2]`: duplicate iam_role `production/a` (first at `production.iam_roles[0]`)",
        ),
        (
            "slash.yaml",
            "production:\n  iam_roles: [\"../../etc/passwd\"]\n",
            "may not contain `/`",
        ),
        (
            "newline.yaml",
            "production:\n  iam_roles: [\"evil\\nname\"]\n",
            "control characters",
        ),
        (
            "tag.yaml",
            "production:\n  region: !Ref Region\n",
            "YAML tag !Ref is not supported",
        ),
        (
            "dupkey.yaml",
            "production:\n  region: a\n  region: b\n",
            "duplicate entry",
        ),
        ("broken.json", "{\"Resources\": {\"A\": \n", ":2:1: "),
        (
            "cfn-type.json",
            "{\"Resources\": {\"A\": {\"Properties\": {}}}}",
            "field `Resources.A.Type`: missing",
        ),
        (
            "cfn-props.json",
            "{\"Resources\": {\"A\": {\"Type\": \"X\", \"Properties\": [1]}}}",
            "field `Resources.A.Properties`: expected a map",
        ),
        (
            "cfn-id.json",
            "{\"Resources\": {\"a-b\": {\"Type\": \"X\"}}}",
            "letters and digits only",
        ),
        (
            "cfn-list.json",
            "{\"Resources\": []}",
            "field `Resources`: expected a map of logical ids",
        ),
    ];
    for (name, text, needle) in cases {
        let path = scratch(name, text);
        let o = drift(&["--intended", &path, "--actual", &good]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(&path), "{name}: {err:?} lacks the file name");
        assert!(err.contains(needle), "{name}: {err:?} lacks {needle:?}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err:?}");
        assert!(o.stdout.is_empty(), "{name}: no partial report");
    }
}

#[test]
fn bad_policies_name_the_key_and_the_file() {
    let cases = [
        (
            "typo.yaml",
            "rules:\n  - name: a\n    severity: high\n    match: {pathh: /x}\n",
            "unknown field `pathh`",
            ":4:",
        ),
        (
            "top.yaml",
            "default_severty: low\n",
            "unknown field `default_severty`",
            ":1:1",
        ),
        (
            "rule.yaml",
            "rules:\n  - name: a\n    severity: high\n    level: 3\n",
            "unknown field `level`",
            ":4:5",
        ),
        (
            "sev.yaml",
            "rules:\n  - name: a\n    severity: catastrophic\n",
            "unknown variant `catastrophic`",
            ":3:",
        ),
        (
            "twice.yaml",
            "rules:\n  - {name: a, severity: low}\n  - {name: a, severity: high}\n",
            "rule `a` is defined twice",
            "",
        ),
        (
            "ptr.yaml",
            "rules:\n  - {name: a, severity: low, match: {has: {x: 1}}}\n",
            "rule `a`: `has`: bad JSON pointer",
            "",
        ),
        ("empty-policy.yaml", "", "empty document", ""),
    ];
    for (name, text, needle, at) in cases {
        let path = scratch(name, text);
        let o = drift(&[
            "--intended",
            &fixture(PLAN),
            "--actual",
            &fixture(REAL),
            "--policy",
            &path,
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&format!("{path}{at}")),
            "{name}: {err:?} lacks file{at}"
        );
        assert!(err.contains(needle), "{name}: {err:?} lacks {needle:?}");
    }
}
