//! The scenario knobs as command-line flags, shared by the chapter's programs.

use std::time::Duration;

use clap::Args;

use crate::error::ScenarioError;
use crate::scenario::{Failure, Scenario, Window, parse_duration};

/// Flags that build a [`Scenario`]; unset flags keep the base scenario's value.
#[derive(Debug, Clone, Default, Args)]
pub struct ScenarioArgs {
    /// Start from the noisy scenario (jitter, loss, a pause, a late crash).
    #[arg(long)]
    pub noisy: bool,
    /// Start from the tour: bad packets at 5 s, server 1 sick 12–18 s, server 2
    /// leaving gracefully at 20 s and back at 30 s, server 3 paused 30–38 s.
    #[arg(long, conflicts_with = "noisy")]
    pub tour: bool,
    /// Number of web servers.
    #[arg(long)]
    pub servers: Option<u32>,
    /// Heartbeat interval (`3`, `2.5s`, `500ms`).
    #[arg(long)]
    pub interval: Option<String>,
    /// The fixed timeout after which a silent server is dead.
    #[arg(long)]
    pub timeout: Option<String>,
    /// How long the scenario runs.
    #[arg(long)]
    pub duration: Option<String>,
    /// A failure, `SERVER:crash|graceful@AT[+BACK]` (repeatable; `none` for none).
    #[arg(long)]
    pub fail: Vec<String>,
    /// A GC-like pause, `SERVER@AT+LENGTH` (repeatable).
    #[arg(long)]
    pub pause: Vec<String>,
    /// A failing health check (memory over limit), `SERVER@AT+LENGTH` (repeatable).
    #[arg(long)]
    pub sick: Vec<String>,
    /// Maximum random delay of each heartbeat.
    #[arg(long)]
    pub jitter: Option<String>,
    /// Probability that a heartbeat is lost (0 to 1).
    #[arg(long)]
    pub loss: Option<f64>,
    /// Seed of jitter and loss.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Detector the balancer routes by: `fixed`, `haproxy`, `phi`, `phi12`.
    #[arg(long)]
    pub route_by: Option<String>,
    /// Send a burst of bad packets to the balancer at this time.
    #[arg(long)]
    pub rogue_at: Option<String>,
}

impl ScenarioArgs {
    /// The scenario these flags describe, validated.
    pub fn to_scenario(&self) -> Result<Scenario, ScenarioError> {
        let mut s = if self.noisy {
            Scenario::noisy()
        } else if self.tour {
            Scenario::tour()
        } else {
            Scenario::default()
        };
        if let Some(n) = self.servers {
            s.servers = n;
        }
        let set = |knob, v: &Option<String>, field: &mut Duration| -> Result<(), ScenarioError> {
            if let Some(text) = v {
                *field = parse_duration(knob, text)?;
            }
            Ok(())
        };
        set("interval", &self.interval, &mut s.interval)?;
        set("timeout", &self.timeout, &mut s.timeout)?;
        set("duration", &self.duration, &mut s.duration)?;
        set("jitter", &self.jitter, &mut s.jitter)?;
        if !self.fail.is_empty() {
            s.failures = self
                .fail
                .iter()
                .filter(|f| f.as_str() != "none")
                .map(|f| f.parse::<Failure>())
                .collect::<Result<_, _>>()?;
        }
        if !self.pause.is_empty() {
            s.pauses = self
                .pause
                .iter()
                .map(|w| Window::parse("pause", w))
                .collect::<Result<_, _>>()?;
        }
        if !self.sick.is_empty() {
            s.sick = self
                .sick
                .iter()
                .map(|w| Window::parse("sick", w))
                .collect::<Result<_, _>>()?;
        }
        if let Some(loss) = self.loss {
            s.loss = loss;
        }
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        if let Some(at) = &self.rogue_at {
            s.rogue_at = Some(parse_duration("rogue-at", at)?);
        }
        if let Some(key) = &self.route_by {
            let key: String = key.split_whitespace().collect();
            s.route_by = s
                .detector_specs()
                .iter()
                .position(|d| d.to_string().replace(' ', "").starts_with(&key) && !key.is_empty())
                .ok_or_else(|| ScenarioError::Invalid {
                    knob: "route-by",
                    reason: format!("no detector named `{key}` (try fixed, haproxy, phi, phi12)"),
                })?;
        }
        s.validate()?;
        Ok(s)
    }
}
