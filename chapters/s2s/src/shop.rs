//! The shop: where orders are placed, over HTTP, each in one transaction with its event.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use kit::rng::{ChaCha8Rng, Rng};

use crate::collector::Clock;
use crate::hashing::CustomerInfo;
use crate::outbox::{Order, Outbox};

/// The shop's shared state: its database (orders + outbox) and its clock.
#[derive(Debug)]
pub struct Shop {
    outbox: Mutex<Outbox>,
    clock: Clock,
}

impl Shop {
    /// A shop writing to `outbox`, stamping events with `clock`.
    pub fn new(outbox: Outbox, clock: Clock) -> Arc<Self> {
        Arc::new(Self {
            outbox: Mutex::new(outbox),
            clock,
        })
    }

    /// `POST /orders` with an [`Order`] → 201 with the placed order and its event id.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/orders", post(place))
            .with_state(Arc::clone(self))
    }
}

async fn place(State(shop): State<Arc<Shop>>, axum::Json(order): axum::Json<Order>) -> Response {
    let now = shop.clock.now_unix();
    let placed = shop
        .outbox
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .place_order(&order, now);
    match placed {
        Ok(p) => (StatusCode::CREATED, axum::Json(p)).into_response(),
        Err(
            e @ (crate::error::S2sError::Normalise { .. }
            | crate::error::S2sError::InvalidOrder { .. }),
        ) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

const FIRST: [&str; 12] = [
    "Ana", "Bo", "Chen", "Dana", "Eli", "Fatma", "Gus", "Hana", "Ivo", "Jules", "Kofi", "Lena",
];
const LAST: [&str; 10] = [
    "Okafor", "Silva", "Nguyen", "Meyer", "Rossi", "Kowalski", "Haddad", "Larsen", "Ito", "Diaz",
];
const CITIES: [(&str, &str, &str); 4] = [
    ("Menlo Park", "CA", "94025"),
    ("Austin", "TX", "78701-1234"),
    ("New York", "NY", "10001"),
    ("Portland", "OR", "97201"),
];

/// A plausible, messy customer (mixed case, spaces, punctuation) from `rng`: the
/// normalisation has real work to do.
pub fn random_customer(rng: &mut ChaCha8Rng, n: usize) -> CustomerInfo {
    let first = FIRST[rng.random_range(0..FIRST.len())];
    let last = LAST[rng.random_range(0..LAST.len())];
    let (city, state, zip) = CITIES[rng.random_range(0..CITIES.len())];
    CustomerInfo {
        email: Some(format!("  {first}.{last}{n}@Example.com ")),
        phone: Some(format!(
            "+1 ({}) 555-{:04}",
            rng.random_range(201..990),
            rng.random_range(0..10_000)
        )),
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        city: Some(city.to_string()),
        state: Some(state.to_string()),
        zip: Some(zip.to_string()),
        country: Some("US".into()),
        date_of_birth: Some(format!(
            "{}-{:02}-{:02}",
            rng.random_range(1950..2005),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        )),
        external_id: Some(format!("cust-{n}")),
        client_ip_address: Some(format!("203.0.113.{}", rng.random_range(1..255))),
        client_user_agent: Some("Mozilla/5.0 (shoe shopper)".into()),
        fbc: Some(format!("fb.1.1736121600000.click{n}")),
        fbp: Some(format!("fb.1.1736121600000.{}", rng.random::<u32>())),
    }
}

/// An order for `customer`: running shoes between $60 and $180.
pub fn random_order(rng: &mut ChaCha8Rng, customer: CustomerInfo) -> Order {
    Order {
        customer,
        value_cents: rng.random_range(60..=180) * 100 - 1,
        currency: "USD".into(),
    }
}
