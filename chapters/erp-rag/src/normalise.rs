//! Reconciling what the systems disagree on: units, currencies (with dated FX rates),
//! and material numbers (a cross-reference to group part numbers).

use std::collections::BTreeMap;
use std::path::Path;

use crate::dec::{Date, Dec};
use crate::error::{Error, Result};
use crate::record::{Converted, Quantity, Record};

/// A native unit symbol → UN/CEFACT code and factor.
///
/// ```
/// use erp_rag::normalise::unit;
/// assert_eq!(unit("ST").unwrap().0, "C62"); // SAP's German "Stück"
/// assert_eq!(unit("Each").unwrap().0, "C62"); // NetSuite
/// assert_eq!(unit("LB").unwrap().1.to_string(), "0.453592"); // rounded to 6 places
/// assert!(unit("furlong").is_none());
/// ```
pub fn unit(symbol: &str) -> Option<(&'static str, Dec)> {
    let exact = |s: &str| Dec::parse_plain(s).unwrap_or(Dec::ONE);
    match symbol.trim().to_ascii_uppercase().as_str() {
        "EA" | "ST" | "PC" | "PCE" | "EACH" | "C62" | "PIECE" => Some(("C62", Dec::ONE)),
        "KG" | "KGM" | "KILOGRAM" => Some(("KGM", Dec::ONE)),
        "G" | "GRM" | "GRAM" => Some(("KGM", exact("0.001"))),
        // The international pound is exactly 0.45359237 kg; Dec keeps six places, so
        // quantities in pounds are converted with `pounds_to_kg` instead.
        "LB" | "LBR" | "POUND" => Some(("KGM", exact("0.453592"))),
        _ => None,
    }
}

/// Convert a native quantity to its UN/CEFACT unit. Pounds use the exact factor
/// 0.45359237 (`q × 45359237 / 10^8`), not the six-place one.
pub fn to_cefact(value: Dec, symbol: &str) -> Option<Quantity> {
    let (code, factor) = unit(symbol)?;
    let upper = symbol.trim().to_ascii_uppercase();
    let v = if matches!(upper.as_str(), "LB" | "LBR" | "POUND") {
        value
            .times(Dec::from_int(45_359_237))
            .checked_div(Dec::from_int(100_000_000))?
    } else {
        value.times(factor)
    };
    Some(Quantity {
        value: v,
        unit: code,
    })
}

/// Dated exchange rates: USD per unit of each currency.
#[derive(Clone, Debug, Default)]
pub struct FxTable {
    rates: BTreeMap<(String, Date), Dec>,
}

impl FxTable {
    /// Read `date,currency,usd_per_unit` lines.
    pub fn load(path: &Path) -> Result<FxTable> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        FxTable::parse(&text, path)
    }

    /// Parse `date,currency,usd_per_unit` lines after a header (`path` is only used in
    /// messages).
    pub fn parse(text: &str, path: &Path) -> Result<FxTable> {
        let mut t = FxTable::default();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |m: String| Error::Table {
                path: path.to_path_buf(),
                line: i + 1,
                message: m,
            };
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != 3 {
                return Err(bad(format!("expected 3 fields, found {}", f.len())));
            }
            let date = Date::parse_iso(f[0]).ok_or_else(|| bad(format!("bad date {:?}", f[0])))?;
            let rate = Dec::parse_plain(f[2])
                .filter(|r| *r > Dec::ZERO)
                .ok_or_else(|| bad(format!("bad rate {:?}", f[2])))?;
            t.insert(f[1].trim(), date, rate);
        }
        Ok(t)
    }

    /// Add a rate.
    pub fn insert(&mut self, currency: &str, date: Date, usd_per_unit: Dec) {
        self.rates
            .insert((currency.to_string(), date), usd_per_unit);
    }

    /// The rate for `currency` valid on `date`: the latest one on or before it.
    /// USD is 1 on every date.
    pub fn rate(&self, currency: &str, date: Date) -> Option<(Dec, Date)> {
        if currency == "USD" {
            return Some((Dec::ONE, date));
        }
        self.rates
            .range((currency.to_string(), Date::new(1, 1, 1)?)..=(currency.to_string(), date))
            .next_back()
            .map(|((_, d), r)| (*r, *d))
    }
}

/// A group part: number, name and the words a question may use for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Group part number (`BRG-6204`).
    pub id: String,
    /// English name.
    pub name: String,
    /// Lower-case keywords.
    pub keywords: Vec<String>,
}

/// Units, FX and the material cross-reference: everything the normaliser needs.
#[derive(Clone, Debug)]
pub struct Normaliser {
    /// Exchange rates.
    pub fx: FxTable,
    /// The group's parts.
    pub parts: Vec<Part>,
    /// (source id, local id) → group part.
    pub xref: BTreeMap<(String, String), String>,
    /// Balance-sheet translation date.
    pub reporting_date: Date,
}

fn read_csv(text: &str, path: &Path, columns: usize) -> Result<Vec<(usize, Vec<String>)>> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<String> = line.split(',').map(|s| s.trim().to_string()).collect();
        if f.len() != columns || f.iter().any(String::is_empty) {
            return Err(Error::Table {
                path: path.to_path_buf(),
                line: i + 1,
                message: format!("expected {columns} non-empty fields"),
            });
        }
        rows.push((i + 1, f));
    }
    Ok(rows)
}

impl Normaliser {
    /// Load `fx-rates.csv`, `parts.csv` and `material-xref.csv` from `data_dir`.
    pub fn load(data_dir: &Path, reporting_date: Date) -> Result<Normaliser> {
        let read = |name: &str| {
            let path = data_dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| Error::io(&path, &e))
        };
        let fx = FxTable::load(&data_dir.join("fx-rates.csv"))?;
        Normaliser::parse(
            fx,
            &read("parts.csv")?,
            &read("material-xref.csv")?,
            data_dir,
            reporting_date,
        )
    }

    /// Build from the FX table and the texts of `parts.csv` and `material-xref.csv`
    /// (`data_dir` is only used in messages).
    pub fn parse(
        fx: FxTable,
        parts_csv: &str,
        xref_csv: &str,
        data_dir: &Path,
        reporting_date: Date,
    ) -> Result<Normaliser> {
        let parts = read_csv(parts_csv, &data_dir.join("parts.csv"), 3)?
            .into_iter()
            .map(|(_, f)| Part {
                id: f[0].clone(),
                name: f[1].clone(),
                keywords: f[2].split_whitespace().map(str::to_lowercase).collect(),
            })
            .collect::<Vec<_>>();
        let xref_path = data_dir.join("material-xref.csv");
        let mut xref = BTreeMap::new();
        for (line, f) in read_csv(xref_csv, &xref_path, 3)? {
            if !parts.iter().any(|p| p.id == f[2]) {
                return Err(Error::Table {
                    path: xref_path,
                    line,
                    message: format!("unknown part {:?}", f[2]),
                });
            }
            xref.insert((f[0].clone(), f[1].clone()), f[2].clone());
        }
        Ok(Normaliser {
            fx,
            parts,
            xref,
            reporting_date,
        })
    }

    /// The part with this id.
    pub fn part(&self, id: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.id == id)
    }

    /// Fill in `record.norm`: group part, UN/CEFACT quantity, and USD at the closing
    /// rate of the reporting date. Unknown units and currencies are errors naming the
    /// source and record, never silently skipped.
    pub fn normalise(&self, record: &mut Record) -> Result<()> {
        let src = record.provenance.source.clone();
        let at = || record.provenance.cite_key();
        if let Some(local) = &record.local_id
            && let Some(part) = self.xref.get(&(src.clone(), local.clone()))
        {
            record.norm.part = Some(part.clone());
            record.norm.part_name = self.part(part).map(|p| p.name.clone());
        }
        if let Some((q, u)) = &record.quantity {
            let quantity = to_cefact(*q, u).ok_or_else(|| {
                Error::record(&src, at(), format!("unknown unit of measure {u:?}"))
            })?;
            record.norm.quantity = Some(quantity);
        }
        if let Some(m) = &record.amount {
            let (rate, rate_date) =
                self.fx
                    .rate(&m.currency, self.reporting_date)
                    .ok_or_else(|| {
                        Error::record(
                            &src,
                            at(),
                            format!(
                                "no {} rate on or before {}",
                                m.currency, self.reporting_date
                            ),
                        )
                    })?;
            record.norm.usd = Some(Converted {
                usd: m.amount.times_rounded(rate, 2),
                rate,
                rate_date,
            });
        }
        Ok(())
    }
}
