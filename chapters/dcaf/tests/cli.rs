//! The programs end to end, including bad input.

use kit::programs::{run_example, scratch_file};

fn run(example: &str, args: &[&str]) -> (bool, String, String) {
    let out = run_example("dcaf", example, args, "").expect("cargo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_plan_and_the_template_print() {
    let (ok, out, _) = run("ecommerce", &[]);
    assert!(ok);
    assert!(out.contains("Opt-outs: none"));
    assert!(
        out.lines().all(|l| l.chars().count() <= 80),
        "line too long"
    );
    let (ok, out, _) = run("ecommerce", &["--public-bucket", "--single-az"]);
    assert!(ok);
    assert!(out.contains("! ImagesBucket (storage images)"));
    assert!(out.contains("multi_az(false): single AZ"));
    let (ok, out, _) = run("ecommerce", &["--svg"]);
    assert!(ok && out.starts_with("<svg ") && out.matches("<svg").count() == 1);
    assert!(out.contains("ProductsDb: RDS postgres 14.19"));
    let (ok, out, _) = run("ecommerce", &["--resource", "ProductsDb"]);
    assert!(ok && out.contains("\"MultiAZ\": true"));
    let (ok, _, err) = run("ecommerce", &["--resource", "Nope"]);
    assert!(!ok && err.contains("no resource `Nope`"));
}

#[test]
fn diff_against_the_committed_template() {
    let (ok, out, _) = run("diff", &[]);
    assert!(ok);
    assert_eq!(out.trim(), "No changes.");
    let (ok, out, _) = run("diff", &["--bucket-name", "acme-images", "--drop-cache"]);
    assert!(ok);
    assert!(out.contains("[-/+] replace ImagesBucket"));
    assert!(
        out.contains("0 to create, 1 to update, 1 to replace, 12 to delete."),
        "{out}"
    );
}

#[test]
fn bad_input_is_a_clear_error_and_exit_1() {
    let malformed =
        scratch_file("dcaf-cli", "malformed.json", "{\n \"Resources\": [\n").expect("w");
    let empty = scratch_file("dcaf-cli", "empty.json", "").expect("w");
    let wrong = scratch_file(
        "dcaf-cli",
        "wrong.json",
        r#"{"Resources": {"A": {"Type": 7}}}"#,
    )
    .expect("w");
    let dangling = scratch_file(
        "dcaf-cli",
        "dangling.json",
        r#"{"Resources": {"A": {"Type": "AWS::SNS::Topic", "DependsOn": "B"}}}"#,
    )
    .expect("w");
    let huge = scratch_file("dcaf-cli", "huge.json", &"[".repeat(100_000)).expect("w");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--previous".into(), "/no/such/dir/prev.json".into()],
            "prev.json",
        ),
        (
            vec!["--previous".into(), malformed.display().to_string()],
            "malformed.json: line 3",
        ),
        (
            vec!["--previous".into(), empty.display().to_string()],
            "empty.json: line 1",
        ),
        (
            vec!["--previous".into(), wrong.display().to_string()],
            "Resources.A.Type",
        ),
        (
            vec!["--previous".into(), dangling.display().to_string()],
            "dangling reference",
        ),
        (
            vec!["--previous".into(), huge.display().to_string()],
            "huge.json",
        ),
        (vec!["--db-size".into(), "gigantic".into()], "--db-size"),
        (
            vec!["--engine".into(), "oracle; rm -rf /".into()],
            "--engine",
        ),
        (
            vec!["--bucket-name".into(), "../../Etc".into()],
            "bucket_name",
        ),
        (
            vec!["--add-queue".into(), "orders".into()],
            "duplicate logical id",
        ),
    ];
    for (args, expected) in cases {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, _, err) = run("diff", &argv);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
