//! The semantic contract suite: promises checked from outside, against a live server.
//!
//! Each promise is a property (proptest generates queries, limits and offsets and
//! shrinks a failure to a minimal counterexample) or a metamorphic relation (two or
//! more requests whose answers must relate, with no oracle for the "right" answer).
//! The latency promise is measured separately ([`crate::latency`]).
//!
//! The checks see the API only through a [`Transport`]: over HTTP ([`run_suite`],
//! native) or in-process against the server's own request handling
//! ([`run_suite_in_process`], which also runs in the page's Try it block, in wasm32).

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde::Serialize;

use crate::catalog::Product;
use crate::error::CheckError;
use crate::latency::{self, LatencyReport};
use crate::progress::{ProgressBar, phase};
use crate::search::{MAX_LIMIT, SearchRequest, category_match, matches, terms};
use crate::service::ServerConfig;
use crate::transport::{InProcess, Transport};

/// Words the generated queries are made of: catalogue words, a prefix, a word in no
/// product. Shrinking moves towards the front of the list, so "laptop" comes first.
pub const VOCABULARY: [&str; 12] = [
    "laptop", "phone", "tablet", "galaxy", "pro", "case", "air", "stand", "book", "usb", "lap",
    "zzz",
];

/// One generated input; each promise uses the fields it needs.
#[derive(Debug, Clone)]
pub struct Input {
    /// The query text.
    pub query: String,
    /// A page size.
    pub limit: u32,
    /// A second page size (top-k relations).
    pub limit2: u32,
    /// An offset.
    pub offset: u32,
    /// A word to OR into the query.
    pub extra: String,
}

/// The strategy behind every promise's inputs.
pub fn inputs() -> impl Strategy<Value = Input> {
    // `sample::select(VOCABULARY)` would do, but it draws a `usize`, and proptest draws
    // those 64 bits wide on a 64-bit target and 32 bits wide on wasm32: the same seed
    // would give the browser other cases than the page. A `u64` index is drawn the way
    // `select` draws one on a 64-bit target, and shrinks the same way (towards 0).
    let word = || (0..VOCABULARY.len() as u64).prop_map(|i| VOCABULARY[i as usize]);
    (
        proptest::collection::vec(word(), 1..=3),
        1..=MAX_LIMIT,
        1..=MAX_LIMIT,
        0u32..=20,
        word(),
    )
        .prop_map(|(mut words, limit, limit2, offset, extra)| {
            // Repeating a word changes nothing (terms are de-duplicated): keep
            // counterexamples free of it.
            let mut seen = HashSet::new();
            words.retain(|w| seen.insert(*w));
            Input {
                query: words.join(" "),
                limit,
                limit2,
                offset,
                extra: extra.to_string(),
            }
        })
}

/// Whether a promise is a direct property or a relation between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Checked on one answer (or one answer and the page after it).
    Property,
    /// A relation between answers to related requests.
    Metamorphic,
    /// Measured over many requests.
    Latency,
}

/// Why one input fails a promise.
enum Fail {
    Broken(String),
    Error(CheckError),
}

impl From<CheckError> for Fail {
    fn from(e: CheckError) -> Fail {
        Fail::Error(e)
    }
}

type Check = fn(&Ctx<'_>, &Input) -> Result<(), Fail>;
type Show = fn(&Input) -> String;

/// A promise of the semantic contract that can be tested from outside.
pub struct Promise {
    /// Short name, e.g. `limit-respected`.
    pub id: &'static str,
    /// Property or relation.
    pub kind: Kind,
    /// The promise in one line.
    pub statement: &'static str,
    check: Check,
    show: Show,
}

/// Every promise the suite checks, in the order it reports them.
pub fn promises() -> Vec<Promise> {
    vec![
        Promise {
            id: "relevant",
            kind: Kind::Property,
            statement: "every result matches the query; items of the kind asked for \
                        come before items that only mention it",
            check: check_relevant,
            show: show_q_limit,
        },
        Promise {
            id: "limit-respected",
            kind: Kind::Property,
            statement: "a page holds `limit` items unless the results end there",
            check: check_limit,
            show: show_q_limit,
        },
        Promise {
            id: "out-of-stock-last",
            kind: Kind::Property,
            statement: "no in-stock item comes after an out-of-stock one",
            check: check_stock_last,
            show: show_q_limit,
        },
        Promise {
            id: "premium-first",
            kind: Kind::Property,
            statement: "among equally relevant items in the same stock state, \
                        premium before standard",
            check: check_premium,
            show: show_q_limit,
        },
        Promise {
            id: "sponsored-marked",
            kind: Kind::Property,
            statement: "one paid placement at most, marked sponsored, at the very top",
            check: check_sponsored,
            show: show_q_limit,
        },
        Promise {
            id: "deterministic",
            kind: Kind::Property,
            statement: "the same request twice gives the same answer",
            check: check_deterministic,
            show: show_q_limit_offset,
        },
        Promise {
            id: "top-k-prefix",
            kind: Kind::Metamorphic,
            statement: "the first k results are a prefix of the first k' (k < k')",
            check: check_prefix,
            show: show_prefix,
        },
        Promise {
            id: "or-term-grows",
            kind: Kind::Metamorphic,
            statement: "adding an OR term never loses a result",
            check: check_or_grows,
            show: show_or,
        },
        Promise {
            id: "filter-subset",
            kind: Kind::Metamorphic,
            statement: "inStock=true returns exactly the in-stock results",
            check: check_filter,
            show: show_q,
        },
        Promise {
            id: "paging-consistent",
            kind: Kind::Metamorphic,
            statement: "paging through the results gives one big query's answer, \
                        no duplicates, no gaps",
            check: check_paging,
            show: show_q_limit,
        },
    ]
}

/// The outcome for one promise.
#[derive(Debug, Clone, Serialize)]
pub struct PromiseResult {
    /// The promise's short name.
    pub id: &'static str,
    /// Property, relation or latency.
    pub kind: Kind,
    /// The promise in one line.
    pub statement: String,
    /// Whether it held on every case tried.
    pub holds: bool,
    /// Generated cases that passed (all of them when it holds).
    pub cases: u32,
    /// The shrunk input that breaks it, e.g. `query="laptop" limit=6`.
    pub counterexample: Option<String>,
    /// What the server answered to that input.
    pub observed: Option<String>,
}

/// Everything the suite found about one server.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteReport {
    /// One entry per promise, the latency promise last.
    pub promises: Vec<PromiseResult>,
    /// The latency measurement behind the last entry.
    pub latency: Option<LatencyReport>,
}

impl SuiteReport {
    /// Does every promise hold?
    pub fn all_hold(&self) -> bool {
        self.promises.iter().all(|p| p.holds)
    }

    /// The promises that don't.
    pub fn broken(&self) -> impl Iterator<Item = &PromiseResult> {
        self.promises.iter().filter(|p| !p.holds)
    }
}

/// The most generated cases per promise: four times proptest's default of 256. Over
/// HTTP with the modelled service times that is several minutes; more is no use.
pub const MAX_CASES: u32 = 1024;

/// How to run the suite.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    /// Seed of the generated inputs.
    pub seed: u64,
    /// Cases per promise (proptest's default is 256).
    pub cases: u32,
    /// Latency: warm-up requests, discarded.
    pub warmup: usize,
    /// Latency: measured requests (the contract asks for at least 1000).
    pub measured: usize,
    /// Latency: requests in flight at once (1 = one after another).
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Where the suite says how far it is: promise, case, latency requests. Hidden by
    /// default; the programs pass [`crate::progress::stderr_bar`].
    pub progress: ProgressBar,
}

impl Default for SuiteConfig {
    fn default() -> Self {
        SuiteConfig {
            seed: 9,
            cases: 64,
            warmup: 100,
            measured: 1000,
            concurrency: 1,
            timeout: Duration::from_secs(5),
            progress: ProgressBar::hidden(),
        }
    }
}

/// What a check needs: a way to reach the API.
struct Ctx<'a> {
    transport: &'a dyn Transport,
}

impl Ctx<'_> {
    fn get(&self, req: &SearchRequest) -> Result<Vec<Product>, CheckError> {
        self.transport.search(req)
    }

    fn page(&self, query: &str, limit: u32, offset: u32) -> Result<Vec<Product>, CheckError> {
        let mut req = SearchRequest::new(query, limit);
        req.offset = offset;
        self.get(&req)
    }
}

/// Where the latency probe runs.
#[cfg(not(target_arch = "wasm32"))]
pub enum LatencyOn<'a> {
    /// On the suite's own runtime, on the wall clock.
    WallClock,
    /// On the given runtime (a paused server's: virtual time, reproducible).
    Runtime(&'a tokio::runtime::Handle),
    /// Not at all.
    Skip,
}

/// Every promise in [`promises`] order (or only those whose id is in `only`, when it is
/// given) against `transport`, after one first request, so a dead URL or a non-JSON
/// answer is reported as such. A promise that breaks is a result; an API that doesn't
/// answer as documented is an error.
pub fn run_promises(
    transport: &dyn Transport,
    config: &SuiteConfig,
    only: Option<&[&str]>,
) -> Result<Vec<PromiseResult>, CheckError> {
    let bar = &config.progress;
    if !(1..=MAX_CASES).contains(&config.cases) {
        return Err(CheckError::Local(format!(
            "the suite runs 1..={MAX_CASES} cases per promise; asked for {}",
            config.cases
        )));
    }
    transport.search(&SearchRequest::new("laptop", 10))?;
    let ctx = Ctx { transport };
    let all = promises();
    phase(bar, all.len() as u64 * u64::from(config.cases), "");
    let mut results = Vec::new();
    for (index, promise) in all.iter().enumerate() {
        bar.set_position(index as u64 * u64::from(config.cases));
        if only.is_some_and(|ids| !ids.contains(&promise.id)) {
            continue;
        }
        results.push(run_promise(&ctx, promise, config, index, all.len())?);
    }
    Ok(results)
}

/// The latency promise as a result line, from the probe's report.
pub fn latency_result(l: &LatencyReport) -> PromiseResult {
    let holds = l.p95_holds() && l.p99_holds();
    PromiseResult {
        id: "latency",
        kind: Kind::Latency,
        statement: format!(
            "p95 < 200 ms and p99 < 500 ms (nearest rank, {} requests after {} warm-up)",
            l.measured, l.warmup
        ),
        holds,
        cases: l.measured as u32,
        counterexample: None,
        observed: (!holds).then(|| {
            format!(
                "p95 = {:.0} ms, p99 = {:.0} ms over {} requests",
                l.p95_ms, l.p99_ms, l.measured
            )
        }),
    }
}

/// Run every promise against the API at `base_url`, over HTTP. A promise that breaks
/// is a result; a server that doesn't answer as documented is an error.
#[cfg(not(target_arch = "wasm32"))]
pub fn run_suite(
    base_url: &str,
    config: &SuiteConfig,
    latency_on: LatencyOn<'_>,
) -> Result<SuiteReport, CheckError> {
    let http = crate::client::Http::new(base_url, config.timeout)?;
    let bar = &config.progress;
    phase(bar, 1, format!("first request to {base_url}"));
    let mut results = run_promises(&http, config, None)?;
    let latency = match latency_on {
        LatencyOn::Skip => None,
        LatencyOn::WallClock => Some(http.runtime().block_on(latency::probe(
            http.api(),
            config.warmup,
            config.measured,
            config.concurrency,
            bar,
        ))?),
        LatencyOn::Runtime(handle) => {
            let (tx, rx) = std::sync::mpsc::channel();
            let (url, cfg) = (base_url.to_string(), config.clone());
            handle.spawn(async move {
                let result = match crate::client::Api::new(&url, Duration::from_secs(3600)) {
                    Ok(api) => {
                        latency::probe(&api, cfg.warmup, cfg.measured, 1, &cfg.progress).await
                    }
                    Err(e) => Err(e),
                };
                let _ = tx.send(result);
            });
            Some(rx.recv().map_err(|_| {
                CheckError::Local("the latency probe stopped without a result".to_string())
            })??)
        }
    };
    if let Some(l) = &latency {
        results.push(latency_result(l));
    }
    Ok(SuiteReport {
        promises: results,
        latency,
    })
}

/// The same suite in-process, with no socket: a fresh server with `server` config
/// answers through [`InProcess`], and the latency probe (one request at a time, when
/// `latency` is on) is timed on its virtual clock, as [`run_suite`] times a paused
/// server. `only` picks promises by id (`latency` among them); `None` runs them all.
pub fn run_suite_in_process(
    server: ServerConfig,
    config: &SuiteConfig,
    latency: bool,
    only: Option<&[&str]>,
) -> Result<SuiteReport, CheckError> {
    let api = InProcess::new(server);
    let mut results = run_promises(&api, config, only)?;
    let latency = if latency && only.is_none_or(|ids| ids.contains(&"latency")) {
        let now = || api.now();
        Some(latency::probe_on(
            &api,
            &now,
            config.warmup,
            config.measured,
            &config.progress,
        )?)
    } else {
        None
    };
    if let Some(l) = &latency {
        results.push(latency_result(l));
    }
    Ok(SuiteReport {
        promises: results,
        latency,
    })
}

fn run_promise(
    ctx: &Ctx<'_>,
    promise: &Promise,
    config: &SuiteConfig,
    index: usize,
    of: usize,
) -> Result<PromiseResult, CheckError> {
    let bar = &config.progress;
    let start = bar.position();
    bar.set_message(format!("promise {}/{of} {}", index + 1, promise.id));
    let shrink_steps = std::cell::Cell::new(0u32);
    let proptest_config = Config {
        cases: config.cases,
        failure_persistence: None,
        max_shrink_iters: 2048,
        rng_algorithm: RngAlgorithm::ChaCha,
        ..Config::default()
    };
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&config.seed.to_le_bytes());
    seed[8..16].copy_from_slice(&(index as u64).to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        proptest_config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let error: RefCell<Option<CheckError>> = RefCell::new(None);
    let passed = std::cell::Cell::new(0u32);
    let outcome = runner.run(&inputs(), |input| {
        if error.borrow().is_some() {
            return Err(TestCaseError::fail("stopped after an error"));
        }
        if shrink_steps.get() > 0 {
            // After the first failure, proptest only shrinks.
            shrink_steps.set(shrink_steps.get() + 1);
            bar.set_message(format!(
                "promise {}/{of} {}: broken, shrinking the counterexample (step {})",
                index + 1,
                promise.id,
                shrink_steps.get() - 1
            ));
        }
        match (promise.check)(ctx, &input) {
            Ok(()) => {
                passed.set(passed.get() + 1);
                if shrink_steps.get() == 0 {
                    bar.set_position(start + u64::from(passed.get()));
                }
                Ok(())
            }
            Err(Fail::Broken(message)) => {
                shrink_steps.set(shrink_steps.get().max(1));
                Err(TestCaseError::fail(message))
            }
            Err(Fail::Error(e)) => {
                *error.borrow_mut() = Some(e);
                Err(TestCaseError::fail("stopped after an error"))
            }
        }
    });
    if let Some(e) = error.into_inner() {
        return Err(e);
    }
    let base = PromiseResult {
        id: promise.id,
        kind: promise.kind,
        statement: promise.statement.to_string(),
        holds: true,
        cases: passed.get().min(config.cases),
        counterexample: None,
        observed: None,
    };
    match outcome {
        Ok(()) => Ok(base),
        Err(TestError::Fail(reason, input)) => Ok(PromiseResult {
            holds: false,
            counterexample: Some((promise.show)(&input)),
            observed: Some(reason.message().to_string()),
            ..base
        }),
        Err(TestError::Abort(reason)) => Err(CheckError::Local(format!(
            "proptest gave up on {}: {}",
            promise.id,
            reason.message()
        ))),
    }
}

// ---- how counterexamples are shown ----

fn show_q(i: &Input) -> String {
    format!("query={:?}", i.query)
}
fn show_q_limit(i: &Input) -> String {
    format!("query={:?} limit={}", i.query, i.limit)
}
fn show_q_limit_offset(i: &Input) -> String {
    format!("query={:?} limit={} offset={}", i.query, i.limit, i.offset)
}
fn show_prefix(i: &Input) -> String {
    let (k, k2) = (i.limit.min(i.limit2), i.limit.max(i.limit2));
    format!("query={:?} offset={} k={k} k'={k2}", i.query, i.offset)
}
fn show_or(i: &Input) -> String {
    format!("query={:?} + OR term {:?}", i.query, i.extra)
}

/// `[p-003, p-006]`, at most `n` ids.
fn ids(ps: &[Product], n: usize) -> String {
    let mut s: Vec<&str> = ps.iter().take(n).map(|p| p.id.as_str()).collect();
    if ps.len() > n {
        s.push("…");
    }
    format!("[{}]", s.join(", "))
}

fn broken(message: String) -> Result<(), Fail> {
    Err(Fail::Broken(message))
}

// ---- the checks ----

fn check_relevant(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let r = ctx.page(&i.query, i.limit, 0)?;
    let t = terms(&i.query);
    if let Some(p) = r.iter().find(|p| !matches(p, &t)) {
        return broken(format!("{} ({}) matches no term", p.id, p.name));
    }
    let organic: Vec<&Product> = r.iter().filter(|p| !p.sponsored).collect();
    for (a_i, a) in organic.iter().enumerate() {
        for b in &organic[a_i + 1..] {
            if a.in_stock == b.in_stock && !category_match(a, &t) && category_match(b, &t) {
                return broken(format!(
                    "{} ({}) ranked above {} ({})",
                    a.id, a.category, b.id, b.category
                ));
            }
        }
    }
    Ok(())
}

fn check_limit(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let r = ctx.page(&i.query, i.limit, 0)?;
    if r.len() > i.limit as usize {
        return broken(format!("{} items for limit {}", r.len(), i.limit));
    }
    if r.len() < i.limit as usize {
        let next = ctx.page(&i.query, i.limit, r.len() as u32)?;
        if !next.is_empty() {
            return broken(format!(
                "{} items, yet offset={} still has {}",
                r.len(),
                r.len(),
                next.len()
            ));
        }
    }
    Ok(())
}

fn check_stock_last(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let r = ctx.page(&i.query, i.limit, 0)?;
    if let Some(out) = r.iter().position(|p| !p.in_stock)
        && let Some(later) = r[out..].iter().find(|p| p.in_stock)
    {
        return broken(format!(
            "out-of-stock {} at #{}, in-stock {} after it",
            r[out].id,
            out + 1,
            later.id
        ));
    }
    Ok(())
}

fn check_premium(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let r = ctx.page(&i.query, i.limit, 0)?;
    let t = terms(&i.query);
    let organic: Vec<&Product> = r.iter().filter(|p| !p.sponsored).collect();
    for (a_i, a) in organic.iter().enumerate() {
        for b in &organic[a_i + 1..] {
            let same_group =
                a.in_stock == b.in_stock && category_match(a, &t) == category_match(b, &t);
            if same_group && !a.premium && b.premium {
                return broken(format!("standard {} ranked above premium {}", a.id, b.id));
            }
        }
    }
    Ok(())
}

fn check_sponsored(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let r = ctx.page(&i.query, i.limit, 0)?;
    if let Some((pos, p)) = r.iter().enumerate().skip(1).find(|(_, p)| p.sponsored) {
        return broken(format!("sponsored {} at #{}", p.id, pos + 1));
    }
    let later = ctx.page(&i.query, i.limit, 1)?;
    if let Some(p) = later.iter().find(|p| p.sponsored) {
        return broken(format!("sponsored {} below the top (offset=1)", p.id));
    }
    Ok(())
}

fn check_deterministic(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let a = ctx.page(&i.query, i.limit, i.offset)?;
    let b = ctx.page(&i.query, i.limit, i.offset)?;
    if a != b {
        return broken(format!("{} then {}", ids(&a, 3), ids(&b, 3)));
    }
    Ok(())
}

fn check_prefix(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let (k, k2) = (i.limit.min(i.limit2), i.limit.max(i.limit2));
    if k == k2 {
        return Ok(());
    }
    let small = ctx.page(&i.query, k, i.offset)?;
    let big = ctx.page(&i.query, k2, i.offset)?;
    if !big.starts_with(&small) {
        return broken(format!(
            "top {k} {} vs top {k2} {}",
            ids(&small, 3),
            ids(&big, 3)
        ));
    }
    Ok(())
}

fn id_set(ps: &[Product]) -> HashSet<&str> {
    ps.iter().map(|p| p.id.as_str()).collect()
}

fn check_or_grows(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let narrow = ctx.page(&i.query, MAX_LIMIT, 0)?;
    let wide = ctx.page(&format!("{} {}", i.query, i.extra), MAX_LIMIT, 0)?;
    let wide_ids = id_set(&wide);
    let lost: Vec<Product> = narrow
        .iter()
        .filter(|p| !wide_ids.contains(p.id.as_str()))
        .cloned()
        .collect();
    if !lost.is_empty() {
        return broken(format!(
            "{} results, then {} with the term; lost {}",
            narrow.len(),
            wide.len(),
            ids(&lost, 3)
        ));
    }
    Ok(())
}

fn check_filter(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let all = ctx.page(&i.query, MAX_LIMIT, 0)?;
    let mut req = SearchRequest::new(&i.query, MAX_LIMIT);
    req.in_stock = Some(true);
    let filtered = ctx.get(&req)?;
    let all_ids = id_set(&all);
    let extra: Vec<Product> = filtered
        .iter()
        .filter(|p| !all_ids.contains(p.id.as_str()))
        .cloned()
        .collect();
    if !extra.is_empty() {
        return broken(format!(
            "filtered answer has {} not in the unfiltered one",
            ids(&extra, 3)
        ));
    }
    if let Some(p) = filtered.iter().find(|p| !p.in_stock) {
        return broken(format!("filtered answer has out-of-stock {}", p.id));
    }
    let filtered_ids = id_set(&filtered);
    let dropped: Vec<Product> = all
        .iter()
        .filter(|p| p.in_stock && !filtered_ids.contains(p.id.as_str()))
        .cloned()
        .collect();
    if !dropped.is_empty() {
        return broken(format!("filter dropped in-stock {}", ids(&dropped, 3)));
    }
    Ok(())
}

fn check_paging(ctx: &Ctx<'_>, i: &Input) -> Result<(), Fail> {
    let k = i.limit;
    let mut paged: Vec<Product> = Vec::new();
    loop {
        let page = ctx.page(&i.query, k, paged.len() as u32)?;
        let short = page.len() < k as usize;
        paged.extend(page);
        if short || paged.len() >= MAX_LIMIT as usize {
            break;
        }
    }
    paged.truncate(MAX_LIMIT as usize);
    let mut seen = HashSet::new();
    if let Some(dup) = paged.iter().find(|p| !seen.insert(p.id.as_str())) {
        return broken(format!("{} appears on two pages", dup.id));
    }
    let big = ctx.page(&i.query, MAX_LIMIT, 0)?;
    if paged != big {
        return broken(format!(
            "pages of {k} give {} items {}; limit={MAX_LIMIT} gives {} {}",
            paged.len(),
            ids(&paged, 2),
            big.len(),
            ids(&big, 2)
        ));
    }
    Ok(())
}
