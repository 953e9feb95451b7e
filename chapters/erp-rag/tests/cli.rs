//! The `erp-rag` binary as a user runs it: answers on good input; on bad input one
//! message on stderr naming the source and the record, a non-zero exit, no panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn erp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_erp-rag"))
        .args(args)
        .env_remove("ERP_RAG_PG_URL")
        .output()
        .expect("run erp-rag")
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A copy of the fixtures with `file` rewritten by `edit`.
fn broken(case: &str, file: &str, edit: &dyn Fn(String) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("erp-rag-cli-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixtures(), &dir);
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap_or_default();
    std::fs::write(&p, edit(text)).unwrap();
    dir
}

const Q: &str = "What's our inventory value across all divisions?";

#[test]
fn ask_text_and_json() {
    let out = erp(&["ask", Q]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Inventory value, all divisions: USD 20,447,213.40."));
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    let out = erp(&["ask", Q, "--format", "json", "--down", "r3-de"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"]["total"], serde_json::Value::Null);
    assert_eq!(v["findings"]["missing"][0]["division"], "DE");
    assert!(
        v["answer"]["text"]
            .as_str()
            .unwrap()
            .contains("MISSING Germany")
    );
}

#[test]
fn bad_input_names_source_and_record_and_exits_non_zero() {
    type Edit = Box<dyn Fn(String) -> String>;
    let cases: Vec<(&str, &str, Edit, &str)> = vec![
        (
            "unknown-kind",
            "sources.json",
            Box::new(|t: String| t.replace("\"kind\": \"d365\"", "\"kind\": \"sage\"")),
            "sources[3] (`d365-mx`): unknown source kind \"sage\"",
        ),
        (
            "dup-id",
            "sources.json",
            Box::new(|t: String| t.replace("\"id\": \"r3-de\"", "\"id\": \"s4hana-us\"")),
            "duplicate source id",
        ),
        (
            "escaping-path",
            "sources.json",
            Box::new(|t: String| t.replace("\"path\": \"r3-de\"", "\"path\": \"../../etc\"")),
            "must stay inside the data directory",
        ),
        (
            "hostile-id",
            "sources.json",
            Box::new(|t: String| t.replace("\"id\": \"r3-de\"", "\"id\": \"r3;rm -rf\"")),
            "must be 1-40 characters",
        ),
        (
            "config-not-json",
            "sources.json",
            Box::new(|_| "{ not json".into()),
            "config",
        ),
        (
            "config-empty",
            "sources.json",
            Box::new(|_| String::new()),
            "config",
        ),
        (
            "german-number",
            "r3-de/MB52.txt",
            Box::new(|t: String| t.replace("787.500,00", "787,500.00")),
            "source `r3-de`, MB52.txt line 2: field `Wert frei verw.`: \"787,500.00\" is not a German-format number",
        ),
        (
            "short-row",
            "r3-de/MB52.txt",
            Box::new(|t: String| t.replace("4712;DE01;", "4712;")),
            "source `r3-de`, MB52.txt line 3: expected 8 fields, found 7",
        ),
        (
            "bad-header",
            "r3-de/MB52.txt",
            Box::new(|t: String| t.replacen("Werk", "Plant", 1)),
            "source `r3-de`, MB52.txt line 1: unexpected header",
        ),
        (
            "unknown-unit",
            "netsuite-cn/inventoryItem.json",
            Box::new(|t: String| {
                t.replacen("\"refName\": \"Kilogram\"", "\"refName\": \"Tonne-ish\"", 1)
            }),
            "source `netsuite-cn`, netsuite-cn:inventoryItem:540: unknown unit of measure \"Tonne-ish\"",
        ),
        (
            "string-qty",
            "d365-mx/InventWarehouseOnHandV2.json",
            Box::new(|t: String| {
                t.replacen("\"OnHandQuantity\": 350", "\"OnHandQuantity\": \"lots\"", 1)
            }),
            "source `d365-mx`, InventWarehouseOnHandV2.json value[1] (MX-GBX-30/MTY-02): field `OnHandQuantity`: \"lots\" is not a decimal number",
        ),
        (
            "wrong-odata-context",
            "d365-mx/InventWarehouseOnHandV2.json",
            Box::new(|t: String| t.replace("#InventWarehouseOnHandV2", "#Customers")),
            "is not the InventWarehouseOnHandV2 entity set",
        ),
        (
            "odata-date",
            "s4hana-us/MARD.json",
            Box::new(|t: String| t.replacen("/Date(1730332800000)/", "31.10.2024", 1)),
            "source `s4hana-us`, MARD.json d.results[0] (TG-100/1010): field `LAEDA`: \"31.10.2024\" is not /Date(ms)/",
        ),
        (
            "s4-not-json",
            "s4hana-us/MARD.json",
            Box::new(|t: String| t[..t.len() / 2].to_string()),
            "source `s4hana-us`, MARD.json: not JSON",
        ),
        (
            "missing-file",
            "netsuite-cn/purchaseOrder.json",
            Box::new(|_| String::new()),
            "source `netsuite-cn`",
        ),
        (
            "paged",
            "netsuite-cn/inventoryItem.json",
            Box::new(|t: String| t.replace("\"hasMore\": false", "\"hasMore\": true")),
            "`hasMore` is true: paging not supported",
        ),
        (
            "no-fx-rate",
            "fx-rates.csv",
            Box::new(|t: String| {
                t.lines()
                    .filter(|l| !l.contains("MXN"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
            "no MXN rate on or before 2024-10-31",
        ),
        (
            "bad-sql",
            "corp-db.sql",
            Box::new(|t: String| t.replace("CREATE TABLE revenue", "CREATE TABLE revenue revenue")),
            "source `corp-db` (SQL)",
        ),
        (
            "huge-number",
            "r3-de/MB52.txt",
            Box::new(|t: String| t.replace("787.500,00", &"9".repeat(60))),
            "is not a German-format number",
        ),
    ];
    for (case, file, edit, want) in cases {
        let dir = broken(case, file, &*edit);
        let q = if file.contains("purchaseOrder") {
            "What is the total value of open purchase orders in China?"
        } else {
            Q
        };
        let out = erp(&["ask", q, "--data", dir.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{case}: {err}");
        assert!(err.contains(want), "{case}: stderr {err:?} lacks {want:?}");
        assert!(!err.contains("panicked"), "{case}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bad_flags_are_refused() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["ask", Q, "--down", "sap-r2"],
            "unknown source \"sap-r2\" (configured: s4hana-us, r3-de",
        ),
        (&["ask", Q, "--slow", "r3-de"], "expected SOURCE=MS"),
        (&["ask", Q, "--role", "ceo"], "unknown role \"ceo\""),
        (
            &["ask", Q, "--llm-url", "https://api.example.com/v1"],
            "https needs TLS",
        ),
        (&["ask", Q, "--llm-url", "127.0.0.1:11434"], "bad URL"),
        (&["ask", "   "], "the question is empty"),
        (
            &["ask", Q, "--data", "/nonexistent/erp"],
            "/nonexistent/erp/sources.json",
        ),
    ];
    for (args, want) in cases {
        let out = erp(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn pg_url_password_is_not_printed() {
    let out = erp(&[
        "ask",
        Q,
        "--pg-url",
        "postgres://reporting_ro:TopSecret99@127.0.0.1:1/nodb?connect_timeout=2",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("corp-db"), "{err}");
    assert!(!err.contains("TopSecret99"), "{err}");
}

#[test]
fn eval_prints_the_scores() {
    let out = erp(&["eval"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("| numeric answers, exact match  | 22/22 |"),
        "{text}"
    );
    assert!(text.contains("Recall@5"));
}
