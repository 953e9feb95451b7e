//! Oracle NetSuite (China): REST record API JSON (`{"items": […], "hasMore": …}`), with
//! references as `{"id", "refName"}` objects and numbers as JSON numbers.

use crate::dec::Dec;
use crate::error::{Error, Result};
use crate::record::{Entity, Money, Provenance, Record};

use super::{Folder, json_date, json_num, json_ref, json_str};

fn items(id: &str, dir: Folder<'_>, file: &str) -> Result<Vec<serde_json::Value>> {
    let text = dir.read(id, file)?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::record(id, file, format!("not JSON: {e}")))?;
    if doc.get("hasMore").and_then(|v| v.as_bool()) == Some(true) {
        // A real client would follow the `next` link; a silent first page would be
        // exactly the silently partial answer this crate refuses to give.
        return Err(Error::record(
            id,
            file,
            "`hasMore` is true: paging not supported",
        ));
    }
    doc.get("items")
        .and_then(|v| v.as_array())
        .cloned()
        .ok_or_else(|| Error::record(id, file, "no `items` array"))
}

pub(super) fn read(id: &str, dir: Folder<'_>, entity: Entity) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    match entity {
        Entity::Stock => {
            for (i, rec) in items(id, dir, "inventoryItem.json")?.iter().enumerate() {
                let at = format!("inventoryItem.json items[{i}]");
                let key = json_str(id, &at, rec, "id")?;
                let at = format!("{at} (id {key})");
                let qty = json_num(id, &at, rec, "quantityOnHand")?;
                let cost = json_num(id, &at, rec, "averageCost")?;
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: "inventoryItem".into(),
                        key: key.into(),
                        as_of: json_date(id, &at, rec, "lastModifiedDate")?,
                    },
                    "CN",
                    Entity::Stock,
                    &format!(
                        "{} at {}",
                        json_str(id, &at, rec, "displayName")?,
                        json_ref(id, &at, rec, "location")?
                    ),
                );
                r.local_id = Some(json_str(id, &at, rec, "itemId")?.to_string());
                r.quantity = Some((qty, json_ref(id, &at, rec, "stockUnit")?.to_string()));
                r.amount = Some(Money {
                    amount: qty.times_rounded(cost, 2),
                    currency: json_ref(id, &at, rec, "currency")?.to_string(),
                });
                r.attrs.insert("average cost".into(), cost.to_plain(2));
                out.push(r);
            }
        }
        Entity::PurchaseOrder => {
            for (i, rec) in items(id, dir, "purchaseOrder.json")?.iter().enumerate() {
                let at = format!("purchaseOrder.json items[{i}]");
                let key = json_str(id, &at, rec, "tranId")?;
                let at = format!("{at} ({key})");
                let total = json_num(id, &at, rec, "total")?;
                if total < Dec::ZERO {
                    return Err(Error::record(id, &at, "field `total`: negative"));
                }
                let memo = rec.get("memo").and_then(|m| m.as_str()).unwrap_or("");
                let mut r = Record::new(
                    Provenance {
                        source: id.into(),
                        table: "purchaseOrder".into(),
                        key: key.into(),
                        as_of: json_date(id, &at, rec, "tranDate")?,
                    },
                    "CN",
                    Entity::PurchaseOrder,
                    &format!("purchase order {key}: {memo}"),
                );
                r.attrs
                    .insert("supplier".into(), json_ref(id, &at, rec, "entity")?.into());
                r.attrs
                    .insert("status".into(), json_ref(id, &at, rec, "status")?.into());
                r.amount = Some(Money {
                    amount: total,
                    currency: json_ref(id, &at, rec, "currency")?.to_string(),
                });
                out.push(r);
            }
        }
        _ => {}
    }
    Ok(out)
}
