//! SAP S/4HANA (US): an OData V2 response of a custom stock-value service whose
//! properties keep SAP's table-field names — MATNR (material), WERKS (plant), LABST
//! (unrestricted stock), MEINS (base unit), STPRS (standard price), PEINH (price unit:
//! the price is per PEINH units!), WAERS (currency), LAEDA (last change, `/Date(ms)/`).

use crate::dec::{Date, Dec};
use crate::error::{Error, Result};
use crate::record::{Entity, Money, Provenance, Record};

use super::{Folder, json_num, json_str};

pub(super) fn read(id: &str, dir: Folder<'_>, entity: Entity) -> Result<Vec<Record>> {
    if entity != Entity::Stock {
        return Ok(Vec::new());
    }
    let text = dir.read(id, "MARD.json")?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::record(id, "MARD.json", format!("not JSON: {e}")))?;
    let results = doc
        .get("d")
        .and_then(|d| d.get("results"))
        .and_then(|r| r.as_array())
        .ok_or_else(|| Error::record(id, "MARD.json", "no OData V2 `d.results` array"))?;
    let mut out = Vec::new();
    for (i, rec) in results.iter().enumerate() {
        let at = format!("MARD.json d.results[{i}]");
        let matnr = json_str(id, &at, rec, "MATNR")?;
        let werks = json_str(id, &at, rec, "WERKS")?;
        let at = format!("{at} ({matnr}/{werks})");
        let labst = json_num(id, &at, rec, "LABST")?;
        let stprs = json_num(id, &at, rec, "STPRS")?;
        let peinh = json_num(id, &at, rec, "PEINH")?;
        if peinh <= Dec::ZERO {
            return Err(Error::record(
                id,
                &at,
                "field `PEINH`: price unit must be positive",
            ));
        }
        let laeda = json_str(id, &at, rec, "LAEDA")?;
        let as_of = Date::parse_odata_v2(laeda).ok_or_else(|| {
            Error::record(
                id,
                &at,
                format!("field `LAEDA`: {laeda:?} is not /Date(ms)/"),
            )
        })?;
        let value = labst
            .times_div_rounded(stprs, peinh, 2)
            .unwrap_or(Dec::ZERO);
        let mut r = Record::new(
            Provenance {
                source: id.into(),
                table: "MARD".into(),
                key: format!("{matnr}/{werks}"),
                as_of,
            },
            "US",
            Entity::Stock,
            &format!("{} at plant {werks}", json_str(id, &at, rec, "MAKTX")?),
        );
        r.local_id = Some(matnr.to_string());
        r.quantity = Some((labst, json_str(id, &at, rec, "MEINS")?.to_string()));
        r.amount = Some(Money {
            amount: value,
            currency: json_str(id, &at, rec, "WAERS")?.to_string(),
        });
        r.attrs.insert(
            "standard price".into(),
            format!("{} per {}", stprs.to_plain(2), peinh.to_trimmed()),
        );
        out.push(r);
    }
    Ok(out)
}
