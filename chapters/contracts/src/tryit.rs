//! The page's Try it block: run the semantic suite against v1, v2 or both, all promises or
//! one, with your own seed and number of cases, and see which promise breaks and the
//! shrunk input that breaks it. The suite is [`crate::suite`]'s, unchanged; it reaches
//! the API in-process ([`crate::transport::InProcess`]): the server's own request
//! handling ([`crate::service::SearchService`]) without axum and without a socket, with
//! the latency promise timed on the service-time model's virtual clock. So it also runs
//! as wasm32 in the reader's browser (see [`kit::tryit`]);
//! `cargo run -p contracts --example try_it -- --help` lists the same knobs.

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};

use crate::render::{mark, wrap};
use crate::search::Version;
use crate::service::ServerConfig;
use crate::suite::{SuiteConfig, SuiteReport, run_suite_in_process};

const PROMISES: &[&str] = &[
    "all",
    "relevant",
    "limit-respected",
    "out-of-stock-last",
    "premium-first",
    "sponsored-marked",
    "deterministic",
    "top-k-prefix",
    "or-term-grows",
    "filter-subset",
    "paging-consistent",
    "latency",
];

/// Day 9's engine for the page: knobs `version`, `promise`, `cases`, `seed`, `requests`.
pub const ENGINE: Engine = Engine {
    chapter: "contracts",
    title: "run the semantic suite against v1, v2 or both: every promise or one, any seed and number of generated cases; each broken promise shows its shrunk counterexample.",
    knobs: &[
        Knob {
            name: "version",
            label: "version",
            help: "which API version to test (both: side by side)",
            kind: Kind::Choice(&["both", "v1", "v2"]),
            default: "both",
        },
        Knob {
            name: "promise",
            label: "promise",
            help: "which promise to check (all = the whole suite, latency last)",
            kind: Kind::Choice(PROMISES),
            default: "all",
        },
        Knob {
            name: "cases",
            label: "cases",
            help: "generated cases per promise (proptest's default is 256)",
            kind: Kind::Int { min: 1, max: 256 },
            default: "64",
        },
        Knob {
            name: "seed",
            label: "seed",
            help: "seed of the generated cases and of the servers' service-time model",
            kind: Kind::Int {
                min: 0,
                max: 4_294_967_295,
            },
            default: "9",
        },
        Knob {
            name: "requests",
            label: "latency requests",
            help: "requests the latency promise measures, after 100 warm-up (0 = skip it)",
            kind: Kind::Int {
                min: 0,
                max: 10_000,
            },
            default: "1000",
        },
    ],
    run,
};

/// Width the counterexamples are wrapped to.
const WIDTH: usize = 96;

fn run(v: &Values) -> Result<String, TryItError> {
    let versions: &[Version] = match v.text("version")? {
        "v1" => &[Version::V1],
        "v2" => &[Version::V2],
        _ => &[Version::V1, Version::V2],
    };
    let promise = v.text("promise")?;
    let only = [promise];
    let only = (promise != "all").then_some(&only[..]);
    let seed = v.int("seed")? as u64;
    let requests = v.int("requests")? as usize;
    let config = SuiteConfig {
        seed,
        cases: v.int("cases")? as u32,
        measured: requests,
        ..SuiteConfig::default()
    };
    let mut reports: Vec<(Version, SuiteReport)> = Vec::new();
    for &version in versions {
        // A fresh server per version, as the verdicts program starts one.
        let report = run_suite_in_process(
            ServerConfig::new(version, seed),
            &config,
            requests > 0,
            only,
        )
        .map_err(TryItError::engine)?;
        reports.push((version, report));
    }
    Ok(render(&reports, &config))
}

fn render(reports: &[(Version, SuiteReport)], config: &SuiteConfig) -> String {
    let latency = reports.iter().any(|(_, r)| r.latency.is_some());
    let mut out = format!(
        "Semantic suite in-process (no socket): seed {}, {} generated cases per promise",
        config.seed, config.cases
    );
    if latency {
        out += &format!(
            "; latency over {} requests after {} warm-up, virtual time",
            config.measured, config.warmup
        );
    }
    out += ".\n";
    let Some((_, first)) = reports.first() else {
        return out;
    };
    let mut header = vec!["promise".to_string(), "kind".to_string()];
    header.extend(reports.iter().map(|(v, _)| v.name().to_string()));
    let rows: Vec<Vec<String>> = first
        .promises
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![p.id.to_string(), format!("{:?}", p.kind).to_lowercase()];
            row.extend(
                reports
                    .iter()
                    .map(|(_, r)| r.promises.get(i).map_or("-", |p| mark(p.holds)).to_string()),
            );
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out += &kit::table::render(&header, &rows);
    out.push('\n');
    if first.promises.len() == 1 {
        out += &wrap(
            &first.promises[0].statement,
            WIDTH,
            &format!("{}:", first.promises[0].id),
            "  ",
        );
    }
    for (v, r) in reports {
        if let Some(l) = &r.latency {
            out += &format!(
                "{} latency: p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms\n",
                v.name(),
                l.p50_ms,
                l.p95_ms,
                l.p99_ms,
                l.max_ms
            );
        }
    }
    for (v, r) in reports {
        let broken: Vec<_> = r.broken().collect();
        out.push('\n');
        if broken.is_empty() {
            out += &format!(
                "{}: {} hold{}.\n",
                v.name(),
                if r.promises.len() == 1 {
                    "the promise".to_string()
                } else {
                    format!("all {} promises", r.promises.len())
                },
                if r.promises.len() == 1 { "s" } else { "" }
            );
            continue;
        }
        out += &format!(
            "{}: {} of {} broken; shrunk counterexamples:\n",
            v.name(),
            broken.len(),
            r.promises.len()
        );
        for p in broken {
            let input = p.counterexample.as_deref().unwrap_or(&p.statement);
            out += &wrap(input, WIDTH, &format!("✗ {}:", p.id), "    ");
            if let Some(o) = &p.observed {
                out += &wrap(o, WIDTH, "    observed:", "      ");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// The knob's choices are a const copy of the suite's promise ids (a form needs a
    /// `&'static` list): keep the two in step.
    #[test]
    fn promise_choices_are_the_suites_promises() {
        let mut ids = vec!["all"];
        ids.extend(crate::suite::promises().iter().map(|p| p.id));
        ids.push("latency");
        assert_eq!(super::PROMISES, ids.as_slice());
    }

    use super::ENGINE;

    #[test]
    fn defaults_run_v1_holds_v2_breaks() {
        let out = ENGINE.run_defaults().unwrap();
        assert!(out.contains("v1: all 11 promises hold."), "{out}");
        assert!(out.contains("v2: 10 of 11 broken"), "{out}");
        // the same shrunk counterexample as the suite over HTTP on the page
        assert!(
            out.contains("✗ limit-respected: query=\"laptop\" limit=6"),
            "{out}"
        );
    }

    #[test]
    fn one_promise_one_version() {
        let out = ENGINE
            .run_query("version=v2&promise=sponsored-marked&requests=0")
            .unwrap();
        assert!(out.contains("v2: the promise holds."), "{out}");
        assert!(!out.contains("latency"), "{out}");
        let out = ENGINE
            .run_query("version=v2&promise=latency&requests=2000")
            .unwrap();
        assert!(out.contains("✗ latency:"), "{out}");
        assert!(out.contains("over 2000 requests"), "{out}");
    }

    #[test]
    fn more_cases_never_unbreak_a_promise() {
        for q in [
            "version=v2&cases=1&requests=0",
            "version=v2&cases=256&requests=0",
        ] {
            let out = ENGINE.run_query(q).unwrap();
            assert!(out.contains("✗ limit-respected"), "{q}: {out}");
        }
    }

    #[test]
    fn bad_knobs_are_named() {
        for (q, knob) in [
            ("cases=0", "`cases`"),
            ("seed=x", "`seed`"),
            ("promise=fast", "`promise`"),
            ("version=v3", "`version`"),
        ] {
            let err = ENGINE.run_query(q).unwrap_err().to_string();
            assert!(err.contains(knob), "{q}: {err}");
        }
    }
}
