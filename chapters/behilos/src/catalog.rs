//! The entities and attributes items are made of.
//!
//! Names are invented, so a model cannot answer from memory: the only way to the gold
//! answer is to compare the numbers in the question. (The seed's own example uses real
//! cities; [`crate::generate::seed_example`] keeps it as it was.) A few names contain
//! others (`Summit` / `Summit Pro`) so that answer extraction by name must prefer the
//! longest match.

use crate::quantity::Kind;

/// One attribute of a domain, with the range its values are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct AttributeSpec {
    /// Name as it appears in the question (`population`).
    pub name: &'static str,
    /// What it measures.
    pub kind: Kind,
    /// Range (inclusive, base units) for lists without negative values.
    pub range: (i64, i64),
    /// Range used when the item asks for negative values; `None` when the attribute
    /// cannot be negative.
    pub negative_range: Option<(i64, i64)>,
    /// Granularity of values: every value is a multiple of it, and a near-duplicate is
    /// exactly one step away from the answer.
    pub step: i64,
    /// For "BEST" questions: `Some(true)` when higher is better, `Some(false)` when
    /// lower is better, `None` when "best" makes no sense for this attribute.
    pub higher_is_better: Option<bool>,
    /// For "MOST"/"LEAST" questions: the counted noun (`inhabitants`).
    pub count_noun: Option<&'static str>,
}

/// A family of entities sharing attributes.
#[derive(Debug, Clone, Copy)]
pub struct Domain {
    /// Singular noun (`city`).
    pub singular: &'static str,
    /// Plural noun (`cities`).
    pub plural: &'static str,
    /// Invented entity names; at least ten, so a list of ten never repeats one.
    pub names: &'static [&'static str],
    /// The attributes; the question asks about one, the others can be distractors.
    pub attributes: &'static [AttributeSpec],
}

const fn attr(
    name: &'static str,
    kind: Kind,
    range: (i64, i64),
    negative_range: Option<(i64, i64)>,
    step: i64,
    higher_is_better: Option<bool>,
    count_noun: Option<&'static str>,
) -> AttributeSpec {
    AttributeSpec {
        name,
        kind,
        range,
        negative_range,
        step,
        higher_is_better,
        count_noun,
    }
}

/// Every domain the generator draws from.
pub const DOMAINS: &[Domain] = &[
    Domain {
        singular: "city",
        plural: "cities",
        names: &[
            "Velmora",
            "Ostrand",
            "Caldera Bay",
            "Port Ilsen",
            "Marrowick",
            "Tessaly",
            "Brindlefort",
            "Quennet",
            "Harrowgate",
            "Solvane",
            "Elmsreach",
            "Kestrow",
            "Duneholm",
            "Varkas",
        ],
        attributes: &[
            attr(
                "population",
                Kind::Count,
                (500_000, 40_000_000),
                None,
                100_000,
                None,
                Some("inhabitants"),
            ),
            attr(
                "elevation",
                Kind::Metres,
                (0, 2_500),
                Some((-400, 600)),
                1,
                None,
                None,
            ),
            attr(
                "average January temperature",
                Kind::Celsius,
                (0, 30),
                Some((-25, 8)),
                1,
                None,
                None,
            ),
        ],
    },
    Domain {
        singular: "company",
        plural: "companies",
        names: &[
            "Arkwell Systems",
            "Brightmoor",
            "Corvane Labs",
            "Dellacourt",
            "Everhart & Lowe",
            "Fennick Group",
            "Galloway Tech",
            "Halvorsen",
            "Ironvale",
            "Juniper Row",
            "Kettering Works",
            "Lumen Forge",
            "Marchetti",
            "Northgate",
        ],
        attributes: &[
            attr(
                "annual revenue",
                Kind::Usd,
                (50_000_000, 90_000_000_000),
                None,
                10_000_000,
                Some(true),
                None,
            ),
            attr(
                "annual profit",
                Kind::Usd,
                (10_000_000, 9_000_000_000),
                Some((-5_000_000_000, 3_000_000_000)),
                10_000_000,
                Some(true),
                None,
            ),
            attr(
                "headcount",
                Kind::Count,
                (40, 250_000),
                None,
                10,
                None,
                Some("employees"),
            ),
        ],
    },
    Domain {
        singular: "backpack",
        plural: "backpacks",
        names: &[
            "Trailhawk 30",
            "Summit",
            "Summit Pro",
            "Ridgeline Lite",
            "Canyon 45",
            "Alpine X2",
            "Nomad Day",
            "Peakfinder",
            "Voyager 28",
            "Drift 35",
            "Switchback",
            "Cairn Ultra",
            "Scout 22",
            "Tundra 40",
        ],
        attributes: &[
            attr("weight", Kind::Grams, (300, 2_500), None, 10, None, None),
            attr("price", Kind::Usd, (40, 450), None, 1, Some(false), None),
            attr("rating", Kind::Rating, (25, 50), None, 1, Some(true), None),
        ],
    },
    Domain {
        singular: "trail",
        plural: "trails",
        names: &[
            "Hollow Creek",
            "Ember Ridge",
            "Whistler Loop",
            "Fox Run",
            "Granite Steps",
            "Larch Valley",
            "Mistral Pass",
            "Oak Hollow",
            "Pine Spur",
            "Quarry Trail",
            "Raven Crest",
            "Sable Falls",
            "Thornback",
            "Upper Meadow",
        ],
        attributes: &[
            attr(
                "length",
                Kind::Distance,
                (800, 42_000),
                None,
                100,
                None,
                None,
            ),
            attr(
                "elevation gain",
                Kind::Metres,
                (20, 2_400),
                None,
                10,
                None,
                None,
            ),
            attr(
                "trailhead elevation",
                Kind::Metres,
                (0, 3_000),
                Some((-90, 300)),
                1,
                None,
                None,
            ),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_usable() {
        for d in DOMAINS {
            assert!(d.names.len() >= 10, "{}", d.plural);
            for a in d.attributes {
                assert_eq!(a.range.0 % a.step, 0, "{}", a.name);
                assert!(a.range.1 - a.range.0 >= 20 * a.step, "{}", a.name);
                if let Some((lo, hi)) = a.negative_range {
                    assert!(lo < 0 && hi > lo && lo % a.step == 0, "{}", a.name);
                }
            }
        }
    }
}
