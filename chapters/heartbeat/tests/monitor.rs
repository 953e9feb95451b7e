//! Bad input at the monitor: a table of packets that must be counted and ignored,
//! never a panic and never a changed verdict; restarts, goodbyes and a clock going
//! backwards; arbitrary bytes (property test).

use std::time::Duration;

use heartbeat::{BadInput, DetectorSpec, Monitor, MonitorEvent, Packet};
use proptest::prelude::*;

fn s(x: f64) -> Duration {
    Duration::from_secs_f64(x)
}

fn monitor() -> Monitor {
    Monitor::new(
        1..=3,
        &[DetectorSpec::Fixed(s(10.0)), DetectorSpec::Phi(8.0)],
        s(3.0),
    )
}

#[derive(Debug, PartialEq)]
enum Kind {
    Malformed,
    Unknown,
    Stale,
}

#[test]
fn bad_packets_are_counted_and_change_no_verdict() {
    let table: &[(&[u8], Kind)] = &[
        (b"", Kind::Malformed),
        (b"hello", Kind::Malformed),
        (b"HB 1 1 2", Kind::Malformed),
        (b"HB 1 1 2 ok extra", Kind::Malformed),
        (b"hb 1 1 2 ok", Kind::Malformed),
        (b"HB -1 1 2 ok", Kind::Malformed),
        (b"HB 1 1 2.5 ok", Kind::Malformed),
        (b"HB 1 1 2 fine", Kind::Malformed),
        (b"HB 1  1 2 ok", Kind::Malformed),
        (b"HB 01 1 2 ok", Kind::Malformed),
        (b"HB 4294967296 1 2 ok", Kind::Malformed),
        (b"HB 1 1 99999999999999999999999 ok", Kind::Malformed),
        (b"HB 1 1 2 ok\n", Kind::Malformed),
        (&[0xff, 0xfe, 0, 1], Kind::Malformed),
        (&[b'x'; 65], Kind::Malformed),
        (b"HB 0 1 2 ok", Kind::Unknown),
        (b"HB 9 1 2 ok", Kind::Unknown),
        (b"BYE 9 1 2 ok", Kind::Unknown),
        (b"HB 1 0 9 ok", Kind::Stale),
        (b"HB 1 1 1 ok", Kind::Stale),
        (b"BYE 1 1 1 ok", Kind::Stale),
    ];
    let mut m = monitor();
    for id in 1..=3 {
        m.receive(format!("HB {id} 1 1 ok").as_bytes(), s(1.0))
            .unwrap();
    }
    for (i, (bytes, want)) in table.iter().enumerate() {
        let now = s(2.0 + i as f64 * 0.1);
        let got = m.receive(bytes, now).expect_err("must be refused");
        let kind = match got {
            BadInput::Malformed { .. } => Kind::Malformed,
            BadInput::UnknownServer { .. } => Kind::Unknown,
            BadInput::Stale { .. } => Kind::Stale,
            BadInput::Clock(_) => panic!("row {i}: clock error for {bytes:?}"),
        };
        assert_eq!(&kind, want, "row {i}: {bytes:?} gave {got}");
        assert!(m.poll(now).unwrap().is_empty(), "row {i} changed a verdict");
        for id in 1..=3 {
            assert!(
                m.routable(id, 0) && m.routable(id, 1),
                "row {i}, server {id}"
            );
        }
    }
    let st = m.stats();
    assert_eq!(
        (st.accepted, st.malformed, st.unknown_server, st.stale),
        (3, 15, 3, 3)
    );
    // The bad packets did not count as heartbeats: silence still kills on time.
    let events = m.poll(s(11.0)).unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, MonitorEvent::Dead { detector: 0, .. }))
            .count(),
        3
    );
}

#[test]
fn a_clock_going_backwards_is_counted_and_ignored() {
    let mut m = monitor();
    m.receive(b"HB 1 1 1 ok", s(5.0)).unwrap();
    let err = m.receive(b"HB 1 1 2 ok", s(4.0)).unwrap_err();
    assert!(matches!(err, BadInput::Clock(_)), "{err}");
    assert!(m.poll(s(3.0)).is_err());
    assert_eq!(m.stats().clock_backwards, 2);
    assert_eq!(m.stats().accepted, 1);
    // Seq 2 was not consumed by the refused packet.
    m.receive(b"HB 1 1 2 ok", s(6.0)).unwrap();
    // The fixed timeout counts from the last accepted beat, 6 s.
    assert!(m.poll(s(15.9)).unwrap().is_empty());
    assert!(!m.poll(s(16.0)).unwrap().is_empty());
}

#[test]
fn goodbye_drops_at_once_and_nobody_declares_it_dead() {
    let mut m = monitor();
    m.receive(b"HB 2 1 1 ok", s(1.0)).unwrap();
    let (_, events) = m.receive(b"BYE 2 1 2 ok", s(2.0)).unwrap();
    assert_eq!(events, vec![MonitorEvent::Left { server: 2 }]);
    assert!(!m.routable(2, 0));
    // A retransmitted goodbye is accepted silently; a late heartbeat is stale.
    assert!(m.receive(b"BYE 2 1 3 ok", s(2.1)).unwrap().1.is_empty());
    assert!(matches!(
        m.receive(b"HB 2 1 4 ok", s(2.2)),
        Err(BadInput::Stale { .. })
    ));
    assert!(m.poll(s(1000.0)).unwrap().is_empty());
    // Back as a new incarnation: tracked afresh.
    let (_, events) = m.receive(b"HB 2 2 1 ok", s(1001.0)).unwrap();
    assert_eq!(
        events,
        vec![MonitorEvent::Rejoined {
            server: 2,
            incarnation: 2
        }]
    );
    assert!(m.routable(2, 0) && m.routable(2, 1));
}

#[test]
fn a_crashed_server_restarting_is_revived_by_its_new_incarnation() {
    let mut m = monitor();
    m.receive(b"HB 3 1 7 ok", s(1.0)).unwrap();
    let dead = m.poll(s(11.0)).unwrap();
    assert!(dead.contains(&MonitorEvent::Dead {
        server: 3,
        detector: 0,
        silence: s(10.0)
    }));
    let (_, events) = m.receive(b"HB 3 2 1 ok", s(20.0)).unwrap();
    assert!(events.contains(&MonitorEvent::Rejoined {
        server: 3,
        incarnation: 2
    }));
    assert!(events.contains(&MonitorEvent::Alive {
        server: 3,
        detector: 0
    }));
    // The old incarnation's packets are now stale.
    assert!(m.receive(b"HB 3 1 8 ok", s(20.5)).is_err());
}

#[test]
fn degraded_health_stops_routing_but_not_liveness() {
    let mut m = monitor();
    m.receive(b"HB 1 1 1 ok", s(1.0)).unwrap();
    let (_, events) = m.receive(b"HB 1 1 2 degraded", s(4.0)).unwrap();
    assert_eq!(events.len(), 1);
    assert!(!m.routable(1, 0));
    assert!(m.is_alive(1, 0));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_valid_packets_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let mut m = monitor();
        let _ = m.receive(&bytes, s(1.0));
        if let Ok(p) = Packet::parse(&bytes) {
            prop_assert_eq!(p.encode(), bytes);
        }
    }

    #[test]
    fn packets_round_trip(server in 0u32.., incarnation in 0u32.., seq in 0u64.., bye: bool, ok: bool) {
        let p = Packet {
            kind: if bye { heartbeat::PacketKind::Goodbye } else { heartbeat::PacketKind::Heartbeat },
            server,
            incarnation,
            seq,
            health: if ok { heartbeat::Health::Ok } else { heartbeat::Health::Degraded },
        };
        prop_assert_eq!(Packet::parse(&p.encode()), Ok(p));
    }
}
