//! The router: which question is this, and which systems can answer it?
//!
//! Structured questions (totals, counts, averages, top-N) are recognised by their
//! entity and operation words and run per source; everything else is an open question
//! answered by retrieval over every source the user may read.

use serde::Serialize;

use crate::normalise::Normaliser;
use crate::record::Entity;
use crate::sources::Source;

/// What a structured question measures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Σ stock value in USD.
    InventoryValue,
    /// Σ stock quantity of one part, in its UN/CEFACT unit.
    InventoryQuantity,
    /// The N parts with the largest stock value.
    TopParts(usize),
    /// Σ value of open purchase orders.
    OpenPoValue,
    /// Number of open purchase orders.
    OpenPoCount,
    /// Number of production orders not yet technically completed.
    OpenProductionOrders,
    /// Revenue of a quarter (`2024-Q3`), or the latest quarter.
    Revenue(Option<String>),
    /// Headcount at the latest period end.
    Headcount,
    /// The consolidated month-end inventory value.
    SnapshotValue,
    /// Average annual salary in USD (personnel records).
    AverageSalary,
    /// Number of personnel records.
    EmployeeCount,
}

impl Measure {
    /// The entity it is computed from.
    pub fn entity(&self) -> Entity {
        match self {
            Measure::InventoryValue | Measure::InventoryQuantity | Measure::TopParts(_) => {
                Entity::Stock
            }
            Measure::OpenPoValue | Measure::OpenPoCount => Entity::PurchaseOrder,
            Measure::OpenProductionOrders => Entity::ProductionOrder,
            Measure::Revenue(_) => Entity::Revenue,
            Measure::Headcount => Entity::Headcount,
            Measure::SnapshotValue => Entity::InventorySnapshot,
            Measure::AverageSalary | Measure::EmployeeCount => Entity::Employee,
        }
    }

    /// A short description.
    pub fn label(&self) -> String {
        match self {
            Measure::InventoryValue => "inventory value".into(),
            Measure::InventoryQuantity => "quantity in stock".into(),
            Measure::TopParts(n) => format!("top {n} parts by inventory value"),
            Measure::OpenPoValue => "value of open purchase orders".into(),
            Measure::OpenPoCount => "number of open purchase orders".into(),
            Measure::OpenProductionOrders => "number of open production orders".into(),
            Measure::Revenue(Some(q)) => format!("revenue {q}"),
            Measure::Revenue(None) => "revenue, latest quarter".into(),
            Measure::Headcount => "headcount".into(),
            Measure::SnapshotValue => "consolidated month-end inventory value".into(),
            Measure::AverageSalary => "average annual salary".into(),
            Measure::EmployeeCount => "number of personnel records".into(),
        }
    }
}

/// A structured query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Query {
    /// What to compute.
    pub measure: Measure,
    /// Division codes asked about; empty means all.
    pub divisions: Vec<String>,
    /// Group part asked about, if any.
    pub part: Option<String>,
}

/// The router's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    /// `None` for an open question.
    pub query: Option<Query>,
    /// Entities to fetch.
    pub entities: Vec<Entity>,
    /// Sources whose answers the result depends on.
    pub sources: Vec<String>,
    /// Sources fetched only to cross-check (their failure doesn't block the answer).
    pub cross_check: Vec<String>,
}

fn words(q: &str) -> Vec<String> {
    q.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Division codes named in the question.
pub fn divisions(question: &str) -> Vec<String> {
    let w = words(question);
    let has = |x: &str| w.iter().any(|t| t == x);
    let mut out = Vec::new();
    let table: [(&str, &[&str]); 4] = [
        ("US", &["us", "usa", "american", "america"]),
        ("DE", &["germany", "german"]),
        ("CN", &["china", "chinese"]),
        ("MX", &["mexico", "mexican"]),
    ];
    for (code, names) in table {
        if names.iter().any(|n| has(n)) {
            out.push(code.to_string());
        }
    }
    out
}

/// Decide what the question asks and which sources can answer it.
pub fn route(question: &str, sources: &[Source], normaliser: &Normaliser) -> Route {
    let q = question.to_lowercase();
    let w = words(question);
    let has = |x: &str| w.iter().any(|t| t == x);
    let starts = |x: &str| w.iter().any(|t| t.starts_with(x));
    let how_many = q.contains("how many");
    let value_word = has("value") || has("worth") || has("total");
    let part = normaliser
        .parts
        .iter()
        .find(|p| p.keywords.iter().any(|k| q.contains(k.as_str())))
        .map(|p| p.id.clone());
    let quarter = w.windows(2).find_map(|p| {
        let n = p[0].strip_prefix('q')?;
        (n.len() == 1 && p[1].len() == 4 && p[1].bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("{}-Q{n}", p[1]))
    });
    let top = w.windows(2).find_map(|p| {
        (p[0] == "top")
            .then(|| p[1].parse::<usize>().ok())
            .flatten()
    });

    let measure = if has("revenue") || has("sales") {
        Some(Measure::Revenue(quarter))
    } else if starts("salar") {
        Some(Measure::AverageSalary)
    } else if how_many && (starts("employee") || has("staff") || has("people")) {
        Some(if has("records") || has("hr") {
            Measure::EmployeeCount
        } else {
            Measure::Headcount
        })
    } else if q.contains("purchase order") && how_many {
        Some(Measure::OpenPoCount)
    } else if q.contains("purchase order") && value_word {
        Some(Measure::OpenPoValue)
    } else if q.contains("production order") && how_many {
        Some(Measure::OpenProductionOrders)
    } else if (has("consolidated") || q.contains("end of") || q.contains("month-end")) && value_word
    {
        Some(Measure::SnapshotValue)
    } else if top.is_some() && (value_word || has("inventory")) {
        top.map(Measure::TopParts)
    } else if has("inventory") || has("stock") || has("hold") {
        if how_many || has("kilograms") || has("quantity") {
            part.as_ref().map(|_| Measure::InventoryQuantity)
        } else if value_word {
            Some(Measure::InventoryValue)
        } else {
            None
        }
    } else {
        None
    };

    let Some(measure) = measure else {
        let all: Vec<String> = sources.iter().map(|s| s.config.id.clone()).collect();
        return Route {
            query: None,
            entities: Entity::ALL.to_vec(),
            sources: all,
            cross_check: Vec::new(),
        };
    };
    let divs = divisions(question);
    let entity = measure.entity();
    let serving = |e: Entity| -> Vec<String> {
        sources
            .iter()
            .filter(|s| s.entities().contains(&e))
            .filter(|s| {
                // Division systems are filtered by division; the corporate database
                // holds every division's rows.
                s.config.division == "CORP" || divs.is_empty() || divs.contains(&s.config.division)
            })
            .map(|s| s.config.id.clone())
            .collect()
    };
    let used = serving(entity);
    let mut entities = vec![entity];
    let mut cross_check = Vec::new();
    if measure == Measure::InventoryValue && divs.is_empty() && part.is_none() {
        cross_check = serving(Entity::InventorySnapshot);
        entities.push(Entity::InventorySnapshot);
    }
    Route {
        query: Some(Query {
            measure,
            divisions: divs,
            part,
        }),
        entities,
        sources: used,
        cross_check,
    }
}
