//! The engine: graph errors, determinism, plan, diff, secure defaults, opt-outs.

use std::collections::BTreeMap;

use dcaf::{
    App, Cdn, ChangeKind, Database, DcafError, Engine, Queue, Resource, Storage, Template, days,
    gib, minutes, seed::ecommerce_platform,
};
use serde_json::{Value, json};

fn seed() -> Template {
    ecommerce_platform().synth().expect("the seed app builds")
}

fn props<'a>(json: &'a Value, id: &str) -> &'a Value {
    &json["Resources"][id]["Properties"]
}

#[test]
fn a_cdn_on_a_missing_storage_is_a_dangling_reference() {
    let err = App::new("shop")
        .add_storage(Storage::new("images"))
        .add_cdn(Cdn::for_storage("imgs"))
        .synth()
        .expect_err("dangling");
    match err {
        DcafError::DanglingReference { from, target, path } => {
            assert_eq!(from, "ImgsCdn");
            assert_eq!(target, "ImgsBucket");
            assert!(path.contains("Origins[0]"), "{path}");
        }
        other => panic!("wrong error: {other}"),
    }
}

#[test]
fn raw_resources_are_checked_too() {
    let dangling = App::new("shop").add_resource(Resource::new(
        "Thing",
        "AWS::SNS::Topic",
        json!({"KmsMasterKeyId": {"Fn::Sub": "${NoSuchKey}"}}),
    ));
    assert!(matches!(
        dangling.synth(),
        Err(DcafError::DanglingReference { ref target, .. }) if target == "NoSuchKey"
    ));
    let depends = App::new("shop")
        .add_resource(Resource::new("Thing", "AWS::SNS::Topic", json!({})).depends_on("Ghost"));
    assert!(matches!(
        depends.synth(),
        Err(DcafError::DanglingReference { ref path, .. }) if path == "DependsOn[0]"
    ));
    let duplicate = App::new("shop").add_resource(Resource::new("Vpc", "AWS::EC2::VPC", json!({})));
    assert_eq!(
        duplicate.synth(),
        Err(DcafError::DuplicateLogicalId { id: "Vpc".into() })
    );
}

#[test]
fn mutually_referencing_security_groups_are_a_cycle() {
    let group = |id: &str, other: &str| {
        Resource::new(
            id,
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": id, "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1,
                 "SourceSecurityGroupId": {"Fn::GetAtt": [other, "GroupId"]}}]}),
        )
    };
    let err = App::new("shop")
        .add_resource(group("A", "B"))
        .add_resource(group("B", "C"))
        .add_resource(group("C", "A"))
        .synth()
        .expect_err("cycle");
    assert_eq!(
        err,
        DcafError::Cycle {
            cycle: vec!["A".into(), "B".into(), "C".into(), "A".into()]
        }
    );
    // A self-reference is a cycle too.
    let err = App::new("shop")
        .add_resource(group("Solo", "Solo"))
        .synth()
        .expect_err("self cycle");
    assert!(matches!(err, DcafError::Cycle { .. }));
}

#[test]
fn the_template_is_deterministic_and_round_trips() {
    let a = seed().to_json_string();
    let b = seed().to_json_string();
    assert_eq!(a, b);
    // Keys are sorted at every level.
    fn sorted(v: &Value) -> bool {
        match v {
            Value::Object(m) => {
                let keys: Vec<&String> = m.keys().collect();
                keys.windows(2).all(|w| w[0] < w[1]) && m.values().all(sorted)
            }
            Value::Array(items) => items.iter().all(sorted),
            _ => true,
        }
    }
    let parsed: Value = serde_json::from_str(&a).expect("json");
    assert!(sorted(&parsed));
    let back = Template::from_json_str(&a, "<string>").expect("reads back");
    assert_eq!(back.to_json_string(), a);
    assert!(dcaf::diff(&seed(), &back).is_empty());
}

#[test]
fn the_graph_orders_every_resource_after_its_dependencies() {
    let t = seed();
    let resources: Vec<Resource> = t.resources().values().cloned().collect();
    let graph = dcaf::Graph::build(resources, t.outputs()).expect("graph");
    let order = graph.creation_order();
    assert_eq!(order.len(), t.resources().len());
    let pos: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for id in t.resources().keys() {
        for dep in graph.dependencies(id) {
            assert!(pos[dep] < pos[id.as_str()], "{dep} must come before {id}");
        }
    }
    assert!(pos["ImagesBucket"] < pos["ImagesCdn"]);
    assert!(pos["ImagesCdn"] < pos["ImagesBucketPolicy"]);
}

#[test]
fn plan_counts_come_from_the_template() {
    let t = seed();
    let plan = dcaf::plan(&t);
    let json = t.to_json();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for r in json["Resources"].as_object().expect("resources").values() {
        *by_type
            .entry(r["Type"].as_str().expect("type").to_string())
            .or_default() += 1;
    }
    assert_eq!(plan.total, by_type.values().sum::<usize>());
    for g in &plan.services {
        for (ty, n) in &g.types {
            assert_eq!(by_type[&format!("AWS::{}::{ty}", g.service)], *n, "{ty}");
        }
        assert_eq!(g.count, g.types.iter().map(|(_, n)| n).sum::<usize>());
    }
    assert_eq!(by_type["AWS::EC2::Subnet"], 6, "public + private in 3 AZs");
    assert_eq!(by_type["AWS::EC2::NatGateway"], 3);
    assert!(plan.opt_outs.is_empty());
    // Fewer NAT gateways: the counts follow, and the opt-out is flagged.
    let lean = ecommerce_platform()
        .nat_gateways(1)
        .synth()
        .expect("builds");
    let lean_plan = dcaf::plan(&lean);
    let ec2 = lean_plan
        .services
        .iter()
        .find(|g| g.service == "EC2")
        .expect("ec2");
    let count = |name: &str| ec2.types.iter().find(|(t, _)| t == name).map(|(_, n)| *n);
    assert_eq!(count("NatGateway"), Some(1));
    assert_eq!(count("EIP"), Some(1));
    assert_eq!(lean_plan.total, plan.total - 4);
    assert!(
        lean_plan
            .opt_outs
            .iter()
            .any(|o| o.text.starts_with("nat_gateways(1)"))
    );
}

#[test]
fn secure_defaults_are_in_the_template() {
    let json = seed().to_json();
    let bucket = props(&json, "ImagesBucket");
    for flag in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket["PublicAccessBlockConfiguration"][flag], true,
            "{flag}"
        );
    }
    assert_eq!(bucket["VersioningConfiguration"]["Status"], "Enabled");
    assert_eq!(
        bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256"
    );
    let rule = &bucket["LifecycleConfiguration"]["Rules"][0];
    assert_eq!(rule["Transitions"][0]["TransitionInDays"], 90);
    assert_eq!(rule["ExpirationInDays"], 365);
    assert_eq!(rule["NoncurrentVersionExpiration"]["NoncurrentDays"], 365);
    let policy = &props(&json, "ImagesBucketPolicy")["PolicyDocument"]["Statement"];
    let deny = policy
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Effect"] == "Deny")
        .expect("a deny statement");
    assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], "false");

    let db = props(&json, "ProductsDb");
    assert_eq!(db["StorageEncrypted"], true);
    assert_eq!(db["MultiAZ"], true);
    assert_eq!(db["BackupRetentionPeriod"], 7);
    assert_eq!(db["PubliclyAccessible"], false);
    assert_eq!(db["AllocatedStorage"], "100");
    assert_eq!(db["MaxAllocatedStorage"], 500);
    assert_eq!(db["DBInstanceClass"], "db.t3.medium");
    assert_eq!(db["KmsKeyId"], json!({"Ref": "ProductsDbKey"}));
    assert_eq!(
        db["DBSubnetGroupName"],
        json!({"Ref": "ProductsDbSubnetGroup"})
    );

    let cache = props(&json, "SessionCache");
    assert_eq!(cache["AtRestEncryptionEnabled"], true);
    assert_eq!(cache["TransitEncryptionEnabled"], true);
    assert_eq!(
        props(&json, "SessionCacheParameterGroup")["Properties"]["maxmemory-policy"],
        "allkeys-lru"
    );

    let queue = props(&json, "OrdersQueue");
    assert_eq!(queue["VisibilityTimeout"], 300);
    assert_eq!(
        queue["RedrivePolicy"]["maxReceiveCount"], 4,
        "1 try + 3 retries"
    );
    assert_eq!(queue["KmsMasterKeyId"], json!({"Ref": "OrdersQueueKey"}));
    assert_eq!(
        props(&json, "OrdersDeadLetterQueue")["KmsMasterKeyId"],
        json!({"Ref": "OrdersQueueKey"})
    );

    let cdn = &props(&json, "ImagesCdn")["DistributionConfig"];
    assert_eq!(
        cdn["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        "redirect-to-https"
    );
    assert_eq!(
        cdn["Origins"][0]["OriginAccessControlId"],
        json!({"Fn::GetAtt": ["ImagesCdnOriginAccessControl", "Id"]})
    );
    let cache_policy = &props(&json, "ImagesCdnCachePolicy")["CachePolicyConfig"];
    assert_eq!(cache_policy["DefaultTTL"], 3600);
    assert_eq!(cache_policy["MaxTTL"], 86400);
}

#[test]
fn data_stores_admit_only_the_app_tier() {
    let json = seed().to_json();
    let resources = json["Resources"].as_object().expect("resources");
    for sg in ["ProductsDbSecurityGroup", "SessionCacheSecurityGroup"] {
        assert!(
            props(&json, sg).get("SecurityGroupIngress").is_none(),
            "{sg}: no inline ingress"
        );
        let rules: Vec<&Value> = resources
            .values()
            .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
            .filter(|r| r["Properties"]["GroupId"]["Fn::GetAtt"][0] == sg)
            .collect();
        assert_eq!(rules.len(), 1, "{sg}");
        let rule = &rules[0]["Properties"];
        assert_eq!(
            rule["SourceSecurityGroupId"]["Fn::GetAtt"][0],
            "AppSecurityGroup"
        );
        assert!(rule.get("CidrIp").is_none());
    }
    assert_eq!(props(&json, "ProductsDbIngressFromApp")["FromPort"], 5432);
}

#[test]
fn every_taggable_resource_carries_the_cost_allocation_tags() {
    let json = seed().to_json();
    let mut tagged = 0;
    for (id, r) in json["Resources"].as_object().expect("resources") {
        let Some(tags) = r["Properties"]["Tags"].as_array() else {
            continue;
        };
        tagged += 1;
        let keys: Vec<&str> = tags.iter().filter_map(|t| t["Key"].as_str()).collect();
        for key in dcaf::COST_ALLOCATION_TAGS {
            assert!(keys.contains(key), "{id} lacks {key}");
        }
    }
    assert!(tagged > 40, "only {tagged} tagged resources");
    assert_eq!(
        props(&json, "ProductsDb")["Tags"][1],
        json!({"Key": "Component", "Value": "database products-db"})
    );
}

#[test]
fn opt_outs_are_explicit_flagged_and_recorded() {
    let app = App::new("shop")
        .add_database(
            Database::postgres("db", "16.9")
                .multi_az(false)
                .backup_retention_days(0),
        )
        .add_storage(Storage::new("files").public(true).versioning(false));
    let t = app.synth().expect("builds");
    let json = t.to_json();
    let bucket = props(&json, "FilesBucket");
    assert_eq!(
        bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"],
        false
    );
    assert_eq!(bucket["VersioningConfiguration"]["Status"], "Suspended");
    assert_eq!(props(&json, "Db")["MultiAZ"], false);
    assert_eq!(props(&json, "Db")["BackupRetentionPeriod"], 0);
    let recorded = &json["Resources"]["FilesBucket"]["Metadata"]["dcaf"]["optOuts"];
    assert_eq!(recorded.as_array().map(Vec::len), Some(2));
    let plan = dcaf::plan(&t);
    let texts: Vec<&str> = plan.opt_outs.iter().map(|o| o.text.as_str()).collect();
    for prefix in [
        "public(true)",
        "versioning(false)",
        "multi_az(false)",
        "backup_retention_days(0)",
    ] {
        assert!(
            texts.iter().any(|t| t.starts_with(prefix)),
            "{prefix} not flagged"
        );
    }
    let shown = plan.to_string();
    assert!(
        shown.contains("! FilesBucket (storage files)\n      public(true)"),
        "{shown}"
    );
    assert!(!shown.contains("Every secure default is on"));
}

#[test]
fn the_diff_names_creates_updates_replacements_and_deletes() {
    let before = seed();
    let after = App::new("ecommerce-platform")
        .add_database(
            Database::postgres("products-db", "14.19")
                .storage(gib(100), gib(500))
                .backup_retention_days(14),
        )
        .add_storage(
            Storage::new("images")
                .bucket_name("acme-images")
                .archive_after(days(90))
                .delete_after(days(365)),
        )
        .add_cdn(Cdn::for_storage("images").ttl(dcaf::hours(1), dcaf::hours(24)))
        .add_email(dcaf::Email::from_domain("ecommerce.com"))
        .add_queue(Queue::new("orders").retries(3).timeout(minutes(5)))
        .add_queue(Queue::new("emails"))
        .synth()
        .expect("builds");
    let d = dcaf::diff(&before, &after);
    let kind = |id: &str| {
        d.changes
            .iter()
            .find(|c| c.logical_id == id)
            .map(|c| c.kind)
    };
    assert_eq!(kind("EmailsQueue"), Some(ChangeKind::Create));
    assert_eq!(kind("SessionCache"), Some(ChangeKind::Delete));
    assert_eq!(kind("ProductsDb"), Some(ChangeKind::Update));
    assert_eq!(kind("ImagesBucket"), Some(ChangeKind::Replace));
    assert_eq!(kind("Vpc"), None);
    let bucket = d
        .changes
        .iter()
        .find(|c| c.logical_id == "ImagesBucket")
        .expect("bucket");
    assert_eq!(bucket.properties[0].property, "BucketName");
    assert_eq!(bucket.old_copy_policy.as_deref(), Some("Retain"));
    assert_eq!(bucket.policy_attribute(), "UpdateReplacePolicy");
    assert_eq!(bucket.fixed_name, None, "the name itself changed");
    assert!(
        d.dependents_of_replaced
            .contains(&"ImagesBucketPolicy".to_string())
    );
    assert_eq!(d.count(ChangeKind::Replace), 1);

    // A different engine family replaces the database, and its fixed name blocks that.
    let mysql = App::new("ecommerce-platform")
        .add_database(
            Database::postgres("products-db", "14.19").engine(Engine::MySql("8.0.42".into())),
        )
        .synth()
        .expect("builds");
    let pg = App::new("ecommerce-platform")
        .add_database(Database::postgres("products-db", "14.19"))
        .synth()
        .expect("builds");
    let d = dcaf::diff(&pg, &mysql);
    let db = d
        .changes
        .iter()
        .find(|c| c.logical_id == "ProductsDb")
        .expect("db");
    assert_eq!(db.kind, ChangeKind::Replace);
    assert_eq!(db.fixed_name, Some("DBInstanceIdentifier"));
    // A minor version bump is an update.
    let bumped = App::new("ecommerce-platform")
        .add_database(Database::postgres("products-db", "14.20"))
        .synth()
        .expect("builds");
    let d = dcaf::diff(&pg, &bumped);
    assert_eq!(d.count(ChangeKind::Update), 1);
    assert_eq!(d.count(ChangeKind::Replace), 0);
}

#[test]
fn bad_settings_are_typed_errors_naming_the_component_and_field() {
    let cases: Vec<(App, &str)> = vec![
        (App::new("Bad Name"), "name"),
        (App::new("shop").nat_gateways(0), "nat_gateways"),
        (
            App::new("shop")
                .add_database(Database::postgres("db", "16.9").backup_retention_days(36)),
            "backup_retention_days",
        ),
        (
            App::new("shop")
                .add_database(Database::postgres("db", "16.9").storage(gib(100), gib(50))),
            "storage",
        ),
        (
            App::new("shop")
                .add_database(Database::postgres("db", "16.9").storage(gib(10), gib(50))),
            "storage",
        ),
        (
            App::new("shop").add_database(Database::postgres("../etc", "16.9")),
            "name",
        ),
        (
            App::new("shop").add_storage(
                Storage::new("s")
                    .archive_after(days(90))
                    .delete_after(days(30)),
            ),
            "delete_after",
        ),
        (
            App::new("shop").add_storage(Storage::new("s").archive_after(dcaf::hours(5))),
            "archive_after",
        ),
        (
            App::new("shop").add_storage(Storage::new("s").bucket_name("UPPER")),
            "bucket_name",
        ),
        (
            App::new("a-very-long-application-name-indeed")
                .add_storage(Storage::new("and-a-long-storage")),
            "name",
        ),
        (
            App::new("shop").add_queue(Queue::new("q").retries(1000)),
            "retries",
        ),
        (
            App::new("shop").add_queue(Queue::new("q").timeout(dcaf::hours(13))),
            "timeout",
        ),
        (
            App::new("shop").add_cdn(Cdn::for_storage("s").ttl(dcaf::hours(2), dcaf::hours(1))),
            "ttl",
        ),
        (
            App::new("shop").add_email(dcaf::Email::from_domain("no spaces.com")),
            "from_domain",
        ),
        (
            App::new("shop").add_cache(dcaf::Cache::redis("c", "5.0")),
            "version",
        ),
    ];
    for (app, expected) in cases {
        match app.synth() {
            Err(DcafError::InvalidSetting { field, .. }) => assert_eq!(field, expected),
            other => panic!("{expected}: expected InvalidSetting, got {other:?}"),
        }
    }
}

#[test]
fn templates_read_from_json_report_where_they_are_wrong() {
    let cases = [
        ("{\n  \"Resources\": {,}\n}", "line 2"),
        ("[]", "a template is a JSON object"),
        ("{}", "Resources: missing"),
        (
            r#"{"Resources": {"A": {"Properties": {}}}}"#,
            "Resources.A.Type",
        ),
        (
            r#"{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": []}}}"#,
            "Resources.A.Properties",
        ),
        (
            r#"{"Resources": {"A": {"Type": "AWS::SNS::Topic", "DependsOn": 3}}}"#,
            "Resources.A.DependsOn",
        ),
        (
            r#"{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"K": {"Ref": "B"}}}}}"#,
            "refers to `B`",
        ),
        (
            r#"{"Resources": {}, "Outputs": {"O": {"Value": {"Ref": "Gone"}}}}"#,
            "Outputs.O",
        ),
        ("", "line 1"),
    ];
    for (text, expected) in cases {
        let err = Template::from_json_str(text, "prev.json").expect_err(text);
        let msg = err.to_string();
        assert!(msg.contains(expected), "{text:?}: {msg}");
    }
}

/// The committed fixture is the seed app's template; `BLESS=1` rewrites it.
#[test]
fn the_committed_ecommerce_template_is_current() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ecommerce.template.json");
    let fresh = seed().to_json_string();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write the fixture");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `BLESS=1 cargo test -p dcaf --test dcaf` and commit it",
        path.display()
    );
}

#[test]
fn a_replacement_follows_update_replace_policy_and_a_delete_follows_deletion_policy() {
    // The two attributes disagree on purpose: a diff that reads the wrong one says so.
    let template = |bucket_name: &str, with_queue: bool| {
        let queue = if with_queue {
            r#", "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {},
                 "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Delete"}"#
        } else {
            ""
        };
        let text = format!(
            r#"{{"Resources": {{"Images": {{"Type": "AWS::S3::Bucket",
                 "Properties": {{"BucketName": "{bucket_name}"}},
                 "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Retain"}}{queue}}}}}"#
        );
        Template::from_json_str(&text, "test.json").expect("parses")
    };
    let d = dcaf::diff(&template("acme-a", true), &template("acme-b", false));
    let change = |id: &str| d.changes.iter().find(|c| c.logical_id == id).expect(id);
    let bucket = change("Images");
    assert_eq!(bucket.kind, ChangeKind::Replace);
    assert_eq!(bucket.old_copy_policy.as_deref(), Some("Retain"));
    let queue = change("Jobs");
    assert_eq!(queue.kind, ChangeKind::Delete);
    assert_eq!(queue.old_copy_policy.as_deref(), Some("Retain"));
    assert_eq!(queue.policy_attribute(), "DeletionPolicy");
    let shown = d.to_string();
    assert!(
        shown.contains("(UpdateReplacePolicy Retain: the old one is kept)"),
        "{shown}"
    );
    let images = shown.find("Images").expect("Images shown");
    let jobs = shown.find("Jobs").expect("Jobs shown");
    let replace_note = shown
        .find("(UpdateReplacePolicy Retain")
        .expect("replace note");
    let delete_note = shown.find("(DeletionPolicy Retain").expect("delete note");
    // Each note sits under its own resource (the diff lists replacements before deletes).
    assert!(images < replace_note && replace_note < jobs, "{shown}");
    assert!(jobs < delete_note, "{shown}");
}
