//! SAP R/3 (Germany): the nightly flat-file export of a legacy system. Semicolons,
//! German column names, German numbers (`1.178.000,00`) and dates (`30.10.2024`).

use crate::dec::{Date, Dec};
use crate::error::{Error, Result};
use crate::record::{Entity, Money, Provenance, Record};

use super::Folder;

fn rows(
    id: &str,
    dir: Folder<'_>,
    file: &str,
    header: &[&str],
) -> Result<Vec<(String, Vec<String>)>> {
    let text = dir.read(id, file)?;
    let mut lines = text.lines().enumerate();
    let first = lines
        .next()
        .map(|(_, l)| l.trim_start_matches('\u{feff}'))
        .ok_or_else(|| Error::record(id, format!("{file} line 1"), "empty file"))?;
    let got: Vec<&str> = first.split(';').map(str::trim).collect();
    if got != header {
        return Err(Error::record(
            id,
            format!("{file} line 1"),
            format!("unexpected header {got:?}, expected {header:?}"),
        ));
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<String> = line.split(';').map(|s| s.trim().to_string()).collect();
        let at = format!("{file} line {}", i + 1);
        if f.len() != header.len() {
            return Err(Error::record(
                id,
                at,
                format!("expected {} fields, found {}", header.len(), f.len()),
            ));
        }
        out.push((at, f));
    }
    Ok(out)
}

fn german(id: &str, at: &str, field: &str, s: &str) -> Result<Dec> {
    Dec::parse(s, ',', Some('.')).ok_or_else(|| {
        Error::record(
            id,
            at,
            format!("field `{field}`: {s:?} is not a German-format number"),
        )
    })
}

fn date(id: &str, at: &str, field: &str, s: &str) -> Result<Date> {
    Date::parse_german(s)
        .ok_or_else(|| Error::record(id, at, format!("field `{field}`: {s:?} is not DD.MM.YYYY")))
}

/// SAP's German system status abbreviations and their English equivalents.
fn status(s: &str) -> Option<&'static str> {
    Some(match s {
        "EROF" => "CRTD created",
        "FREI" => "REL released",
        "TABG" => "TECO technically completed",
        "ABGS" => "CLSD closed",
        _ => return None,
    })
}

pub(super) fn read(id: &str, dir: Folder<'_>, entity: Entity) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    match entity {
        Entity::Stock => {
            let header = [
                "Material",
                "Werk",
                "Materialkurztext",
                "Frei verwendbar",
                "BME",
                "Wert frei verw.",
                "Währung",
                "Stichtag",
            ];
            for (at, f) in rows(id, dir, "MB52.txt", &header)? {
                let qty = german(id, &at, "Frei verwendbar", &f[3])?;
                let value = german(id, &at, "Wert frei verw.", &f[5])?;
                let as_of = date(id, &at, "Stichtag", &f[7])?;
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: "MB52".into(),
                        key: format!("{}/{}", f[0], f[1]),
                        as_of,
                    },
                    "DE",
                    Entity::Stock,
                    &format!("{} Werk {}", f[2], f[1]),
                );
                r.local_id = Some(f[0].clone());
                r.quantity = Some((qty, f[4].clone()));
                r.amount = Some(Money {
                    amount: value,
                    currency: f[6].clone(),
                });
                out.push(r);
            }
        }
        Entity::ProductionOrder => {
            let header = [
                "Auftrag",
                "Material",
                "Kurztext",
                "Gesamtmenge",
                "BME",
                "Systemstatus",
                "Eckstart",
                "Eckende",
            ];
            for (at, f) in rows(id, dir, "AFKO.txt", &header)? {
                let qty = german(id, &at, "Gesamtmenge", &f[3])?;
                let start = date(id, &at, "Eckstart", &f[6])?;
                let end = date(id, &at, "Eckende", &f[7])?;
                let st = status(&f[5]).ok_or_else(|| {
                    Error::record(
                        id,
                        &at,
                        format!("field `Systemstatus`: unknown status {:?}", f[5]),
                    )
                })?;
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: "AFKO".into(),
                        key: f[0].clone(),
                        as_of: start,
                    },
                    "DE",
                    Entity::ProductionOrder,
                    &format!("Fertigungsauftrag {} {}", f[0], f[2]),
                );
                r.local_id = Some(f[1].clone());
                r.quantity = Some((qty, f[4].clone()));
                r.attrs.insert("status".into(), format!("{} ({st})", f[5]));
                r.attrs.insert("finish".into(), end.to_string());
                out.push(r);
            }
        }
        Entity::QualityNotification => {
            let header = ["Meldung", "Material", "Kurztext", "Meldungsdatum"];
            for (at, f) in rows(id, dir, "QMEL.txt", &header)? {
                let d = date(id, &at, "Meldungsdatum", &f[3])?;
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: "QMEL".into(),
                        key: f[0].clone(),
                        as_of: d,
                    },
                    "DE",
                    Entity::QualityNotification,
                    &format!("Qualitätsmeldung {}: {}", f[0], f[2]),
                );
                r.local_id = Some(f[1].clone());
                out.push(r);
            }
        }
        _ => {}
    }
    Ok(out)
}
