//! Why a real 10 % improvement is invisible in MTTR (after Davidovič, *Incident Metrics
//! in SRE*, Google, 2021).
//!
//! Incident durations are roughly lognormal: most are short, a few are very long, and
//! the long ones dominate the mean. Draw two "quarters" of N incidents from the same
//! distribution, one of them 10 % shorter across the board, and compare a statistic of
//! each. Repeat many times: how often does the better quarter *look* worse, and how
//! often does a quarter with no change at all look at least 10 % better?

use kit::rng::{Rng, seeded};

use crate::stats::nearest_rank;

/// A lognormal distribution: `ln X` is normal with mean `ln(median)` and sd `sigma`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lognormal {
    /// The median (any unit; the experiment only looks at ratios).
    pub median: f64,
    /// The standard deviation of `ln X`: the spread. 1.5 means the middle two thirds
    /// of incidents span a factor of e³ ≈ 20.
    pub sigma: f64,
}

impl Lognormal {
    /// One draw (Box–Muller on two uniform draws; deterministic for a seeded `rng`).
    pub fn sample(&self, rng: &mut impl Rng) -> f64 {
        let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln is finite
        let u2: f64 = rng.random::<f64>();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        self.median * (self.sigma * z).exp()
    }
}

/// The statistics compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Arithmetic mean (MTTR).
    Mean,
    /// Median.
    Median,
    /// 95th percentile (nearest rank).
    P95,
    /// Geometric mean.
    GeometricMean,
}

impl Statistic {
    /// All four, in table order.
    pub const ALL: [Statistic; 4] = [
        Statistic::Mean,
        Statistic::Median,
        Statistic::P95,
        Statistic::GeometricMean,
    ];

    /// Name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::Median => "median",
            Statistic::P95 => "p95",
            Statistic::GeometricMean => "geo mean",
        }
    }

    /// The statistic of `xs` (sorted in place).
    pub fn of(self, xs: &mut [f64]) -> f64 {
        if xs.is_empty() {
            return f64::NAN;
        }
        let n = xs.len();
        match self {
            Statistic::Mean => xs.iter().sum::<f64>() / n as f64,
            Statistic::GeometricMean => (xs.iter().map(|x| x.ln()).sum::<f64>() / n as f64).exp(),
            Statistic::Median | Statistic::P95 => {
                xs.sort_unstable_by(f64::total_cmp);
                if self == Statistic::P95 {
                    xs[nearest_rank(n, 0.95)]
                } else if n % 2 == 1 {
                    xs[n / 2]
                } else {
                    (xs[n / 2 - 1] + xs[n / 2]) / 2.0
                }
            }
        }
    }
}

/// The experiment's knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// Seed for the generator.
    pub seed: u64,
    /// Simulated pairs of quarters per (N, statistic).
    pub trials: usize,
    /// Incidents per quarter.
    pub sizes: Vec<usize>,
    /// The real improvement: every duration in the "after" quarter is multiplied by
    /// `1 − improvement`.
    pub improvement: f64,
    /// The duration distribution.
    pub dist: Lognormal,
}

impl Default for Experiment {
    fn default() -> Self {
        Experiment {
            seed: 2021,
            trials: 2000,
            sizes: vec![50, 100, 200, 300],
            improvement: 0.10,
            dist: Lognormal {
                median: 60.0,
                sigma: 1.5,
            },
        }
    }
}

/// What one (N, statistic) cell of the experiment found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Incidents per quarter.
    pub n: usize,
    /// The statistic compared.
    pub statistic: Statistic,
    /// Share of trials where the truly better quarter looked no better (after ≥ before).
    pub improvement_missed: f64,
    /// Share of trials with *no* change where "after" looked at least as much better as
    /// the real improvement (after ≤ (1 − improvement) · before).
    pub phantom_improvement: f64,
    /// 5th percentile of after ÷ before under the real improvement.
    pub ratio_p5: f64,
    /// 95th percentile of after ÷ before under the real improvement.
    pub ratio_p95: f64,
}

/// Run the experiment. Every (N, statistic) cell sees the same simulated quarters.
pub fn run(exp: &Experiment) -> Vec<Outcome> {
    let mut rng = seeded(exp.seed);
    let keep = 1.0 - exp.improvement;
    let mut out = Vec::new();
    for &n in &exp.sizes {
        let k = Statistic::ALL.len();
        let mut missed = vec![0usize; k];
        let mut phantom = vec![0usize; k];
        let mut ratios: Vec<Vec<f64>> = vec![Vec::with_capacity(exp.trials); k];
        let (mut before, mut after, mut same) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for _ in 0..exp.trials {
            for x in before.iter_mut() {
                *x = exp.dist.sample(&mut rng);
            }
            for x in after.iter_mut() {
                *x = keep * exp.dist.sample(&mut rng);
            }
            for x in same.iter_mut() {
                *x = exp.dist.sample(&mut rng);
            }
            for (s, stat) in Statistic::ALL.into_iter().enumerate() {
                let b = stat.of(&mut before);
                let a = stat.of(&mut after);
                let z = stat.of(&mut same);
                if a >= b {
                    missed[s] += 1;
                }
                if z <= keep * b {
                    phantom[s] += 1;
                }
                ratios[s].push(a / b);
            }
        }
        for (s, stat) in Statistic::ALL.into_iter().enumerate() {
            let r = &mut ratios[s];
            r.sort_unstable_by(f64::total_cmp);
            let t = exp.trials.max(1) as f64;
            out.push(Outcome {
                n,
                statistic: stat,
                improvement_missed: missed[s] as f64 / t,
                phantom_improvement: phantom[s] as f64 / t,
                ratio_p5: r
                    .get(nearest_rank(r.len(), 0.05))
                    .copied()
                    .unwrap_or(f64::NAN),
                ratio_p95: r
                    .get(nearest_rank(r.len(), 0.95))
                    .copied()
                    .unwrap_or(f64::NAN),
            });
        }
    }
    out
}

/// The outcomes as a text table, with the experiment's settings above it.
pub fn render(exp: &Experiment, outcomes: &[Outcome]) -> String {
    let pct = |x: f64| format!("{:.0} %", 100.0 * x);
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            vec![
                o.n.to_string(),
                o.statistic.name().into(),
                pct(o.improvement_missed),
                pct(o.phantom_improvement),
                format!("{:.2} … {:.2}", o.ratio_p5, o.ratio_p95),
            ]
        })
        .collect();
    let mut out = format!(
        "lognormal durations, sigma {}; real improvement {:.0} %\n\
         {} simulated pairs of quarters per row; seed {}\n\n",
        exp.dist.sigma,
        100.0 * exp.improvement,
        exp.trials,
        exp.seed
    );
    out += &kit::table::render(
        &[
            "N",
            "statistic",
            "real gain missed",
            "phantom gain",
            "after/before 90 %",
        ],
        &rows,
    );
    out.push('\n');
    out
}
