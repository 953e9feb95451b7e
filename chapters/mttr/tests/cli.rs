//! The `mttr` binary as a user runs it: good files give the report, bad files one line
//! on stderr naming file, line and field, exit code 1 — never a panic.

use std::path::PathBuf;
use std::process::{Command, Output};

fn mttr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mttr"))
        .args(args)
        .output()
        .expect("run mttr")
}

fn scratch(name: &str, text: &str) -> String {
    let p = kit::programs::scratch_file("mttr-cli", name, text).expect("write scratch file");
    p.display().to_string()
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

const HEADER: &str =
    "id,title,impact_started,detected,acknowledged,work_began,fix_applied,restored,closed";
const ROW: &str =
    "A,ok,2024-01-01T00:00:00Z,2024-01-01T00:03:00Z,2024-01-01T00:05:00Z,,,2024-01-01T00:15:00Z,";

#[test]
fn report_text_and_json() {
    let out = mttr(&["report", &fixture("incidents.csv")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.starts_with("40 incidents"), "{text}");
    assert!(text.contains("| recover (from impact) | 40 |"), "{text}");
    let out = mttr(&["report", &fixture("shopfast.csv"), "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["incidents"], 1);
    assert_eq!(v["intervals"]["repair"]["mean_s"], 180.0);
    assert_eq!(v["intervals"]["recover_from_alert"]["mean_s"], 720.0);
    assert_eq!(v["intervals"]["recover_from_impact"]["median_s"], 900.0);
    assert_eq!(v["intervals"]["resolve"]["mean_s"], 1620.0);
    assert_eq!(v["dora"][0]["levels"][0], "elite");
    let each = mttr(&["report", &fixture("shopfast.csv"), "--each"]);
    assert!(String::from_utf8_lossy(&each.stdout).contains("SF-2024-1129 — ShopFast"));
}

#[test]
fn bad_input_names_file_line_and_field_and_exits_1() {
    let late_restore = ROW.replace("00:15:00Z", "00:01:00Z");
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty.csv", String::new(), ":1: empty file"),
        ("header-only.csv", format!("{HEADER}\n"), ":2: no incidents"),
        ("empty.json", "  \n".into(), ":1: empty file"),
        ("empty-array.json", "[\n]\n".into(), "no incidents"),
        (
            "no-restored.csv",
            "id,impact_started,detected\nA,2024-01-01T00:00:00Z,2024-01-01T00:01:00Z\n".into(),
            ":1: field `restored`: missing column",
        ),
        (
            "typo.csv",
            format!("{}\n{ROW}\n", HEADER.replace("closed", "closd")),
            ":1: field `closd`: unknown column",
        ),
        (
            "bad-time.csv",
            format!("{HEADER}\n{ROW}\n{}\n", ROW.replace("A,ok,2024-01-01T00:00:00Z", "B,x,2024-01-01 00:00")),
            ":3: field `impact_started`: \"2024-01-01 00:00\" is not an RFC 3339 time",
        ),
        (
            "restored-before-detected.csv",
            format!("{HEADER}\n{late_restore}\n"),
            ":2: field `restored`: 2024-01-01T00:01:00Z is before `acknowledged`",
        ),
        (
            "missing-value.csv",
            format!("{HEADER}\n{}\n", ROW.replace("2024-01-01T00:03:00Z", "")),
            ":2: field `detected`: missing",
        ),
        (
            "dup.csv",
            format!("{HEADER}\n{ROW}\n{ROW}\n"),
            ":3: field `id`: duplicate id \"A\" (first on line 2)",
        ),
        (
            "ragged.csv",
            format!("{HEADER}\n{ROW}\nB,short\n"),
            ":3: record has 2 fields, the header has 9",
        ),
        (
            "dup.json",
            "[\n{\"id\": \"A\", \"impact_started\": \"2024-01-01T00:00:00Z\",\n \"detected\": \"2024-01-01T00:00:00Z\", \"restored\": \"2024-01-01T00:00:00Z\"},\n{\"id\": \"A\", \"impact_started\": \"2024-01-01T00:00:00Z\",\n \"detected\": \"2024-01-01T00:00:00Z\", \"restored\": \"2024-01-01T00:00:00Z\"}\n]\n".into(),
            ":4: field `id`: duplicate id",
        ),
        (
            "number-time.json",
            "[\n  {\n    \"id\": \"A\",\n    \"detected\": 1700000000\n  }\n]\n".into(),
            ":4: field `detected`: expected an RFC 3339 time",
        ),
        ("broken.json", "[\n  {\"id\": \"A\",\n".into(), ":3: JSON"),
        ("object.json", "{\"id\": \"A\"}\n".into(), ":1: JSON"),
        ("notes.txt", "hello\n".into(), "unknown format"),
        (
            "dup-column.csv",
            format!("{HEADER},detected\n{ROW},2024-01-01T00:04:00Z\n"),
            ":1: field `detected`",
        ),
        (
            "dup-key.json",
            "[\n{\"id\": \"A\", \"id\": \"B\", \"impact_started\": \"2024-01-01T00:00:00Z\",\n \"detected\": \"2024-01-01T00:00:00Z\", \"restored\": \"2024-01-01T00:00:00Z\"}\n]\n".into(),
            ":2: JSON",
        ),
    ];
    for (name, text, needle) in cases {
        let path = scratch(name, &text);
        let out = mttr(&["report", &path]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&path),
            "{name}: stderr {err:?} lacks the file name"
        );
        assert!(
            err.contains(needle),
            "{name}: stderr {err:?} lacks {needle:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty(), "{name}: no partial output on error");
    }
    let out = mttr(&["report", "/no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.csv"));
}

/// Flags out of range are clap usage errors (exit 2) naming the flag; a missing incident id
/// is named in words with the ids the file has. Nothing panics.
#[test]
fn hostile_flags_are_usage_errors_naming_the_flag() {
    let cases: [(&str, &[&str], i32, &str); 9] = [
        ("generate", &["--n", "18446744073709551615"], 2, "--n"),
        ("generate", &["--n", "0"], 2, "--n"),
        ("montecarlo", &["--trials", "1e9"], 2, "--trials"),
        ("montecarlo", &["--sigma", "NaN"], 2, "--sigma"),
        ("montecarlo", &["--improvement", "1.5"], 2, "--improvement"),
        ("montecarlo", &["--sizes", "50,0"], 2, "--sizes"),
        (
            "shopfast",
            &["--dollars-per-minute=-1"],
            2,
            "--dollars-per-minute",
        ),
        (
            "timeline",
            &["--id", "NOPE"],
            1,
            "no incident with id `NOPE`; its ids are: SF-2024-1129",
        ),
        ("timeline", &["--file", "/no/such.csv"], 1, "/no/such.csv"),
    ];
    for (example, args, code, needle) in cases {
        let out = kit::programs::run_example("mttr", example, args, "").expect("cargo run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{example} {args:?}: {err}");
        assert!(
            err.contains(needle),
            "{example} {args:?}: {err:?} lacks {needle:?}"
        );
        assert!(!err.contains("panicked"), "{example} {args:?}: {err}");
        assert!(
            out.stdout.is_empty(),
            "{example} {args:?}: printed on error"
        );
    }
}
