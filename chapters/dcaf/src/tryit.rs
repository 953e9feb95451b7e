//! The page's Try it block: turn the seed app's builder options on and off and see the
//! plan, the diff against the seed's app and one resource of the synthesised template.
//! Pure computation, so it also runs as wasm32 in the reader's browser (see
//! [`kit::tryit`]); `cargo run -p dcaf --example try_it -- --help` lists the same knobs.

use std::fmt::Write as _;

use kit::tryit::{Engine as TryItEngine, Kind, Knob, TryItError, Values};
use serde_json::Value;

use crate::app::{App, Cache, Cdn, Database, Email, Engine, Eviction, Queue, Size, Storage};
use crate::app::{days, gib, hours, minutes};
use crate::template::Template;

/// The resources the `resource` knob can show.
const RESOURCES: &[&str] = &[
    "ImagesBucket",
    "ProductsDb",
    "SessionCache",
    "ImagesCdn",
    "OrdersQueue",
    "none",
];

/// Longest diff shown before it is cut (the summary line is always kept).
const DIFF_LINES: usize = 16;

/// Longest line of the template excerpt.
const WIDTH: usize = 96;

/// Day 16's engine for the page: the seed app's builder options as knobs.
pub const ENGINE: TryItEngine = TryItEngine {
    chapter: "dcaf",
    title: "turn the seed app's builder options on and off; DCAF synthesises the template again and shows the plan, what would change against the seed's app, and one resource.",
    knobs: &[
        Knob {
            name: "engine",
            label: "database engine",
            help: "Database::engine: postgres 14.19 (the seed's) or mysql 8.0.42",
            kind: Kind::Choice(&["postgres", "mysql"]),
            default: "postgres",
        },
        Knob {
            name: "db-size",
            label: "database size",
            help: "Database::size (db.t3.*)",
            kind: Kind::Choice(&["small", "medium", "large", "xlarge"]),
            default: "medium",
        },
        Knob {
            name: "multi-az",
            label: "Multi-AZ",
            help: "Database::multi_az; off is an opt-out",
            kind: Kind::Bool,
            default: "true",
        },
        Knob {
            name: "retention",
            label: "backup days",
            help: "Database::backup_retention_days; 0 is an opt-out, RDS accepts 0 to 35",
            kind: Kind::Int { min: 0, max: 99 },
            default: "7",
        },
        Knob {
            name: "cache",
            label: "session cache",
            help: "keep the seed's Redis session cache (add_cache)",
            kind: Kind::Bool,
            default: "true",
        },
        Knob {
            name: "public",
            label: "public bucket",
            help: "Storage::public; on is an opt-out",
            kind: Kind::Bool,
            default: "false",
        },
        Knob {
            name: "versioning",
            label: "bucket versioning",
            help: "Storage::versioning; off is an opt-out",
            kind: Kind::Bool,
            default: "true",
        },
        Knob {
            name: "bucket-name",
            label: "bucket name",
            help: "Storage::bucket_name; empty = DCAF's generated name (app-storage-account-region)",
            kind: Kind::Text {
                rows: 1,
                max_bytes: 100,
            },
            default: "",
        },
        Knob {
            name: "https",
            label: "CDN HTTPS only",
            help: "Cdn::https; off is an opt-out",
            kind: Kind::Bool,
            default: "true",
        },
        Knob {
            name: "nat",
            label: "NAT gateways",
            help: "App::nat_gateways: one per availability zone (3) or fewer",
            kind: Kind::Int { min: 1, max: 3 },
            default: "3",
        },
        Knob {
            name: "resource",
            label: "show resource",
            help: "which resource of the template to print, one line per property",
            kind: Kind::Choice(RESOURCES),
            default: "ImagesBucket",
        },
    ],
    run,
};

/// The seed's app (as [`crate::seed::ecommerce_platform`] writes it) with the knobs'
/// options; the default knobs give exactly the seed's app.
fn app(v: &Values) -> Result<App, TryItError> {
    let engine = match v.text("engine")? {
        "mysql" => Engine::MySql("8.0.42".into()),
        _ => Engine::Postgres("14.19".into()),
    };
    let size = match v.text("db-size")? {
        "small" => Size::Small,
        "large" => Size::Large,
        "xlarge" => Size::XLarge,
        _ => Size::Medium,
    };
    let retention = u32::try_from(v.int("retention")?).unwrap_or(u32::MAX);
    let nat = u8::try_from(v.int("nat")?).unwrap_or(u8::MAX);
    let mut images = Storage::new("images")
        .public(v.bool("public")?)
        .versioning(v.bool("versioning")?)
        .archive_after(days(90))
        .delete_after(days(365));
    let name = v.text("bucket-name")?.trim();
    if !name.is_empty() {
        images = images.bucket_name(name);
    }
    let mut app = App::new("ecommerce-platform")
        .environment("production")
        .region("us-east-1")
        .nat_gateways(nat)
        .add_database(
            Database::postgres("products-db", "14.19")
                .engine(engine)
                .size(size)
                .storage(gib(100), gib(500))
                .backup_retention_days(retention)
                .multi_az(v.bool("multi-az")?),
        );
    if v.bool("cache")? {
        app = app.add_cache(
            Cache::redis("session-cache", "7.0")
                .size(Size::Small)
                .eviction(Eviction::AllKeysLru),
        );
    }
    Ok(app
        .add_storage(images)
        .add_cdn(
            Cdn::for_storage("images")
                .ttl(hours(1), hours(24))
                .compression(true)
                .https(v.bool("https")?),
        )
        .add_email(Email::from_domain("ecommerce.com"))
        .add_queue(Queue::new("orders").retries(3).timeout(minutes(5))))
}

/// Compact JSON, cut to `max` characters with `…`.
fn short(v: &Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() <= max {
        s
    } else {
        let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Longest resource excerpt, in lines.
const EXCERPT_LINES: usize = 22;

/// `key: value` lines for one property: on one line when it fits, else an object's (or a
/// one-element list's) members one level down, each the same way.
fn property_lines(key: &str, value: &Value, indent: usize, lines: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    let room = WIDTH.saturating_sub(indent + key.chars().count() + 2);
    let compact = value.to_string();
    match value {
        Value::Array(tags) if key == "Tags" => {
            lines.push(format!("{pad}{key}: {} tags", tags.len()))
        }
        _ if compact.chars().count() <= room => lines.push(format!("{pad}{key}: {compact}")),
        Value::Object(members) if indent < 8 => {
            lines.push(format!("{pad}{key}:"));
            for (k, v) in members {
                property_lines(k, v, indent + 2, lines);
            }
        }
        Value::Array(items) if items.len() == 1 && indent < 8 => {
            property_lines(&format!("{key}[0]"), &items[0], indent, lines);
        }
        _ => lines.push(format!("{pad}{key}: {}", short(value, room))),
    }
}

/// One resource of `template`, one line per property (tags counted, not listed).
fn excerpt(template: &Template, id: &str) -> String {
    let Some(r) = template.resource(id) else {
        return format!("{id}: not in this template (its component is switched off).\n");
    };
    let mut out = format!(
        "{id} ({}), one of {} resources in the template:\n",
        r.resource_type,
        template.resources().len()
    );
    let mut lines = Vec::new();
    for (key, value) in &r.properties {
        property_lines(key, value, 2, &mut lines);
    }
    match (&r.deletion_policy, &r.update_replace_policy) {
        (Some(d), Some(u)) if d == u => {
            lines.push(format!("  (DeletionPolicy, UpdateReplacePolicy: {d})"))
        }
        (d, u) => {
            if let Some(d) = d {
                lines.push(format!("  (DeletionPolicy: {d})"));
            }
            if let Some(u) = u {
                lines.push(format!("  (UpdateReplacePolicy: {u})"));
            }
        }
    }
    if lines.len() > EXCERPT_LINES {
        let more = lines.len() - (EXCERPT_LINES - 1);
        lines.truncate(EXCERPT_LINES - 1);
        lines.push(format!("  … {more} more lines"));
    }
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    out
}

fn run(v: &Values) -> Result<String, TryItError> {
    let seed = crate::seed::ecommerce_platform()
        .synth()
        .map_err(TryItError::engine)?;
    let next = app(v)?.synth().map_err(TryItError::engine)?;
    let plan = crate::plan(&next);

    let mut out = format!(
        "Plan: {}\n{} resources to create, {} services, nothing deployed.\n\n",
        plan.title,
        plan.total,
        plan.services.len()
    );
    let rows: Vec<Vec<String>> = plan
        .components
        .iter()
        .map(|(c, n)| {
            let flagged = plan.opt_outs.iter().filter(|o| &o.component == c).count();
            vec![c.clone(), n.to_string(), flagged.to_string()]
        })
        .collect();
    out += &kit::table::render(&["component", "resources", "opt-outs"], &rows);
    out += "\n\n";
    if plan.opt_outs.is_empty() {
        out += "Opt-outs: none. Every secure default is on.\n";
    } else {
        let _ = writeln!(out, "Opt-outs ({}):", plan.opt_outs.len());
        for o in &plan.opt_outs {
            let _ = writeln!(out, "  ! {} ({})", o.logical_id, o.component);
            let _ = writeln!(out, "      {}", crate::plan::wrap(&o.text, 78, "      "));
        }
    }

    out += "\nAgainst the seed's app (the default knobs):\n";
    let diff = crate::diff(&seed, &next).to_string();
    let lines: Vec<&str> = diff.lines().collect();
    if lines.len() > DIFF_LINES {
        for l in &lines[..DIFF_LINES - 3] {
            let _ = writeln!(out, "{l}");
        }
        let _ = writeln!(
            out,
            "  … {} more lines\n",
            lines.len() - (DIFF_LINES - 3) - 2
        );
        let _ = writeln!(out, "{}", lines[lines.len() - 1]);
    } else {
        let _ = writeln!(out, "{diff}");
    }

    let id = v.text("resource")?;
    if id != "none" {
        out.push('\n');
        out += &excerpt(&next, id);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    #[test]
    fn default_knobs_are_the_seed_app() {
        let v = ENGINE.values([]).unwrap();
        let ours = super::app(&v).unwrap().synth().unwrap();
        let seed = crate::seed::ecommerce_platform().synth().unwrap();
        assert_eq!(ours.to_json(), seed.to_json());
        let out = ENGINE.run_defaults().unwrap();
        assert!(out.contains("Opt-outs: none."), "{out}");
        assert!(out.contains("No changes."), "{out}");
        assert!(out.contains("ImagesBucket (AWS::S3::Bucket)"), "{out}");
    }

    #[test]
    fn an_opt_out_is_flagged_and_diffed() {
        let out = ENGINE.run_pairs(&[("public", "true")]).unwrap();
        assert!(
            out.contains("! ImagesBucket (storage images)\n      public(true)"),
            "{out}"
        );
        assert!(out.contains("[~]   update  ImagesBucket"), "{out}");
        assert!(out.contains("    BlockPublicAcls: false"), "{out}");
    }

    #[test]
    fn a_bucket_name_replaces_and_dropping_the_cache_deletes() {
        let out = ENGINE.run_pairs(&[("bucket-name", "acme-images")]).unwrap();
        assert!(out.contains("[-/+] replace ImagesBucket"), "{out}");
        let out = ENGINE
            .run_pairs(&[("cache", "false"), ("resource", "SessionCache")])
            .unwrap();
        assert!(out.contains("to delete."), "{out}");
        assert!(out.contains("more lines"), "{out}");
        assert!(out.contains("SessionCache: not in this template"), "{out}");
        assert!(out.lines().count() <= 45, "{out}");
    }

    #[test]
    fn settings_the_cloud_rejects_are_named_errors() {
        let err = ENGINE
            .run_pairs(&[("bucket-name", "Acme_Images")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("storage images: `bucket_name` = \"Acme_Images\""),
            "{err}"
        );
        let err = ENGINE
            .run_pairs(&[("retention", "40")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("database products-db: `backup_retention_days` = 40"),
            "{err}"
        );
    }
}
