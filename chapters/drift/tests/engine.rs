//! The engine: normalisation, matching rules, the CloudFormation seam, the policy, the
//! seed's claims, and properties of diff and adopt.

use drift::{
    DifferenceType, FindingKind, Inventory, Policy, ResourceState, Severity, adopt, assess, diff,
    parse_str,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn seed_pair() -> (Inventory, Inventory) {
    let i = parse_str("plan", drift::fixtures::INTENDED_YAML, false).expect("plan");
    let a = parse_str("actual", drift::fixtures::ACTUAL_YAML, false).expect("actual");
    (i, a)
}

fn yaml(text: &str) -> Inventory {
    parse_str("test.yaml", text, false).expect("valid test document")
}

#[test]
fn the_seeds_template_is_a_fleet_matched_against_reality_in_name_order() {
    let (i, a) = seed_pair();
    // The plan names no servers: `web_servers` is a fleet of three, not three resources.
    assert!(!i.resources.keys().any(|k| k.rtype == "web_server"));
    let fleet = &i.fleets[0];
    assert_eq!(
        (fleet.field().as_str(), fleet.count),
        ("production.web_servers", 3)
    );
    // `ami-12345 (Ubuntu 20.04)` is read as the id; the label is not data.
    assert_eq!(fleet.attributes["ami"], "ami-12345");
    assert!(!fleet.attributes.contains_key("count"));
    assert_eq!(i.planned(), 9);

    let r = diff(&i, &a, &[]);
    let m = &r.fleets[0];
    assert_eq!(m.members, ["server_1", "server_2", "server_3"]);
    assert_eq!(
        (m.beyond.as_slice(), m.found()),
        (&["server_4".to_string()][..], 4)
    );
    assert_eq!(
        (r.managed(), r.unmanaged(), r.missing(), r.changed()),
        (9, 7, 0, 6)
    );
    assert_eq!(r.coverage_percent(), 56); // 9 * 100 / 16 = 56.25, truncated
    let unmanaged: Vec<String> = r
        .resources
        .iter()
        .filter(|d| d.state == ResourceState::Unmanaged)
        .map(|d| d.key.to_string())
        .collect();
    for name in [
        "server_4]",
        "temp-test-bucket]",
        "bob-test-role]",
        "prod-backups]",
    ] {
        assert!(
            unmanaged.iter().any(|u| u.ends_with(name)),
            "{name} in {unmanaged:?}"
        );
    }
    let paths = |id: &str| -> Vec<String> {
        r.resources
            .iter()
            .find(|d| d.key.id == id)
            .expect(id)
            .changes
            .iter()
            .map(|c| c.path.clone())
            .collect()
    };
    // server_1 is not touched on /type or /ami: only set members and notes.
    assert_eq!(
        paths("production/server_1"),
        [
            "/notes",
            "/security_groups/allow-mysql-3306",
            "/security_groups/allow-all-from-office"
        ]
    );
    // Each instance is held to the template: server_2's type and image changes are found.
    let s2 = paths("production/server_2");
    assert!(
        s2.contains(&"/type".to_string()) && s2.contains(&"/ami".to_string()),
        "{s2:?}"
    );
}

#[test]
fn a_fleet_reports_its_count_mismatch_and_each_instances_changes() {
    let plan = yaml("p:\n  web_servers: {count: 3, type: t3.small}\n  caches: {count: 0}\n");
    assert!(!plan.resources.keys().any(|k| k.rtype == "web_server"));
    let reality =
        yaml("p:\n  web_servers:\n    web-10: {type: t3.small}\n    web-2: {type: t3.large}\n");
    let r = diff(&plan, &reality, &[]);
    let fleet = |field: &str| r.fleets.iter().find(|f| f.field == field).expect(field);
    let m = fleet("p.web_servers");
    // Name order compares numbers as numbers: web-2 comes before web-10.
    assert_eq!(m.members, ["web-2", "web-10"]);
    assert_eq!(m.empty, ["p/web_servers[3]"]);
    assert_eq!(
        m.to_string(),
        "p.web_servers: count 3, reality has 2; compared with the template: web-2, web-10; 1 missing"
    );
    let state = |id: &str| r.resources.iter().find(|d| d.key.id == id).expect(id);
    assert_eq!(state("p/web-10").state, ResourceState::InSync);
    assert_eq!(state("p/web-2").state, ResourceState::Changed);
    assert_eq!(state("p/web-2").changes[0].path, "/type");
    assert_eq!(state("p/web_servers[3]").state, ResourceState::Missing);
    // A count of zero asks for nothing; the fleet matches reality's empty section.
    assert_eq!(
        fleet("p.caches").to_string(),
        "p.caches: count 0, reality has 0"
    );

    // A template compared with itself is in sync, and adopting reality makes it so.
    assert!(diff(&plan, &plan, &[]).in_sync());
    assert!(diff(&adopt(&plan, &reality, &[]), &reality, &[]).in_sync());
}

#[test]
fn a_template_with_a_name_prefix_names_its_instances() {
    let inv = yaml("p:\n  web_servers: {count: 2, name_prefix: web-, type: t3.small}\n");
    assert!(inv.fleets.is_empty());
    assert!(inv.get("web_server", "p/web-1").is_some());
    assert!(inv.get("web_server", "p/web-2").is_some());
}

#[test]
fn sets_member_by_member_keyed_lists_by_key_index_as_fallback() {
    let i = yaml(
        "p:\n  lb:\n    sg: [a, b, c]\n    listeners:\n      - {port: 443, certificate: x}\n      - {port: 80}\n    rules:\n      - {allow: 1}\n      - {allow: 2}\n",
    );
    let a = yaml(
        "p:\n  lb:\n    sg: [c, a, d, d]\n    listeners:\n      - {port: 80}\n      - {port: 443, certificate: y}\n    rules:\n      - {allow: 2}\n      - {allow: 1}\n",
    );
    let r = diff(&i, &a, &[]);
    let got: Vec<(String, DifferenceType)> = r
        .resources
        .iter()
        .flat_map(|d| {
            d.changes
                .iter()
                .map(|c| (c.path.clone(), c.difference_type))
        })
        .collect();
    use DifferenceType::*;
    assert_eq!(
        got,
        [
            ("/listeners/443/certificate".into(), NotEqual),
            // rules have no identity field: compared by position, so a swap shows twice
            ("/rules/0/allow".into(), NotEqual),
            ("/rules/1/allow".into(), NotEqual),
            ("/sg/b".into(), Remove),
            ("/sg/d".into(), Add),
        ]
    );
}

#[test]
fn names_are_found_case_insensitively_and_duplicates_fall_back_to_index() {
    let mode = |x: Value, y: Value| {
        drift::diff::list_mode(x.as_array().expect("list"), y.as_array().expect("list"))
    };
    use drift::diff::ListMode;
    assert_eq!(
        mode(json!([{"Key": "a"}]), json!([{"Key": "b"}])),
        ListMode::Keyed("key")
    );
    assert_eq!(
        mode(json!([{"name": "a", "id": 1}]), json!([{"id": 2}])),
        ListMode::Keyed("id")
    );
    assert_eq!(
        mode(json!([{"name": "a"}, {"name": "a"}]), json!([])),
        ListMode::Index
    );
    assert_eq!(mode(json!([1, "x"]), json!([true])), ListMode::Set);
    assert_eq!(mode(json!([1, {"a": 1}]), json!([])), ListMode::Index);
}

#[test]
fn pointers_escape_and_ignore_prunes_subtrees() {
    let p = drift::Pointer::parse("/a~1b/c~0d").expect("pointer");
    assert_eq!(p.segments(), ["a/b", "c~d"]);
    assert_eq!(p.to_string(), "/a~1b/c~0d");
    assert!(drift::Pointer::parse("a").is_err());
    assert!(drift::Pointer::parse("/a~2").is_err());
    let i = yaml("p:\n  db: {tags: {owner: a, team: b}, size: 1}\n");
    let a = yaml("p:\n  db: {tags: {owner: z, team: y}, size: 2}\n");
    let ig = [drift::Pointer::parse("/tags").expect("p")];
    let r = diff(&i, &a, &ig);
    assert_eq!(r.change_count(), 1);
    let ig = [drift::Pointer::parse("/tags/owner").expect("p")];
    assert_eq!(diff(&i, &a, &ig).change_count(), 2);
}

#[test]
fn default_policy_ranks_the_seed_findings() {
    let (i, a) = seed_pair();
    let f = assess(&diff(&i, &a, &[]), &Policy::builtin());
    let sev = |id: &str, path: Option<&str>| {
        f.iter()
            .find(|x| x.id.ends_with(id) && x.path.as_deref() == path)
            .map(|x| x.severity)
            .unwrap_or_else(|| panic!("no finding {id} {path:?}"))
    };
    assert_eq!(sev("production", Some("/backup")), Severity::Critical);
    assert_eq!(sev("prod-assets", Some("/encryption")), Severity::Critical);
    assert_eq!(sev("prod-backups", None), Severity::Critical);
    assert_eq!(
        sev("server_3", Some("/security_groups/allow-ssh-from-anywhere")),
        Severity::Critical
    );
    assert_eq!(sev("contractor-access", None), Severity::Critical);
    assert_eq!(sev("production", Some("/listeners/9000")), Severity::High);
    assert_eq!(sev("bob-test-role", None), Severity::High);
    assert_eq!(sev("server_2", Some("/type")), Severity::Medium);
    assert_eq!(sev("server_1", Some("/notes")), Severity::Info);
    // Sorted most severe first, every finding has both remediations.
    assert!(f.windows(2).all(|w| w[0].severity <= w[1].severity));
    assert!(
        f.iter()
            .all(|x| !x.remediation.revert.is_empty() && !x.remediation.adopt.is_empty())
    );
}

#[test]
fn builtin_policy_text_parses_and_globs_work() {
    let p = Policy::parse("default.yaml", drift::policy::DEFAULT_POLICY_YAML).expect("parses");
    assert!(p.rules.len() > 20);
    assert_eq!(p.rules, Policy::builtin().rules);
    use drift::policy::glob;
    assert!(glob("*contractor*", "production/contractor-access"));
    assert!(glob(
        "/listeners/*/certificate",
        "/listeners/443/certificate"
    ));
    assert!(!glob("/listeners/*", "/load"));
    assert!(glob("a*b*c", "aXbYbZc") && !glob("a*b*c", "aXbYbZ"));
}

const CFN_INTENDED: &str = r#"{"Resources": {
  "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
     "DBInstanceClass": "db.t3.large", "BackupRetentionPeriod": 7, "StorageEncrypted": true}},
  "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
     "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true}}},
  "Logs": {"Type": "AWS::S3::Bucket", "Properties": {
     "PublicAccessBlockConfiguration": {"BlockPublicAcls": true}}}
}}"#;
const CFN_ACTUAL: &str = r#"{"Resources": {
  "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
     "DBInstanceClass": "db.t3.xlarge", "BackupRetentionPeriod": 0, "StorageEncrypted": false}},
  "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
     "PublicAccessBlockConfiguration": {"BlockPublicAcls": false, "BlockPublicPolicy": true}}},
  "Logs": {"Type": "AWS::S3::Bucket"},
  "Extra": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "ops"}},
  "Box": {"Type": "AWS::EC2::Instance"}
}}"#;

#[test]
fn cloudformation_templates_diff_and_the_policy_fires_on_their_paths() {
    let i: Value = serde_json::from_str(CFN_INTENDED).expect("json");
    let a: Value = serde_json::from_str(CFN_ACTUAL).expect("json");
    let i = drift::cloudformation::inventory_from_template(&i).expect("intended");
    let a = drift::cloudformation::inventory_from_template(&a).expect("actual");
    assert_eq!(
        i.get("AWS::S3::Bucket", "Logs")
            .expect("logs")
            .attributes
            .len(),
        1
    );
    let r = diff(&i, &a, &[]);
    assert_eq!((r.managed(), r.unmanaged(), r.missing()), (3, 2, 0));
    let f = assess(&r, &Policy::builtin());
    let sev = |id: &str, path: Option<&str>| {
        f.iter()
            .find(|x| x.id == id && x.path.as_deref() == path)
            .map(|x| (x.severity, x.kind))
            .unwrap_or_else(|| panic!("no finding {id} {path:?}"))
    };
    use Severity::*;
    assert_eq!(sev("Db", Some("/BackupRetentionPeriod")).0, Critical);
    assert_eq!(sev("Db", Some("/DBInstanceClass")).0, Medium);
    assert_eq!(sev("Db", Some("/StorageEncrypted")).0, Critical);
    assert_eq!(
        sev(
            "Bucket",
            Some("/PublicAccessBlockConfiguration/BlockPublicAcls")
        )
        .0,
        Critical
    );
    assert_eq!(
        sev("Logs", Some("/PublicAccessBlockConfiguration")).0,
        Critical
    ); // removed
    assert_eq!(sev("Extra", None), (High, FindingKind::Unmanaged));
    assert_eq!(sev("Box", None), (Medium, FindingKind::Unmanaged));
    // Round trip: the adopted template is in sync with reality.
    let adopted = adopt(&i, &a, &[]);
    let text = drift::inventory::to_text(&adopted).expect("writes");
    let back = parse_str("adopted.json", &text, true).expect("reads back");
    assert!(diff(&back, &a, &[]).in_sync());
}

#[test]
fn a_json_file_with_resources_is_a_template_and_any_yaml_with_resources_too() {
    let j = parse_str("t.json", CFN_INTENDED, true).expect("json template");
    assert_eq!(j.format, drift::SourceFormat::CloudFormation);
    let y = parse_str(
        "t.yaml",
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
        false,
    )
    .expect("yaml");
    assert!(y.get("AWS::SQS::Queue", "Q").is_some());
}

#[test]
fn the_seed_claims_are_checked_against_the_yaml() {
    let (i, a) = seed_pair();
    let r = diff(&i, &a, &[]);
    let claims = drift::seed::check_seed_claims(&i, &a, &r);
    let verdict = |topic: &str| {
        claims
            .iter()
            .find(|c| c.topic == topic)
            .map(|c| c.verdict.to_string())
            .expect(topic)
    };
    assert!(verdict("servers.instance_types").starts_with("WRONG"));
    assert!(verdict("servers.security_groups").starts_with("WRONG: 4 added"));
    assert!(
        verdict("security.excessive_iam_roles").starts_with("agrees only if the contractor's role")
    );
    assert!(verdict("servers.ami_drift").starts_with("agrees only if"));
    assert_eq!(verdict("database.backup_status"), "agrees");
    assert_eq!(verdict("storage.bucket_count"), "agrees");
    let text = drift::seed::render_claims(&claims);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn adopted_seed_document_reads_back_in_sync() {
    let (i, a) = seed_pair();
    let adopted = adopt(&i, &a, &[]);
    let text = drift::inventory::to_text(&adopted).expect("writes");
    let back = parse_str("adopted.yaml", &text, false).expect("reads back");
    let r = diff(&back, &a, &[]);
    assert!(
        r.in_sync(),
        "{:?}",
        r.resources
            .iter()
            .filter(|d| d.state != ResourceState::InSync)
            .collect::<Vec<_>>()
    );
}

// ---- properties -------------------------------------------------------------

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..300).prop_map(Value::from),
        "[a-c]{0,2}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(scalar(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-d]", inner.clone()), 0..3).prop_map(|kv| {
                Value::Array(
                    kv.into_iter()
                        .map(|(name, v)| json!({"name": name, "v": v}))
                        .collect(),
                )
            }),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-e]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn inventory() -> impl Strategy<Value = Inventory> {
    let attrs = prop::collection::btree_map("[a-f]", value(), 0..5);
    // Logical ids are unique within a template, whatever the type.
    prop::collection::btree_map("[a-f]", attrs, 0..6).prop_map(|m| {
        let mut inv = Inventory::new(drift::SourceFormat::CloudFormation);
        for (id, attrs) in m {
            let t = if id.as_str() < "d" { "x" } else { "y" };
            inv.resources.insert(
                drift::ResourceKey::new(t, id),
                drift::Resource {
                    attributes: attrs.into_iter().collect(),
                    origin: drift::Origin::CloudFormation,
                },
            );
        }
        inv
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn an_inventory_has_no_drift_against_itself(x in inventory()) {
        let r = diff(&x, &x, &[]);
        prop_assert!(r.in_sync());
        prop_assert_eq!(r.change_count(), 0);
        prop_assert_eq!(r.coverage_percent(), 100);
    }

    #[test]
    fn adopt_all_leaves_nothing_to_report(i in inventory(), a in inventory()) {
        let adopted = adopt(&i, &a, &[]);
        let r = diff(&adopted, &a, &[]);
        prop_assert!(r.in_sync(), "{:#?}", r.resources);
        // and the adopted state survives a write and a read
        let text = drift::inventory::to_text(&adopted).expect("writes");
        let back = parse_str("adopted.json", &text, true).expect("reads");
        prop_assert!(diff(&back, &a, &[]).in_sync());
    }

    #[test]
    fn adopt_with_ignores_is_in_sync_under_the_same_ignores(
        i in inventory(), a in inventory(), ptrs in prop::collection::vec("(/[a-f]){1,2}", 0..3)
    ) {
        let ignore: Vec<drift::Pointer> =
            ptrs.iter().map(|p| drift::Pointer::parse(p).expect("pointer")).collect();
        let adopted = adopt(&i, &a, &ignore);
        let r = diff(&adopted, &a, &ignore);
        prop_assert!(r.in_sync(), "{:#?}", r.resources);
    }

    #[test]
    fn a_change_is_reported_at_its_path(x in inventory(), v in scalar()) {
        // Set one attribute of every resource to a fresh value: every resource changes.
        let mut y = x.clone();
        for r in y.resources.values_mut() {
            r.attributes.insert("fresh".into(), json!([["marker", v.clone()]]));
        }
        let r = diff(&x, &y, &[]);
        prop_assert_eq!(r.changed(), x.len());
        for d in &r.resources {
            prop_assert!(d.changes.iter().any(|c| c.path.starts_with("/fresh")));
        }
    }
}
