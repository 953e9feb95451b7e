//! The orchestration layer: load the sources, route a question, fan out, and compute
//! the findings (figures with citations, or retrieved passages) an answer is written from.

use std::collections::BTreeMap;
#[cfg(not(target_arch = "wasm32"))]
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::config::{Config, Role, division_name};
use crate::dec::{Date, Dec};
use crate::error::Result;
use crate::fanout::{SourceOutcome, Status, fan_out_virtual, may_read};
use crate::normalise::Normaliser;
use crate::record::{Entity, Money, Record};
use crate::retrieve::{Index, Retriever};
use crate::router::{Measure, Route, route};
use crate::sources::{Backend, Fault, Source};

/// Where the consolidated-reporting database lives.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug)]
pub enum Database {
    /// An SQLite file, created from the SQL script.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string; the script is loaded into schema `erp_rag`.
    Postgres(String),
}

/// The sources a question goes to: (source, required for the answer).
type Targets = Vec<(Arc<Source>, bool)>;

/// Loaded configuration, reference data and sources.
#[derive(Debug)]
pub struct Engine {
    /// The configuration.
    pub config: Config,
    /// Units, FX, parts.
    pub normaliser: Arc<Normaliser>,
    /// The sources, in config order.
    pub sources: Vec<Arc<Source>>,
}

impl Engine {
    /// Load `data_dir`, create the consolidated database from its SQL script in `db`,
    /// and set up the sources.
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn open(
        data_dir: &Path,
        db: Database,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Engine> {
        let config = Config::load(data_dir, env)?;
        let normaliser = Arc::new(Normaliser::load(data_dir, config.reporting_date)?);
        let mut sources = Vec::new();
        for c in &config.sources {
            let path = data_dir.join(&c.path);
            let backend = if c.kind == crate::config::Kind::Sql {
                match &db {
                    Database::Sqlite(file) => {
                        crate::sources::sql::prepare_sqlite(&c.id, &path, file)?;
                        Backend::Sqlite(file.clone())
                    }
                    Database::Postgres(url) => {
                        crate::sources::sql::prepare_postgres(&c.id, &path, url).await?;
                        Backend::Postgres(url.clone())
                    }
                }
            } else {
                Backend::Files(path)
            };
            sources.push(Arc::new(Source {
                config: c.clone(),
                backend,
                fault: None,
            }));
        }
        Ok(Engine {
            config,
            normaliser,
            sources,
        })
    }

    /// The fixtures compiled into the library ([`crate::bundled`]), opened without a
    /// file system or a database: the same configuration, reference data and adapters as
    /// [`Engine::open`] on the default data folder, the SQL source answered from its script.
    /// No credentials come from the environment.
    pub fn bundled() -> Result<Engine> {
        use crate::bundled::file;
        use crate::error::Error;
        let data_dir = crate::config::default_data_dir();
        let text =
            |name: &str| file(name).ok_or_else(|| Error::Usage(format!("{name} is not bundled")));
        let config = Config::parse(
            text("sources.json")?,
            &data_dir,
            &data_dir.join("sources.json"),
            &|_| None,
        )?;
        let fx = crate::normalise::FxTable::parse(
            text("fx-rates.csv")?,
            &data_dir.join("fx-rates.csv"),
        )?;
        let normaliser = Arc::new(Normaliser::parse(
            fx,
            text("parts.csv")?,
            text("material-xref.csv")?,
            &data_dir,
            config.reporting_date,
        )?);
        let sources = config
            .sources
            .iter()
            .map(|c| {
                Arc::new(Source {
                    config: c.clone(),
                    // config paths are checked to be relative, made of plain names
                    backend: Backend::Bundled(
                        c.path
                            .components()
                            .map(|p| p.as_os_str().to_string_lossy())
                            .collect::<Vec<_>>()
                            .join("/"),
                    ),
                    fault: None,
                })
            })
            .collect();
        Ok(Engine {
            config,
            normaliser,
            sources,
        })
    }

    /// Inject a fault into source `id` (an error naming the configured sources if unknown).
    pub fn inject(&mut self, id: &str, fault: Fault) -> Result<()> {
        self.config.source(id)?;
        for s in &mut self.sources {
            if s.config.id == id {
                let mut copy = (**s).clone();
                copy.fault = Some(fault);
                *s = Arc::new(copy);
            }
        }
        Ok(())
    }

    fn source(&self, id: &str) -> Option<&Arc<Source>> {
        self.sources.iter().find(|s| s.config.id == id)
    }

    /// Route `question`; the sources to query (required, then cross-checks), or the
    /// findings of a refusal when `role` may not see what it needs.
    fn plan(
        &self,
        question: &str,
        role: Role,
    ) -> std::result::Result<(Route, Targets), Box<Findings>> {
        let plain: Vec<Source> = self.sources.iter().map(|s| (**s).clone()).collect();
        let route = route(question, &plain, &self.normaliser);
        if let Some(q) = &route.query
            && !may_read(role, q.measure.entity())
        {
            return Err(Box::new(Findings::denied(question, role, route)));
        }
        let mut targets = Vec::new();
        for id in &route.sources {
            if let Some(s) = self.source(id) {
                targets.push((Arc::clone(s), true));
            }
        }
        for id in &route.cross_check {
            if let Some(s) = self.source(id) {
                targets.push((Arc::clone(s), false));
            }
        }
        Ok((route, targets))
    }

    /// Route, fan out and compute: everything before the words.
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn gather(&self, question: &str, role: Role, retriever: Retriever) -> Findings {
        self.gather_observed(question, role, retriever, &mut |_| {})
            .await
    }

    /// [`Engine::gather`], calling `on_done` with each source's outcome the moment that
    /// source finishes, for a live (`--realtime`) display.
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn gather_observed(
        &self,
        question: &str,
        role: Role,
        retriever: Retriever,
        on_done: &mut (dyn FnMut(&SourceOutcome) + Send),
    ) -> Findings {
        let (route, targets) = match self.plan(question, role) {
            Ok(plan) => plan,
            Err(denied) => return *denied,
        };
        let (outcomes, records) = crate::fanout::fan_out_observed(
            &targets,
            &route.entities,
            role,
            &self.normaliser,
            on_done,
        )
        .await;
        compute(
            question,
            role,
            route,
            outcomes,
            records,
            &self.normaliser,
            retriever,
        )
    }

    /// [`Engine::gather`] without a runtime: the same route and computation, with the
    /// fan-out on a virtual clock ([`fan_out_virtual`]), so it runs anywhere (the page's
    /// Try it block, in wasm32). Its findings equal `gather`'s on tokio's paused clock for
    /// sources that need no network.
    pub fn gather_virtual(&self, question: &str, role: Role, retriever: Retriever) -> Findings {
        let (route, targets) = match self.plan(question, role) {
            Ok(plan) => plan,
            Err(denied) => return *denied,
        };
        let (outcomes, records) =
            fan_out_virtual(&targets, &route.entities, role, &self.normaliser);
        compute(
            question,
            role,
            route,
            outcomes,
            records,
            &self.normaliser,
            retriever,
        )
    }
}

/// A source the answer is missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// Division code.
    pub division: String,
    /// Source id.
    pub source: String,
    /// Product name.
    pub system: String,
    /// Why.
    pub reason: String,
}

/// One line of a breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Figure {
    /// What the line is (a division, a part, an order).
    pub label: String,
    /// The system it came from.
    pub system: String,
    /// The value in the answer's unit.
    pub value: Dec,
    /// The native amount before translation, if money.
    pub native: Option<Money>,
    /// The FX rate used (USD per unit) and its date.
    pub rate: Option<(Dec, Date)>,
    /// The oldest as-of date among the records.
    pub as_of: Option<Date>,
    /// `[source:table:key]` of every record behind the value.
    pub citations: Vec<String>,
}

/// A retrieved passage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Passage {
    /// Its citation.
    pub citation: String,
    /// Its text.
    pub text: String,
    /// Its score under the retriever used.
    pub score: f64,
}

/// What the engine found; the answer is written from this and nothing else.
#[derive(Clone, Debug, Serialize)]
pub struct Findings {
    /// The question.
    pub question: String,
    /// Who asked.
    pub role: Role,
    /// The router's decision.
    pub route: Route,
    /// The fan-out, one line per source.
    pub outcomes: Vec<SourceOutcome>,
    /// What is being answered.
    pub headline: String,
    /// The unit of `total` and the rows (`USD`, `C62`, `KGM`, `count`, `part`).
    pub unit: String,
    /// The single figure, when every required source answered.
    pub total: Option<Dec>,
    /// Breakdown (per division, part or record).
    pub rows: Vec<Figure>,
    /// Required sources that did not answer.
    pub missing: Vec<Missing>,
    /// The date of the FX rates used, if money was translated.
    pub fx_date: Option<Date>,
    /// Rates used: currency → USD per unit.
    pub fx_rates: BTreeMap<String, Dec>,
    /// Remarks with their own citations (cross-checks, the naive sum).
    pub notes: Vec<String>,
    /// Passages, for open questions.
    pub passages: Vec<Passage>,
    /// Set when the role may not see what the question needs.
    pub denied: Option<String>,
}

impl Findings {
    fn empty(question: &str, role: Role, route: Route, outcomes: Vec<SourceOutcome>) -> Findings {
        Findings {
            question: question.to_string(),
            role,
            route,
            outcomes,
            headline: String::new(),
            unit: String::new(),
            total: None,
            rows: Vec::new(),
            missing: Vec::new(),
            fx_date: None,
            fx_rates: BTreeMap::new(),
            notes: Vec::new(),
            passages: Vec::new(),
            denied: None,
        }
    }

    fn denied(question: &str, role: Role, route: Route) -> Findings {
        let mut f = Findings::empty(question, role, route, Vec::new());
        f.headline = "access denied".into();
        f.denied = Some(format!(
            "Personnel records are restricted to the hr role; you asked as {}. \
             No source was queried.",
            role.name()
        ));
        f
    }

    /// The answer as the evaluation compares it: a plain number, or part ids.
    pub fn answer_value(&self) -> Option<String> {
        if self.unit == "part" {
            return Some(
                self.rows
                    .iter()
                    .map(|r| r.label.clone())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        let places = match self.unit.as_str() {
            "USD" => 2,
            "count" | "C62" => 0,
            _ => 3,
        };
        self.total.map(|t| t.to_plain(places))
    }
}

fn division_label(code: &str, system: &str) -> String {
    format!("{} ({system})", division_name(code))
}

/// Turn fetched records into findings for the routed question.
pub fn compute(
    question: &str,
    role: Role,
    route: Route,
    outcomes: Vec<SourceOutcome>,
    records: Vec<Record>,
    normaliser: &Normaliser,
    retriever: Retriever,
) -> Findings {
    let mut f = Findings::empty(question, role, route.clone(), outcomes.clone());
    for o in outcomes
        .iter()
        .filter(|o| o.required && o.status != Status::Ok)
    {
        f.missing.push(Missing {
            division: o.division.clone(),
            source: o.id.clone(),
            system: o.system.clone(),
            reason: match &o.status {
                Status::TimedOut => {
                    format!("no answer within its {} ms timeout", o.timeout.as_millis())
                }
                Status::Failed(m) | Status::BadData(m) => m.clone(),
                Status::Ok => String::new(),
            },
        });
    }
    let system_of = |id: &str| {
        outcomes
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.system.clone())
            .unwrap_or_default()
    };
    let Some(query) = route.query.clone() else {
        // Open question: retrieve.
        f.headline = "open question: retrieved passages".into();
        let docs: Vec<(String, String)> = records
            .iter()
            .map(|r| (r.provenance.cite_key(), r.passage()))
            .collect();
        let index = Index::build(&docs);
        f.passages = index
            .rank(question, retriever)
            .into_iter()
            .take(5)
            .map(|(i, score)| Passage {
                citation: format!("[{}]", docs[i].0),
                text: docs[i].1.clone(),
                score,
            })
            .collect();
        return f;
    };
    let in_div = |r: &Record| query.divisions.is_empty() || query.divisions.contains(&r.division);
    let in_part = |r: &Record| query.part.is_none() || r.norm.part == query.part;
    let entity = query.measure.entity();
    let mut rel: Vec<&Record> = records
        .iter()
        .filter(|r| r.entity == entity && in_div(r) && in_part(r))
        .collect();
    f.headline = query.measure.label();
    if let Some(p) = query.part.as_ref().and_then(|p| normaliser.part(p)) {
        f.headline = format!("{} — {}", f.headline, p.name);
    }
    f.headline = if query.divisions.is_empty() {
        format!("{}, all divisions", f.headline)
    } else {
        let names: Vec<&str> = query.divisions.iter().map(|d| division_name(d)).collect();
        format!("{}, {}", f.headline, names.join(" + "))
    };
    let usd = |r: &Record| r.norm.usd.as_ref().map(|c| c.usd).unwrap_or(Dec::ZERO);
    let note_rates = |f: &mut Findings, rs: &[&Record]| {
        for r in rs {
            if let (Some(m), Some(c)) = (&r.amount, &r.norm.usd) {
                f.fx_date = Some(c.rate_date);
                if m.currency != "USD" {
                    f.fx_rates.insert(m.currency.clone(), c.rate);
                }
            }
        }
    };
    // Group records into rows by a key, in first-seen order.
    fn group<'a>(
        rs: &[&'a Record],
        key: impl Fn(&Record) -> String,
    ) -> Vec<(String, Vec<&'a Record>)> {
        let mut out: Vec<(String, Vec<&Record>)> = Vec::new();
        for r in rs {
            let k = key(r);
            match out.iter_mut().find(|(x, _)| *x == k) {
                Some((_, v)) => v.push(r),
                None => out.push((k, vec![*r])),
            }
        }
        out
    }
    let cites = |rs: &[&Record]| {
        rs.iter()
            .map(|r| r.provenance.citation())
            .collect::<Vec<_>>()
    };
    let as_of = |rs: &[&Record]| rs.iter().map(|r| r.provenance.as_of).min();
    let native_sum = |rs: &[&Record]| -> Option<Money> {
        let cur = rs.first()?.amount.as_ref()?.currency.clone();
        rs.iter()
            .all(|r| r.amount.as_ref().is_some_and(|m| m.currency == cur))
            .then(|| Money {
                amount: rs
                    .iter()
                    .filter_map(|r| r.amount.as_ref())
                    .map(|m| m.amount)
                    .sum(),
                currency: cur,
            })
    };
    match &query.measure {
        Measure::InventoryValue | Measure::InventoryQuantity => {
            let money = query.measure == Measure::InventoryValue;
            f.unit = if money { "USD".into() } else { String::new() };
            note_rates(&mut f, &rel);
            for (div, rs) in group(&rel, |r| r.division.clone()) {
                let src = rs[0].provenance.source.clone();
                let (value, native) = if money {
                    (rs.iter().map(|r| usd(r)).sum(), native_sum(&rs))
                } else {
                    let q: Dec = rs
                        .iter()
                        .filter_map(|r| r.norm.quantity.as_ref())
                        .map(|q| q.value)
                        .sum();
                    if let Some(u) = rs.iter().find_map(|r| r.norm.quantity.as_ref()) {
                        f.unit = u.unit.to_string();
                    }
                    (q, None)
                };
                let rate = rs
                    .iter()
                    .find_map(|r| r.norm.usd.as_ref().map(|c| (c.rate, c.rate_date)))
                    .filter(|_| money);
                f.rows.push(Figure {
                    label: division_label(&div, &system_of(&src)),
                    system: system_of(&src),
                    value,
                    native,
                    rate,
                    as_of: as_of(&rs),
                    citations: cites(&rs),
                });
            }
            if money && query.part.is_none() && query.divisions.is_empty() {
                let naive: Dec = rel
                    .iter()
                    .filter_map(|r| r.amount.as_ref())
                    .map(|m| m.amount)
                    .sum();
                f.notes.push(format!(
                    "Adding the native figures as if they were one currency gives {} — \
                     a number in no currency at all.",
                    naive.to_grouped(2)
                ));
                let snaps: Vec<&Record> = records
                    .iter()
                    .filter(|r| r.entity == Entity::InventorySnapshot)
                    .collect();
                if let Some(latest) = snaps.iter().map(|r| r.provenance.as_of).max() {
                    let s: Vec<&Record> = snaps
                        .into_iter()
                        .filter(|r| r.provenance.as_of == latest)
                        .collect();
                    let total: Dec = s.iter().map(|r| usd(r)).sum();
                    let cs = cites(&s).join(" ");
                    f.notes.push(format!(
                        "Cross-check, not added: the consolidated database's month-end \
                         snapshot of {latest} is USD {} {cs}. It is a copy of the \
                         divisions' figures a month earlier, at that month's rates; \
                         adding it would count the inventory twice.",
                        total.to_grouped(2)
                    ));
                }
            }
        }
        Measure::TopParts(n) => {
            f.unit = "part".into();
            note_rates(&mut f, &rel);
            rel.retain(|r| r.norm.part.is_some());
            let mut parts: Vec<(String, Vec<&Record>)> =
                group(&rel, |r| r.norm.part.clone().unwrap_or_default());
            parts.sort_by(|a, b| {
                let va: Dec = a.1.iter().map(|r| usd(r)).sum();
                let vb: Dec = b.1.iter().map(|r| usd(r)).sum();
                vb.cmp(&va).then(a.0.cmp(&b.0))
            });
            for (part, rs) in parts.into_iter().take(*n) {
                f.rows.push(Figure {
                    label: part.clone(),
                    system: normaliser
                        .part(&part)
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    value: rs.iter().map(|r| usd(r)).sum(),
                    native: None,
                    rate: None,
                    as_of: as_of(&rs),
                    citations: cites(&rs),
                });
            }
        }
        Measure::OpenPoValue | Measure::OpenPoCount | Measure::OpenProductionOrders => {
            let open = |r: &Record| {
                let st = r.attrs.get("status").map(String::as_str).unwrap_or("");
                match r.entity {
                    Entity::PurchaseOrder => matches!(
                        st,
                        "Pending Supervisor Approval" | "Pending Receipt" | "Partially Received"
                    ),
                    _ => !(st.starts_with("TABG") || st.starts_with("ABGS")),
                }
            };
            rel.retain(|r| open(r));
            let money = query.measure == Measure::OpenPoValue;
            f.unit = if money { "USD".into() } else { "count".into() };
            note_rates(&mut f, &rel);
            for r in &rel {
                let label = match r.entity {
                    Entity::PurchaseOrder => format!(
                        "{} {} ({})",
                        r.provenance.key,
                        r.attrs.get("supplier").cloned().unwrap_or_default(),
                        r.attrs.get("status").cloned().unwrap_or_default()
                    ),
                    _ => format!(
                        "{} {}",
                        r.provenance.key,
                        r.attrs.get("status").cloned().unwrap_or_default()
                    ),
                };
                f.rows.push(Figure {
                    label,
                    system: system_of(&r.provenance.source),
                    value: if money { usd(r) } else { Dec::ONE },
                    native: if money { r.amount.clone() } else { None },
                    rate: r
                        .norm
                        .usd
                        .as_ref()
                        .map(|c| (c.rate, c.rate_date))
                        .filter(|_| money),
                    as_of: Some(r.provenance.as_of),
                    citations: vec![r.provenance.citation()],
                });
            }
        }
        Measure::Revenue(q) => {
            f.unit = "USD".into();
            let quarter = q.clone().or_else(|| {
                rel.iter()
                    .filter_map(|r| r.attrs.get("quarter"))
                    .max()
                    .cloned()
            });
            rel.retain(|r| r.attrs.get("quarter") == quarter.as_ref());
            if let Some(q) = &quarter {
                f.headline = f.headline.replace("latest quarter", q);
            }
            per_division(&mut f, &rel, &system_of, |r| usd(r));
        }
        Measure::Headcount | Measure::SnapshotValue => {
            let latest = rel.iter().map(|r| r.provenance.as_of).max();
            rel.retain(|r| Some(r.provenance.as_of) == latest);
            if query.measure == Measure::Headcount {
                f.unit = "count".into();
                per_division(&mut f, &rel, &system_of, |r| {
                    Dec::from_int(r.count.unwrap_or(0))
                });
            } else {
                f.unit = "USD".into();
                per_division(&mut f, &rel, &system_of, |r| usd(r));
            }
            if let Some(d) = latest {
                f.headline = format!("{} at {d}", f.headline);
            }
        }
        Measure::AverageSalary | Measure::EmployeeCount => {
            let avg = query.measure == Measure::AverageSalary;
            f.unit = if avg { "USD".into() } else { "count".into() };
            note_rates(&mut f, &rel);
            if let Some(first) = rel.first() {
                let n = rel.len() as i64;
                let value = if avg {
                    rel.iter()
                        .map(|r| usd(r))
                        .sum::<Dec>()
                        .checked_div(Dec::from_int(n))
                        .unwrap_or(Dec::ZERO)
                        .round(2)
                } else {
                    Dec::from_int(n)
                };
                f.rows.push(Figure {
                    label: format!("{} ({n} personnel records)", division_name(&first.division)),
                    system: system_of(&first.provenance.source),
                    value,
                    native: None,
                    rate: rel
                        .iter()
                        .find_map(|r| r.norm.usd.as_ref().map(|c| (c.rate, c.rate_date)))
                        .filter(|_| avg),
                    // Personnel records carry hire dates, not a date the figure is valid for.
                    as_of: None,
                    citations: cites(&rel),
                });
            }
        }
    }
    if f.missing.is_empty() {
        f.total = match &query.measure {
            Measure::TopParts(_) => None,
            Measure::AverageSalary => f.rows.first().map(|r| r.value),
            _ => Some(f.rows.iter().map(|r| r.value).sum()),
        };
    }
    f
}

fn per_division(
    f: &mut Findings,
    rel: &[&Record],
    system_of: &dyn Fn(&str) -> String,
    value: impl Fn(&Record) -> Dec,
) {
    for r in rel {
        let sys = system_of(&r.provenance.source);
        f.rows.push(Figure {
            label: division_name(&r.division).to_string(),
            system: sys,
            value: value(r),
            native: None,
            rate: None,
            as_of: Some(r.provenance.as_of),
            citations: vec![r.provenance.citation()],
        });
    }
}

/// The bundled fixtures opened the way the example programs use them: the default data
/// folder, no credentials from the environment, and the consolidated database in a
/// scratch SQLite file that is removed when this is dropped.
#[cfg(not(target_arch = "wasm32"))]
pub struct FixtureEngine {
    /// The engine over the fixtures.
    pub engine: Engine,
    db: PathBuf,
}

#[cfg(not(target_arch = "wasm32"))]
impl FixtureEngine {
    /// Open the fixtures on `rt`; `name` makes the scratch file's name unique per program.
    pub fn open(rt: &tokio::runtime::Runtime, name: &str) -> Result<Self> {
        let db = crate::scratch_sqlite(name)?;
        let opened = rt.block_on(Engine::open(
            &crate::config::default_data_dir(),
            Database::Sqlite(db.clone()),
            &|_| None,
        ));
        match opened {
            Ok(engine) => Ok(Self { engine, db }),
            Err(e) => {
                let _ = std::fs::remove_file(&db);
                Err(e)
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::ops::Deref for FixtureEngine {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Drop for FixtureEngine {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
    }
}
