//! Normalise, then SHA-256: customer data as the Conversions API wants it.
//!
//! The platform matches a conversion to a user by comparing hashes. A hash of
//! `Person@Example.com` and a hash of `person@example.com` share nothing, so every
//! field is first put in one canonical form, then hashed (lowercase hex SHA-256).
//! Client IP address, user agent and the `fbc`/`fbp` cookies are sent as they are:
//! the platform needs them raw, and its rules say not to hash them.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Result, S2sError};

/// Customer data as the shop holds it: raw, personal, never sent as is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInfo {
    /// Email address.
    pub email: Option<String>,
    /// Phone number, with its country code (`+1 (650) 555-1234`).
    pub phone: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region, as a 2-letter code (`CA`).
    pub state: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Country, as a 2-letter ISO 3166-1 code (`US`).
    pub country: Option<String>,
    /// Date of birth, `YYYY-MM-DD` or `YYYYMMDD`.
    pub date_of_birth: Option<String>,
    /// The shop's own customer id.
    pub external_id: Option<String>,
    /// The browser's IP address (sent unhashed).
    pub client_ip_address: Option<String>,
    /// The browser's user agent (sent unhashed).
    pub client_user_agent: Option<String>,
    /// The `_fbc` click-id cookie (sent unhashed).
    pub fbc: Option<String>,
    /// The `_fbp` browser-id cookie (sent unhashed).
    pub fbp: Option<String>,
}

/// `user_data` as it goes on the wire: hashed identifiers plus the raw technical fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserData {
    /// SHA-256 of the normalised email.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub em: Vec<String>,
    /// SHA-256 of the normalised phone number.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub ph: Vec<String>,
    /// SHA-256 of the normalised first name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub r#fn: Option<String>,
    /// SHA-256 of the normalised last name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ln: Option<String>,
    /// SHA-256 of the normalised city.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ct: Option<String>,
    /// SHA-256 of the normalised state code.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub st: Option<String>,
    /// SHA-256 of the normalised postal code.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub zp: Option<String>,
    /// SHA-256 of the normalised country code.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub country: Option<String>,
    /// SHA-256 of the date of birth as `YYYYMMDD`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub db: Option<String>,
    /// SHA-256 of the shop's customer id.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub external_id: Vec<String>,
    /// The browser's IP address, unhashed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_ip_address: Option<String>,
    /// The browser's user agent, unhashed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_user_agent: Option<String>,
    /// The click-id cookie, unhashed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fbc: Option<String>,
    /// The browser-id cookie, unhashed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fbp: Option<String>,
}

impl UserData {
    /// How many customer-information parameters (hashed or technical) are present;
    /// the platform refuses an event with none.
    pub fn parameter_count(&self) -> usize {
        let hashed = [
            &self.r#fn,
            &self.ln,
            &self.ct,
            &self.st,
            &self.zp,
            &self.country,
            &self.db,
        ];
        self.em.len()
            + self.ph.len()
            + self.external_id.len()
            + hashed.iter().filter(|h| h.is_some()).count()
            + [
                &self.client_ip_address,
                &self.client_user_agent,
                &self.fbc,
                &self.fbp,
            ]
            .iter()
            .filter(|h| h.is_some())
            .count()
    }

    /// Every value that must be a hash, with its field name.
    pub fn hashed_fields(&self) -> Vec<(&'static str, &str)> {
        let mut v: Vec<(&'static str, &str)> = Vec::new();
        v.extend(self.em.iter().map(|h| ("em", h.as_str())));
        v.extend(self.ph.iter().map(|h| ("ph", h.as_str())));
        v.extend(self.external_id.iter().map(|h| ("external_id", h.as_str())));
        for (name, h) in [
            ("fn", &self.r#fn),
            ("ln", &self.ln),
            ("ct", &self.ct),
            ("st", &self.st),
            ("zp", &self.zp),
            ("country", &self.country),
            ("db", &self.db),
        ] {
            if let Some(h) = h {
                v.push((name, h.as_str()));
            }
        }
        v
    }
}

/// Lowercase hex SHA-256 of `s`.
///
/// ```
/// assert_eq!(
///     s2s::hashing::sha256_hex("person@example.com"),
///     "542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345"
/// );
/// ```
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// True when `s` looks like a hash this module produced: 64 lowercase hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn refuse(field: &'static str, reason: &'static str, value: &str) -> S2sError {
    S2sError::Normalise {
        field,
        reason,
        value: value.to_string(),
    }
}

/// Email: trimmed and lowercased; it must have one `@` with text on both sides.
pub fn normalise_email(raw: &str) -> Result<String> {
    let e = raw.trim().to_lowercase();
    match e.split_once('@') {
        Some((user, domain))
            if !user.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !e.contains(char::is_whitespace) =>
        {
            Ok(e)
        }
        _ => Err(refuse("em", "not an email address", raw)),
    }
}

/// Phone: digits only, without the international `00`/`+` prefix or leading zeros,
/// and with the country code: 8 to 15 digits (E.164's maximum).
pub fn normalise_phone(raw: &str) -> Result<String> {
    if raw.chars().any(|c| c.is_alphabetic()) {
        return Err(refuse("ph", "letters in a phone number", raw));
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    if !(8..=15).contains(&digits.len()) {
        return Err(refuse(
            "ph",
            "needs 8 to 15 digits including the country code",
            raw,
        ));
    }
    Ok(digits.to_string())
}

/// Names: trimmed, lowercased, letters only (no spaces or punctuation; UTF-8 kept).
pub fn normalise_name(field: &'static str, raw: &str) -> Result<String> {
    let n: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    if n.is_empty() {
        return Err(refuse(field, "no letters", raw));
    }
    Ok(n)
}

/// City: lowercased, letters only, spaces removed (`Menlo Park` → `menlopark`).
pub fn normalise_city(raw: &str) -> Result<String> {
    normalise_name("ct", raw)
}

/// State or country: a 2-letter code, lowercased.
pub fn normalise_code(field: &'static str, raw: &str) -> Result<String> {
    let c = raw.trim().to_lowercase();
    if c.len() == 2 && c.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(c)
    } else {
        Err(refuse(field, "must be a 2-letter code", raw))
    }
}

/// Postal code: lowercased, no spaces; a US ZIP+4 keeps its first five digits.
pub fn normalise_zip(raw: &str, country: Option<&str>) -> Result<String> {
    let z: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let z = if country.is_some_and(|c| c.trim().eq_ignore_ascii_case("us")) {
        z.split('-').next().unwrap_or_default().to_string()
    } else {
        z
    };
    if z.is_empty() || !z.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(refuse("zp", "not a postal code", raw));
    }
    Ok(z)
}

/// Date of birth: `YYYYMMDD` (from `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`), a real date.
pub fn normalise_dob(raw: &str) -> Result<String> {
    let d: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | '/' | '.'))
        .collect();
    let bad = || refuse("db", "not a date YYYY-MM-DD", raw);
    if d.len() != 8 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: u32 = d[0..4].parse().map_err(|_| bad())?;
    let month: u32 = d[4..6].parse().map_err(|_| bad())?;
    let day: u32 = d[6..8].parse().map_err(|_| bad())?;
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1900..=2100).contains(&year) || day == 0 || day > days {
        return Err(bad());
    }
    Ok(d)
}

/// External id: trimmed (case kept: it is the shop's own identifier).
pub fn normalise_external_id(raw: &str) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(refuse("external_id", "empty", raw));
    }
    Ok(t.to_string())
}

impl CustomerInfo {
    /// Normalise and hash every identifying field; pass the technical ones through.
    pub fn to_user_data(&self) -> Result<UserData> {
        let h = |r: Result<String>| r.map(|n| sha256_hex(&n));
        let opt = |v: &Option<String>, f: &dyn Fn(&str) -> Result<String>| {
            v.as_deref().map(|s| h(f(s))).transpose()
        };
        Ok(UserData {
            em: opt(&self.email, &normalise_email)?.into_iter().collect(),
            ph: opt(&self.phone, &normalise_phone)?.into_iter().collect(),
            r#fn: opt(&self.first_name, &|s| normalise_name("fn", s))?,
            ln: opt(&self.last_name, &|s| normalise_name("ln", s))?,
            ct: opt(&self.city, &normalise_city)?,
            st: opt(&self.state, &|s| normalise_code("st", s))?,
            zp: opt(&self.zip, &|s| normalise_zip(s, self.country.as_deref()))?,
            country: opt(&self.country, &|s| normalise_code("country", s))?,
            db: opt(&self.date_of_birth, &normalise_dob)?,
            external_id: opt(&self.external_id, &normalise_external_id)?
                .into_iter()
                .collect(),
            client_ip_address: self.client_ip_address.clone(),
            client_user_agent: self.client_user_agent.clone(),
            fbc: self.fbc.clone(),
            fbp: self.fbp.clone(),
        })
    }

    /// The raw identifying values (for tests that check none of them leave the shop).
    pub fn identifying_values(&self) -> Vec<&str> {
        [
            &self.email,
            &self.phone,
            &self.first_name,
            &self.last_name,
            &self.city,
            &self.zip,
            &self.date_of_birth,
            &self.external_id,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
    }
}
