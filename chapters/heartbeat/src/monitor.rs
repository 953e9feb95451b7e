//! The monitor: the balancer's side of the heartbeat. It tracks a fixed set of
//! servers, feeds every detector the same arrivals, and reports verdict changes.
//!
//! Nothing from the network can make it panic or give a wrong verdict: a packet it
//! cannot read, from a server it does not know, from an old incarnation or with a
//! sequence number it has already seen, and an instant earlier than the last one
//! ([`BadInput`]) are counted in [`InputStats`], returned as errors and otherwise
//! ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::detector::{DetectorSpec, FailureDetector};
use crate::error::{BadInput, ClockWentBackwards};
use crate::packet::{Health, Packet, PacketKind};

/// A verdict change or a membership change the monitor noticed.
#[derive(Debug, Clone, PartialEq)]
pub enum MonitorEvent {
    /// Detector number `detector` now considers `server` dead.
    Dead {
        /// The server.
        server: u32,
        /// Index into [`Monitor::detector_names`].
        detector: usize,
        /// Time since the server's last heartbeat.
        silence: Duration,
    },
    /// Detector number `detector` considers `server` alive again.
    Alive {
        /// The server.
        server: u32,
        /// Index into [`Monitor::detector_names`].
        detector: usize,
    },
    /// The server said goodbye: removed at once, no detector waits for it.
    Left {
        /// The server.
        server: u32,
    },
    /// A heartbeat from a new incarnation of a server heard before (a restart).
    Rejoined {
        /// The server.
        server: u32,
        /// Its new incarnation.
        incarnation: u32,
    },
    /// The health field of the server's heartbeats changed.
    HealthChanged {
        /// The server.
        server: u32,
        /// The new verdict.
        health: Health,
    },
}

/// Counts of what the monitor received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputStats {
    /// Packets accepted.
    pub accepted: u64,
    /// Datagrams that were not packets.
    pub malformed: u64,
    /// Packets from servers the monitor does not track.
    pub unknown_server: u64,
    /// Old incarnations, duplicates and reordered packets.
    pub stale: u64,
    /// Instants earlier than one already seen.
    pub clock_backwards: u64,
}

impl Tracked {
    fn fresh(specs: &[DetectorSpec], interval: Duration) -> Self {
        Tracked {
            incarnation: 0,
            last_seq: None,
            last_heartbeat: None,
            left: false,
            health: Health::Ok,
            detectors: specs.iter().map(|s| s.build(interval)).collect(),
            alive: vec![true; specs.len()],
        }
    }

    /// Re-evaluate this server's detectors at `now`; push the verdicts that changed.
    fn evaluate(&mut self, server: u32, now: Duration, events: &mut Vec<MonitorEvent>) {
        let Some(last) = self.last_heartbeat else {
            return;
        };
        if self.left {
            return;
        }
        for (i, d) in self.detectors.iter_mut().enumerate() {
            let alive = d.is_available(now).unwrap_or(self.alive[i]);
            if alive != self.alive[i] {
                self.alive[i] = alive;
                events.push(if alive {
                    MonitorEvent::Alive {
                        server,
                        detector: i,
                    }
                } else {
                    MonitorEvent::Dead {
                        server,
                        detector: i,
                        silence: now - last,
                    }
                });
            }
        }
    }
}

struct Tracked {
    incarnation: u32,
    last_seq: Option<u64>,
    last_heartbeat: Option<Duration>,
    left: bool,
    health: Health,
    detectors: Vec<Box<dyn FailureDetector>>,
    alive: Vec<bool>,
}

/// Tracks servers by heartbeat with several detectors side by side.
pub struct Monitor {
    specs: Vec<DetectorSpec>,
    names: Vec<String>,
    interval: Duration,
    servers: BTreeMap<u32, Tracked>,
    stats: InputStats,
    now: Duration,
}

impl Monitor {
    /// Track `servers`, each with one detector per spec; senders beat every `interval`.
    pub fn new(
        servers: impl IntoIterator<Item = u32>,
        specs: &[DetectorSpec],
        interval: Duration,
    ) -> Self {
        let names = specs.iter().map(|s| s.build(interval).name()).collect();
        let mut m = Monitor {
            specs: specs.to_vec(),
            names,
            interval,
            servers: BTreeMap::new(),
            stats: InputStats::default(),
            now: Duration::ZERO,
        };
        for id in servers {
            m.servers.insert(id, Tracked::fresh(specs, interval));
        }
        m
    }

    /// The detectors' names, in the order of the `detector` indexes in events.
    pub fn detector_names(&self) -> &[String] {
        &self.names
    }

    /// What was received so far.
    pub fn stats(&self) -> InputStats {
        self.stats
    }

    fn observe(&mut self, now: Duration) -> Result<(), ClockWentBackwards> {
        if now < self.now {
            self.stats.clock_backwards += 1;
            return Err(ClockWentBackwards {
                now,
                last: self.now,
            });
        }
        self.now = now;
        Ok(())
    }

    /// A datagram arrived at `now`. Returns the packet and the events it caused, or
    /// why it was ignored.
    pub fn receive(
        &mut self,
        bytes: &[u8],
        now: Duration,
    ) -> Result<(Packet, Vec<MonitorEvent>), BadInput> {
        self.observe(now)?;
        let packet = Packet::parse(bytes).inspect_err(|_| self.stats.malformed += 1)?;
        let Some(t) = self.servers.get_mut(&packet.server) else {
            self.stats.unknown_server += 1;
            return Err(BadInput::UnknownServer {
                server: packet.server,
            });
        };
        let stale = packet.incarnation < t.incarnation
            || (packet.incarnation == t.incarnation
                && (t.last_seq.is_some_and(|s| packet.seq <= s)
                    || (t.left && packet.kind == PacketKind::Heartbeat)));
        if stale {
            self.stats.stale += 1;
            return Err(BadInput::Stale {
                server: packet.server,
                incarnation: packet.incarnation,
                seq: packet.seq,
            });
        }
        self.stats.accepted += 1;
        let mut events = Vec::new();
        if packet.incarnation > t.incarnation {
            if t.last_seq.is_some() {
                events.push(MonitorEvent::Rejoined {
                    server: packet.server,
                    incarnation: packet.incarnation,
                });
            }
            if t.left {
                // A server that left is tracked afresh: its silence was announced.
                *t = Tracked::fresh(&self.specs, self.interval);
            }
            t.incarnation = packet.incarnation;
        }
        t.last_seq = Some(packet.seq);
        match packet.kind {
            PacketKind::Goodbye => {
                if !t.left {
                    t.left = true;
                    events.push(MonitorEvent::Left {
                        server: packet.server,
                    });
                }
            }
            PacketKind::Heartbeat => {
                for d in &mut t.detectors {
                    // `observe` above keeps `now` monotonic, so this cannot fail.
                    let _ = d.heartbeat(now);
                }
                t.last_heartbeat = Some(now);
                if packet.health != t.health {
                    t.health = packet.health;
                    events.push(MonitorEvent::HealthChanged {
                        server: packet.server,
                        health: packet.health,
                    });
                }
            }
        }
        // Only this server's verdicts can change on its packet; the others change
        // with time, which `poll` handles.
        t.evaluate(packet.server, now, &mut events);
        Ok((packet, events))
    }

    /// Re-evaluate every detector at `now` and return the verdicts that changed.
    pub fn poll(&mut self, now: Duration) -> Result<Vec<MonitorEvent>, ClockWentBackwards> {
        self.observe(now)?;
        Ok(self.evaluate(now))
    }

    fn evaluate(&mut self, now: Duration) -> Vec<MonitorEvent> {
        let mut events = Vec::new();
        for (&server, t) in &mut self.servers {
            t.evaluate(server, now, &mut events);
        }
        events
    }

    /// The earliest instant at which a verdict may change without a packet.
    pub fn next_change(&self) -> Option<Duration> {
        self.servers
            .values()
            .filter(|t| !t.left && t.last_heartbeat.is_some())
            .flat_map(|t| t.detectors.iter().filter_map(|d| d.next_change()))
            .min()
    }

    /// Whether detector `detector` lets traffic go to `server`: heard from, not
    /// left, considered alive and reporting itself healthy.
    pub fn routable(&self, server: u32, detector: usize) -> bool {
        self.servers.get(&server).is_some_and(|t| {
            t.last_heartbeat.is_some()
                && !t.left
                && t.health == Health::Ok
                && t.alive.get(detector).copied().unwrap_or(false)
        })
    }

    /// Whether detector `detector` currently considers `server` alive (`false` for a
    /// server never heard from, one that left, or an unknown one).
    pub fn is_alive(&self, server: u32, detector: usize) -> bool {
        self.servers.get(&server).is_some_and(|t| {
            t.last_heartbeat.is_some() && !t.left && t.alive.get(detector).copied().unwrap_or(false)
        })
    }

    /// The servers tracked, in id order.
    pub fn servers(&self) -> impl Iterator<Item = u32> + '_ {
        self.servers.keys().copied()
    }
}
