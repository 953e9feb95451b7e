//! # Day 3 — The Heartbeat
//!
//! A heartbeat is a small "I'm alive" message a node sends on a fixed schedule.
//! Whoever receives them — here a load balancer — never learns that a node died;
//! it only notices that the messages stopped, and must decide *when silence means
//! death*. That decision is a **failure detector**, and it is always a trade: wait
//! longer and a dead server keeps receiving traffic; wait less and a server that was
//! merely slow (a GC pause, a congested network, a lost packet) is thrown out.
//!
//! This crate rebuilds the seed's cluster for real — a balancer and web servers as
//! tokio tasks on 127.0.0.1, heartbeats as UDP datagrams, requests and `/health` as
//! HTTP ([`cluster`]) — and puts three detectors behind one trait ([`detector`]):
//!
//! - [`FixedTimeout`]: the seed's rule, dead after 10 s without a beat;
//! - [`HaproxyCheck`]: HAProxy's `inter 2000ms fall 3 rise 2` counting rule;
//! - [`PhiAccrualDetector`]: φ accrual with Akka's formula and defaults, which
//!   learns the intervals it sees and turns silence into a suspicion level.
//!
//! All of them see the same arrivals in the same run, so a [`ScenarioReport`] can say
//! how late each one noticed a crash and how often it accused a live server. The page
//! runs in virtual time (tokio's paused clock), so it is deterministic and fast;
//! [`run_realtime`] runs the same cluster on the wall clock for a class.
//!
//! The cluster is a thin shell around a sans-IO core. Each server's heartbeat schedule
//! and randomness is a [`HeartbeatSender`], the balancer's bookkeeping a [`Monitor`]
//! (packets and instants in, verdicts out). [`simulate`] drives the same two without
//! sockets or a runtime, and gets the cluster's heartbeats and verdicts (not its HTTP
//! requests); that core compiles to wasm32 for the page's Try it block ([`tryit`]).
//!
//! ```
//! use std::time::Duration;
//! use heartbeat::{FailureDetector, PhiAccrualDetector, PhiConfig, Scenario, run_virtual};
//!
//! // Steady 1 s beats: Akka's φ crosses 8 about 4.52 s after the last one.
//! let mut phi = PhiAccrualDetector::new(PhiConfig::default());
//! for s in 0..200 {
//!     phi.heartbeat(Duration::from_secs(s)).unwrap();
//! }
//! let after = phi.silence_to_suspect().unwrap().as_secs_f64();
//! assert!((after - 4.52).abs() < 0.01, "{after}");
//!
//! // The seed's cluster: server 2 crashes at 20 s; the 10 s timeout notices.
//! let report = run_virtual(&Scenario::default()).unwrap();
//! let dead = report.first_declared_dead(2).unwrap();
//! assert!(dead > Duration::from_secs(28) && dead <= Duration::from_secs(30));
//! assert_eq!(report.first_declared_dead(1), None);
//! ```

// The sans-IO core (detectors, monitor, packets, scenarios, the socket-free
// simulation and the page's Try it engine) compiles everywhere, wasm32 included; the
// tokio cluster, the command-line flags and the wall-clock scale figure are native.
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod cluster;
pub mod compare;
pub mod detector;
pub mod error;
pub mod monitor;
pub mod packet;
pub mod plot;
#[cfg(not(target_arch = "wasm32"))]
pub mod scale;
pub mod scenario;
pub mod sim;
pub mod tryit;

#[cfg(not(target_arch = "wasm32"))]
pub use cli::ScenarioArgs;
#[cfg(not(target_arch = "wasm32"))]
pub use cluster::{run_realtime, run_virtual};
pub use detector::{
    DetectorSpec, FailureDetector, FixedTimeout, HaproxyCheck, PhiAccrualDetector, PhiConfig,
};
pub use error::{BadInput, ClockWentBackwards, HeartbeatError, ScenarioError};
pub use monitor::{InputStats, Monitor, MonitorEvent};
pub use packet::{Health, Packet, PacketKind};
pub use scenario::{
    ClusterEvent, DetectorOutcome, EventKind, Failure, FailureKind, HeartbeatArrival,
    RequestOutcome, Scenario, ScenarioReport, Window,
};
pub use sim::{HeartbeatSender, simulate};
