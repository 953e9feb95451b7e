//! Reading incidents from CSV or JSON, with errors that name file, line and field.
//!
//! **CSV**: a header row, then one incident per row. Columns (any order):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `id` | yes | unique within the file |
//! | `title` | no | free text (quote it if it has commas) |
//! | `impact_started` | yes | RFC 3339 time users started to feel it |
//! | `detected` | yes | RFC 3339 time the alert fired |
//! | `acknowledged` | no | RFC 3339; an empty cell means not recorded |
//! | `work_began` | no | RFC 3339 |
//! | `fix_applied` | no | RFC 3339 |
//! | `restored` | yes | RFC 3339 time service was back |
//! | `closed` | no | RFC 3339 |
//!
//! **JSON**: an array of objects with the same keys; an optional milestone may be
//! absent or `null`. Unknown columns and keys are errors, so a typo cannot silently drop
//! a milestone.

use std::collections::HashMap;
use std::path::Path;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::MttrError;
use crate::timeline::{Incident, Milestone, Timeline, parse_time};

/// The required columns, for messages.
pub const REQUIRED_COLUMNS: &str = "id, impact_started, detected, restored";
/// Every known column, for messages.
pub const KNOWN_COLUMNS: &str = "id, title, impact_started, detected, acknowledged, \
                                 work_began, fix_applied, restored, closed";

/// One incident's raw fields, each with the line it came from.
struct RawRecord {
    line: usize,
    id: Option<(String, usize)>,
    title: String,
    times: Vec<(Milestone, String, usize)>,
}

/// Read a `.csv` or `.json` file of incidents.
pub fn read_incidents(path: &Path) -> Result<Vec<Incident>, MttrError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let parse: fn(&str, &str) -> Result<Vec<Incident>, MttrError> = match ext.as_deref() {
        Some("csv") => parse_csv,
        Some("json") => parse_json,
        _ => return Err(MttrError::UnknownFormat { file }),
    };
    let text = std::fs::read_to_string(path).map_err(|source| MttrError::Io {
        file: file.clone(),
        source,
    })?;
    parse(&file, &text)
}

/// Parse CSV text; `file` names it in errors.
pub fn parse_csv(file: &str, text: &str) -> Result<Vec<Incident>, MttrError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(MttrError::Empty {
            file: file.into(),
            line: 1,
            what: "empty file: expected a header row and at least one incident",
        });
    }
    let syntax = |line: usize, e: &csv::Error| MttrError::Syntax {
        file: file.into(),
        line,
        message: csv_message(e),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| syntax(1, &e))?.clone();
    let header_line = header.position().map_or(1, |p| p.line() as usize);
    enum Col {
        Id,
        Title,
        Time(Milestone),
    }
    let mut cols = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        if header.iter().take(i).any(|earlier| earlier == name) {
            return Err(MttrError::BadField {
                file: file.into(),
                line: header_line,
                field: name.into(),
                message: "column given twice (which one would count?)".into(),
            });
        }
        cols.push(match name {
            "id" => Col::Id,
            "title" => Col::Title,
            _ => match Milestone::from_column(name) {
                Some(m) => Col::Time(m),
                None => {
                    return Err(MttrError::UnknownColumn {
                        file: file.into(),
                        line: header_line,
                        field: name.into(),
                        known: KNOWN_COLUMNS,
                    });
                }
            },
        });
    }
    let required = ["id"]
        .into_iter()
        .chain(Milestone::REQUIRED.map(Milestone::column));
    for want in required {
        if !header.iter().any(|h| h == want) {
            return Err(MttrError::MissingColumn {
                file: file.into(),
                line: header_line,
                field: want,
                required: REQUIRED_COLUMNS,
            });
        }
    }
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(header_line + 1, |p| p.line() as usize);
            syntax(line, &e)
        })?;
        let line = row.position().map_or(0, |p| p.line() as usize);
        let mut rec = RawRecord {
            line,
            id: None,
            title: String::new(),
            times: Vec::new(),
        };
        for (col, cell) in cols.iter().zip(row.iter()) {
            match col {
                Col::Id => rec.id = Some((cell.to_string(), line)),
                Col::Title => rec.title = cell.to_string(),
                Col::Time(m) if !cell.is_empty() => rec.times.push((*m, cell.to_string(), line)),
                Col::Time(_) => {}
            }
        }
        records.push(rec);
    }
    build(file, records, header_line + 1)
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("record has {len} fields, the header has {expected_len}"),
        _ => format!("malformed CSV: {e}"),
    }
}

/// Parse JSON text (an array of incident objects); `file` names it in errors.
pub fn parse_json(file: &str, text: &str) -> Result<Vec<Incident>, MttrError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(MttrError::Empty {
            file: file.into(),
            line: 1,
            what: "empty file: expected a JSON array of incidents",
        });
    }
    // a repeated key would otherwise keep its last value in silence
    kit::json::strict_value(text).map_err(|e| MttrError::Syntax {
        file: file.into(),
        line: e.line().max(1),
        message: format!("JSON: {e}"),
    })?;
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| MttrError::Syntax {
        file: file.into(),
        line: e.line().max(1),
        message: format!("JSON: {e}"),
    })?;
    let base = text.as_ptr() as usize;
    let line_at = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut records = Vec::with_capacity(items.len());
    for raw in items {
        let src = raw.get();
        // `RawValue` borrows from `text`, so its address gives its position in the file.
        let start = (src.as_ptr() as usize).saturating_sub(base);
        let line = line_at(start);
        let key_line = |key: &str| {
            src.find(&format!("\"{key}\""))
                .map_or(line, |off| line_at(start + off))
        };
        let obj: Map<String, Value> = serde_json::from_str(src).map_err(|_| MttrError::Syntax {
            file: file.into(),
            line,
            message: "JSON: each incident must be an object".into(),
        })?;
        let mut rec = RawRecord {
            line,
            id: None,
            title: String::new(),
            times: Vec::new(),
        };
        for (key, value) in &obj {
            let kl = key_line(key);
            let bad = |message: &str| MttrError::BadField {
                file: file.into(),
                line: kl,
                field: key.clone(),
                message: message.into(),
            };
            match key.as_str() {
                "id" => {
                    let id = match value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return Err(bad("expected a string or a number")),
                    };
                    rec.id = Some((id, kl));
                }
                "title" => match value {
                    Value::String(s) => rec.title = s.clone(),
                    Value::Null => {}
                    _ => return Err(bad("expected a string")),
                },
                _ => {
                    let Some(m) = Milestone::from_column(key) else {
                        return Err(MttrError::UnknownColumn {
                            file: file.into(),
                            line: kl,
                            field: key.clone(),
                            known: KNOWN_COLUMNS,
                        });
                    };
                    match value {
                        Value::String(s) if !s.trim().is_empty() => {
                            rec.times.push((m, s.clone(), kl));
                        }
                        Value::String(_) | Value::Null => {}
                        _ => return Err(bad("expected an RFC 3339 time as a string")),
                    }
                }
            }
        }
        records.push(rec);
    }
    build(file, records, line_at(text.len()))
}

/// Parse one incident written as `column: value` lines — the CSV's columns, one per line,
/// in any order (`id: SF-1`, `detected: 2024-11-29T14:33:00Z`); blank lines and lines
/// starting with `#` are ignored, an empty value means "not recorded". `file` names the
/// text in errors, which give the line and the field like the CSV and JSON readers'.
///
/// ```
/// let inc = mttr::input::parse_record("incident", "id: X-1\n\
///     impact_started: 2024-11-29T14:30:00Z\n\
///     detected: 2024-11-29T14:33:00Z\n\
///     restored: 2024-11-29T14:45:00Z\n")?;
/// assert_eq!(inc.timeline.between(mttr::Milestone::Detected, mttr::Milestone::Restored),
///            Some(std::time::Duration::from_secs(12 * 60)));
/// let err = mttr::input::parse_record("incident", "id: X-1\ndetected: 14:33\n").unwrap_err();
/// assert!(err.to_string().starts_with("incident:2: field `detected`"));
/// # Ok::<(), mttr::MttrError>(())
/// ```
pub fn parse_record(file: &str, text: &str) -> Result<Incident, MttrError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rec = RawRecord {
        line: 1,
        id: None,
        title: String::new(),
        times: Vec::new(),
    };
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err(MttrError::Syntax {
                file: file.into(),
                line,
                message: format!("expected `column: value`, found {trimmed:?}"),
            });
        };
        let (key, value) = (key.trim(), value.trim());
        if let Some(first) = first_seen.insert(key.to_string(), line) {
            return Err(MttrError::BadField {
                file: file.into(),
                line,
                field: key.into(),
                message: format!("given twice (first on line {first})"),
            });
        }
        match key {
            "id" => rec.id = Some((value.to_string(), line)),
            "title" => rec.title = value.to_string(),
            _ => match Milestone::from_column(key) {
                Some(m) if !value.is_empty() => rec.times.push((m, value.to_string(), line)),
                Some(_) => {}
                None => {
                    return Err(MttrError::UnknownColumn {
                        file: file.into(),
                        line,
                        field: key.into(),
                        known: KNOWN_COLUMNS,
                    });
                }
            },
        }
    }
    if rec.id.is_none() && rec.times.is_empty() {
        return Err(MttrError::Empty {
            file: file.into(),
            line: 1,
            what: "no incident: expected `column: value` lines (id, impact_started, detected, restored, …)",
        });
    }
    let mut incidents = build(file, vec![rec], 1)?;
    incidents.pop().ok_or_else(|| MttrError::Empty {
        file: file.into(),
        line: 1,
        what: "no incident",
    })
}

/// Turn raw records into incidents: ids present and unique, times parsed, order checked.
fn build(
    file: &str,
    records: Vec<RawRecord>,
    empty_line: usize,
) -> Result<Vec<Incident>, MttrError> {
    if records.is_empty() {
        return Err(MttrError::Empty {
            file: file.into(),
            line: empty_line,
            what: "no incidents: the file has no records",
        });
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(records.len());
    for rec in records {
        let (id, id_line) = match rec.id {
            Some((id, l)) if !id.trim().is_empty() => (id, l),
            _ => {
                return Err(MttrError::BadField {
                    file: file.into(),
                    line: rec.id.map_or(rec.line, |(_, l)| l),
                    field: "id".into(),
                    message: "missing or empty".into(),
                });
            }
        };
        if let Some(&first) = seen.get(&id) {
            return Err(MttrError::DuplicateId {
                file: file.into(),
                line: id_line,
                id,
                first,
            });
        }
        seen.insert(id.clone(), id_line);
        let mut pairs = Vec::with_capacity(rec.times.len());
        let mut lines: HashMap<Milestone, usize> = HashMap::new();
        for (m, value, line) in &rec.times {
            let t = parse_time(m.column(), value).map_err(|source| MttrError::Timeline {
                file: file.into(),
                line: *line,
                source,
            })?;
            pairs.push((*m, t));
            lines.insert(*m, *line);
        }
        let timeline = Timeline::from_milestones(&pairs).map_err(|source| {
            let line = Milestone::from_column(source.field())
                .and_then(|m| lines.get(&m).copied())
                .unwrap_or(rec.line);
            MttrError::Timeline {
                file: file.into(),
                line,
                source,
            }
        })?;
        out.push(Incident {
            id,
            title: rec.title,
            timeline,
        });
    }
    Ok(out)
}

/// Incidents as CSV with the documented header (optional milestones as empty cells).
pub fn to_csv(incidents: &[Incident]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id", "title"];
    header.extend(Milestone::ALL.map(Milestone::column));
    // Writing to a Vec cannot fail; ignore the Results rather than unwrap.
    let _ = w.write_record(&header);
    for inc in incidents {
        let mut row = vec![inc.id.clone(), inc.title.clone()];
        row.extend(Milestone::ALL.map(|m| {
            inc.timeline
                .get(m)
                .map(crate::format_time)
                .unwrap_or_default()
        }));
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Incidents as a pretty JSON array (one key per line, so errors point at a field).
pub fn to_json(incidents: &[Incident]) -> String {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        id: &'a str,
        title: &'a str,
        impact_started: String,
        detected: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        acknowledged: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        work_began: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        fix_applied: Option<String>,
        restored: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        closed: Option<String>,
    }
    let rows: Vec<Row<'_>> = incidents
        .iter()
        .map(|inc| {
            let t = &inc.timeline;
            let at = |m| t.get(m).map(crate::format_time);
            Row {
                id: &inc.id,
                title: &inc.title,
                impact_started: crate::format_time(t.impact_started()),
                detected: crate::format_time(t.detected()),
                acknowledged: at(Milestone::Acknowledged),
                work_began: at(Milestone::WorkBegan),
                fix_applied: at(Milestone::FixApplied),
                restored: crate::format_time(t.restored()),
                closed: at(Milestone::Closed),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
    s.push('\n');
    s
}
