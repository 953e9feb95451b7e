//! Properties of the normalisation and the backoff, over generated inputs.

use std::time::Duration;

use proptest::prelude::*;
use s2s::hashing::{normalise_city, normalise_email, normalise_phone, sha256_hex};
use s2s::relay::full_jitter;

proptest! {
    /// Normalising twice changes nothing, and case/padding never changes the hash.
    #[test]
    fn email_normalisation_is_idempotent_and_case_blind(
        user in "[A-Za-z0-9._]{1,12}", domain in "[A-Za-z]{1,8}\\.[A-Za-z]{2,3}", pad in " {0,3}"
    ) {
        let raw = format!("{pad}{user}@{domain}{pad}");
        let once = normalise_email(&raw).unwrap();
        prop_assert_eq!(normalise_email(&once).unwrap(), once.clone());
        let shouted = normalise_email(&raw.to_uppercase()).unwrap();
        prop_assert_eq!(sha256_hex(&shouted), sha256_hex(&once));
    }

    /// Any punctuation around the same digits gives the same phone hash.
    #[test]
    fn phone_formatting_never_changes_the_digits(digits in "[1-9][0-9]{9,13}", seps in "[ ()+.-]{0,4}") {
        let spaced: String = digits.chars().flat_map(|c| [c, seps.chars().next().unwrap_or(' ')]).collect();
        prop_assert_eq!(normalise_phone(&format!("+{spaced}")).unwrap(), digits.clone());
        prop_assert_eq!(normalise_phone(&format!("00{digits}")).unwrap(), digits);
    }

    #[test]
    fn city_normalisation_is_idempotent(city in "[A-Za-z][A-Za-z .'-]{0,20}") {
        let once = normalise_city(&city).unwrap();
        prop_assert_eq!(normalise_city(&once).unwrap(), once);
    }

    /// Full jitter never exceeds min(cap, base · 2^attempt).
    #[test]
    fn full_jitter_respects_the_ceiling(seed: u64, base_ms in 1u64..1000, cap_ms in 1u64..60_000, attempt in 0u32..64) {
        let mut rng = kit::rng::seeded(seed);
        let (base, cap) = (Duration::from_millis(base_ms), Duration::from_millis(cap_ms));
        let d = full_jitter(&mut rng, base, cap, attempt);
        let ceiling = base.checked_mul(2u32.saturating_pow(attempt.min(31))).unwrap_or(cap).min(cap);
        prop_assert!(d <= ceiling);
    }
}
