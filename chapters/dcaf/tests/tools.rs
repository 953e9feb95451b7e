//! The real checkers on the real templates: cfn-lint and checkov (SKIP when absent,
//! unless WORKBOOK_REQUIRE_TOOLS=1).

use std::path::{Path, PathBuf};

use dcaf::scan;

fn tools_present() -> bool {
    let missing: Vec<&str> = ["cfn-lint", "checkov"]
        .into_iter()
        .filter(|t| scan::find(t).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "{} not installed (WORKBOOK_REQUIRE_TOOLS=1)",
            missing.join(", ")
        );
    }
    for t in missing {
        println!("SKIP: {t} not installed (`cargo xtask tools` installs the pinned version)");
    }
    false
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

#[test]
fn cfn_lint_and_checkov_pass_dcaf_and_fail_the_drifted_template() {
    if !tools_present() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("dcaf-tools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    let ours = dir.join("dcaf.json");
    let template = dcaf::seed::ecommerce_platform().synth().expect("builds");
    std::fs::write(&ours, template.to_json_string()).expect("write");
    let drifted = fixture("drifted.template.json");

    let lint = scan::cfn_lint(&[&ours, &drifted]).expect("cfn-lint runs");
    let errors = |file: &str| {
        lint.iter()
            .filter(|f| f.file == file && f.level == "Error")
            .map(|f| format!("{} {} {}", f.rule, f.resource, f.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        errors("dcaf.json"),
        Vec::<String>::new(),
        "cfn-lint errors on DCAF's template"
    );
    assert!(
        !errors("drifted.template.json").is_empty(),
        "the seed's AMI ids are malformed"
    );

    let checks = scan::checkov(&[&ours, &drifted]).expect("checkov runs");
    let _ = std::fs::remove_dir_all(&dir);
    let of = |file: &str| -> Vec<scan::CheckResult> {
        checks.iter().filter(|c| c.file == file).cloned().collect()
    };
    let (dcaf_checks, drift_checks) = (of("dcaf.json"), of("drifted.template.json"));
    assert!(dcaf_checks.len() > 50 && drift_checks.len() > 50);
    let must_pass = [
        "CKV_AWS_19",
        "CKV_AWS_21",
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
        "CKV_DCAF_1",
        "CKV_AWS_157",
        "CKV_AWS_16",
        "CKV_AWS_27",
        "CKV_AWS_34",
    ];
    for id in must_pass {
        let (passed, failed) = scan::tally(&dcaf_checks, id);
        assert!(
            passed > 0 && failed == 0,
            "{id} on DCAF: {passed} passed, {failed} failed"
        );
    }
    // The drifted infrastructure fails what the seed's annotations say is broken.
    for (id, resource) in [
        ("CKV_AWS_21", "AWS::S3::Bucket.ProdAssets"), // versioning turned off
        ("CKV_AWS_54", "AWS::S3::Bucket.ProdBackups"), // public bucket
        ("CKV_AWS_56", "AWS::S3::Bucket.ProdBackups"),
        ("CKV_DCAF_1", "AWS::RDS::DBInstance.Database"), // backups disabled
        ("CKV_AWS_157", "AWS::RDS::DBInstance.Database"), // no longer Multi-AZ
        ("CKV_AWS_16", "AWS::RDS::DBInstance.Database"), // never encrypted
        ("CKV_AWS_24", "AWS::EC2::SecurityGroup.AllowSshFromAnywhere"),
        (
            "CKV_AWS_2",
            "AWS::ElasticLoadBalancingV2::Listener.Listener9000",
        ), // debug port
    ] {
        assert!(
            drift_checks
                .iter()
                .any(|c| c.check_id == id && c.resource == resource && !c.passed),
            "{id} should fail on {resource}"
        );
    }
    // S3 encrypts every new object since January 2023: "encryption: none" cannot be
    // written as a template, and checkov passes a bucket without BucketEncryption.
    assert_eq!(scan::tally(&drift_checks, "CKV_AWS_19").1, 0);
}
