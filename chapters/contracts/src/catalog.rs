//! The catalogue the API searches, and the `Product` shape both versions return.

use serde::{Deserialize, Serialize};

use crate::error::CatalogError;

/// One product, exactly as the API serialises it (the OpenAPI `Product` schema).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    /// Stable identifier, e.g. `p-001`.
    pub id: String,
    /// Display name; searched by substring.
    pub name: String,
    /// `laptop`, `phone`, `tablet` or `accessory`; searched by substring.
    pub category: String,
    /// Price in the shop's currency.
    pub price: f64,
    /// Whether the product can be bought now.
    pub in_stock: bool,
    /// Premium line: ranked above the standard line (a business rule).
    pub premium: bool,
    /// In the catalogue: the product has an ad campaign. In an answer: this entry is
    /// the paid placement lifted to the top, and says so.
    pub sponsored: bool,
}

/// The catalogue fixture the servers use (`fixtures/catalog.json`).
pub const CATALOG_JSON: &str = include_str!("../fixtures/catalog.json");

/// Parse a catalogue: a JSON array of products with unique ids.
pub fn parse_catalog(json: &str) -> Result<Vec<Product>, CatalogError> {
    let products: Vec<Product> = serde_json::from_str(json).map_err(|e| CatalogError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let mut seen = std::collections::HashSet::new();
    for (index, p) in products.iter().enumerate() {
        if !seen.insert(p.id.as_str()) {
            return Err(CatalogError::DuplicateId {
                id: p.id.clone(),
                index,
            });
        }
        if !(p.price.is_finite() && p.price >= 0.0) {
            return Err(CatalogError::BadPrice {
                id: p.id.clone(),
                price: p.price,
            });
        }
    }
    Ok(products)
}

/// The built-in catalogue (30 products: laptops, phones, tablets, accessories).
pub fn default_catalog() -> Vec<Product> {
    // The fixture is compiled in and checked by a test, so this cannot fail at run time.
    parse_catalog(CATALOG_JSON).unwrap_or_default()
}
