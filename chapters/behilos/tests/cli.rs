//! The `behilos` binary as a user runs it: generate → run → score, and a table of
//! bad inputs that must give a clear error and exit code 2, never a panic.

use std::path::PathBuf;
use std::process::{Command, Output};

fn behilos(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_behilos"))
        .args(args)
        .output()
        .expect("run behilos")
}

fn scratch(name: &str, text: &str) -> PathBuf {
    kit::programs::scratch_file("behilos-cli", name, text).expect("write scratch file")
}

fn write(name: &str, text: &str) -> String {
    scratch(name, text).display().to_string()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

#[test]
fn generate_run_score_pipeline() {
    let items = ok(&behilos(&["generate", "--seed", "4", "--n", "30"]));
    assert_eq!(
        items,
        ok(&behilos(&["generate", "--seed", "4", "--n", "30"]))
    );
    assert_eq!(items.lines().count(), 30);
    let items_path = write("items.jsonl", &items);
    let mut answers = String::new();
    for model in ["solver", "first", "mock"] {
        answers.push_str(&ok(&behilos(&[
            "run",
            "--model",
            model,
            "--backoff-ms",
            "1",
            &items_path,
        ])));
    }
    let answers_path = write("answers.jsonl", &answers);
    let json = ok(&behilos(&[
        "score",
        &items_path,
        &answers_path,
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["policy"], "all");
    assert_eq!(v["items"], 30);
    assert_eq!(v["models"][0]["model"], "solver");
    assert_eq!(v["models"][0]["overall"]["correct"], 30);
    assert!(v["models"][1]["overall"]["correct"].as_u64() < Some(30));
    assert_eq!(v["models"][2]["model"], "mock");
    assert_eq!(
        v["models"][2]["no_reply"], 0,
        "retries recovered every item"
    );
    let text = ok(&behilos(&[
        "score",
        &items_path,
        &answers_path,
        "--tie-policy",
        "any",
    ]));
    assert!(text.contains("tie policy: any"), "{text}");
    assert!(text.contains("| solver"), "{text}");
}

#[test]
fn answers_for_unknown_items_are_reported_not_dropped() {
    let items = ok(&behilos(&["generate", "--seed", "4", "--n", "3"]));
    let items_path = write("few.jsonl", &items);
    let answers = "{\"id\":\"s4-0000\",\"model\":\"m\",\"response\":\"D, E\"}\n\
                   {\"id\":\"ghost-1\",\"model\":\"m\",\"response\":\"A\"}\n";
    let answers_path = write("ghost.jsonl", answers);
    let out = behilos(&["score", &items_path, &answers_path]);
    let text = ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("1 answers not scored"), "{text}");
    assert!(
        text.contains("ghost-1") && text.contains("unknown item id"),
        "{text}"
    );
    assert!(
        err.contains("answers line 2") && err.contains("ghost-1"),
        "{err}"
    );
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let good = ok(&behilos(&["generate", "--seed", "4", "--n", "3"]));
    let good_path = write("good.jsonl", &good);
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    lines[1] = "{\"id\": 3".into();
    let broken = write("broken.jsonl", &(lines.join("\n") + "\n"));
    let tampered = write(
        "tampered.jsonl",
        &good.replacen("\"gold\":[\"D\",\"E\"]", "\"gold\":[\"D\"]", 1),
    );
    let first = good.lines().next().unwrap_or_default();
    let twice = write("twice.jsonl", &format!("{first}\n{first}\n"));
    let bad_answers = write("bad-answers.jsonl", "{\"id\":\"s4-0000\"}\n");
    let missing = scratch("placeholder.txt", "")
        .with_file_name("does-not-exist.jsonl")
        .display()
        .to_string();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["score", &missing, &good_path], "cannot read"),
        (
            vec!["score", &broken, &good_path],
            "broken.jsonl:2: not a valid item line",
        ),
        (
            vec!["score", &tampered, &good_path],
            "tampered.jsonl:1: item \"s4-0000\" is inconsistent",
        ),
        (
            vec!["score", &twice, &good_path],
            "twice.jsonl:2: item id \"s4-0000\" already used on line 1",
        ),
        (
            vec!["score", &good_path, &bad_answers],
            "bad-answers.jsonl:1: not a valid answer line",
        ),
        (vec!["score", &good_path, &missing], "does-not-exist.jsonl"),
        (
            vec!["run", "--model", "gpt-9", &good_path],
            "unknown model \"gpt-9\"",
        ),
        (vec!["run", "--model", "solver", &missing], "cannot read"),
        (
            vec!["generate", "--ties", "1.5"],
            "'--ties <TIES>': 1.5 is outside 0..=1",
        ),
        (
            vec!["generate", "--min-len", "2"],
            "'--min-len <MIN_LEN>': 2 is not in 3..=10",
        ),
        (
            vec!["generate", "--min-len", "9", "--max-len", "4"],
            "3 <= --min-len (9) <= --max-len (4) <= 10",
        ),
        (
            vec!["score", &good_path, &good_path, "--format", "xml"],
            "invalid value 'xml'",
        ),
    ];
    for (args, needle) in cases {
        let out = behilos(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: stderr {err:?} lacks {needle:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            out.stdout.is_empty(),
            "{args:?}: no partial output on error"
        );
    }
}

#[test]
fn a_model_url_with_no_server_fails_at_once_naming_the_url() {
    let items = write(
        "dead-url.jsonl",
        &ok(&behilos(&["generate", "--seed", "4", "--n", "20"])),
    );
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let url = format!("http://127.0.0.1:{port}/v1");
    let started = std::time::Instant::now();
    let out = behilos(&["run", "--model-url", &url, &items]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("no model server answers at {url}")),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no answers written");
    // Default retries would spend 3.5 s per item; the check takes one connection.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
