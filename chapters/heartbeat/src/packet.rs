//! The heartbeat wire format: one short line of ASCII in one UDP datagram.
//!
//! ```text
//! HB 2 1 17 ok        heartbeat from server 2, incarnation 1, sequence 17, healthy
//! BYE 2 1 18 ok       graceful shutdown notice: drop me now
//! ```
//!
//! The incarnation grows each time a server process starts, so the monitor can tell a
//! restarted server from a delayed packet of its previous life; the sequence number
//! grows with every packet of one incarnation, so duplicates and reordered packets
//! are recognised. The health field is the server's own `/health` verdict.

use std::fmt;

use crate::error::BadInput;

/// The largest datagram the monitor reads as a packet.
pub const MAX_PACKET: usize = 64;

/// What a packet announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketKind {
    /// "I'm alive" (`HB`).
    Heartbeat,
    /// "I'm shutting down, stop routing to me" (`BYE`).
    Goodbye,
}

/// The sender's own health verdict, the same one its `/health` endpoint serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Every check passed (`/health` answers 200).
    Ok,
    /// A check failed (`/health` answers 503): alive, but do not route to it.
    Degraded,
}

/// One decoded packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    /// Heartbeat or goodbye.
    pub kind: PacketKind,
    /// The sender's id (1-based).
    pub server: u32,
    /// Which life of the sender (starts at 1, grows on each restart).
    pub incarnation: u32,
    /// Packet number within the incarnation.
    pub seq: u64,
    /// The sender's health verdict.
    pub health: Health,
}

impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PacketKind::Heartbeat => "HB",
            PacketKind::Goodbye => "BYE",
        };
        let health = match self.health {
            Health::Ok => "ok",
            Health::Degraded => "degraded",
        };
        write!(
            f,
            "{kind} {} {} {} {health}",
            self.server, self.incarnation, self.seq
        )
    }
}

impl Packet {
    /// The bytes to send.
    pub fn encode(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }

    /// Decode a datagram; anything but exactly the format above is [`BadInput::Malformed`].
    pub fn parse(bytes: &[u8]) -> Result<Packet, BadInput> {
        let bad = |reason| BadInput::Malformed {
            reason,
            preview: preview(bytes),
        };
        if bytes.is_empty() {
            return Err(bad("empty"));
        }
        if bytes.len() > MAX_PACKET {
            return Err(bad("too long"));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
        if !text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(bad("control characters"));
        }
        let fields: Vec<&str> = text.split(' ').collect();
        let [kind, server, incarnation, seq, health] = fields[..] else {
            return Err(bad("not 5 fields"));
        };
        let kind = match kind {
            "HB" => PacketKind::Heartbeat,
            "BYE" => PacketKind::Goodbye,
            _ => return Err(bad("unknown kind")),
        };
        let number = |s: &str| -> Option<u64> {
            // Canonical decimal only: no sign, no leading zero, at most 20 digits.
            let canonical = s == "0" || !s.starts_with('0');
            (!s.is_empty() && canonical && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let server = number(server)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad("bad server id"))?;
        let incarnation = number(incarnation)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| bad("bad incarnation"))?;
        let seq = number(seq).ok_or_else(|| bad("bad sequence number"))?;
        let health = match health {
            "ok" => Health::Ok,
            "degraded" => Health::Degraded,
            _ => return Err(bad("bad health")),
        };
        Ok(Packet {
            kind,
            server,
            incarnation,
            seq,
            health,
        })
    }
}

/// The first bytes of a datagram, escaped, for logs.
fn preview(bytes: &[u8]) -> String {
    let mut s: String = bytes
        .iter()
        .take(12)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if bytes.len() > 12 {
        s.push('…');
    }
    format!("`{s}`")
}
