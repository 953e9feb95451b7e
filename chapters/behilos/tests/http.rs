//! The HTTP path: the mock endpoint started in-process on 127.0.0.1:0, the
//! OpenAI-compatible client against it, retries and extraction checked.

use std::time::{Duration, Instant};

use behilos::Error;
use behilos::client::{ChatClient, ClientError, RetryPolicy};
use behilos::generate::{GenConfig, generate};
use behilos::item::Item;
use behilos::mock::{Behaviour, MockServer, reply};
use behilos::runner::{ModelSpec, RunEvent, RunOptions, run_model, run_model_with};
use behilos::score::{Outcome, TiePolicy, score};

fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: attempts,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
    }
}

fn items() -> Vec<Item> {
    generate(21, 60, &GenConfig::default()).expect("items")
}

fn first_with(items: &[Item], b: Behaviour) -> &Item {
    items
        .iter()
        .find(|i| Behaviour::for_item(i) == b)
        .unwrap_or_else(|| panic!("no item with {b:?}"))
}

#[test]
fn every_behaviour_occurs_in_a_modest_set() {
    let items = items();
    for b in Behaviour::UNTIED.iter().chain([&Behaviour::TieFirstOnly]) {
        first_with(&items, *b);
    }
}

#[test]
fn transient_failures_are_retried_and_counted() {
    let items = items();
    let server = MockServer::start(&items).expect("mock");
    let client = ChatClient::new(&server.url(), "mock", 77, fast(3));

    let flaky = first_with(&items, Behaviour::ServerErrorOnce);
    let c = client.ask(&flaky.prompt).expect("second attempt succeeds");
    assert_eq!(c.attempts, 2);
    assert_eq!(c.content, reply(flaky));
    assert!(c.content.ends_with(&format!("Answer: {}", flaky.gold[0])));

    let broken = first_with(&items, Behaviour::MalformedOnce);
    let c = client
        .ask(&broken.prompt)
        .expect("retried after a bad body");
    assert_eq!(c.attempts, 2);

    // The failure happens once per item: asking again succeeds at once.
    assert_eq!(client.ask(&flaky.prompt).expect("ok").attempts, 1);
    assert_eq!(server.requests(), 5);

    let sent = server.last_request().expect("a request");
    assert_eq!(sent.temperature, 0.0);
    assert_eq!(sent.seed, Some(77));
    assert_eq!(sent.model, "mock");
    assert_eq!(sent.messages.len(), 1);
    assert_eq!(sent.messages[0].role, "user");
    assert_eq!(sent.messages[0].content, flaky.prompt);
}

#[test]
fn one_attempt_gives_up_and_the_run_records_the_error() {
    let items = items();
    let server = MockServer::start(&items).expect("mock");
    let client = ChatClient::new(&server.url(), "mock", 1, fast(1));
    let flaky = first_with(&items, Behaviour::ServerErrorOnce);
    match client.ask(&flaky.prompt) {
        Err(ClientError::GaveUp { attempts: 1, last }) => {
            assert!(
                matches!(*last, ClientError::Status { status: 500, .. }),
                "{last}"
            );
        }
        other => panic!("expected GaveUp, got {other:?}"),
    }
    let broken = first_with(&items, Behaviour::MalformedOnce);
    let a = client.answer(broken, "mock");
    assert_eq!(a.response, None);
    assert!(
        a.error.as_deref().is_some_and(|e| e.contains("malformed")),
        "{a:?}"
    );
}

#[test]
fn unreachable_endpoint_is_an_unreachable_error_after_all_attempts() {
    let client = ChatClient::new(
        &format!("http://127.0.0.1:{}/v1", free_port()),
        "m",
        1,
        fast(3),
    );
    match client.ask("hello") {
        Err(ClientError::GaveUp { attempts: 3, last }) => {
            assert!(matches!(*last, ClientError::Unreachable { .. }), "{last}");
        }
        other => panic!("expected GaveUp after 3, got {other:?}"),
    }
    assert!(client.check_reachable().is_err());
}

fn free_port() -> u16 {
    // Bind a port, then free it: nothing listens there.
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

fn options(attempts: u32) -> RunOptions {
    RunOptions {
        seed: 1,
        model_name: "m".into(),
        retry: fast(attempts),
    }
}

#[test]
fn a_url_with_no_server_stops_the_run_before_the_first_item() {
    let items = items();
    let url = format!("http://127.0.0.1:{}/v1", free_port());
    let started = Instant::now();
    let mut emitted = 0;
    let result = run_model(&ModelSpec::Url(url.clone()), &items, &options(4), |_| {
        emitted += 1;
        Ok(())
    });
    match result {
        Err(e @ Error::Unreachable { .. }) => {
            assert!(e.to_string().contains(&url), "{e}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert_eq!(emitted, 0);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_server_that_goes_away_stops_the_run_at_that_item() {
    let items = items();
    let mut server = Some(MockServer::start(&items).expect("mock"));
    let url = server.as_ref().expect("server").url();
    let mut emitted = 0;
    let mut retries = 0;
    let result = run_model_with(
        &ModelSpec::Url(url.clone()),
        &items,
        &options(2),
        |_| {
            emitted += 1;
            // The server dies after the first answer.
            server = None;
            Ok(())
        },
        |event| {
            if matches!(event, RunEvent::Retrying { .. }) {
                retries += 1;
            }
        },
    );
    match result {
        Err(e @ Error::Unreachable { .. }) => {
            let text = e.to_string();
            assert!(text.contains(&url) && text.contains("item 2 of"), "{text}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert_eq!(emitted, 1);
    // The refused item was retried once (two attempts) before the run gave up.
    assert_eq!(retries, 1);
}

#[test]
fn bad_requests_get_400_and_are_not_retried() {
    let items = items();
    let server = MockServer::start(&items).expect("mock");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let url = format!("{}/chat/completions", server.url());
    let hot = serde_json::json!({"model": "m", "temperature": 0.7,
        "messages": [{"role": "user", "content": "x"}]});
    let status = |body: &str| {
        agent
            .post(&url)
            .header("content-type", "application/json")
            .send(body)
            .map(|r| r.status().as_u16())
            .expect("exchange")
    };
    assert_eq!(status(&hot.to_string()), 400);
    assert_eq!(status("{not json"), 400);
    assert_eq!(
        status(r#"{"model":"m","temperature":0,"messages":[]}"#),
        400
    );
    assert_eq!(server.requests(), 3);
    // A 404 is final: the client reports it at once instead of retrying.
    let lost = ChatClient::new(&format!("{}/nowhere", server.url()), "m", 1, fast(4));
    match lost.ask("x") {
        Err(ClientError::Status { status: 404, .. }) => {}
        other => panic!("expected an immediate 404, got {other:?}"),
    }
}

#[test]
fn a_full_mock_run_scores_each_failure_mode_as_designed() {
    let items = items();
    let server = MockServer::start(&items).expect("mock");
    let client = ChatClient::new(&server.url(), "mock", 5, fast(3));
    let answers: Vec<_> = client
        .run(&items, "mock")
        .into_iter()
        .enumerate()
        .map(|(i, a)| (i + 1, a))
        .collect();
    let total: u32 = answers.iter().map(|(_, a)| a.attempts.unwrap_or(0)).sum();
    assert_eq!(u64::from(total), server.requests());
    let report = score(&items, &answers, TiePolicy::All);
    let verdicts = &report.models[0].verdicts;
    for (item, v) in items.iter().zip(verdicts) {
        let b = Behaviour::for_item(item);
        let expect = match b {
            Behaviour::Ramble => (Outcome::Wrong, Outcome::Wrong),
            Behaviour::Refusal => (Outcome::Unextracted, Outcome::Unextracted),
            Behaviour::TieFirstOnly => (Outcome::Correct, Outcome::Wrong),
            _ => (Outcome::Correct, Outcome::Correct),
        };
        assert_eq!((v.any, v.all), expect, "{} {b:?}: {v:?}", item.id);
    }
    drop(server);
}
