//! Fan-out: every routed source is queried at the same time, each under its own
//! timeout. Total latency is the slowest source's, not the sum; a source that is
//! down or too slow comes back as a status, never as an empty list.
//!
//! What one source does (refuse if down, fetch, normalise) and how its result becomes an
//! outcome are plain functions ([`query_local`], [`outcome`]). Two drivers run them: tokio
//! ([`fan_out`], native: a task per source under `tokio::time::timeout`, on the wall clock
//! or the paused one) and [`fan_out_virtual`], which needs no runtime and computes the
//! times tokio's paused clock gives (the wasm32 build of the page's Try it block; a test
//! checks both agree).

#[cfg(not(target_arch = "wasm32"))]
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::config::Role;
use crate::error::{Error, Result};
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

fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Which entities a role may read. Personnel records are for HR only.
pub fn may_read(role: Role, entity: Entity) -> bool {
    match entity {
        Entity::Employee => role == Role::Hr,
        _ => true,
    }
}

/// The entities of `entities` that `role` may read: what the request asks for.
pub fn allowed(entities: &[Entity], role: Role) -> Vec<Entity> {
    entities
        .iter()
        .copied()
        .filter(|e| may_read(role, *e))
        .collect()
}

/// Refuse if `src` is down (before any network round trip).
pub fn refuse_if_down(src: &Source) -> Result<()> {
    if src.fault == Some(Fault::Down) {
        return Err(Error::record(
            &src.config.id,
            "connect",
            "connection refused",
        ));
    }
    Ok(())
}

/// Normalise every record, stopping at the first that can't be.
pub fn normalise_all(normaliser: &Normaliser, records: &mut [Record]) -> Result<()> {
    for r in records {
        normaliser.normalise(r)?;
    }
    Ok(())
}

/// One source's work for a backend that needs no network (files, bundled fixtures,
/// SQLite): refuse if down, read, normalise. The simulated round trip comes after.
pub fn query_local(
    src: &Source,
    entities: &[Entity],
    normaliser: &Normaliser,
) -> Result<Vec<Record>> {
    refuse_if_down(src)?;
    let mut recs = src.read(entities)?;
    normalise_all(normaliser, &mut recs)?;
    Ok(recs)
}

/// How a failed query shows: unreachable (connect, login, SQL) or unreadable data.
pub fn failure(e: &Error) -> Status {
    let unreachable = matches!(e, Error::Record { location, .. }
        if location == "connect" || location == "login")
        || matches!(e, Error::Sql { .. });
    if unreachable {
        Status::Failed(e.to_string())
    } else {
        Status::BadData(e.to_string())
    }
}

/// A source's outcome and the records `role` may read of what it returned (the request
/// already asked only for allowed entities: this is the second lock on the door).
pub fn outcome(
    src: &Source,
    required: bool,
    status: Status,
    latency: Duration,
    records: Vec<Record>,
    role: Role,
) -> (SourceOutcome, Vec<Record>) {
    let recs: Vec<Record> = records
        .into_iter()
        .filter(|r| may_read(role, r.entity))
        .collect();
    (
        SourceOutcome {
            id: src.config.id.clone(),
            system: src.config.system.clone(),
            division: src.config.division.clone(),
            status,
            latency,
            timeout: src.config.timeout,
            records: recs.len(),
            required,
        },
        recs,
    )
}

/// The fan-out without a runtime, on a virtual clock that starts at 0: each source's
/// work runs in turn ([`query_local`]), and it finishes when tokio's paused clock would
/// say — at its latency (configured, or injected slowness) if that is within its
/// timeout, at the timeout (timed out) if not, at 0 if it failed before the round trip.
/// Outcomes and records come in `targets` order, as [`fan_out`]'s do.
pub fn fan_out_virtual(
    targets: &[(Arc<Source>, bool)],
    entities: &[Entity],
    role: Role,
    normaliser: &Normaliser,
) -> (Vec<SourceOutcome>, Vec<Record>) {
    let ents = allowed(entities, role);
    let mut outcomes = Vec::new();
    let mut records = Vec::new();
    for (src, required) in targets {
        let (status, latency, recs) = match query_local(src, &ents, normaliser) {
            Ok(recs) if src.latency() <= src.config.timeout => (Status::Ok, src.latency(), recs),
            Ok(_) => (Status::TimedOut, src.config.timeout, Vec::new()),
            Err(e) => (failure(&e), Duration::ZERO, Vec::new()),
        };
        let (o, recs) = outcome(src, *required, status, latency, recs, role);
        outcomes.push(o);
        records.extend(recs);
    }
    (outcomes, records)
}

/// Query `targets` (source, required) concurrently for `entities`; normalise what comes
/// back; drop anything `role` may not read (the request already asked only for allowed
/// entities — this is the second lock on the door).
#[cfg(not(target_arch = "wasm32"))]
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
#[cfg(not(target_arch = "wasm32"))]
pub async fn fan_out_observed(
    targets: &[(Arc<Source>, bool)],
    entities: &[Entity],
    role: Role,
    normaliser: &Arc<Normaliser>,
    on_done: &mut (dyn FnMut(&SourceOutcome) + Send),
) -> (Vec<SourceOutcome>, Vec<Record>) {
    use tokio::time::Instant;
    let allowed = allowed(entities, role);
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let mut index = HashMap::new();
    for (i, (src, _)) in targets.iter().enumerate() {
        let src = Arc::clone(src);
        let ents = allowed.clone();
        let norm = Arc::clone(normaliser);
        let handle = set.spawn(async move {
            let work = async {
                refuse_if_down(&src)?;
                let mut recs = src.fetch(&ents).await?;
                normalise_all(&norm, &mut recs)?;
                // The simulated network round trip of this system.
                tokio::time::sleep(src.latency()).await;
                Ok::<_, Error>(recs)
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
            Ok((id, (Ok(Err(e)), t))) => (id, failure(&e), t, Vec::new()),
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
        let (o, recs) = outcome(src, *required, status, latency, recs, role);
        on_done(&o);
        done[i] = Some((o, recs));
    }
    let mut outcomes = Vec::new();
    let mut records = Vec::new();
    for ((src, required), d) in targets.iter().zip(done) {
        let (o, recs) = d.unwrap_or_else(|| {
            outcome(
                src,
                *required,
                Status::Failed("task lost".into()),
                Duration::ZERO,
                Vec::new(),
                role,
            )
        });
        outcomes.push(o);
        records.extend(recs);
    }
    (outcomes, records)
}
