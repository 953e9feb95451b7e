//! Parity of the Try it engines: the wasm32 module a page runs in the browser prints the
//! same bytes as the native engine, for the default knobs and for other settings of each
//! knob (errors included), and the chapter's `try_it` program prints the defaults' output.
//!
//! The modules come from `cargo xtask wasm` (`src/tryit/<chapter>.wasm`) and run under
//! Node.js through the pages' own loader (`theme/tryit.js`, via `tests/tryit-run.js`).
//! Without them this test says so and passes, unless `WORKBOOK_REQUIRE_TOOLS=1` (CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use kit::tryit::{Engine, Kind};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn required() -> bool {
    std::env::var_os("WORKBOOK_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

/// Knob settings to compare: the defaults, then each knob moved on its own.
fn queries(engine: &Engine) -> Vec<String> {
    let enc = |k: &str, v: &str| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair(k, v)
            .finish()
    };
    let mut qs = vec![String::new()];
    for knob in engine.knobs {
        match knob.kind {
            Kind::Choice(options) => qs.extend(
                options
                    .iter()
                    .filter(|o| **o != knob.default)
                    .take(3)
                    .map(|o| enc(knob.name, o)),
            ),
            Kind::Int { min, max } => {
                qs.push(enc(knob.name, &min.to_string()));
                qs.push(enc(knob.name, &(min + (max - min) / 7).to_string()));
            }
            Kind::Float { min, max, .. } => {
                qs.push(enc(knob.name, &min.to_string()));
                qs.push(enc(knob.name, &((min + max) / 2.0).to_string()));
            }
            Kind::Bool => qs.push(enc(
                knob.name,
                if knob.default == "true" {
                    "false"
                } else {
                    "true"
                },
            )),
            // malformed input: both sides must give the same named error
            Kind::Text { .. } => qs.push(enc(knob.name, "@@ {not: [valid")),
        }
    }
    qs.push("no_such_knob=1".into());
    qs
}

fn node_run(module: &Path, query: &str) -> String {
    let out = Command::new("node")
        .arg(root().join("tests/tryit-run.js"))
        .arg(module)
        .arg(query)
        .output()
        .expect("running node (Node.js runs the wasm modules)");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => stdout,
        Some(2) => stderr,
        _ => panic!(
            "node failed on {} with {query:?}: {stderr}",
            module.display()
        ),
    }
}

fn native_run(engine: &Engine, query: &str) -> String {
    match engine.run_query(query) {
        Ok(out) => out,
        Err(e) => format!("error: {e}\n"),
    }
}

#[test]
fn wasm_engines_print_what_the_native_engines_print() {
    let engines = tryit::ENGINES;
    assert!(
        !engines.is_empty(),
        "no engines: the root package's dev-dependency on `tryit` enables them"
    );
    let mut missing = Vec::new();
    let mut compared = 0;
    for engine in engines {
        let module = xtask::wasm::module_path(&root(), engine.chapter);
        if !module.is_file() {
            missing.push(engine.chapter);
            continue;
        }
        for q in queries(engine) {
            let native = native_run(engine, &q);
            let wasm = node_run(&module, &q);
            assert_eq!(
                wasm, native,
                "{}: wasm and native differ for knobs {q:?} (stale module? run `cargo xtask wasm`)",
                engine.chapter
            );
            compared += 1;
        }
    }
    if !missing.is_empty() {
        let msg = format!(
            "no wasm module for {} (run `cargo xtask wasm`)",
            missing.join(", ")
        );
        assert!(!required(), "{msg}");
        eprintln!("tryit parity: {msg}; skipped");
    }
    eprintln!("tryit parity: {compared} knob settings identical in wasm32 and native");
}

#[test]
fn each_try_it_program_prints_its_engines_default_output() {
    for engine in tryit::ENGINES {
        let out = kit::programs::cargo_run(engine.chapter, Some("try_it"), &[])
            .output()
            .unwrap_or_else(|e| panic!("{}: running try_it: {e}", engine.chapter));
        assert!(out.status.success(), "{}: try_it failed", engine.chapter);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            engine.run_defaults().unwrap(),
            "{}: the try_it program and the engine disagree",
            engine.chapter
        );
    }
}
