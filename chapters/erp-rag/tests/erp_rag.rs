//! The engine end to end: the seed's question, missing divisions, access control,
//! secrets, the LLM client against a mock server, and the evaluation.

use std::sync::Arc;
use std::time::Duration;

use erp_rag::answer::mock::{MockServer, Reply};
use erp_rag::answer::openai::OpenAiCompatible;
use erp_rag::answer::{OfflineSynthesiser, write};
use erp_rag::config::{Role, default_data_dir};
use erp_rag::engine::{Database, Engine, Findings};
use erp_rag::fanout::Status;
use erp_rag::retrieve::Retriever;
use erp_rag::sources::Fault;

const SEED_Q: &str = "What's our inventory value across all divisions?";
const SECRETS: [&str; 5] = [
    "s4-demo-7f3a91",
    "r3-demo-c0ffee",
    "ns-demo-token-4411",
    "d365-demo-secret-98",
    "corp-demo-pw-2024",
];

fn engine(rt: &tokio::runtime::Runtime, name: &str) -> Engine {
    let db = erp_rag::scratch_sqlite(name).expect("scratch path");
    rt.block_on(Engine::open(
        &default_data_dir(),
        Database::Sqlite(db),
        &|_| None,
    ))
    .expect("fixtures load")
}

fn ask(rt: &tokio::runtime::Runtime, e: &Engine, q: &str, role: Role) -> Findings {
    rt.block_on(e.gather(q, role, Retriever::Hybrid))
}

#[test]
fn seed_question_gets_one_number_one_currency_breakdown_and_fx_date() {
    let rt = erp_rag::runtime(true);
    let e = engine(&rt, "t-seed");
    let f = ask(&rt, &e, SEED_Q, Role::Analyst);
    assert_eq!(f.unit, "USD");
    assert_eq!(f.answer_value().as_deref(), Some("20447213.40"));
    let labels: Vec<&str> = f.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "United States (SAP S/4HANA)",
            "Germany (SAP R/3)",
            "China (Oracle NetSuite)",
            "Mexico (Microsoft Dynamics 365)"
        ]
    );
    let values: Vec<String> = f.rows.iter().map(|r| r.value.to_plain(2)).collect();
    assert_eq!(
        values,
        ["11184000.00", "4121612.40", "1399380.00", "3742221.00"]
    );
    assert_eq!(
        f.fx_date.map(|d| d.to_string()).as_deref(),
        Some("2024-10-31")
    );
    assert_eq!(f.fx_rates["EUR"].to_trimmed(), "1.0882");
    // Every figure cites every record behind it.
    assert_eq!(f.rows.iter().map(|r| r.citations.len()).sum::<usize>(), 18);
    // The consolidated snapshot is a cross-check, never added.
    assert!(f.route.cross_check.contains(&"corp-db".to_string()));
    assert!(f.notes.iter().any(|n| n.contains("20,211,842.40")));
    let w = rt.block_on(write(&OfflineSynthesiser, &f));
    assert!(w.rejected.is_empty(), "{:?}", w.rejected);
    assert!(w.text.contains("USD 20,447,213.40"));
    assert!(w.text.contains("[r3-de:MB52:5100/DE02]"));
}

#[test]
fn fan_out_is_concurrent_total_latency_is_the_slowest_source() {
    let rt = erp_rag::runtime(true);
    let e = engine(&rt, "t-conc");
    let f = ask(&rt, &e, SEED_Q, Role::Analyst);
    let slowest = f.outcomes.iter().map(|o| o.latency).max().unwrap();
    let configured = e.sources.iter().map(|s| s.config.latency).max().unwrap();
    assert_eq!(slowest, configured);
    let sum: Duration = f.outcomes.iter().map(|o| o.latency).sum();
    assert!(sum > slowest * 2);
}

#[test]
fn a_down_or_slow_division_is_named_and_no_total_is_given() {
    for fault in [Fault::Down, Fault::Slow(Duration::from_secs(5))] {
        let rt = erp_rag::runtime(true);
        let mut e = engine(&rt, "t-down");
        e.inject("r3-de", fault).unwrap();
        let f = ask(&rt, &e, SEED_Q, Role::Analyst);
        assert_eq!(f.total, None, "{fault:?}");
        assert_eq!(f.answer_value(), None);
        assert_eq!(f.missing.len(), 1);
        assert_eq!(f.missing[0].division, "DE");
        let o = f.outcomes.iter().find(|o| o.id == "r3-de").unwrap();
        match fault {
            Fault::Down => assert!(matches!(o.status, Status::Failed(_))),
            Fault::Slow(_) => {
                assert_eq!(o.status, Status::TimedOut);
                assert_eq!(o.latency, Duration::from_millis(2000));
            }
        }
        let w = rt.block_on(write(&OfflineSynthesiser, &f));
        // The offline text passes its own check: the subtotal it states is evidence.
        assert!(w.rejected.is_empty(), "{fault:?}: {:?}", w.rejected);
        assert_eq!(w.by, "offline synthesiser", "{fault:?}");
        assert!(w.text.contains("MISSING Germany"), "{}", w.text);
        assert!(w.text.contains("NO TOTAL"));
        assert!(w.text.contains("NOT the company figure"));
        assert!(!w.text.contains("20,447,213.40"));
    }
}

#[test]
fn a_slow_cross_check_source_does_not_block_the_answer() {
    let rt = erp_rag::runtime(true);
    let mut e = engine(&rt, "t-xcheck");
    e.inject("corp-db", Fault::Down).unwrap();
    let f = ask(&rt, &e, SEED_Q, Role::Analyst);
    assert_eq!(f.answer_value().as_deref(), Some("20447213.40"));
}

#[test]
fn an_llm_that_omits_the_missing_division_is_rejected() {
    let rt = erp_rag::runtime(false);
    let mut e = engine(&rt, "t-llm-missing");
    e.inject("r3-de", Fault::Down).unwrap();
    let f = ask(&rt, &e, SEED_Q, Role::Analyst);
    let w = rt.block_on(async {
        let server = MockServer::start(Reply::Fixed("No figures.".into()))
            .await
            .unwrap();
        let llm = OpenAiCompatible::new(&server.base_url(), "m", 1).unwrap();
        let w = write(&llm, &f).await;
        server.shutdown().await;
        w
    });
    assert!(w.by.contains("rejected"));
    assert!(w.rejected.iter().any(|r| r.contains("Germany")));
}

#[test]
fn personnel_records_only_for_hr() {
    let rt = erp_rag::runtime(true);
    let e = engine(&rt, "t-acl");
    // Structured: denied before any source is asked.
    let f = ask(
        &rt,
        &e,
        "What is the average salary in Mexico?",
        Role::Analyst,
    );
    assert!(f.denied.is_some());
    assert!(f.outcomes.is_empty());
    assert_eq!(f.answer_value(), None);
    let f = ask(&rt, &e, "What is the average salary in Mexico?", Role::Hr);
    assert_eq!(f.answer_value().as_deref(), Some("27921.20"));
    // Open: personnel records are never fetched, so they can't reach a prompt.
    let q = "Who is the quality inspector in Mexico?";
    for role in [Role::Analyst, Role::Finance] {
        let f = ask(&rt, &e, q, role);
        assert!(f.passages.iter().all(|p| !p.citation.contains("Employees")));
        let prompt = erp_rag::answer::prompt(&f);
        assert!(!prompt.user.contains("María"), "{}", prompt.user);
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("312000") && !json.contains("María"));
    }
    let f = ask(&rt, &e, q, Role::Hr);
    assert_eq!(f.passages[0].citation, "[d365-mx:Employees:MX-000101]");
}

#[test]
fn credentials_are_never_printed() {
    let rt = erp_rag::runtime(true);
    let e = engine(&rt, "t-secret");
    let debug = format!("{e:?}");
    let f = ask(&rt, &e, SEED_Q, Role::Hr);
    let json = serde_json::to_string(&f).unwrap();
    let w = rt.block_on(write(&OfflineSynthesiser, &f));
    let text = erp_rag::render::ask_text(&f, &w, "virtual clock");
    for s in SECRETS {
        assert!(!debug.contains(s), "Debug leaks {s}");
        assert!(!json.contains(s) && !text.contains(s), "output leaks {s}");
    }
    assert!(debug.contains("Secret(***)"));
}

#[test]
fn environment_overrides_config_and_missing_credentials_fail_the_source() {
    let rt = erp_rag::runtime(true);
    let db = erp_rag::scratch_sqlite("t-env").unwrap();
    let env = |k: &str| (k == "ERP_RAG_SECRET_R3_DE").then(|| "from-env-123".to_string());
    let e = rt
        .block_on(Engine::open(
            &default_data_dir(),
            Database::Sqlite(db),
            &env,
        ))
        .unwrap();
    let c = &e.config.source("r3-de").unwrap().credential;
    assert_eq!(c.origin, "env ERP_RAG_SECRET_R3_DE");
    assert!(c.secret.as_ref().unwrap().matches("from-env-123"));
    assert!(!format!("{c:?}").contains("from-env-123"));

    // A source without any credential is reported as failed, by name.
    let mut e = engine(&rt, "t-nocred");
    let mut s = (*e.sources[1]).clone();
    s.config.credential.secret = None;
    e.sources[1] = Arc::new(s);
    let f = ask(&rt, &e, SEED_Q, Role::Analyst);
    assert_eq!(f.total, None);
    assert!(
        f.missing[0]
            .reason
            .contains("no credential for user \"RFC_RAG\"")
    );
}

#[test]
fn openai_client_sends_the_documented_request_and_checks_the_answer() {
    let rt = erp_rag::runtime(false);
    let e = engine(&rt, "t-openai");
    let f = ask(
        &rt,
        &e,
        "What is the inventory value in Germany?",
        Role::Analyst,
    );
    let (w, reqs) = rt.block_on(async {
        let server = MockServer::start(Reply::CopyEvidence).await.unwrap();
        let llm = OpenAiCompatible::new(&server.base_url(), "llama3.1", 42).unwrap();
        let w = write(&llm, &f).await;
        let reqs = server.requests();
        server.shutdown().await;
        (w, reqs)
    });
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r["model"], "llama3.1");
    assert_eq!(r["temperature"], 0.0);
    assert_eq!(r["seed"], 42);
    assert!(r["max_tokens"].as_u64().unwrap() > 0);
    assert_eq!(r["messages"][0]["role"], "system");
    assert_eq!(r["messages"][1]["role"], "user");
    let user = r["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("[r3-de:MB52:4711/DE01]") && user.contains("4,121,612.40"));
    assert!(w.rejected.is_empty(), "{:?}", w.rejected);
    assert!(w.by.contains("llama3.1"));

    // A hallucinating model is caught; a failing one falls back.
    for reply in [
        Reply::Fixed("Roughly USD 4.5 million [r3-de:MB52:0000/DE01].".into()),
        Reply::Error,
    ] {
        let w = rt.block_on(async {
            let server = MockServer::start(reply).await.unwrap();
            let llm = OpenAiCompatible::new(&server.base_url(), "m", 1).unwrap();
            let w = write(&llm, &f).await;
            server.shutdown().await;
            w
        });
        assert!(w.by.starts_with("offline synthesiser"), "{}", w.by);
        assert!(!w.rejected.is_empty());
        assert!(w.text.contains("USD 4,121,612.40"));
    }
}

#[test]
fn evaluation_scores_every_labelled_question() {
    let rt = erp_rag::runtime(true);
    let e = engine(&rt, "t-eval");
    let items = erp_rag::eval::load(&default_data_dir().join("eval.json")).unwrap();
    assert!(items.len() >= 30);
    let report = rt.block_on(erp_rag::eval::run(&e, &items)).unwrap();
    let misses: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| o.exact == Some(false) || !o.routed)
        .map(|o| format!("{} got {} want {}", o.id, o.got, o.want))
        .collect();
    assert!(misses.is_empty(), "{misses:?}");
    // The offline synthesiser passes the same checks an LLM's answer must pass.
    for q in &items {
        let f = ask(&rt, &e, &q.question, Role::parse(&q.role).unwrap());
        let w = rt.block_on(write(&OfflineSynthesiser, &f));
        assert!(w.rejected.is_empty(), "{}: {:?}", q.id, w.rejected);
    }
    let (recall, mrr, n) = report.retrieval_scores(Retriever::Bm25, 5);
    assert!(n >= 10);
    assert!(recall > 0.9 && mrr > 0.5, "{recall} {mrr}");
}

#[test]
fn every_numeric_answer_changes_when_a_source_figure_changes() {
    // A copy of the data with one German value edited: the total must follow.
    let dir = std::env::temp_dir().join(format!("erp-rag-edit-{}", std::process::id()));
    copy_dir(&default_data_dir(), &dir);
    let mb52 = dir.join("r3-de/MB52.txt");
    let t = std::fs::read_to_string(&mb52)
        .unwrap()
        .replace("787.500,00", "787.501,00");
    std::fs::write(&mb52, t).unwrap();
    let rt = erp_rag::runtime(true);
    let db = erp_rag::scratch_sqlite("t-edit").unwrap();
    let e = rt
        .block_on(Engine::open(&dir, Database::Sqlite(db), &|_| None))
        .unwrap();
    let f = ask(&rt, &e, SEED_Q, Role::Analyst);
    // 1 EUR more at 1.0882
    assert_eq!(f.answer_value().as_deref(), Some("20447214.49"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let p = entry.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&p, to.join(entry.file_name())).unwrap();
        }
    }
}
