//! Both versions, all three contracts: the side-by-side verdicts the page shows.

use serde::Serialize;

use crate::error::CheckError;
use crate::pact::{InteractionResult, verify};
use crate::progress::phase;
use crate::render::{mark, promise_text, wrap};
use crate::schemathesis::{self, RunOptions, SchemathesisError, TechnicalVerdict};
use crate::search::Version;
use crate::server::{Clock, OPENAPI_PATH, RunningServer, ServerConfig};
use crate::storefront::expectations;
use crate::suite::{LatencyOn, SuiteConfig, SuiteReport, run_suite};

/// Anything that stops the comparison.
#[derive(Debug, thiserror::Error)]
pub enum VerdictError {
    /// schemathesis missing or broken.
    #[error(transparent)]
    Schemathesis(#[from] SchemathesisError),
    /// A server that could not be started or checked.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// A socket or thread.
    #[error("cannot start a server: {0}")]
    Io(#[from] std::io::Error),
}

/// One version's three verdicts.
#[derive(Debug, Clone, Serialize)]
pub struct VersionVerdicts {
    /// Which version.
    pub version: Version,
    /// schemathesis against the served OpenAPI document.
    pub technical: TechnicalVerdict,
    /// The semantic suite.
    pub semantic: SuiteReport,
    /// The storefront's pact, replayed.
    pub consumer: Vec<InteractionResult>,
}

/// Start `v1` and `v2` on free loopback ports (paused clocks, seeded service times)
/// and check each: schemathesis (the two runs in parallel), the semantic suite, the
/// pact. Servers are stopped before this returns. `suite.progress` follows each phase.
pub fn compare(
    schemathesis_exe: &std::path::Path,
    seed: u64,
    suite: &SuiteConfig,
    options: &RunOptions,
) -> Result<Vec<VersionVerdicts>, VerdictError> {
    let versions = [Version::V1, Version::V2];
    let bar = &suite.progress;
    let prefix = bar.prefix();
    phase(
        bar,
        versions.len() as u64,
        "schemathesis against v1 and v2 at once (it prints nothing until it ends)",
    );
    // schemathesis gets servers of its own, so its requests don't shift the
    // request counters (and so the seeded slow requests) the suite sees.
    let technical: Vec<Result<TechnicalVerdict, VerdictError>> = std::thread::scope(|s| {
        let handles: Vec<_> = versions
            .iter()
            .map(|&v| {
                s.spawn(move || -> Result<TechnicalVerdict, VerdictError> {
                    let server = RunningServer::start(ServerConfig::new(v, seed), Clock::Virtual)?;
                    let url = format!("{}{OPENAPI_PATH}", server.base_url());
                    let verdict = schemathesis::run(schemathesis_exe, &url, options);
                    bar.inc(1);
                    Ok(verdict?)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(VerdictError::Check(CheckError::Local(
                        "the schemathesis thread panicked".into(),
                    )))
                })
            })
            .collect()
    });
    let mut out = Vec::new();
    for (v, technical) in versions.into_iter().zip(technical) {
        bar.set_prefix(format!("{prefix} {}", v.name()).trim().to_string());
        let server = RunningServer::start(ServerConfig::new(v, seed), Clock::Virtual)?;
        let semantic = run_suite(
            &server.base_url(),
            suite,
            LatencyOn::Runtime(server.runtime()),
        )?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        phase(bar, 1, "replaying the storefront's pact");
        let consumer = rt.block_on(verify(&expectations(), &server.base_url()))?;
        out.push(VersionVerdicts {
            version: v,
            technical: technical?,
            semantic,
            consumer,
        });
    }
    Ok(out)
}

/// The side-by-side table, then every broken promise and pact mismatch.
pub fn render(results: &[VersionVerdicts]) -> String {
    let mut header = vec!["contract".to_string()];
    header.extend(results.iter().map(|r| r.version.name().to_string()));
    let row = |label: &str, f: &dyn Fn(&VersionVerdicts) -> bool| {
        let mut r = vec![label.to_string()];
        r.extend(results.iter().map(|x| mark(f(x)).to_string()));
        r
    };
    let promises = results.first().map_or(0, |r| r.semantic.promises.len());
    let interactions = results.first().map_or(0, |r| r.consumer.len());
    let rows = vec![
        row("technical: schemathesis, OpenAPI", &|x| x.technical.passed),
        row(&format!("semantic: {promises} promises over HTTP"), &|x| {
            x.semantic.all_hold()
        }),
        row(
            &format!("consumer: storefront pact, {interactions} interactions"),
            &|x| x.consumer.iter().all(|i| i.passed),
        ),
    ];
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut out = kit::table::render(&header_refs, &rows);
    out.push_str("\n\nlatency, virtual time (the servers' seeded service-time model):\n");
    let ms = |x: f64| format!("{x:.0} ms");
    let latency_rows: Vec<Vec<String>> = results
        .iter()
        .filter_map(|r| {
            let l = r.semantic.latency.as_ref()?;
            Some(vec![
                r.version.name().to_string(),
                l.measured.to_string(),
                ms(l.p50_ms),
                ms(l.p95_ms),
                ms(l.p99_ms),
                ms(l.max_ms),
                format!("{} {}", mark(l.p95_holds()), mark(l.p99_holds())),
            ])
        })
        .collect();
    out.push_str(&kit::table::render(
        &[
            "version",
            "requests",
            "p50",
            "p95",
            "p99",
            "max",
            "<200 <500",
        ],
        &latency_rows,
    ));
    out.push('\n');
    for r in results {
        let broken: Vec<_> = r.semantic.broken().collect();
        out.push('\n');
        if broken.is_empty() {
            out.push_str(&format!(
                "{}: every promise holds; schemathesis: {}\n",
                r.version.name(),
                if r.technical.passed {
                    "passed"
                } else {
                    "FAILED"
                }
            ));
        } else {
            out.push_str(&format!(
                "{}: {} of {} promises broken; schemathesis: {}\n",
                r.version.name(),
                broken.len(),
                r.semantic.promises.len(),
                if r.technical.passed {
                    "passed"
                } else {
                    "FAILED"
                }
            ));
            for p in broken {
                out.push_str(&promise_text(p));
            }
            let holding: Vec<&str> = r
                .semantic
                .promises
                .iter()
                .filter(|p| p.holds)
                .map(|p| p.id)
                .collect();
            if !holding.is_empty() {
                out.push_str(&wrap(&holding.join(", "), 78, "  still holding:", "    "));
            }
        }
        for i in r.consumer.iter().filter(|i| !i.passed) {
            out.push_str(&wrap(&i.description, 78, "✗ pact:", "    "));
            for m in i.mismatches.iter().take(3) {
                out.push_str(&wrap(m, 78, "    mismatch:", "      "));
            }
            if i.mismatches.len() > 3 {
                out.push_str(&format!("    … and {} more\n", i.mismatches.len() - 3));
            }
        }
    }
    out
}
