//! The search engine behind the endpoint, in its two versions.
//!
//! Both versions take the same [`SearchRequest`] and return the same `Vec<Product>`:
//! the technical contract can't tell them apart. Their *meaning* differs.

use serde::Serialize;

use crate::catalog::Product;

/// The largest `limit` the OpenAPI document allows.
pub const MAX_LIMIT: u32 = 100;
/// The `limit` used when the request has none (the seed's default).
pub const DEFAULT_LIMIT: u32 = 10;
/// The largest `offset` the OpenAPI document allows.
pub const MAX_OFFSET: u32 = 10_000;
/// The silent cap v2 puts on every page (its "performance fix").
pub const V2_SILENT_CAP: usize = 5;

/// Which implementation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// Keeps every promise of the semantic contract.
    V1,
    /// Same types, same OpenAPI document; sorts by price, puts out-of-stock items
    /// first, breaks price ties differently on every request, caps pages at five
    /// items without saying so, and is slow at the tail.
    V2,
}

impl Version {
    /// `v1` or `v2`.
    pub fn name(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V2 => "v2",
        }
    }
}

/// A validated search request (the endpoint's query parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// Free text; split on whitespace into terms, any of which may match (OR).
    pub query: String,
    /// Page size, 1..=100.
    pub limit: u32,
    /// How many results to skip, 0..=10000.
    pub offset: u32,
    /// `Some(true)`: only in-stock products; `Some(false)`: only out-of-stock ones.
    pub in_stock: Option<bool>,
}

impl SearchRequest {
    /// A first-page request with the given query and limit.
    pub fn new(query: &str, limit: u32) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            limit,
            offset: 0,
            in_stock: None,
        }
    }
}

/// The lower-cased, de-duplicated terms of a query.
pub fn terms(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in query.split_whitespace() {
        let t = t.to_lowercase();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Does `p` match any of `terms` (substring of its name or its category)?
pub fn matches(p: &Product, terms: &[String]) -> bool {
    let name = p.name.to_lowercase();
    let category = p.category.to_lowercase();
    terms
        .iter()
        .any(|t| name.contains(t.as_str()) || category.contains(t.as_str()))
}

/// Is `p` *of the kind* searched for (a term matches its category), rather than
/// merely mentioning it (a "Laptop Sleeve" is an accessory that mentions laptops)?
pub fn category_match(p: &Product, terms: &[String]) -> bool {
    let category = p.category.to_lowercase();
    terms.iter().any(|t| category.contains(t.as_str()))
}

/// The ranking the semantic contract promises, as a sort key (smaller first):
/// in stock before out of stock, products of the searched kind before products that
/// only mention it, premium before standard. `id` breaks ties so the order is total.
pub fn promised_rank_key<'a>(p: &'a Product, terms: &[String]) -> (bool, bool, bool, &'a str) {
    (
        !p.in_stock,
        !category_match(p, terms),
        !p.premium,
        p.id.as_str(),
    )
}

/// Run a search. `request_no` is the server's request counter (v2 uses it to
/// break price ties, the way a merge of shard replies depends on arrival order).
pub fn search(
    version: Version,
    catalog: &[Product],
    req: &SearchRequest,
    request_no: u64,
) -> Vec<Product> {
    let terms = terms(&req.query);
    let mut hits: Vec<&Product> = catalog
        .iter()
        .filter(|p| matches(p, &terms))
        .filter(|p| req.in_stock.is_none_or(|want| p.in_stock == want))
        .collect();
    match version {
        Version::V1 => {
            hits.sort_by(|a, b| promised_rank_key(a, &terms).cmp(&promised_rank_key(b, &terms)))
        }
        Version::V2 => hits.sort_by(|a, b| {
            // "Cheapest first, and show what's unavailable so people can subscribe."
            let tie = if request_no.is_multiple_of(2) {
                a.id.cmp(&b.id)
            } else {
                b.id.cmp(&a.id)
            };
            a.in_stock
                .cmp(&b.in_stock)
                .then(a.price.total_cmp(&b.price))
                .then(tie)
        }),
    }
    // One paid slot on top: the best-placed product with an ad campaign that can be
    // bought. In an answer, `sponsored` marks that placement; everywhere else a
    // product is an organic result (`sponsored: false`), campaign or not.
    let slot = hits.iter().position(|p| p.sponsored && p.in_stock);
    let mut answer: Vec<Product> = hits
        .iter()
        .map(|p| Product {
            sponsored: false,
            ..(*p).clone()
        })
        .collect();
    if let Some(i) = slot {
        let mut ad = answer.remove(i);
        ad.sponsored = true;
        answer.insert(0, ad);
    }
    let page_size = match version {
        Version::V1 => req.limit as usize,
        Version::V2 => (req.limit as usize).min(V2_SILENT_CAP),
    };
    answer
        .into_iter()
        .skip(req.offset as usize)
        .take(page_size)
        .collect()
}
