//! Quantities as a list shows them, and back: `22,400,000`, `22.4M`, `22.4 million`,
//! `950 g`, `1.25 kg`, `-$300M`, `4.6 / 5`.
//!
//! Every value in this crate is an integer in its attribute's *base unit* (people,
//! dollars, grams, metres, degrees, tenths of a star), so ties are exact: two options
//! tie when their integers are equal, whatever notation each one is printed in. The
//! renderer only prints exact decimals, and [`Kind::parse`] reads them back with
//! integer arithmetic (no `1.2 * 1000.0 = 1200.0000000000002` surprises).

use serde::{Deserialize, Serialize};

/// What an attribute measures, which fixes its base unit and the notations it can be
/// printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A head count (people, employees). Notations: plain, short (`22.4M`), words.
    Count,
    /// US dollars. Notations: plain (`$1,200,000`), short (`$1.2M`), words.
    Usd,
    /// A mass in grams. Units: `g` or `kg`.
    Grams,
    /// A distance in metres. Units: `m` or `km`.
    Distance,
    /// A height in metres, printed in metres only (elevations may be negative).
    Metres,
    /// A temperature in whole degrees Celsius.
    Celsius,
    /// A star rating in tenths of a star, printed as `4.6 / 5`.
    Rating,
}

/// How one value is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Digits with thousands separators, or the kind's only notation.
    Plain,
    /// A scale suffix: `1.2k`, `22.4M`, `3B`.
    Short,
    /// A scale word: `1.2 thousand`, `22.4 million`, `3 billion`.
    Words,
    /// The small unit (`g`, `m`).
    SmallUnit,
    /// The large unit (`kg`, `km`).
    LargeUnit,
}

/// A piece of text that is not a quantity of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a {kind:?} quantity: {reason}")]
pub struct QuantityError {
    /// The text that failed.
    pub text: String,
    /// The kind it was read as.
    pub kind: Kind,
    /// What was wrong.
    pub reason: &'static str,
}

impl Kind {
    /// The notations (for counts and money) or units (for masses and distances) this
    /// kind can be printed in; the first is the default.
    pub fn formats(self) -> &'static [Format] {
        match self {
            Kind::Count | Kind::Usd => &[Format::Plain, Format::Short, Format::Words],
            Kind::Grams | Kind::Distance => &[Format::SmallUnit, Format::LargeUnit],
            Kind::Metres | Kind::Celsius | Kind::Rating => &[Format::Plain],
        }
    }

    /// True when two formats of this kind differ in *notation* (`1,200` vs `1.2k`),
    /// false when they differ in *unit* (`950 g` vs `1.2 kg`).
    pub fn has_notations(self) -> bool {
        matches!(self, Kind::Count | Kind::Usd)
    }

    /// Print `value` (in base units) in `format`; a format the kind lacks falls back
    /// to the default.
    ///
    /// ```
    /// use behilos::quantity::{Format, Kind};
    /// assert_eq!(Kind::Count.render(22_000_000, Format::Words), "22 million");
    /// assert_eq!(Kind::Count.render(22_000_000, Format::Short), "22M");
    /// assert_eq!(Kind::Usd.render(-300_000_000, Format::Short), "-$300M");
    /// assert_eq!(Kind::Grams.render(1250, Format::LargeUnit), "1.25 kg");
    /// assert_eq!(Kind::Rating.render(46, Format::Plain), "4.6 / 5");
    /// ```
    pub fn render(self, value: i64, format: Format) -> String {
        let format = if self.formats().contains(&format) {
            format
        } else {
            self.formats()[0]
        };
        let sign = if value < 0 { "-" } else { "" };
        let abs = value.unsigned_abs();
        match self {
            Kind::Count | Kind::Usd => {
                let dollar = if self == Kind::Usd { "$" } else { "" };
                let body = match format {
                    Format::Short => scaled(abs, false),
                    Format::Words => scaled(abs, true),
                    _ => thousands(abs),
                };
                format!("{sign}{dollar}{body}")
            }
            Kind::Grams | Kind::Distance => {
                let (small, large) = if self == Kind::Grams {
                    ("g", "kg")
                } else {
                    ("m", "km")
                };
                if format == Format::LargeUnit {
                    format!("{sign}{} {large}", decimal(abs, 3))
                } else {
                    format!("{sign}{} {small}", thousands(abs))
                }
            }
            Kind::Metres => format!("{sign}{} m", thousands(abs)),
            Kind::Celsius => format!("{sign}{} °C", abs),
            Kind::Rating => format!("{sign}{} / 5", decimal(abs, 1)),
        }
    }

    /// Read a quantity of this kind back into base units. Accepts every notation
    /// [`Kind::render`] prints, plus `−` for minus and `mn`/`bn`/`K` spellings.
    ///
    /// ```
    /// use behilos::quantity::Kind;
    /// assert_eq!(Kind::Count.parse("22 million"), Ok(22_000_000));
    /// assert_eq!(Kind::Count.parse("1.2k"), Ok(1_200));
    /// assert_eq!(Kind::Grams.parse("1.2 kg"), Ok(1_200));
    /// assert_eq!(Kind::Usd.parse("-$1.05B"), Ok(-1_050_000_000));
    /// assert!(Kind::Count.parse("many").is_err());
    /// ```
    pub fn parse(self, text: &str) -> Result<i64, QuantityError> {
        let err = |reason| QuantityError {
            text: text.to_string(),
            kind: self,
            reason,
        };
        let mut s = text.trim().replace('−', "-");
        let negative = s.starts_with('-');
        if negative {
            s.remove(0);
        }
        let s = s.trim_start().trim_start_matches('$');
        let digits_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .unwrap_or(s.len());
        let (number, rest) = s.split_at(digits_end);
        let rest = rest.trim();
        let (mantissa, decimals) = parse_decimal(number).ok_or_else(|| err("no number"))?;
        let multiplier: i128 = match (self, rest) {
            (Kind::Count | Kind::Usd, "") => 1,
            (Kind::Count | Kind::Usd, "k" | "K" | "thousand") => 1_000,
            (Kind::Count | Kind::Usd, "M" | "mn" | "million") => 1_000_000,
            (Kind::Count | Kind::Usd, "B" | "bn" | "billion") => 1_000_000_000,
            (Kind::Grams, "g") | (Kind::Distance | Kind::Metres, "m") => 1,
            (Kind::Grams, "kg") | (Kind::Distance, "km") => 1_000,
            (Kind::Celsius, "°C" | "C") => 1,
            (Kind::Rating, "/ 5" | "/5" | "") => 10,
            _ => return Err(err("unknown unit or suffix")),
        };
        let scale = 10i128.pow(decimals);
        let scaled = mantissa
            .checked_mul(multiplier)
            .ok_or_else(|| err("too large"))?;
        if scaled % scale != 0 {
            return Err(err("finer than the base unit"));
        }
        let value = i64::try_from(scaled / scale).map_err(|_| err("too large"))?;
        Ok(if negative { -value } else { value })
    }
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n / 10^places` printed exactly, trailing zeros trimmed: `(1250, 3)` → `1.25`.
fn decimal(n: u64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let (whole, frac) = (n / scale, n % scale);
    if frac == 0 {
        return thousands(whole);
    }
    let frac = format!("{frac:0width$}", width = places as usize);
    format!("{}.{}", thousands(whole), frac.trim_end_matches('0'))
}

/// `22400000` → `22.4M` (or `22.4 million` with `words`); below 1000 plain digits.
fn scaled(n: u64, words: bool) -> String {
    let (scale, suffix, word) = match n {
        1_000_000_000.. => (9, "B", "billion"),
        1_000_000.. => (6, "M", "million"),
        1_000.. => (3, "k", "thousand"),
        _ => return n.to_string(),
    };
    let body = decimal(n, scale);
    if words {
        format!("{body} {word}")
    } else {
        format!("{body}{suffix}")
    }
}

/// `"1,234.50"` → `(123450, 2)`; `None` when there is no digit or two points.
fn parse_decimal(s: &str) -> Option<(i128, u32)> {
    let mut mantissa: i128 = 0;
    let mut decimals = 0u32;
    let mut seen_point = false;
    let mut any_digit = false;
    for c in s.chars() {
        match c {
            ',' if !seen_point => {}
            '.' if !seen_point => seen_point = true,
            '0'..='9' => {
                any_digit = true;
                mantissa = mantissa
                    .checked_mul(10)?
                    .checked_add(i128::from(c as u8 - b'0'))?;
                if seen_point {
                    decimals += 1;
                }
            }
            _ => return None,
        }
    }
    (any_digit && decimals <= 18).then_some((mantissa, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_round_trips() {
        let cases = [
            (Kind::Count, 22_400_000),
            (Kind::Count, 1_230),
            (Kind::Count, 40),
            (Kind::Usd, -5_010_000_000),
            (Kind::Grams, 950),
            (Kind::Grams, 1_005),
            (Kind::Distance, 42_100),
            (Kind::Metres, -28),
            (Kind::Celsius, -7),
            (Kind::Rating, 46),
            (Kind::Rating, 50),
        ];
        for (kind, v) in cases {
            for &f in kind.formats() {
                let text = kind.render(v, f);
                assert_eq!(kind.parse(&text), Ok(v), "{kind:?} {f:?} {text}");
            }
        }
        assert_eq!(Kind::Count.render(1_234_567, Format::Plain), "1,234,567");
        assert_eq!(Kind::Count.render(22_400_000, Format::Short), "22.4M");
        assert_eq!(Kind::Rating.render(50, Format::Plain), "5 / 5");
    }

    #[test]
    fn parse_rejects_wrong_units_and_garbage() {
        assert!(Kind::Grams.parse("3 km").is_err());
        assert!(Kind::Count.parse("1.2.3").is_err());
        assert!(Kind::Count.parse("").is_err());
        assert!(Kind::Count.parse("1.5").is_err(), "half a person");
        assert_eq!(Kind::Metres.parse("−28 m"), Ok(-28));
    }
}
