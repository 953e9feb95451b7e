//! One monitor, many nodes: how much of one core keeping up takes.

use std::time::{Duration, Instant};

use kit::rng::{Rng, seeded};

use crate::detector::DetectorSpec;
use crate::monitor::{Monitor, MonitorEvent};
use crate::packet::{Health, Packet, PacketKind};

/// What [`measure_monitor`] measured.
#[derive(Debug, Clone)]
pub struct ScaleFigures {
    /// Nodes tracked.
    pub nodes: u32,
    /// Simulated seconds of heartbeats.
    pub seconds: u32,
    /// Heartbeats received (parsed, checked, fed to the detector).
    pub heartbeats: u64,
    /// Full sweeps over every node's verdict (one per 100 ms of simulated time).
    pub sweeps: u64,
    /// Wall-clock time for everything.
    pub wall: Duration,
    /// Wall-clock time spent in the sweeps.
    pub sweep_wall: Duration,
    /// Nodes crashed at half time (1 %).
    pub crashed: u32,
    /// Crashed nodes declared dead by the end.
    pub detected: u32,
    /// Dead verdicts on nodes that kept beating.
    pub false_alarms: u32,
}

impl ScaleFigures {
    /// Share of one core the monitor needs in real time (wall ÷ simulated time).
    pub fn core_share(&self) -> f64 {
        self.wall.as_secs_f64() / f64::from(self.seconds.max(1))
    }
}

/// How far [`measure_monitor_with_progress`] has got, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStep {
    /// Encoding the packets before the clock starts: `done` of `total` nodes.
    Encoding {
        /// Nodes whose packets are encoded.
        done: u32,
        /// All nodes.
        total: u32,
    },
    /// Feeding the monitor, timed: `done` of `total` simulated seconds.
    Feeding {
        /// Simulated seconds fed so far.
        done: u32,
        /// The whole run.
        total: u32,
    },
}

/// Feed one [`Monitor`] (φ detector, Akka defaults, 1 s interval) with `nodes`
/// nodes beating every second for `seconds` seconds (up to 100 ms of jitter), sweep
/// all verdicts every 100 ms, crash 1 % of the nodes at half time, and time it on
/// the wall clock. The packets are encoded before the clock starts: what is timed
/// is parsing, bookkeeping and the detector.
pub fn measure_monitor(nodes: u32, seconds: u32, seed: u64) -> ScaleFigures {
    measure_monitor_with_progress(nodes, seconds, seed, &mut |_| {})
}

/// [`measure_monitor`], telling `progress` how far it got: every hundredth of the
/// nodes while encoding, then once per simulated second while feeding. The feeding
/// calls sit inside the timed loop (one per simulated second, outside the sweeps'
/// own timing), so keep `progress` cheap.
pub fn measure_monitor_with_progress(
    nodes: u32,
    seconds: u32,
    seed: u64,
    progress: &mut dyn FnMut(ScaleStep),
) -> ScaleFigures {
    let nodes = nodes.max(1);
    let seconds = seconds.max(2);
    let mut rng = seeded(seed);
    let crash_at = Duration::from_secs(u64::from(seconds / 2));
    let crashed = nodes.div_ceil(100);
    let mut arrivals: Vec<(Duration, u32, Vec<u8>)> = Vec::new();
    let every = nodes.div_ceil(100);
    for node in 1..=nodes {
        if node.is_multiple_of(every) && node < nodes {
            progress(ScaleStep::Encoding {
                done: node,
                total: nodes,
            });
        }
        let phase = Duration::from_micros(rng.random_range(0..1_000_000));
        for k in 0..u64::from(seconds) {
            let at = phase
                + Duration::from_secs(k)
                + Duration::from_micros(rng.random_range(0..100_000));
            if node <= crashed && at >= crash_at {
                continue;
            }
            let packet = Packet {
                kind: PacketKind::Heartbeat,
                server: node,
                incarnation: 1,
                seq: k + 1,
                health: Health::Ok,
            };
            arrivals.push((at, node, packet.encode()));
        }
    }
    arrivals.sort_by_key(|(at, node, _)| (*at, *node));
    progress(ScaleStep::Encoding {
        done: nodes,
        total: nodes,
    });
    let mut monitor = Monitor::new(1..=nodes, &[DetectorSpec::Phi(8.0)], Duration::from_secs(1));
    let mut dead = vec![false; nodes as usize + 1];
    let mut false_alarms = 0;
    let mut note = |events: Vec<MonitorEvent>, dead: &mut Vec<bool>| {
        for e in events {
            if let MonitorEvent::Dead { server, .. } = e {
                if server > crashed {
                    false_alarms += 1;
                }
                if let Some(d) = dead.get_mut(server as usize) {
                    *d = true;
                }
            }
        }
    };
    let tick = Duration::from_millis(100);
    let mut next_sweep = tick;
    let mut sweeps = 0u64;
    let mut sweep_wall = Duration::ZERO;
    let mut heartbeats = 0u64;
    let started = Instant::now();
    for (at, _, bytes) in &arrivals {
        while next_sweep <= *at {
            let t = Instant::now();
            if let Ok(events) = monitor.poll(next_sweep) {
                note(events, &mut dead);
            }
            sweep_wall += t.elapsed();
            sweeps += 1;
            next_sweep += tick;
            if sweeps.is_multiple_of(10) {
                progress(ScaleStep::Feeding {
                    done: (sweeps / 10) as u32,
                    total: seconds,
                });
            }
        }
        if let Ok((_, events)) = monitor.receive(bytes, *at) {
            heartbeats += 1;
            note(events, &mut dead);
        }
    }
    let end = Duration::from_secs(u64::from(seconds));
    while next_sweep <= end {
        let t = Instant::now();
        if let Ok(events) = monitor.poll(next_sweep) {
            note(events, &mut dead);
        }
        sweep_wall += t.elapsed();
        sweeps += 1;
        next_sweep += tick;
    }
    let wall = started.elapsed();
    progress(ScaleStep::Feeding {
        done: seconds,
        total: seconds,
    });
    let detected = (1..=crashed).filter(|&n| dead[n as usize]).count() as u32;
    ScaleFigures {
        nodes,
        seconds,
        heartbeats,
        sweeps,
        wall,
        sweep_wall,
        crashed,
        detected,
        false_alarms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_covers_both_steps_in_order_and_ends_complete() {
        let mut steps = Vec::new();
        let f = measure_monitor_with_progress(300, 4, 1, &mut |s| steps.push(s));
        assert_eq!(f.nodes, 300);
        assert_eq!(
            steps.last(),
            Some(&ScaleStep::Feeding { done: 4, total: 4 })
        );
        let encoding_done = steps
            .iter()
            .position(|s| {
                *s == ScaleStep::Encoding {
                    done: 300,
                    total: 300,
                }
            })
            .expect("encoding completes");
        assert!(
            steps[..encoding_done]
                .iter()
                .all(|s| matches!(s, ScaleStep::Encoding { .. }))
        );
        assert!(
            steps[encoding_done + 1..]
                .iter()
                .all(|s| matches!(s, ScaleStep::Feeding { .. }))
        );
        let fed: Vec<u32> = steps
            .iter()
            .filter_map(|s| match s {
                ScaleStep::Feeding { done, .. } => Some(*done),
                ScaleStep::Encoding { .. } => None,
            })
            .collect();
        assert!(fed.windows(2).all(|w| w[0] <= w[1]), "{fed:?}");
    }
}
