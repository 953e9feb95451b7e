//! Fan-out: every routed source is queried at the same time, each under its own
//! timeout. Total latency is the slowest source's, not the sum; a source that is
//! down or too slow comes back as a status, never as an empty list.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::config::Role;
use crate::error::Error;
use crate::normalise::Normaliser;
use crate::record::{Entity, Record};
use crate::sources::{Fault, Source};

/// How a source's query ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Status {
    /// Records came back.
    Ok,
    /// No answer within the timeout.
    TimedOut,
    /// The source refused or failed (message without credentials).
    Failed(String),
    /// The source answered with data that can't be read: a malformed record, an unknown
    /// unit or currency. The message names the source and the record.
    BadData(String),
}

/// One source's part of a fan-out.
#[derive(Clone, Debug, Serialize)]
pub struct SourceOutcome {
    /// Source id.
    pub id: String,
    /// Product name.
    pub system: String,
    /// Division code.
    pub division: String,
    /// How it ended.
    pub status: Status,
    /// When it ended, from the start of the fan-out.
    #[serde(serialize_with = "ser_ms")]
    pub latency: Duration,
    /// Its timeout.
    #[serde(serialize_with = "ser_ms")]
    pub timeout: Duration,
    /// Records returned (after access control).
    pub records: usize,
    /// Whether the answer depends on it (false: cross-check only).
    pub required: bool,
}

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Which entities a role may read. Personnel records are for HR only.
pub fn may_read(role: Role, entity: Entity) -> bool {
    match entity {
        Entity::Employee => role == Role::Hr,
        _ => true,
    }
}

/// Query `targets` (source, required) concurrently for `entities`; normalise what comes
/// back; drop anything `role` may not read (the request already asked only for allowed
/// entities — this is the second lock on the door).
pub async fn fan_out(
    targets: &[(Arc<Source>, bool)],
    entities: &[Entity],
    role: Role,
    normaliser: &Arc<Normaliser>,
) -> (Vec<SourceOutcome>, Vec<Record>) {
    fan_out_observed(targets, entities, role, normaliser, &mut |_| {}).await
}

/// [`fan_out`], calling `on_done` with each source's outcome the moment that source
/// finishes (fastest first), for a live display. The result is the same as
/// [`fan_out`]'s: outcomes and records in `targets` order.
pub async fn fan_out_observed(
    targets: &[(Arc<Source>, bool)],
    entities: &[Entity],
    role: Role,
    normaliser: &Arc<Normaliser>,
    on_done: &mut (dyn FnMut(&SourceOutcome) + Send),
) -> (Vec<SourceOutcome>, Vec<Record>) {
    let allowed: Vec<Entity> = entities
        .iter()
        .copied()
        .filter(|e| may_read(role, *e))
        .collect();
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let mut index = HashMap::new();
    for (i, (src, _)) in targets.iter().enumerate() {
        let src = Arc::clone(src);
        let ents = allowed.clone();
        let norm = Arc::clone(normaliser);
        let handle = set.spawn(async move {
            let work = async {
                if src.fault == Some(Fault::Down) {
                    return Err(Error::record(
                        &src.config.id,
                        "connect",
                        "connection refused",
                    ));
                }
                let mut recs = src.fetch(&ents).await?;
                for r in &mut recs {
                    norm.normalise(r)?;
                }
                // The simulated network round trip of this system.
                tokio::time::sleep(src.latency()).await;
                Ok(recs)
            };
            let res = tokio::time::timeout(src.config.timeout, work).await;
            (res, start.elapsed())
        });
        index.insert(handle.id(), i);
    }
    let mut done: Vec<Option<(SourceOutcome, Vec<Record>)>> =
        targets.iter().map(|_| None).collect();
    while let Some(joined) = set.join_next_with_id().await {
        let (id, status, latency, recs) = match joined {
            Ok((id, (Ok(Ok(recs)), t))) => (id, Status::Ok, t, recs),
            Ok((id, (Ok(Err(e)), t))) => {
                let unreachable = matches!(&e, Error::Record { location, .. }
                    if location == "connect" || location == "login")
                    || matches!(&e, Error::Sql { .. });
                let status = if unreachable {
                    Status::Failed(e.to_string())
                } else {
                    Status::BadData(e.to_string())
                };
                (id, status, t, Vec::new())
            }
            Ok((id, (Err(_), t))) => (id, Status::TimedOut, t, Vec::new()),
            Err(e) => (
                e.id(),
                Status::Failed(format!("task failed: {e}")),
                Duration::ZERO,
                Vec::new(),
            ),
        };
        let Some(&i) = index.get(&id) else { continue };
        let (src, required) = &targets[i];
        let recs: Vec<Record> = recs
            .into_iter()
            .filter(|r| may_read(role, r.entity))
            .collect();
        let outcome = SourceOutcome {
            id: src.config.id.clone(),
            system: src.config.system.clone(),
            division: src.config.division.clone(),
            status,
            latency,
            timeout: src.config.timeout,
            records: recs.len(),
            required: *required,
        };
        on_done(&outcome);
        done[i] = Some((outcome, recs));
    }
    let mut outcomes = Vec::new();
    let mut records = Vec::new();
    for ((src, required), d) in targets.iter().zip(done) {
        let (outcome, recs) = d.unwrap_or_else(|| {
            (
                SourceOutcome {
                    id: src.config.id.clone(),
                    system: src.config.system.clone(),
                    division: src.config.division.clone(),
                    status: Status::Failed("task lost".into()),
                    latency: Duration::ZERO,
                    timeout: src.config.timeout,
                    records: 0,
                    required: *required,
                },
                Vec::new(),
            )
        });
        outcomes.push(outcome);
        records.extend(recs);
    }
    (outcomes, records)
}
