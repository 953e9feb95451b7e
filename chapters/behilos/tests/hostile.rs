//! Hostile input (CONTRIBUTING.md, "Hostile input"), through the real programs and the
//! library's parsers: every flag out of its range is a usage error naming the flag,
//! every bad file an error naming the file (and line), nothing panics, no input file
//! changes, stdout closed or full ends the program cleanly, and the mock endpoint
//! answers every bad request with a 4xx and a reason.
//!
//! This chapter writes nothing but standard output (no database, no output file), so
//! its foreign-file rules are: a file given to it is only read, whatever it holds, and a
//! port another server holds stays that server's.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use behilos::Error;
use behilos::client::parse_base_url;
use behilos::extract::{extract, reply_arg};
use behilos::generate::{GenConfig, MAX_ITEMS, generate, seed_example};
use behilos::item::{Item, parse_items, to_jsonl};
use behilos::mock::{MAX_BODY_BYTES, MockServer};
use behilos::quantity::Kind;
use behilos::runner::{ModelSpec, model_name};
use behilos::score::parse_answers;
use proptest::prelude::*;

const EXE: &str = env!("CARGO_BIN_EXE_behilos");

fn behilos(args: &[&str]) -> Output {
    Command::new(EXE)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run behilos")
}

/// A scratch folder of its own per test, so tests running in parallel never share files.
fn dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("behilos-hostile-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn put(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write scratch file");
    p.display().to_string()
}

/// Every file under `dir`, with its bytes: compared before and after the runs.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| (e.path(), std::fs::read(e.path()).expect("read")))
        .collect()
}

fn items_text(n: usize) -> String {
    to_jsonl(&generate(4, n, &GenConfig::default()).expect("items"))
}

/// The hostile files every file-reading command is fed. Returns (name → path).
fn hostile_files(d: &Path) -> BTreeMap<&'static str, String> {
    let good = items_text(4);
    let first = good.lines().next().expect("a line").to_string();
    let mut files = BTreeMap::new();
    files.insert("good", put(d, "good.jsonl", good.as_bytes()));
    files.insert("empty", put(d, "empty.jsonl", b""));
    files.insert("blank", put(d, "blank.jsonl", b"\n  \n\n"));
    files.insert(
        "truncated",
        put(d, "truncated.jsonl", &good.as_bytes()[..300]),
    );
    let mut garbage: Vec<u8> = (0..2048u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    garbage[0] = 0xff;
    files.insert("binary", put(d, "garbage.bin", &garbage));
    files.insert(
        "dup-key",
        put(
            d,
            "dup-key.jsonl",
            first.replacen('{', "{\"id\":\"other\",", 1).as_bytes(),
        ),
    );
    files.insert(
        "dup-row",
        put(d, "dup-row.jsonl", format!("{first}\n{first}\n").as_bytes()),
    );
    files.insert(
        "wrong-type",
        put(
            d,
            "wrong-type.jsonl",
            first
                .replacen("\"type\":\"", "\"type\":7,\"x\":\"", 1)
                .as_bytes(),
        ),
    );
    let lying_knobs = first.replacen("\"length\":5", "\"length\":99", 1);
    assert_ne!(lying_knobs, first, "the seed item has five options");
    files.insert(
        "lying-knobs",
        put(d, "lying-knobs.jsonl", lying_knobs.as_bytes()),
    );
    files.insert("spaced", put(d, "with space.jsonl", good.as_bytes()));
    files.insert("dash", put(d, "-dash.jsonl", good.as_bytes()));
    let answers = "{\"id\":\"s4-0000\",\"model\":\"m\",\"response\":\"D, E\"}\n";
    files.insert("answers", put(d, "answers.jsonl", answers.as_bytes()));
    files.insert(
        "conflicting",
        put(
            d,
            "conflicting.jsonl",
            format!("{answers}{}", answers.replace("D, E", "A")).as_bytes(),
        ),
    );
    files.insert(
        "answer-dup-key",
        put(
            d,
            "answer-dup-key.jsonl",
            b"{\"id\":\"s4-0000\",\"model\":\"m\",\"model\":\"n\",\"response\":\"D\"}\n",
        ),
    );
    files.insert(
        "attempts-overflow",
        put(
            d,
            "attempts-overflow.jsonl",
            b"{\"id\":\"s4-0000\",\"model\":\"m\",\"response\":\"D\",\"attempts\":4294967296}\n",
        ),
    );
    let sub = d.join("a-directory");
    std::fs::create_dir_all(&sub).expect("dir");
    files.insert("directory", sub.display().to_string());
    files.insert("missing", d.join("missing.jsonl").display().to_string());
    files
}

/// One hostile run: the arguments, the exit code, and what stderr must name.
struct Case {
    args: Vec<String>,
    code: i32,
    needles: Vec<String>,
}

fn case(args: &[&str], code: i32, needles: &[&str]) -> Case {
    Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        needles: needles.iter().map(|s| s.to_string()).collect(),
    }
}

fn check(cases: &[Case], run: impl Fn(&[&str]) -> Output) {
    let mut failures = Vec::new();
    for c in cases {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        let mut wrong = Vec::new();
        if out.status.code() != Some(c.code) {
            wrong.push(format!("exit {:?}, want {}", out.status.code(), c.code));
        }
        for n in &c.needles {
            if !err.contains(n.as_str()) {
                wrong.push(format!("stderr lacks {n:?}"));
            }
        }
        if err.contains("panicked") {
            wrong.push("panicked".into());
        }
        if c.code != 0 && !out.stdout.is_empty() {
            wrong.push("wrote to stdout although it failed".into());
        }
        if !wrong.is_empty() {
            failures.push(format!("{args:?}: {}\n  stderr: {err}", wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const NUMBERS: [&str; 9] = kit::programs::HOSTILE_NUMBERS;

#[test]
fn every_numeric_flag_of_the_binary_has_a_range() {
    let d = dir("flags");
    let items = put(&d, "items.jsonl", items_text(3).as_bytes());
    let before = snapshot(&d);
    let mut cases = Vec::new();
    // (subcommand, flag, values that are in range and must not be in NUMBERS' failures)
    let flags: [(&str, &str, &[&str]); 12] = [
        ("generate", "--n", &["0", "100001"]),
        ("generate", "--ties", &["1.5", "-0.1"]),
        ("generate", "--near-duplicates", &["1.5"]),
        ("generate", "--negatives", &["1.5"]),
        ("generate", "--mixed-notation", &["1.5"]),
        ("generate", "--mixed-units", &["1.5"]),
        ("generate", "--max-distractors", &["3"]),
        ("generate", "--min-len", &["2", "11"]),
        ("generate", "--max-len", &["2", "11"]),
        ("run", "--attempts", &["0", "11"]),
        ("run", "--backoff-ms", &["0", "8001"]),
        ("serve-mock", "--port", &["65536"]),
    ];
    for (sub, flag, extra) in flags {
        for v in NUMBERS.iter().chain(extra) {
            let in_range = match (flag, *v) {
                // 0 is a fraction, and a distractor count, and "any free port".
                ("--ties" | "--near-duplicates" | "--negatives", "0") => true,
                ("--mixed-notation" | "--mixed-units" | "--max-distractors", "0") => true,
                ("--port", "0") => true,
                _ => false,
            };
            if in_range {
                continue;
            }
            let arg = format!("{flag}={v}");
            let mut args = vec![sub, arg.as_str()];
            if sub != "generate" {
                args.extend(["--model", "solver", items.as_str()]);
                if sub == "serve-mock" {
                    args = vec![sub, arg.as_str(), items.as_str()];
                }
            }
            let long = format!("'{flag} <");
            cases.push(case(&args, 2, &[&long]));
        }
    }
    check(&cases, behilos);
    assert_eq!(before, snapshot(&d), "an input file changed");
}

#[test]
fn generate_rejects_conflicting_lengths_naming_both_flags() {
    check(
        &[case(
            &["generate", "--min-len", "9", "--max-len", "4"],
            2,
            &["--min-len (9)", "--max-len (4)"],
        )],
        behilos,
    );
    // The edges of every range are accepted.
    for args in [
        &["generate", "--n", "1", "--ties", "0", "--negatives", "1"][..],
        &["generate", "--n", "2", "--min-len", "10", "--max-len", "10"],
        &["generate", "--n", "2", "--min-len", "3", "--max-len", "3"],
        &["generate", "--n", "2", "--max-distractors", "0"],
    ] {
        let out = behilos(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn model_urls_and_names_are_checked_before_anything_is_sent() {
    let d = dir("urls");
    let items = put(&d, "items.jsonl", items_text(3).as_bytes());
    let i = items.as_str();
    let cases = vec![
        case(
            &["run", "--model-url", "not a url", i],
            2,
            &["'--model-url <MODEL_URL>'", "not a usable model URL"],
        ),
        case(
            &["run", "--model-url", "", i],
            2,
            &["'--model-url <MODEL_URL>'"],
        ),
        case(
            &["run", "--model-url", "http://127.0.0.1:99999/v1", i],
            2,
            &[
                "'--model-url <MODEL_URL>'",
                "port \"99999\" is not in 1..=65535",
            ],
        ),
        case(
            &["run", "--model-url", "http://127.0.0.1:0/v1", i],
            2,
            &["port \"0\""],
        ),
        case(
            &["run", "--model-url", "ftp://example.com/v1", i],
            2,
            &["scheme ftp://"],
        ),
        case(
            &["run", "--model-url", "http://127.0.0.1:8080/v1?key=1", i],
            2,
            &["?query"],
        ),
        case(
            &["run", "--model-url", "http:///v1", i],
            2,
            &["'--model-url <MODEL_URL>'"],
        ),
        case(&["run", "--model", "http://", i], 2, &["'--model <MODEL>'"]),
        case(
            &["run", "--model", "gpt-9", i],
            2,
            &["'--model <MODEL>'", "unknown model \"gpt-9\""],
        ),
        case(&["run", "--model", "", i], 2, &["'--model <MODEL>'"]),
        case(
            &["run", "--model", "solver", "--model-name", "", i],
            2,
            &["'--model-name <MODEL_NAME>'", "cannot be empty"],
        ),
        case(
            &["run", "--model", "solver", "--model-name", "a\tb", i],
            2,
            &["'--model-name <MODEL_NAME>'", "control characters"],
        ),
    ];
    let started = std::time::Instant::now();
    check(&cases, behilos);
    // A usage error never waits for a connection (a bad URL used to be tried first).
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

#[test]
fn bad_files_are_named_and_left_as_they_were() {
    let d = dir("files");
    let f = hostile_files(&d);
    let before = snapshot(&d);
    let good = f["good"].as_str();
    let answers = f["answers"].as_str();
    let mut cases = Vec::new();
    // Every hostile items file, through each command that reads items.
    let items_cases: [(&str, &[&str]); 9] = [
        ("missing", &["missing.jsonl", "No such file"]),
        ("directory", &["a-directory"]),
        ("empty", &["empty.jsonl: no item lines"]),
        ("blank", &["blank.jsonl: no item lines"]),
        ("truncated", &["truncated.jsonl:1: not a valid item line"]),
        ("binary", &["garbage.bin", "UTF-8"]),
        ("dup-key", &["dup-key.jsonl:1:", "duplicate field `id`"]),
        (
            "dup-row",
            &["dup-row.jsonl:2: item id \"s4-0000\" already used on line 1"],
        ),
        ("wrong-type", &["wrong-type.jsonl:1: not a valid item line"]),
    ];
    for (which, needles) in items_cases {
        let path = f[which].as_str();
        cases.push(case(&["score", path, answers], 2, needles));
        cases.push(case(&["run", "--model", "solver", path], 2, needles));
        cases.push(case(&["serve-mock", "--port", "0", path], 2, needles));
    }
    cases.push(case(
        &["score", &f["lying-knobs"], answers],
        2,
        &["lying-knobs.jsonl:1: item \"s4-0000\" is inconsistent: knobs.length says 99"],
    ));
    // Hostile answers files.
    let answer_cases: [(&str, &[&str]); 7] = [
        ("missing", &["missing.jsonl"]),
        ("directory", &["a-directory"]),
        ("empty", &["empty.jsonl: no answer lines"]),
        ("binary", &["garbage.bin"]),
        (
            "conflicting",
            &["conflicting.jsonl:2: model \"m\" already answered item \"s4-0000\" on line 1"],
        ),
        (
            "answer-dup-key",
            &["answer-dup-key.jsonl:1:", "duplicate field `model`"],
        ),
        ("attempts-overflow", &["attempts-overflow.jsonl:1:", "u32"]),
    ];
    for (which, needles) in answer_cases {
        cases.push(case(&["score", good, &f[which]], 2, needles));
    }
    // Odd but valid names work: spaces, and a leading dash after `--`.
    cases.push(case(&["score", &f["spaced"], answers], 0, &[]));
    cases.push(case(&["score", "--", &f["dash"], answers], 0, &[]));
    check(&cases, behilos);
    assert_eq!(before, snapshot(&d), "an input file changed");
}

#[test]
fn a_port_in_use_is_named_and_the_other_server_keeps_it() {
    let d = dir("port");
    let items = put(&d, "items.jsonl", items_text(3).as_bytes());
    let holder = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = holder.local_addr().expect("addr").port();
    let out = behilos(&["serve-mock", "--port", &port.to_string(), &items]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "printed \"serving\" before binding");
    // The holder still gets the connections.
    let _client = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    holder.set_nonblocking(false).expect("blocking");
    let (_conn, _) = holder.accept().expect("the holder still owns the port");

    // The library says the same.
    let Err(e) = MockServer::start_on(&seed_items(), port) else {
        panic!("bound a port in use");
    };
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
}

fn seed_items() -> Vec<Item> {
    generate(4, 8, &GenConfig::default()).expect("items")
}

#[test]
fn the_mock_refuses_items_it_could_not_tell_apart() {
    let mut items = seed_items();
    let mut twin = items[1].clone();
    twin.id = "twin".into();
    items.push(twin);
    let Err(e) = MockServer::start(&items) else {
        panic!("two items with one prompt were served (the last one would win)");
    };
    let msg = e.to_string();
    assert!(
        msg.contains("same prompt") && msg.contains("\"twin\""),
        "{msg}"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_stdout_ends_every_command_with_74_and_one_line() {
    let d = dir("full");
    let items = put(&d, "items.jsonl", items_text(50).as_bytes());
    let answers = behilos(&["run", "--model", "solver", &items]).stdout;
    let answers = put(&d, "answers.jsonl", &answers);
    for args in [
        vec!["generate", "--n", "50"],
        vec!["run", "--model", "solver", &items],
        vec!["score", &items, &answers],
        vec!["score", &items, &answers, "--format", "json"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = Command::new(EXE)
            .args(&args)
            .stdout(full)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(74), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_run_with_141_silently() {
    let d = dir("pipe");
    let items = put(&d, "items.jsonl", items_text(3000).as_bytes());
    for args in [
        vec!["generate", "--n", "5000"],
        vec!["run", "--model", "solver", &items],
    ] {
        let mut child = Command::new(EXE)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Read a little, then hang up, as `| head -c 100` does.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

/// The examples, as the page runs them (`cargo run --release --example …`).
fn example(name: &str, args: &[&str]) -> Output {
    kit::programs::run_example("behilos", name, args, "").expect("cargo run")
}

#[test]
fn every_numeric_flag_of_the_examples_has_a_range() {
    let mut cases = Vec::new();
    let flags: [(&str, &str, &[&str]); 6] = [
        ("items", "--n", &["100001"]),
        ("items", "--ids", &["100000", "1,,2"]),
        ("mock", "--n", &["10001"]),
        ("mock", "--attempts", &["11"]),
        ("report", "--n", &["100001"]),
        ("report", "--ties", &["1.5"]),
    ];
    for (ex, flag, extra) in flags {
        for v in NUMBERS.iter().chain(extra) {
            if matches!(
                (ex, flag, *v),
                ("items", "--ids", "0") | ("report", "--ties", "0")
            ) {
                continue;
            }
            let arg = format!("{flag}={v}");
            let long = format!("'{flag} <");
            cases.push(case(&[ex, &arg], 2, &[&long]));
        }
    }
    let long_reply = format!("--reply={}", "x".repeat(4001));
    cases.push(case(
        &["seed_item", &long_reply],
        2,
        &["'--reply <REPLY>'", "4001 bytes"],
    ));
    cases.push(case(&["try_it", "--item", "1000"], 2, &["knob `item`"]));
    cases.push(case(&["try_it", "--seed=-1"], 2, &["knob `seed`"]));
    check(&cases, |args| example(args[0], &args[1..]));
}

// ---- the mock endpoint's handlers -------------------------------------------------

fn server() -> &'static MockServer {
    static SERVER: OnceLock<MockServer> = OnceLock::new();
    SERVER.get_or_init(|| MockServer::start(&seed_items()).expect("mock"))
}

/// Send raw bytes with `method` to `path` of the shared mock; the status and the body.
fn raw(method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let url = format!("{}{path}", server().url().trim_end_matches("/v1"));
    let response = match method {
        "POST" => agent
            .post(&url)
            .header("content-type", "application/json")
            .send(body),
        "GET" => agent.get(&url).call(),
        other => panic!("{other}"),
    };
    let mut response = response.expect("an HTTP exchange");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, text)
}

fn chat(body: &str) -> (u16, String) {
    raw("POST", "/v1/chat/completions", body.as_bytes())
}

#[test]
fn the_mock_answers_bad_requests_with_a_4xx_and_a_reason() {
    let msg = r#""messages":[{"role":"user","content":"x"}]"#;
    let cases: Vec<(String, u16, &str)> = vec![
        (String::new(), 400, "bad request body"),
        (format!(r#"{{"model":"m",{msg}"#), 400, "EOF"),
        (r#"[1,2,3]"#.into(), 400, "bad request body"),
        (
            format!(r#"{{"model":1,{msg},"temperature":0}}"#),
            400,
            "expected a string",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":NaN}}"#),
            400,
            "bad request body",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":1e400}}"#),
            400,
            "out of range",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":-1}}"#),
            400,
            "temperature 0",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":"0"}}"#),
            400,
            "bad request body",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":0,"seed":-1}}"#),
            400,
            "u64",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":0,"seed":18446744073709551616}}"#),
            400,
            "u64",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":0,"max_tokens":99999999999}}"#),
            400,
            "u32",
        ),
        (
            format!(r#"{{"model":"m",{msg},"temperature":0,"max_tokens":0}}"#),
            400,
            "max_tokens must be at least 1",
        ),
        (
            format!(r#"{{"model":"",{msg},"temperature":0}}"#),
            400,
            "model is empty",
        ),
        (
            format!(r#"{{"model":"m","model":"n",{msg},"temperature":0}}"#),
            400,
            "duplicate field `model`",
        ),
        (
            r#"{"model":"m","messages":[],"temperature":0}"#.into(),
            400,
            "no user message",
        ),
        (
            r#"{"model":"m","messages":[{"role":"system","content":"x"}],"temperature":0}"#.into(),
            400,
            "no user message",
        ),
    ];
    let mut failures = Vec::new();
    for (body, want, reason) in &cases {
        let (status, text) = chat(body);
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(String::from))
            .unwrap_or_default();
        if status != *want || !message.contains(reason) {
            failures.push(format!("{body:?}: {status} {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Not UTF-8, too large, the wrong method, the wrong path: 4xx, with a reason in JSON.
    let too_big = vec![b' '; MAX_BODY_BYTES + 1];
    for (method, path, body, want, reason) in [
        (
            "POST",
            "/v1/chat/completions",
            &b"\xff\xfe{\x00"[..],
            400,
            "expected value",
        ),
        ("POST", "/v1/chat/completions", &too_big[..], 413, "bytes"),
        ("GET", "/v1/chat/completions", &b""[..], 405, "use POST"),
        ("POST", "/v1/other", &b"{}"[..], 404, "no such endpoint"),
    ] {
        let (status, text) = raw(method, path, body);
        assert_eq!(status, want, "{method} {path}: {text}");
        assert!(text.contains(reason), "{method} {path}: {text}");
        assert!(text.contains("\"error\""), "{method} {path}: {text}");
    }

    // After all that, a good request is still answered.
    let (status, text) = chat(&format!(r#"{{"model":"m",{msg},"temperature":0}}"#));
    assert_eq!(status, 200, "{text}");
    // And a bad request never became the "last request" a run reports.
    let last = server().last_request().expect("the good one");
    assert_eq!((last.model.as_str(), last.temperature), ("m", 0.0));
}

// ---- the library's parsers never panic ----------------------------------------------

fn item_line() -> String {
    items_text(2).lines().nth(1).expect("line").to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn items_parser_takes_any_text(text in ".{0,400}") {
        let _ = parse_items("fuzz.jsonl", &text);
    }

    #[test]
    fn items_parser_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_items("fuzz.jsonl", &String::from_utf8_lossy(&bytes));
    }

    /// A real item line with one byte changed, or cut short: parsed or refused, and
    /// when it parses it is still consistent.
    #[test]
    fn a_damaged_item_line_is_parsed_or_refused(at in any::<prop::sample::Index>(), b in any::<u8>(), cut in any::<bool>()) {
        let mut line = item_line().into_bytes();
        let i = at.index(line.len());
        if cut { line.truncate(i) } else { line[i] = b }
        let text = String::from_utf8_lossy(&line);
        if let Ok(items) = parse_items("fuzz.jsonl", &text) {
            for item in items {
                prop_assert!(item.validate().is_ok());
            }
        }
    }

    #[test]
    fn answers_parser_takes_any_text(text in "(\\{\"id\":\"[a-z0-9]{0,3}\",\"model\":\"[a-z]{0,2}\",\"response\":(null|\"[A-E, ]{0,4}\")\\}\n){0,6}|.{0,300}") {
        match parse_answers("fuzz.jsonl", &text) {
            Ok(answers) => prop_assert!(!answers.is_empty()),
            Err(e) => prop_assert!(e.to_string().starts_with("fuzz.jsonl")),
        }
    }

    #[test]
    fn quantities_parse_or_refuse_any_text(text in ".{0,40}|-?[$]?[0-9,.]{0,30} ?(k|M|B|g|kg|m|km|°C|/ 5)?") {
        for kind in [Kind::Count, Kind::Usd, Kind::Grams, Kind::Distance, Kind::Metres, Kind::Celsius, Kind::Rating] {
            let _ = kind.parse(&text);
        }
    }

    #[test]
    fn extraction_reads_any_reply(reply in ".{0,300}") {
        let e = extract(&reply, &seed_example());
        prop_assert!(e.labels.iter().all(|l| ('A'..='E').contains(l)));
    }

    #[test]
    fn url_and_name_checks_take_any_text(s in ".{0,80}|https?://[a-z0-9.:\\[\\]@-]{0,30}(/[a-z0-9?#]{0,8})?") {
        if let Ok(url) = parse_base_url(&s) {
            let lower = url.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"));
            prop_assert!(!url.contains('?') && !url.contains('#'));
        }
        if ModelSpec::parse(&s, 1).is_ok() {
            prop_assert!(!s.is_empty());
        }
        if let Ok(name) = model_name(&s) {
            prop_assert!(!name.trim().is_empty() && !name.chars().any(char::is_control));
        }
        let _ = reply_arg(&s);
    }

    /// The generator refuses what it cannot honour before it allocates anything:
    /// `n` beyond [`MAX_ITEMS`] is an error, not a capacity-overflow panic.
    #[test]
    fn generator_refuses_out_of_range_settings(
        n in prop_oneof![Just(usize::MAX), (MAX_ITEMS + 1)..=usize::MAX, 0usize..3],
        p in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1e20), -1.0f64..2.0],
        min_len in 0usize..13,
        max_len in prop_oneof![Just(usize::MAX), 0usize..13],
        distractors in any::<u8>(),
    ) {
        let config = GenConfig {
            ties: p,
            mixed_units: p,
            min_len,
            max_len,
            max_distractors: distractors,
            ..GenConfig::default()
        };
        let valid = (0.0..=1.0).contains(&p)
            && (3..=10).contains(&min_len)
            && min_len <= max_len
            && max_len <= 10
            && distractors <= 2
            && n <= MAX_ITEMS;
        match generate(1, n, &config) {
            Ok(items) => {
                prop_assert!(valid);
                prop_assert_eq!(items.len(), n);
            }
            Err(Error::Config(why)) => prop_assert!(!valid, "{}", why),
            Err(other) => prop_assert!(false, "{}", other),
        }
    }
}

#[test]
fn the_mock_survives_any_body() {
    // Arbitrary bytes, a few dozen times, against one server: never a 5xx.
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..600), |body| {
            let (status, _) = raw("POST", "/v1/chat/completions", &body);
            prop_assert!((200..500).contains(&status), "status {}", status);
            Ok(())
        })
        .expect("no 5xx");
}

#[test]
fn a_repeated_answer_that_agrees_is_reported_and_one_that_differs_is_an_error() {
    let line = |model: &str, response: &str| {
        format!("{{\"id\":\"x\",\"model\":\"{model}\",\"response\":{response}}}\n")
    };
    let same = line("m", "\"A\"").repeat(2);
    let parsed = parse_answers("a.jsonl", &same).expect("agreeing repeats parse");
    assert_eq!(parsed.len(), 2, "kept for the report's duplicate list");
    let differs = format!("{}\n{}", line("m", "\"A\""), line("m", "null"));
    let e = parse_answers("a.jsonl", &differs).expect_err("a conflict");
    assert_eq!(
        e.to_string(),
        "a.jsonl:3: model \"m\" already answered item \"x\" on line 1, differently; keep one answer per model and item"
    );
    // Another model answering the same item differently is no conflict.
    let two_models = format!("{}{}", line("m", "\"A\""), line("n", "\"B\""));
    assert_eq!(
        parse_answers("a.jsonl", &two_models)
            .expect("two models")
            .len(),
        2
    );
}
