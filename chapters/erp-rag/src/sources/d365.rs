//! Microsoft Dynamics 365 Finance & Operations (Mexico): OData V4 data entities —
//! `{"@odata.context": "…/$metadata#Entity", "value": […]}` with PascalCase fields.

use crate::error::{Error, Result};
use crate::record::{Entity, Money, Provenance, Record};

use super::{Folder, json_date, json_num, json_str};

fn value(id: &str, dir: Folder<'_>, entity_set: &str) -> Result<Vec<serde_json::Value>> {
    let file = format!("{entity_set}.json");
    let text = dir.read(id, &file)?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::record(id, file.as_str(), format!("not JSON: {e}")))?;
    let ctx = doc
        .get("@odata.context")
        .and_then(|c| c.as_str())
        .unwrap_or("");
    if !ctx.ends_with(&format!("#{entity_set}")) {
        return Err(Error::record(
            id,
            file.as_str(),
            format!("`@odata.context` {ctx:?} is not the {entity_set} entity set"),
        ));
    }
    if doc.get("@odata.nextLink").is_some() {
        return Err(Error::record(
            id,
            file.as_str(),
            "`@odata.nextLink`: paging not supported",
        ));
    }
    doc.get("value")
        .and_then(|v| v.as_array())
        .cloned()
        .ok_or_else(|| Error::record(id, file.as_str(), "no `value` array"))
}

pub(super) fn read(id: &str, dir: Folder<'_>, entity: Entity) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    match entity {
        Entity::Stock => {
            let set = "InventWarehouseOnHandV2";
            for (i, rec) in value(id, dir, set)?.iter().enumerate() {
                let at = format!("{set}.json value[{i}]");
                let item = json_str(id, &at, rec, "ItemNumber")?;
                let wh = json_str(id, &at, rec, "InventoryWarehouseId")?;
                let at = format!("{at} ({item}/{wh})");
                let qty = json_num(id, &at, rec, "OnHandQuantity")?;
                let cost = json_num(id, &at, rec, "UnitCost")?;
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: set.into(),
                        key: format!("{item}/{wh}"),
                        as_of: json_date(id, &at, rec, "ModifiedDateTime")?,
                    },
                    "MX",
                    Entity::Stock,
                    &format!(
                        "{} almacén {wh} sitio {}",
                        json_str(id, &at, rec, "ProductName")?,
                        json_str(id, &at, rec, "InventorySiteId")?
                    ),
                );
                r.local_id = Some(item.to_string());
                r.quantity = Some((
                    qty,
                    json_str(id, &at, rec, "InventoryUnitSymbol")?.to_string(),
                ));
                r.amount = Some(Money {
                    amount: qty.times_rounded(cost, 2),
                    currency: json_str(id, &at, rec, "CurrencyCode")?.to_string(),
                });
                r.attrs.insert("unit cost".into(), cost.to_plain(2));
                out.push(r);
            }
        }
        Entity::Employee => {
            let set = "Employees";
            for (i, rec) in value(id, dir, set)?.iter().enumerate() {
                let at = format!("{set}.json value[{i}]");
                let key = json_str(id, &at, rec, "PersonnelNumber")?;
                let at = format!("{at} ({key})");
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: set.into(),
                        key: key.into(),
                        as_of: json_date(id, &at, rec, "HireDate")?,
                    },
                    "MX",
                    Entity::Employee,
                    &format!(
                        "{}, {} in {}",
                        json_str(id, &at, rec, "Name")?,
                        json_str(id, &at, rec, "JobTitle")?,
                        json_str(id, &at, rec, "Department")?
                    ),
                );
                r.amount = Some(Money {
                    amount: json_num(id, &at, rec, "AnnualSalary")?,
                    currency: json_str(id, &at, rec, "CurrencyCode")?.to_string(),
                });
                out.push(r);
            }
        }
        _ => {}
    }
    Ok(out)
}
