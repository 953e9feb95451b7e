//! The consolidated-reporting adapter against a real PostgreSQL server, same queries
//! as SQLite. Set ERP_RAG_TEST_PG_URL (e.g. `host=127.0.0.1 port=5433 user=postgres`);
//! the test creates and drops its own database `erp_rag_test`. Skipped when unset, unless
//! WORKBOOK_REQUIRE_TOOLS=1. (A separate name from the CLI's ERP_RAG_PG_URL on purpose:
//! pointing the tests at a server must not switch the book's page programs to it.)

use erp_rag::config::{Role, default_data_dir};
use erp_rag::engine::{Database, Engine};
use erp_rag::retrieve::Retriever;

#[test]
fn postgres_backend_gives_the_same_answers_as_sqlite() {
    let Some(url) = std::env::var("ERP_RAG_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        if std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("ERP_RAG_TEST_PG_URL is not set and WORKBOOK_REQUIRE_TOOLS=1");
        }
        println!("SKIP: PostgreSQL not configured (ERP_RAG_TEST_PG_URL unset)");
        return;
    };
    let rt = erp_rag::runtime(false);
    let test_url = rt.block_on(async {
        let (admin, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connect to ERP_RAG_TEST_PG_URL");
        tokio::spawn(conn);
        admin
            .batch_execute("DROP DATABASE IF EXISTS erp_rag_test")
            .await
            .expect("drop");
        admin
            .batch_execute("CREATE DATABASE erp_rag_test")
            .await
            .expect("create");
        if url.contains("://") {
            let (base, _) = url.rsplit_once('/').expect("url with a path");
            format!("{base}/erp_rag_test")
        } else {
            format!("{url} dbname=erp_rag_test")
        }
    });
    let e = rt
        .block_on(Engine::open(
            &default_data_dir(),
            Database::Postgres(test_url.clone()),
            &|_| None,
        ))
        .expect("load the fixture into PostgreSQL");
    let cases = [
        (
            "What was total revenue in Q3 2024 across all divisions?",
            "501600000.00",
        ),
        ("How many employees does GlobalTech have?", "15000"),
        (
            "What was the consolidated inventory value at the end of September 2024?",
            "20211842.40",
        ),
    ];
    for (q, want) in cases {
        let f = rt.block_on(e.gather(q, Role::Analyst, Retriever::Hybrid));
        assert_eq!(f.answer_value().as_deref(), Some(want), "{q}");
        assert!(
            f.rows
                .iter()
                .all(|r| r.citations[0].starts_with("[corp-db:"))
        );
    }
    let f = rt.block_on(e.gather(
        "How old are the Germany plant figures?",
        Role::Analyst,
        Retriever::Bm25,
    ));
    assert_eq!(f.passages[0].citation, "[corp-db:reporting_note:r3-export]");
    let f = rt.block_on(e.gather(
        "What's our inventory value across all divisions?",
        Role::Analyst,
        Retriever::Hybrid,
    ));
    assert_eq!(f.answer_value().as_deref(), Some("20447213.40"));
    drop(e);
    rt.block_on(async {
        let (admin, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let _ = admin
            .batch_execute("DROP DATABASE IF EXISTS erp_rag_test WITH (FORCE)")
            .await;
    });
}
