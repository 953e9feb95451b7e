//! The one shape every adapter maps its native records to, with provenance.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::dec::{Date, Dec};

/// What a record is about. Routing and access control work on entities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// Stock on hand with its value.
    Stock,
    /// A purchase order.
    PurchaseOrder,
    /// A production order.
    ProductionOrder,
    /// A quality notification.
    QualityNotification,
    /// A personnel record (HR only).
    Employee,
    /// The month-end consolidated inventory figure of a division.
    InventorySnapshot,
    /// Quarterly revenue of a division.
    Revenue,
    /// Headcount of a division.
    Headcount,
    /// A policy or explanatory note of group reporting.
    ReportingNote,
}

impl Entity {
    /// Every entity.
    pub const ALL: [Entity; 9] = [
        Entity::Stock,
        Entity::PurchaseOrder,
        Entity::ProductionOrder,
        Entity::QualityNotification,
        Entity::Employee,
        Entity::InventorySnapshot,
        Entity::Revenue,
        Entity::Headcount,
        Entity::ReportingNote,
    ];

    /// A short human name.
    pub fn label(self) -> &'static str {
        match self {
            Entity::Stock => "stock",
            Entity::PurchaseOrder => "purchase orders",
            Entity::ProductionOrder => "production orders",
            Entity::QualityNotification => "quality notifications",
            Entity::Employee => "employees",
            Entity::InventorySnapshot => "inventory snapshot",
            Entity::Revenue => "revenue",
            Entity::Headcount => "headcount",
            Entity::ReportingNote => "reporting notes",
        }
    }
}

/// Money in a currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Money {
    /// The amount.
    pub amount: Dec,
    /// ISO 4217 code.
    pub currency: String,
}

/// Where a fact came from: enough to cite it and to look it up again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// Source id from the config (`r3-de`).
    pub source: String,
    /// The native table, entity set or record type (`MB52`, `purchaseOrder`).
    pub table: String,
    /// The native key (`4711/DE01`, `PO-CN-1001`).
    pub key: String,
    /// The date the figure is valid for.
    pub as_of: Date,
}

impl Provenance {
    /// `source:table:key`, the id retrieval and evaluation use.
    pub fn cite_key(&self) -> String {
        format!("{}:{}:{}", self.source, self.table, self.key)
    }

    /// `[source:table:key]`, as answers cite it.
    pub fn citation(&self) -> String {
        format!("[{}]", self.cite_key())
    }
}

/// A quantity in a UN/CEFACT Recommendation 20 unit (`C62` one/piece, `KGM` kilogram).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quantity {
    /// The value.
    pub value: Dec,
    /// The UN/CEFACT code.
    pub unit: &'static str,
}

/// A translation into the reporting currency, with the rate that was used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Converted {
    /// Amount in USD, rounded to cents.
    pub usd: Dec,
    /// USD per unit of the native currency.
    pub rate: Dec,
    /// The date of that rate.
    pub rate_date: Date,
}

/// What the normaliser added.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Normalised {
    /// Group part number from the material cross-reference.
    pub part: Option<String>,
    /// The group part's English name.
    pub part_name: Option<String>,
    /// Quantity in a UN/CEFACT unit.
    pub quantity: Option<Quantity>,
    /// Amount in USD.
    pub usd: Option<Converted>,
}

/// One record from one system, native values kept next to normalised ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Where it came from.
    pub provenance: Provenance,
    /// Division code.
    pub division: String,
    /// What it is.
    pub entity: Entity,
    /// The system's own material/item number, if the record is about one.
    pub local_id: Option<String>,
    /// The native description or text.
    pub text: String,
    /// Native quantity and unit symbol as the system wrote them.
    pub quantity: Option<(Dec, String)>,
    /// Native amount (stock value, order total, salary, revenue).
    pub amount: Option<Money>,
    /// A count (headcount).
    pub count: Option<i64>,
    /// Other fields: status, supplier, department, quarter, period…
    pub attrs: BTreeMap<String, String>,
    /// Filled in by [`crate::normalise::Normaliser`].
    pub norm: Normalised,
}

impl Record {
    /// A record with provenance and text; the rest empty.
    pub fn new(provenance: Provenance, division: &str, entity: Entity, text: &str) -> Record {
        Record {
            provenance,
            division: division.to_string(),
            entity,
            local_id: None,
            text: text.to_string(),
            quantity: None,
            amount: None,
            count: None,
            attrs: BTreeMap::new(),
            norm: Normalised::default(),
        }
    }

    /// The passage retrieval indexes: native text plus the normalised names, so an
    /// English question can find a German record through its group part name.
    pub fn passage(&self) -> String {
        let mut p = format!(
            "{} {}: {}",
            crate::config::division_name(&self.division),
            self.entity.label(),
            self.text
        );
        if let Some(name) = &self.norm.part_name {
            p.push_str(&format!(" (part {name})"));
        }
        for (k, v) in &self.attrs {
            p.push_str(&format!("; {k} {v}"));
        }
        if let Some((q, u)) = &self.quantity {
            p.push_str(&format!("; quantity {q} {u}"));
        }
        if let Some(m) = &self.amount {
            p.push_str(&format!("; amount {} {}", m.amount.to_plain(2), m.currency));
        }
        p
    }
}
