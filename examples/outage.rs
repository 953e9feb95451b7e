//! Day 3 → Day 11: a heartbeat-detected outage becomes an incident with MTTR metrics.
//!
//! The heartbeat cluster (Day 3) runs the seed's scenario in virtual time: three web
//! servers beat every 3 s, and server 2 crashes. The moment the balancer's detector
//! declares it dead is the incident's **alert**; the crash itself is **impact
//! started**. Scripted responder actions (flags, in minutes after the alert) fill in
//! the rest, and the `mttr` crate (Day 11) reports the incident.
//!
//! `cargo run -q --release --example outage [-- --ack-min 5 --fix-min 30]`
//!
//! Work on the fix begins `--work-min` minutes after the alert; left out, it begins
//! [`WORK_AFTER_ACK_MIN`] minutes after the acknowledgement (but no later than the fix),
//! so moving `--ack-min` or `--fix-min` alone never puts the responder out of order.

use kit::{print, println};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use kit::clock::VirtualInstant;
use workbook::heartbeat::{self, EventKind, FailureKind, RequestOutcome, Scenario};
use workbook::mttr::{self, Incident, Offsets, Timeline};

/// A heartbeat-detected outage, reported as an incident.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The balancer's fixed heartbeat timeout, in seconds (Day 3's knob), 1 to 3600.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout_s: u64,
    /// Minutes from the alert to the on-call engineer's acknowledgement.
    #[arg(long, default_value_t = 2, value_parser = minutes_flag())]
    ack_min: u64,
    /// Minutes from the alert until work on a fix begins [default: 4 minutes after the
    /// acknowledgement, no later than the fix].
    #[arg(long, value_parser = minutes_flag())]
    work_min: Option<u64>,
    /// Minutes from the alert until the fix (a restart) is applied.
    #[arg(long, default_value_t = 9, value_parser = minutes_flag())]
    fix_min: u64,
    /// Minutes from the fix until service is confirmed restored.
    #[arg(long, default_value_t = 1, value_parser = minutes_flag())]
    verify_min: u64,
    /// Minutes from restoration until the incident is closed.
    #[arg(long, default_value_t = 15, value_parser = minutes_flag())]
    close_min: u64,
}

/// The range of every minutes flag: up to a week (10080 minutes).
fn minutes_flag() -> clap::builder::RangedU64ValueParser<u64> {
    clap::builder::RangedU64ValueParser::new().range(0..=10_080)
}

/// Where the incident's clock starts: the scenario's t = 0.
const BASE: &str = "2026-03-02T09:00:00Z";

/// Minutes from the acknowledgement to the start of work, when `--work-min` is not given.
const WORK_AFTER_ACK_MIN: u64 = 4;

/// The responder's script in minutes after the alert: `(ack, work, fix)`, in order, or
/// why not. Without `work`, work begins [`WORK_AFTER_ACK_MIN`] after the acknowledgement,
/// clamped to the fix.
fn script(ack: u64, work: Option<u64>, fix: u64) -> Result<(u64, u64, u64), String> {
    if ack > fix {
        return Err(format!(
            "--ack-min {ack} is after --fix-min {fix}: the responder acknowledges before fixing"
        ));
    }
    let work = work.unwrap_or_else(|| (ack + WORK_AFTER_ACK_MIN).min(fix));
    if !(ack <= work && work <= fix) {
        return Err(format!(
            "--work-min {work} must lie between --ack-min {ack} and --fix-min {fix}"
        ));
    }
    Ok((ack, work, fix))
}

fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (ack_min, work_min, fix_min) = match script(args.ack_min, args.work_min, args.fix_min) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("outage: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = Scenario {
        timeout: Duration::from_secs(args.timeout_s),
        ..Scenario::default()
    };
    if let Err(e) = scenario.validate() {
        eprintln!("outage: {e}");
        return ExitCode::from(2);
    }
    let report = match heartbeat::run_virtual(&scenario) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("outage: the heartbeat scenario failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some((server, crashed_at)) = report.events.iter().find_map(|e| match e.kind {
        EventKind::FailureInjected {
            server,
            kind: FailureKind::Crash,
        } => Some((server, e.at)),
        _ => None,
    }) else {
        eprintln!("outage: the scenario injected no crash");
        return ExitCode::FAILURE;
    };
    let Some(alert) = report.first_declared_dead(server) else {
        eprintln!("outage: server {server} crashed but was never declared dead");
        return ExitCode::FAILURE;
    };
    let (mut routed, mut failed) = (0, 0);
    for e in &report.events {
        if let EventKind::Request {
            server: Some(s),
            outcome,
        } = &e.kind
            && *s == server
            && e.at >= crashed_at
            && e.at <= alert
        {
            routed += 1;
            failed += u32::from(!matches!(outcome, RequestOutcome::Ok));
        }
    }

    println!("Day 3 → Day 11: the heartbeat cluster, in virtual time");
    println!(
        "  {}  server {server} crashes: impact started",
        VirtualInstant::from(crashed_at)
    );
    println!(
        "  {}  {} declares it dead: the alert",
        VirtualInstant::from(alert),
        report.routing_detector()
    );
    println!("  requests routed to server {server} before anyone knew: {routed}, failed: {failed}");
    println!(
        "responder (scripted): ack {}m, work {}m, fix {}m after the alert;",
        ack_min, work_min, fix_min
    );
    println!(
        "  restored {}m after the fix, closed {}m after that\n",
        args.verify_min, args.close_min
    );

    let fixed = alert + minutes(fix_min);
    let restored = fixed + minutes(args.verify_min);
    let offsets = Offsets {
        impact_started: crashed_at,
        detected: alert,
        acknowledged: Some(alert + minutes(ack_min)),
        work_began: Some(alert + minutes(work_min)),
        fix_applied: Some(fixed),
        restored,
        closed: Some(restored + minutes(args.close_min)),
    };
    let timeline = match Timeline::from_offsets(BASE, &offsets) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("outage: {e}");
            return ExitCode::from(2);
        }
    };
    let incident = Incident {
        id: "HB-0002".into(),
        title: format!("web server {server} down (heartbeat-detected)"),
        timeline,
    };
    print!("{}", mttr::render_incident(&incident));
    ExitCode::SUCCESS
}
