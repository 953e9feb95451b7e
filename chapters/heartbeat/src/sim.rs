//! The cluster's heartbeats without sockets: the sans-IO core that also runs in a browser.
//!
//! [`HeartbeatSender`] is the sending side of one server life as a plain state machine:
//! when its next beat is due, the packet, the random delay and whether the network loses
//! it (from the scenario's seeded generator), and its goodbye notices. The tokio cluster
//! ([`crate::cluster`], native only) drives it with timers and a UDP socket.
//! [`simulate`] drives the same senders on a virtual clock with no runtime at all: it
//! works out when each packet would arrive, feeds the arrivals to the same [`Monitor`]
//! the balancer uses, and wakes it at [`Monitor::next_change`] exactly as the balancer
//! sleeps until then. What it leaves out is the HTTP side: there are no routed requests
//! and no `/health` probes, so its report has only the heartbeat side of the log
//! (injections, verdicts, goodbyes, restarts, ignored packets).
//!
//! When two things happen at the same virtual instant, the simulation settles them the
//! way the balancer's biased `select!` and the injector do: an injected failure, pause
//! or sickness takes effect before a beat due at that instant, and a packet that arrives
//! at the instant a verdict would change is received first.

use std::time::Duration;

use kit::rng::{ChaCha8Rng, Rng, seeded};

use crate::error::ScenarioError;
use crate::monitor::{Monitor, MonitorEvent};
use crate::packet::{Health, Packet, PacketKind};
use crate::scenario::{
    ClusterEvent, EventKind, FailureKind, HeartbeatArrival, Scenario, ScenarioReport,
};

/// Packets a confused or hostile sender might send (the scenario's `rogue_at` burst).
pub const ROGUE_PACKETS: [&[u8]; 7] = [
    b"HB 9 1 1 ok",
    b"hello?",
    b"HB 1 one 2 ok",
    &[0xff, 0xfe, 0x00, 0x13],
    b"HB 1 0 1 ok",
    b"HB 1 1 1 ok",
    b"HB 1 1 99999999999999999999999 ok",
];

/// One beat a [`HeartbeatSender`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    /// The heartbeat packet.
    pub packet: Packet,
    /// How long the network holds it before it arrives (the scenario's jitter).
    pub delay: Duration,
    /// Whether the network loses it.
    pub lost: bool,
}

/// The heartbeat schedule and randomness of one server life, without a clock or a socket.
///
/// Instants are durations since the scenario's start. The caller waits until
/// [`HeartbeatSender::next_beat`], takes a [`Beat`], lets its delay pass, sends it unless
/// it is lost, then calls [`HeartbeatSender::reschedule`] with the current instant.
#[derive(Debug, Clone)]
pub struct HeartbeatSender {
    server: u32,
    incarnation: u32,
    seq: u64,
    next: Duration,
    interval: Duration,
    jitter: Duration,
    loss: f64,
    rng: ChaCha8Rng,
}

impl HeartbeatSender {
    /// The sender of `server`'s life `incarnation` in `scenario`, first beat at `first_beat`.
    ///
    /// Each server and life has its own random stream, so jitter and loss do not depend
    /// on what else happens in the run.
    pub fn new(scenario: &Scenario, server: u32, incarnation: u32, first_beat: Duration) -> Self {
        HeartbeatSender {
            server,
            incarnation,
            seq: 0,
            next: first_beat,
            interval: scenario.interval,
            jitter: scenario.jitter,
            loss: scenario.loss,
            rng: seeded(scenario.seed ^ (u64::from(server) << 32) ^ u64::from(incarnation)),
        }
    }

    /// When the next beat is due.
    pub fn next_beat(&self) -> Duration {
        self.next
    }

    /// The beat due now, carrying `health` (the server's own check at this instant).
    pub fn beat(&mut self, health: Health) -> Beat {
        let delay = self.jitter.mul_f64(self.rng.random::<f64>());
        let lost = self.rng.random::<f64>() < self.loss;
        self.seq += 1;
        Beat {
            packet: Packet {
                kind: PacketKind::Heartbeat,
                server: self.server,
                incarnation: self.incarnation,
                seq: self.seq,
                health,
            },
            delay,
            lost,
        }
    }

    /// Schedule the next beat one interval on, skipping any beat already missed by `now`
    /// (a pause or a long delay does not cause a burst of catch-up beats).
    pub fn reschedule(&mut self, now: Duration) {
        self.next += self.interval;
        while self.next <= now {
            self.next += self.interval;
        }
    }

    /// One goodbye notice (sent three times on a graceful shutdown), or `None` if the
    /// network loses this copy.
    pub fn goodbye(&mut self) -> Option<Packet> {
        self.seq += 1;
        let packet = Packet {
            kind: PacketKind::Goodbye,
            server: self.server,
            incarnation: self.incarnation,
            seq: self.seq,
            health: Health::Ok,
        };
        (self.rng.random::<f64>() >= self.loss).then_some(packet)
    }
}

/// The first beat of life 1 of `server`: the fleet's first beats are spread over one
/// interval, as real fleets are.
pub fn first_beat_phase(scenario: &Scenario, server: u32) -> Duration {
    scenario.interval * (server - 1) / scenario.servers
}

/// The log entry for a monitor event, or `None` for a health change (which the cluster
/// answers with a `/health` probe, logged when the probe returns).
pub fn verdict_event(names: &[String], route_by: usize, event: MonitorEvent) -> Option<EventKind> {
    let name = |i: usize| names.get(i).cloned().unwrap_or_default();
    Some(match event {
        MonitorEvent::Dead {
            server,
            detector,
            silence,
        } => EventKind::DeclaredDead {
            server,
            detector: name(detector),
            silence,
            routing: detector == route_by,
        },
        MonitorEvent::Alive { server, detector } => EventKind::DeclaredAlive {
            server,
            detector: name(detector),
            routing: detector == route_by,
        },
        MonitorEvent::Left { server } => EventKind::LeaveNoticed { server },
        MonitorEvent::Rejoined {
            server,
            incarnation,
        } => EventKind::Rejoined {
            server,
            incarnation,
        },
        MonitorEvent::HealthChanged { .. } => return None,
    })
}

/// `d` rounded up to a whole millisecond: when a timer set for `d` fires. tokio's timer
/// wheel counts whole milliseconds from the runtime's start, and the paused clock jumps
/// from tick to tick, so every instant the cluster observes is one of these.
pub fn timer_tick(d: Duration) -> Duration {
    let ms = d.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// Whether `server`'s health check fails at `t` (a sickness window, as the injector
/// switches it on and off).
fn sick_at(scenario: &Scenario, server: u32, t: Duration) -> bool {
    scenario
        .sick
        .iter()
        .any(|w| w.server == server && timer_tick(w.at) <= t && t < timer_tick(w.at + w.length))
}

/// When a server frozen at `t` can go on: the end of the pause (or chain of pauses) that
/// covers `t`, or `t` itself. A pause freezes the server from the instant it is injected
/// for its length.
fn thawed(scenario: &Scenario, server: u32, mut t: Duration) -> Duration {
    while let Some(until) = scenario
        .pauses
        .iter()
        .filter(|w| w.server == server)
        .map(|w| (timer_tick(w.at), timer_tick(w.at) + w.length))
        .find(|&(from, until)| from <= t && t < until)
        .map(|(_, until)| timer_tick(until))
    {
        t = until;
    }
    t
}

/// The datagrams one server life sends, as `(arrival instant, bytes)`.
fn life_packets(
    scenario: &Scenario,
    server: u32,
    incarnation: u32,
    first_beat: Duration,
    end: Option<(Duration, FailureKind)>,
    out: &mut Vec<(Duration, Vec<u8>)>,
) {
    let mut sender = HeartbeatSender::new(scenario, server, incarnation, first_beat);
    let end = end.map(|(at, kind)| (timer_tick(at), kind));
    let crash = end.and_then(|(at, kind)| (kind == FailureKind::Crash).then_some(at));
    let stop = end.and_then(|(at, kind)| (kind == FailureKind::Graceful).then_some(at));
    // The loop is back at its `select!` (where it notices a stop) at this instant.
    let mut free_at = Duration::ZERO;
    loop {
        let wake = timer_tick(sender.next_beat());
        if end.is_some_and(|(at, _)| wake >= at) || wake >= scenario.duration {
            break;
        }
        let t = thawed(scenario, server, wake);
        if crash.is_some_and(|c| c <= t) {
            return;
        }
        let health = if sick_at(scenario, server, t) {
            Health::Degraded
        } else {
            Health::Ok
        };
        let beat = sender.beat(health);
        let sent = timer_tick(t + beat.delay);
        if crash.is_some_and(|c| c <= sent) {
            return;
        }
        if !beat.lost {
            out.push((sent, beat.packet.encode()));
        }
        free_at = sent;
        sender.reschedule(sent);
    }
    if let Some(stop) = stop {
        let at = stop.max(free_at);
        for _ in 0..3 {
            if let Some(packet) = sender.goodbye() {
                out.push((at, packet.encode()));
            }
        }
    }
}

/// Run `scenario`'s heartbeats through the balancer's [`Monitor`] on a virtual clock:
/// no runtime, no sockets, no threads, the same report on every machine.
///
/// The report's events are the injections, the detectors' verdicts, goodbyes, restarts
/// and ignored packets; it has no requests and no `/health` probes (see the module
/// documentation).
pub fn simulate(scenario: &Scenario) -> Result<ScenarioReport, ScenarioError> {
    scenario.validate()?;
    let s = scenario;
    let mut events = Vec::new();
    // The injector acts when its timer fires.
    let mut at = |at: Duration, kind: EventKind| {
        let at = timer_tick(at);
        if at <= s.duration {
            events.push(ClusterEvent { at, kind });
        }
    };
    let mut packets: Vec<(Duration, Vec<u8>)> = Vec::new();
    for server in 1..=s.servers {
        at(
            Duration::ZERO,
            EventKind::ServerStarted {
                server,
                incarnation: 1,
            },
        );
        let failure = s.failures.iter().find(|f| f.server == server);
        life_packets(
            s,
            server,
            1,
            first_beat_phase(s, server),
            failure.map(|f| (f.at, f.kind)),
            &mut packets,
        );
        if let Some(f) = failure {
            at(
                f.at,
                EventKind::FailureInjected {
                    server,
                    kind: f.kind,
                },
            );
            if let Some(back) = f.back_after {
                at(
                    f.at + back,
                    EventKind::ServerStarted {
                        server,
                        incarnation: 2,
                    },
                );
                let restart = timer_tick(f.at + back);
                life_packets(s, server, 2, restart, None, &mut packets);
            }
        }
    }
    for w in &s.pauses {
        at(
            w.at,
            EventKind::PauseStarted {
                server: w.server,
                length: w.length,
            },
        );
        at(w.at + w.length, EventKind::PauseEnded { server: w.server });
    }
    for w in &s.sick {
        at(
            w.at,
            EventKind::SickChanged {
                server: w.server,
                sick: true,
            },
        );
        at(
            w.at + w.length,
            EventKind::SickChanged {
                server: w.server,
                sick: false,
            },
        );
    }
    if let Some(rogue) = s.rogue_at {
        packets.extend(ROGUE_PACKETS.iter().map(|p| (rogue, p.to_vec())));
    }
    // Stable: packets of one instant keep the order they were sent in.
    packets.sort_by_key(|(at, _)| *at);

    let specs = s.detector_specs();
    let names: Vec<String> = specs.iter().map(|d| d.build(s.interval).name()).collect();
    let mut monitor = Monitor::new(1..=s.servers, &specs, s.interval);
    let mut heartbeats = Vec::new();
    // The balancer stops at the end: a packet due at that very instant is not read.
    let mut packets = packets.into_iter().filter(|(at, _)| *at < s.duration);
    let mut pending = packets.next();
    let mut now = Duration::ZERO;
    let mut polled_now = false;
    let mut verdicts = Vec::new();
    loop {
        // The balancer sleeps until the next verdict change; a deadline already past
        // (a detector not re-evaluated since) wakes it at once.
        let wake = monitor
            .next_change()
            .map(|w| timer_tick(w).max(now))
            .filter(|&w| w <= s.duration && !(w == now && polled_now));
        let arrival = pending.as_ref().map(|(at, _)| *at);
        match (arrival, wake) {
            (_, Some(w)) if arrival.is_none_or(|a| w < a) => {
                polled_now = true;
                now = w;
                if let Ok(changes) = monitor.poll(w) {
                    for e in changes {
                        if let Some(kind) = verdict_event(&names, s.route_by, e) {
                            verdicts.push(ClusterEvent { at: w, kind });
                        }
                    }
                }
            }
            (Some(at), _) => {
                now = at;
                polled_now = false;
                let bytes = pending.take().map(|(_, b)| b).unwrap_or_default();
                match monitor.receive(&bytes, now) {
                    Ok((packet, changes)) => {
                        if packet.kind == PacketKind::Heartbeat {
                            heartbeats.push(HeartbeatArrival {
                                at: now,
                                server: packet.server,
                                incarnation: packet.incarnation,
                            });
                        }
                        for e in changes {
                            if let Some(kind) = verdict_event(&names, s.route_by, e) {
                                verdicts.push(ClusterEvent { at: now, kind });
                            }
                        }
                    }
                    Err(bad) => verdicts.push(ClusterEvent {
                        at: now,
                        kind: EventKind::BadPacket {
                            detail: bad.to_string(),
                        },
                    }),
                }
                pending = packets.next();
            }
            (None, _) => break,
        }
    }
    // Sorted stably: injections (pushed first) come before the balancer's entries of
    // the same instant, as in the cluster's log.
    events.extend(verdicts);
    events.sort_by_key(|e| e.at);
    Ok(ScenarioReport {
        scenario: s.clone(),
        events,
        heartbeats,
        detectors: names,
        input: monitor.stats(),
    })
}
