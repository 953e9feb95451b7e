//! Exact decimals and calendar dates, the two things every ERP writes differently.
//!
//! Money is never a float here: [`Dec`] is a fixed-point number with six decimal places
//! (millionths), wide enough for MXN totals and FX rates alike, and rounding is explicit
//! (half away from zero, as accountants round).

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Serialize, Serializer};

/// A decimal number with six fixed decimal places.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dec(i128);

const SCALE: i128 = 1_000_000;

impl Dec {
    /// Zero.
    pub const ZERO: Dec = Dec(0);
    /// One.
    pub const ONE: Dec = Dec(SCALE);

    /// An integer.
    pub fn from_int(i: i64) -> Dec {
        Dec(i128::from(i) * SCALE)
    }

    /// `units / 10^places` exactly (for integer cents: `from_scaled(cents, 2)`).
    pub fn from_scaled(units: i64, places: u32) -> Dec {
        let p = places.min(6);
        Dec(i128::from(units) * 10i128.pow(6 - p))
    }

    /// Parse `s` with the given decimal separator and optional thousands separator.
    /// Strict: grouping must be in threes, at most six decimals, nothing else.
    ///
    /// ```
    /// use erp_rag::dec::Dec;
    /// let de = Dec::parse("1.178.000,00", ',', Some('.')).unwrap();
    /// assert_eq!(de.to_plain(2), "1178000.00");
    /// // the classic bug: a German thousands separator read as a decimal point
    /// assert_eq!(Dec::parse("250.000", '.', None).unwrap().to_plain(0), "250");
    /// assert_eq!(Dec::parse("250.000", ',', Some('.')).unwrap().to_plain(0), "250000");
    /// assert!(Dec::parse("12,34,5", '.', Some(',')).is_none());
    /// ```
    pub fn parse(s: &str, decimal: char, group: Option<char>) -> Option<Dec> {
        let s = s.trim();
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int_part, frac_part) = match body.split_once(decimal) {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        if int_part.is_empty() {
            return None;
        }
        let digits: String = match group {
            Some(g) if int_part.contains(g) => {
                let groups: Vec<&str> = int_part.split(g).collect();
                let first = groups[0];
                if first.is_empty() || first.len() > 3 || groups[1..].iter().any(|x| x.len() != 3) {
                    return None;
                }
                groups.concat()
            }
            _ => int_part.to_string(),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 24 {
            return None;
        }
        let mut value: i128 = digits.parse().ok()?;
        value = value.checked_mul(SCALE)?;
        if let Some(f) = frac_part {
            if f.is_empty() || f.len() > 6 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let frac: i128 = f.parse().ok()?;
            value += frac * 10i128.pow(6 - f.len() as u32);
        }
        Some(Dec(if neg { -value } else { value }))
    }

    /// Parse a plain decimal (`.` separator, no grouping), as JSON and SQL write them.
    pub fn parse_plain(s: &str) -> Option<Dec> {
        Dec::parse(s, '.', None)
    }

    /// `self × other`, rounded half away from zero to six places.
    pub fn times(self, other: Dec) -> Dec {
        Dec(div_round(self.0 * other.0, SCALE))
    }

    /// `self × other`, rounded once, half away from zero, to `places` decimals (0..=6).
    /// Rounding to six places first and then to two would round twice, and a product
    /// like `…37.37499982` would become `.38`.
    pub fn times_rounded(self, other: Dec, places: u32) -> Dec {
        let unit = 10i128.pow(6 - places.min(6));
        Dec(div_round(self.0 * other.0, SCALE * unit) * unit)
    }

    /// `self × other ÷ divisor`, rounded once to `places`; `None` when dividing by zero.
    pub fn times_div_rounded(self, other: Dec, divisor: Dec, places: u32) -> Option<Dec> {
        let unit = 10i128.pow(6 - places.min(6));
        (divisor.0 != 0).then(|| Dec(div_round(self.0 * other.0, divisor.0 * unit) * unit))
    }

    /// `self ÷ other`, rounded half away from zero; `None` when dividing by zero.
    pub fn checked_div(self, other: Dec) -> Option<Dec> {
        (other.0 != 0).then(|| Dec(div_round(self.0 * SCALE, other.0)))
    }

    /// Rounded half away from zero to `places` decimals (0..=6).
    pub fn round(self, places: u32) -> Dec {
        let unit = 10i128.pow(6 - places.min(6));
        Dec(div_round(self.0, unit) * unit)
    }

    /// Whether the value is exactly zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `-1234.5` with exactly `places` decimals (rounded), no grouping.
    pub fn to_plain(self, places: u32) -> String {
        self.format(places, None)
    }

    /// `1,234.50` with exactly `places` decimals (rounded) and comma grouping.
    pub fn to_grouped(self, places: u32) -> String {
        self.format(places, Some(','))
    }

    /// The shortest form that keeps every non-zero decimal (`1.0882`, `640000`).
    pub fn to_trimmed(self) -> String {
        let s = self.to_plain(6);
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }

    fn format(self, places: u32, group: Option<char>) -> String {
        let places = places.min(6);
        let r = self.round(places).0;
        let neg = r < 0;
        let abs = r.unsigned_abs();
        let int = abs / SCALE as u128;
        let frac = (abs % SCALE as u128) / 10u128.pow(6 - places);
        let mut int_s = int.to_string();
        if let Some(g) = group {
            let bytes: Vec<char> = int_s.chars().collect();
            let mut out = String::new();
            for (i, c) in bytes.iter().enumerate() {
                if i > 0 && (bytes.len() - i).is_multiple_of(3) {
                    out.push(g);
                }
                out.push(*c);
            }
            int_s = out;
        }
        let mut s = String::new();
        if neg {
            s.push('-');
        }
        s.push_str(&int_s);
        if places > 0 {
            s.push('.');
            s.push_str(&format!("{frac:0width$}", width = places as usize));
        }
        s
    }
}

fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        if (n < 0) != (d < 0) { q - 1 } else { q + 1 }
    } else {
        q
    }
}

impl Add for Dec {
    type Output = Dec;
    fn add(self, o: Dec) -> Dec {
        Dec(self.0 + o.0)
    }
}

impl Sub for Dec {
    type Output = Dec;
    fn sub(self, o: Dec) -> Dec {
        Dec(self.0 - o.0)
    }
}

impl std::iter::Sum for Dec {
    fn sum<I: Iterator<Item = Dec>>(iter: I) -> Dec {
        iter.fold(Dec::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_trimmed())
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_trimmed())
    }
}

/// A calendar date (proleptic Gregorian), as the systems write it in five ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// A checked date.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let dim = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= dim).then_some(Date { year, month, day })
    }

    /// `2024-10-31`, or the date part of an RFC 3339 time `2024-10-31T06:00:00Z`
    /// (NetSuite, Dynamics 365, SQL).
    pub fn parse_iso(s: &str) -> Option<Date> {
        let d = s.trim().get(..10)?;
        let rest = &s.trim()[10..];
        if !(rest.is_empty() || rest.starts_with('T')) {
            return None;
        }
        let b = d.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::new(num(&d[..4])?, num(&d[5..7])? as u8, num(&d[8..])? as u8)
    }

    /// `31.10.2024`, the German format of an SAP R/3 export.
    pub fn parse_german(s: &str) -> Option<Date> {
        let mut it = s.trim().split('.');
        let (d, m, y) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() || d.len() != 2 || m.len() != 2 || y.len() != 4 {
            return None;
        }
        Date::new(num(y)?, num(m)? as u8, num(d)? as u8)
    }

    /// `/Date(1730332800000)/`, OData V2's milliseconds since 1970 (SAP Gateway).
    ///
    /// ```
    /// use erp_rag::dec::Date;
    /// let d = Date::parse_odata_v2("/Date(1730332800000)/").unwrap();
    /// assert_eq!(d.to_string(), "2024-10-31");
    /// ```
    pub fn parse_odata_v2(s: &str) -> Option<Date> {
        let ms: i64 = s
            .trim()
            .strip_prefix("/Date(")?
            .strip_suffix(")/")?
            .parse()
            .ok()?;
        Some(Date::from_days(ms.div_euclid(86_400_000)))
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn num(s: &str) -> Option<i32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}
