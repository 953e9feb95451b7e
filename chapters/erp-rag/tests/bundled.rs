//! The engine the page's Try it block runs (the bundled fixtures, the SQL source read from
//! its script, the fan-out on a virtual clock, no runtime) against the native one (files,
//! SQLite, tokio's paused clock): the same findings and the same answer, question by
//! question, with every system up, down or slow.

use std::time::Duration;

use erp_rag::answer::{OfflineSynthesiser, write, write_offline};
use erp_rag::config::Role;
use erp_rag::engine::{Engine, FixtureEngine};
use erp_rag::record::Entity;
use erp_rag::retrieve::Retriever;
use erp_rag::sources::Fault;

fn json(f: &erp_rag::engine::Findings) -> String {
    serde_json::to_string_pretty(f).unwrap()
}

#[test]
fn bundled_virtual_engine_gives_the_native_findings() {
    let rt = erp_rag::runtime(true);
    let native = FixtureEngine::open(&rt, "t-bundled").unwrap();
    let bundled = Engine::bundled().unwrap();
    let items = erp_rag::eval::load(&native.config.data_dir.join("eval.json")).unwrap();
    let faults = [
        None,
        Some(("r3-de", Fault::Down)),
        Some(("r3-de", Fault::Slow(Duration::from_millis(2500)))),
        Some(("r3-de", Fault::Slow(Duration::from_millis(2000)))),
        Some(("d365-mx", Fault::Slow(Duration::from_millis(1999)))),
        Some(("corp-db", Fault::Down)),
        Some(("netsuite-cn", Fault::Slow(Duration::ZERO))),
    ];
    let mut compared = 0;
    for fault in faults {
        let (mut n, mut b) = (
            Engine {
                config: native.config.clone(),
                normaliser: native.normaliser.clone(),
                sources: native.sources.clone(),
            },
            Engine {
                config: bundled.config.clone(),
                normaliser: bundled.normaliser.clone(),
                sources: bundled.sources.clone(),
            },
        );
        if let Some((id, f)) = fault {
            n.inject(id, f).unwrap();
            b.inject(id, f).unwrap();
        }
        for q in &items {
            for role in [Role::Analyst, Role::Hr] {
                for r in Retriever::ALL {
                    let fn_ = rt.block_on(n.gather(&q.question, role, r));
                    let fb = b.gather_virtual(&q.question, role, r);
                    assert_eq!(json(&fn_), json(&fb), "{} {fault:?} {role:?} {r:?}", q.id);
                    let wn = rt.block_on(write(&OfflineSynthesiser, &fn_));
                    let wb = write_offline(&fb);
                    assert_eq!(
                        serde_json::to_string(&wn).unwrap(),
                        serde_json::to_string(&wb).unwrap()
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 600, "{compared}");
}

#[test]
fn the_sql_script_in_memory_gives_the_sqlite_rows() {
    let rt = erp_rag::runtime(true);
    let native = FixtureEngine::open(&rt, "t-bundled-sql").unwrap();
    let bundled = Engine::bundled().unwrap();
    let pick = |e: &Engine| {
        e.sources
            .iter()
            .find(|s| s.config.id == "corp-db")
            .unwrap()
            .read(&Entity::ALL)
            .unwrap()
    };
    let (n, b) = (pick(&native), pick(&bundled));
    assert_eq!(n.len(), 20); // 4 snapshots, 8 revenue rows, 4 headcounts, 4 notes
    assert_eq!(format!("{n:?}"), format!("{b:?}"));
}
