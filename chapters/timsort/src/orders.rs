//! The seed's example data: nine orders that arrive "semi-sorted" by date.

/// An order's fulfilment status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Placed, not yet shipped.
    Pending,
    /// On its way.
    Shipped,
    /// Arrived.
    Delivered,
}

impl Status {
    /// Lower-case name, as in the seed.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Shipped => "shipped",
            Status::Delivered => "delivered",
        }
    }
}

/// One order, as in the seed's TypeScript `Order` interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Order id, e.g. `A1`.
    pub id: &'static str,
    /// Customer id, e.g. `C1`.
    pub customer_id: &'static str,
    /// ISO date `YYYY-MM-DD` (ISO dates sort correctly as text).
    pub date: &'static str,
    /// Order total.
    pub total: u32,
    /// Status.
    pub status: Status,
}

impl Order {
    /// The date as `YYYYMMDD`, an integer key (what the CPython reference sorts).
    pub fn date_key(&self) -> i64 {
        self.date
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0)
    }
}

/// The nine orders in the order the seed lists them: three recent pending orders
/// (sorted by date), three older shipped ones (mixed), three delivered ones (sorted).
pub fn seed_orders() -> Vec<Order> {
    use Status::*;
    let o = |id, customer_id, date, total, status| Order {
        id,
        customer_id,
        date,
        total,
        status,
    };
    vec![
        o("A1", "C1", "2024-01-15", 100, Pending),
        o("A2", "C2", "2024-01-16", 150, Pending),
        o("A3", "C3", "2024-01-17", 200, Pending),
        o("B5", "C5", "2024-01-10", 80, Shipped),
        o("B3", "C3", "2024-01-08", 120, Shipped),
        o("B4", "C4", "2024-01-09", 90, Shipped),
        o("C1", "C1", "2024-01-01", 50, Delivered),
        o("C2", "C2", "2024-01-02", 75, Delivered),
        o("C3", "C3", "2024-01-03", 60, Delivered),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_orders_with_integer_date_keys() {
        let o = seed_orders();
        assert_eq!(o.len(), 9);
        assert_eq!(o[0].date_key(), 20240115);
        assert_eq!(o[8].date_key(), 20240103);
    }
}
