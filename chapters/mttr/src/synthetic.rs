//! Seeded, made-up incidents with lognormal phases — the data behind
//! `fixtures/incidents.csv` and `fixtures/incidents.json`.

use std::time::Duration;

use kit::rng::{Rng, seeded};

use crate::montecarlo::Lognormal;
use crate::timeline::{Incident, Offsets, Timeline};

const SERVICES: [&str; 8] = [
    "checkout 5xx",
    "search latency",
    "login failures",
    "payments timeout",
    "image CDN errors",
    "cart service OOM",
    "inventory sync lag",
    "email queue stuck",
];

/// `n` incidents, about two days apart from `start` (RFC 3339), each phase drawn from its
/// own lognormal (medians in minutes: detect 4, respond 3, diagnose 10, repair 20,
/// restore 3, close 45). Times are whole seconds. `None` if `start` does not parse.
pub fn synthetic_incidents(seed: u64, n: usize, start: &str) -> Option<Vec<Incident>> {
    let mut rng = seeded(seed);
    let phase = |median: f64, sigma: f64, rng: &mut kit::rng::ChaCha8Rng| {
        let mins = Lognormal { median, sigma }.sample(rng);
        Duration::from_secs((mins * 60.0).round().max(1.0) as u64)
    };
    let mut out = Vec::with_capacity(n);
    let mut at = Duration::ZERO;
    for i in 0..n {
        at += Duration::from_secs(rng.random_range(6 * 3600..90 * 3600));
        let impact = at;
        let detected = impact + phase(4.0, 1.0, &mut rng);
        let ack = detected + phase(3.0, 0.8, &mut rng);
        let work = ack + phase(10.0, 1.0, &mut rng);
        let fix = work + phase(20.0, 1.2, &mut rng);
        let restored = fix + phase(3.0, 1.0, &mut rng);
        let closed = restored + phase(45.0, 1.0, &mut rng);
        // Some incidents lack a milestone, as real records do.
        let drop = rng.random_range(0..10);
        let offsets = Offsets {
            impact_started: impact,
            detected,
            acknowledged: Some(ack),
            work_began: (drop != 0).then_some(work),
            fix_applied: (drop != 1).then_some(fix),
            restored,
            closed: (drop != 2).then_some(closed),
        };
        let timeline = Timeline::from_offsets(start, &offsets).ok()?;
        out.push(Incident {
            id: format!("INC-{:04}", 1001 + i),
            title: SERVICES[rng.random_range(0..SERVICES.len())].to_string(),
            timeline,
        });
    }
    Some(out)
}
