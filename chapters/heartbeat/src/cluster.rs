//! The seed's cluster, for real: web servers and a load balancer as tokio tasks
//! talking over 127.0.0.1.
//!
//! - Each server is an axum HTTP server (`/` and `/health`) plus a heartbeat loop
//!   that sends one UDP datagram to the balancer every interval. Its `/health`
//!   checks memory, a dependency (a real TCP round trip to a "database" task) and
//!   load, and the heartbeat carries the same verdict.
//! - The balancer receives heartbeats into a [`Monitor`], sleeps until the next
//!   instant a verdict can change, and routes one HTTP request at a time,
//!   round-robin, to the servers its routing detector considers alive and healthy.
//! - A scenario task injects crashes, graceful shutdowns, restarts, pauses,
//!   sickness and bad packets at the scenario's times.
//!
//! In virtual time the runtime is a current-thread runtime started paused: when
//! every task waits, tokio jumps the clock to the next timer, so a minute of cluster
//! runs in milliseconds. Real sockets still work; a jump must not happen while
//! bytes are in flight between two tasks, so every network exchange here goes
//! through [`settle`]: it yields to the I/O driver (which never moves the paused
//! clock) until the exchange completes, and only then lets the clock move. (On
//! Linux loopback the logs come out the same without it; tokio does not promise
//! that, so the margin stays.) Jitter, loss
//! and pauses come from a seeded generator, and the balancer stamps arrivals with
//! `tokio::time::Instant`, so the same scenario prints the same log every time.

use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, sleep_until, timeout};

use crate::error::HeartbeatError;
use crate::monitor::{Monitor, MonitorEvent};
use crate::packet::{Health, PacketKind};
use crate::scenario::{
    ClusterEvent, EventKind, FailureKind, HeartbeatArrival, RequestOutcome, Scenario,
    ScenarioReport,
};
pub use crate::sim::ROGUE_PACKETS;
use crate::sim::{HeartbeatSender, first_beat_phase, verdict_event};

/// How many times [`settle`] yields to the I/O driver before letting the clock move.
const SETTLE_SPINS: usize = 200;
/// Memory limit of the seed's health check.
const MEMORY_LIMIT_MB: u32 = 500;
/// The "load" limit: requests in progress at once.
const MAX_IN_FLIGHT: usize = 8;

/// Run `scenario` in virtual time: a paused current-thread runtime of its own, so a
/// minute of cluster takes milliseconds and the report is the same on every run.
/// Call it from synchronous code (inside a tokio runtime it returns an error).
pub fn run_virtual(scenario: &Scenario) -> Result<ScenarioReport, HeartbeatError> {
    run(scenario, true, &mut |_| {})
}

/// Run `scenario` on the wall clock (it takes `scenario.duration`), calling
/// `on_event` as things happen — for a live class. Routed requests are reported
/// when they finish, so they are not passed to `on_event`; they are in the report.
pub fn run_realtime(
    scenario: &Scenario,
    on_event: &mut dyn FnMut(&ClusterEvent),
) -> Result<ScenarioReport, HeartbeatError> {
    run(scenario, false, on_event)
}

fn run(
    scenario: &Scenario,
    paused: bool,
    on_event: &mut dyn FnMut(&ClusterEvent),
) -> Result<ScenarioReport, HeartbeatError> {
    scenario.validate()?;
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(HeartbeatError::NestedRuntime);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(paused)
        .build()
        .map_err(HeartbeatError::io("building the tokio runtime"))?;
    let report = runtime.block_on(cluster(scenario.clone(), on_event));
    // Dropping the runtime cancels every task still running (servers, database).
    drop(runtime);
    report
}

/// Where every task sends its events.
#[derive(Clone)]
struct Log {
    start: Instant,
    tx: mpsc::UnboundedSender<ClusterEvent>,
}

impl Log {
    fn since_start(&self) -> Duration {
        Instant::now().saturating_duration_since(self.start)
    }

    fn emit(&self, kind: EventKind) {
        self.emit_at(self.since_start(), kind);
    }

    fn emit_at(&self, at: Duration, kind: EventKind) {
        // The receiver lives until the run ends; a late event is simply dropped.
        let _ = self.tx.send(ClusterEvent { at, kind });
    }
}

async fn cluster(
    scenario: Scenario,
    on_event: &mut dyn FnMut(&ClusterEvent),
) -> Result<ScenarioReport, HeartbeatError> {
    let start = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let log = Log { start, tx };

    let balancer_socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .map_err(HeartbeatError::io("binding the balancer's UDP socket"))?;
    let balancer_addr = balancer_socket
        .local_addr()
        .map_err(HeartbeatError::io("reading the balancer's address"))?;
    let db = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(HeartbeatError::io("binding the database"))?;
    let db_addr = db
        .local_addr()
        .map_err(HeartbeatError::io("reading the database's address"))?;
    tokio::spawn(database(db));

    let servers: Vec<Arc<ServerCtl>> = (1..=scenario.servers)
        .map(|id| {
            Arc::new(ServerCtl {
                id,
                frozen_until: Mutex::new(None),
                sick: AtomicBool::new(false),
                in_flight: AtomicUsize::new(0),
                db: db_addr,
            })
        })
        .collect();
    let registry: Registry = Arc::new(Mutex::new(vec![None; scenario.servers as usize]));

    let chaos = tokio::spawn(injector(
        scenario.clone(),
        servers,
        registry.clone(),
        balancer_addr,
        log.clone(),
    ));
    let mut balancer = tokio::spawn(balancer(
        scenario.clone(),
        balancer_socket,
        registry,
        log.clone(),
    ));
    drop(log);

    let mut events = Vec::new();
    let outcome = loop {
        tokio::select! {
            biased;
            Some(e) = rx.recv() => {
                if !matches!(e.kind, EventKind::Request { .. }) {
                    on_event(&e);
                }
                events.push(e);
            }
            r = &mut balancer => break r,
        }
    };
    chaos.abort();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    let (heartbeats, input, detectors) =
        outcome.map_err(|e| HeartbeatError::Task(e.to_string()))??;
    let end = scenario.duration;
    events.retain(|e| e.at <= end);
    events.sort_by_key(|e| e.at);
    Ok(ScenarioReport {
        scenario,
        events,
        heartbeats,
        detectors,
        input,
    })
}

type Registry = Arc<Mutex<Vec<Option<SocketAddr>>>>;

/// Poll `fut`, yielding to the I/O driver between polls, up to [`SETTLE_SPINS`]
/// times; then just await it.
///
/// Under tokio's paused clock a yield never moves time, but an idle runtime does.
/// A loopback exchange completes within a few yields, so it happens at one virtual
/// instant; a peer that really is not answering (a frozen server) runs out of spins
/// and its timeout is reached in virtual time as usual.
pub async fn settle<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    for _ in 0..SETTLE_SPINS {
        if let Poll::Ready(out) = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
            return out;
        }
        tokio::task::yield_now().await;
    }
    fut.await
}

/// After a send: let the receiver's task see the datagram before the clock moves.
async fn let_io_settle() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

/// The "database" every server's health check depends on: answers `PONG`.
async fn database(listener: TcpListener) {
    while let Ok((mut stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            let _ = stream.write_all(b"PONG\n").await;
        });
    }
}

/// A minimal HTTP/1.1 GET: status code and body. The balancer's only client code.
pub async fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no status line"))?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Ok((status, body.to_string()))
}

/// What the scenario controls about one server, shared by all its incarnations.
struct ServerCtl {
    id: u32,
    frozen_until: Mutex<Option<Instant>>,
    sick: AtomicBool,
    in_flight: AtomicUsize,
    db: SocketAddr,
}

impl ServerCtl {
    /// A GC-like pause freezes the whole process: wait until it is over.
    async fn wait_unfrozen(&self) {
        loop {
            let until = *self.frozen_until.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(t) if t > Instant::now() => sleep_until(t).await,
                _ => return,
            }
        }
    }

    /// The seed's `checkSystemHealth`: memory, a dependency, load.
    async fn health(&self) -> (bool, String) {
        let memory_mb = if self.sick.load(Ordering::Relaxed) {
            640
        } else {
            180
        };
        let load = self.in_flight.load(Ordering::Relaxed);
        let db_ok = matches!(
            timeout(Duration::from_millis(200), settle(ping(self.db))).await,
            Ok(Ok(true))
        );
        let ok = memory_mb < MEMORY_LIMIT_MB && db_ok && load < MAX_IN_FLIGHT;
        let body = format!(
            "{{\"status\":\"{}\",\"server\":{},\"memory_mb\":{memory_mb},\"db\":\"{}\",\"in_flight\":{load}}}",
            if ok { "healthy" } else { "unhealthy" },
            self.id,
            if db_ok { "ok" } else { "down" },
        );
        (ok, body)
    }
}

async fn ping(db: SocketAddr) -> std::io::Result<bool> {
    let mut stream = TcpStream::connect(db).await?;
    let mut reply = Vec::new();
    (&mut stream).take(16).read_to_end(&mut reply).await?;
    Ok(reply == b"PONG\n")
}

/// One life of a server process.
struct Life {
    ctl: Arc<ServerCtl>,
    incarnation: u32,
}

async fn index(State(life): State<Arc<Life>>) -> (StatusCode, String) {
    life.ctl.in_flight.fetch_add(1, Ordering::Relaxed);
    life.ctl.wait_unfrozen().await;
    life.ctl.in_flight.fetch_sub(1, Ordering::Relaxed);
    (
        StatusCode::OK,
        format!(
            "hello from server {} (incarnation {})",
            life.ctl.id, life.incarnation
        ),
    )
}

async fn health(State(life): State<Arc<Life>>) -> (StatusCode, String) {
    life.ctl.wait_unfrozen().await;
    let (ok, body) = life.ctl.health().await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body)
}

/// The handles that end a life: abort both (crash) or send `stop` (graceful).
struct LifeHandle {
    beats: JoinHandle<()>,
    serve: JoinHandle<()>,
    stop: Option<oneshot::Sender<()>>,
}

/// Where a life's heartbeats go, and the instant its sender's schedule counts from.
struct Net {
    balancer: SocketAddr,
    start: Instant,
}

async fn start_life(
    ctl: Arc<ServerCtl>,
    sender: HeartbeatSender,
    incarnation: u32,
    net: Net,
    registry: &Registry,
) -> Result<LifeHandle, HeartbeatError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(HeartbeatError::io("binding a web server"))?;
    let addr = listener
        .local_addr()
        .map_err(HeartbeatError::io("reading a web server's address"))?;
    let udp = UdpSocket::bind("127.0.0.1:0")
        .await
        .map_err(HeartbeatError::io("binding a server's UDP socket"))?;
    if let Some(slot) = registry
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_mut(ctl.id as usize - 1)
    {
        *slot = Some(addr);
    }
    let life = Arc::new(Life {
        ctl: ctl.clone(),
        incarnation,
    });
    let app = Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .with_state(life);
    let (down_tx, down_rx) = oneshot::channel::<()>();
    let serve = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = down_rx.await;
            })
            .await;
    });
    let (stop_tx, stop_rx) = oneshot::channel();
    let beats = tokio::spawn(heartbeats(ctl, sender, net, udp, stop_rx, down_tx));
    Ok(LifeHandle {
        beats,
        serve,
        stop: Some(stop_tx),
    })
}

/// The heartbeat loop of one life (its schedule and randomness are the
/// [`HeartbeatSender`]'s); on `stop`, a goodbye, then the HTTP server stops.
async fn heartbeats(
    ctl: Arc<ServerCtl>,
    mut sender: HeartbeatSender,
    net: Net,
    udp: UdpSocket,
    mut stop: oneshot::Receiver<()>,
    http_down: oneshot::Sender<()>,
) {
    let send = |bytes: Vec<u8>| {
        let udp = &udp;
        async move {
            // A send error is a lost heartbeat; the detectors deal with that.
            let _ = udp.send_to(&bytes, net.balancer).await;
            let_io_settle().await;
        }
    };
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            _ = sleep_until(net.start + sender.next_beat()) => {}
        }
        ctl.wait_unfrozen().await;
        let (ok, _) = ctl.health().await;
        let beat = sender.beat(if ok { Health::Ok } else { Health::Degraded });
        if !beat.delay.is_zero() {
            sleep(beat.delay).await;
        }
        if !beat.lost {
            send(beat.packet.encode()).await;
        }
        sender.reschedule(Instant::now().saturating_duration_since(net.start));
    }
    // SIGTERM: tell the balancer (three copies: UDP may lose one), then stop serving.
    for _ in 0..3 {
        if let Some(packet) = sender.goodbye() {
            send(packet.encode()).await;
        }
    }
    let _ = http_down.send(());
}

/// Injects the scenario's failures, pauses, sickness and bad packets on time.
async fn injector(
    s: Scenario,
    servers: Vec<Arc<ServerCtl>>,
    registry: Registry,
    balancer: SocketAddr,
    log: Log,
) -> Result<(), HeartbeatError> {
    enum Action {
        Start(u32, u32),
        Fail(u32, FailureKind),
        Freeze(u32, Duration),
        Thaw(u32),
        Sick(u32, bool),
        Rogue,
    }
    let mut plan: Vec<(Duration, Action)> = Vec::new();
    for id in 1..=s.servers {
        plan.push((Duration::ZERO, Action::Start(id, 1)));
    }
    for f in &s.failures {
        plan.push((f.at, Action::Fail(f.server, f.kind)));
        if let Some(back) = f.back_after {
            plan.push((f.at + back, Action::Start(f.server, 2)));
        }
    }
    for w in &s.pauses {
        plan.push((w.at, Action::Freeze(w.server, w.length)));
        plan.push((w.at + w.length, Action::Thaw(w.server)));
    }
    for w in &s.sick {
        plan.push((w.at, Action::Sick(w.server, true)));
        plan.push((w.at + w.length, Action::Sick(w.server, false)));
    }
    if let Some(at) = s.rogue_at {
        plan.push((at, Action::Rogue));
    }
    plan.sort_by_key(|(at, _)| *at);

    let mut lives: Vec<Option<LifeHandle>> = (0..s.servers).map(|_| None).collect();
    for (at, action) in plan {
        sleep_until(log.start + at).await;
        match action {
            Action::Start(id, incarnation) => {
                let ctl = servers[id as usize - 1].clone();
                // Stagger the first beats across one interval, as real fleets are.
                let phase = if incarnation == 1 {
                    first_beat_phase(&s, id)
                } else {
                    Duration::ZERO
                };
                let first_beat = log.since_start() + phase;
                let sender = HeartbeatSender::new(&s, id, incarnation, first_beat);
                let net = Net {
                    balancer,
                    start: log.start,
                };
                let handle = start_life(ctl, sender, incarnation, net, &registry).await?;
                lives[id as usize - 1] = Some(handle);
                log.emit(EventKind::ServerStarted {
                    server: id,
                    incarnation,
                });
            }
            Action::Fail(id, kind) => {
                log.emit(EventKind::FailureInjected { server: id, kind });
                if let Some(mut life) = lives[id as usize - 1].take() {
                    match kind {
                        FailureKind::Crash => {
                            life.beats.abort();
                            life.serve.abort();
                        }
                        FailureKind::Graceful => {
                            if let Some(stop) = life.stop.take() {
                                let _ = stop.send(());
                            }
                        }
                    }
                }
            }
            Action::Freeze(id, length) => {
                *servers[id as usize - 1]
                    .frozen_until
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + length);
                log.emit(EventKind::PauseStarted { server: id, length });
            }
            Action::Thaw(id) => log.emit(EventKind::PauseEnded { server: id }),
            Action::Sick(id, sick) => {
                servers[id as usize - 1].sick.store(sick, Ordering::Relaxed);
                log.emit(EventKind::SickChanged { server: id, sick });
            }
            Action::Rogue => rogue(balancer).await?,
        }
    }
    std::future::pending::<()>().await;
    Ok(())
}

async fn rogue(balancer: SocketAddr) -> Result<(), HeartbeatError> {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .map_err(HeartbeatError::io("binding the rogue socket"))?;
    for packet in ROGUE_PACKETS {
        let _ = socket.send_to(packet, balancer).await;
        let_io_settle().await;
    }
    Ok(())
}

type BalancerResult =
    Result<(Vec<HeartbeatArrival>, crate::InputStats, Vec<String>), HeartbeatError>;

/// The load balancer: heartbeats in, verdicts out, requests round-robin.
async fn balancer(s: Scenario, socket: UdpSocket, registry: Registry, log: Log) -> BalancerResult {
    let specs = s.detector_specs();
    let names: Vec<String> = specs.iter().map(|d| d.build(s.interval).name()).collect();
    let mut monitor = Monitor::new(1..=s.servers, &specs, s.interval);
    let route_by = s.route_by;
    let end = log.start + s.duration;
    let mut next_request = log.start + s.request_every;
    let mut round_robin = 0u32;
    let mut arrivals = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let wake = monitor.next_change().map(|d| log.start + d);
        tokio::select! {
            biased;
            received = socket.recv_from(&mut buf) => {
                let Ok((len, _from)) = received else { continue };
                let now = log.since_start();
                match monitor.receive(&buf[..len], now) {
                    Ok((packet, events)) => {
                        if packet.kind == PacketKind::Heartbeat {
                            arrivals.push(HeartbeatArrival {
                                at: now,
                                server: packet.server,
                                incarnation: packet.incarnation,
                            });
                        }
                        report(&log, &names, route_by, &registry, events);
                    }
                    Err(bad) => log.emit(EventKind::BadPacket { detail: bad.to_string() }),
                }
            }
            _ = sleep_until(wake.unwrap_or(end)), if wake.is_some() => {
                if let Ok(events) = monitor.poll(log.since_start()) {
                    report(&log, &names, route_by, &registry, events);
                }
            }
            _ = sleep_until(next_request) => {
                let started = log.since_start();
                next_request += s.request_every;
                let pick = (0..s.servers)
                    .map(|k| (round_robin + k) % s.servers + 1)
                    .find(|&id| monitor.routable(id, route_by));
                let addr = pick.and_then(|id| {
                    registry.lock().unwrap_or_else(|e| e.into_inner())[id as usize - 1]
                });
                match (pick, addr) {
                    (Some(id), Some(addr)) => {
                        round_robin = id % s.servers;
                        let log = log.clone();
                        let limit = s.request_timeout;
                        tokio::spawn(async move {
                            let outcome = match timeout(limit, settle(http_get(addr, "/"))).await {
                                Ok(Ok((200, _))) => RequestOutcome::Ok,
                                Ok(_) => RequestOutcome::Failed,
                                Err(_) => RequestOutcome::TimedOut,
                            };
                            log.emit_at(started, EventKind::Request { server: Some(id), outcome });
                        });
                    }
                    _ => log.emit(EventKind::Request {
                        server: None,
                        outcome: RequestOutcome::NoServer,
                    }),
                }
            }
            _ = sleep_until(end) => break,
        }
    }
    Ok((arrivals, monitor.stats(), names))
}

/// Turn monitor events into log entries; a health change triggers a `/health` probe.
fn report(
    log: &Log,
    names: &[String],
    route_by: usize,
    registry: &Registry,
    events: Vec<MonitorEvent>,
) {
    for e in events {
        if let MonitorEvent::HealthChanged { server, .. } = e {
            let addr = registry.lock().unwrap_or_else(|e| e.into_inner())[server as usize - 1];
            if let Some(addr) = addr {
                let log = log.clone();
                let started = log.since_start();
                tokio::spawn(async move {
                    let (status, detail) =
                        match timeout(Duration::from_secs(1), settle(http_get(addr, "/health")))
                            .await
                        {
                            Ok(Ok((status, body))) => (status, body),
                            Ok(Err(e)) => (0, e.to_string()),
                            Err(_) => (0, "timed out".to_string()),
                        };
                    log.emit_at(
                        started,
                        EventKind::HealthChecked {
                            server,
                            status,
                            detail,
                        },
                    );
                });
            }
            continue;
        }
        if let Some(kind) = verdict_event(names, route_by, e) {
            log.emit(kind);
        }
    }
}
