//! Day 16 → Day 2: DCAF states the intended infrastructure, drift finds what changed.
//!
//! DCAF (Day 16) builds the seed's `ecommerce-platform` and emits a CloudFormation
//! template: the **intended** state. An **actual** state is derived from that template
//! with the seed's kinds of manual changes applied, the way a console session six months
//! later would leave it: a resized database, backups switched off, an extra server, a
//! public bucket, a leftover contractor role. Drift (Day 2) reads both templates through
//! its CloudFormation reader — the one seam between the chapters; neither crate knows
//! the other — and ranks what it finds with its default policy.
//!
//! `cargo run -q --release --example intent_drift [-- --skip public-bucket --format json]`

use kit::{print, println};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use serde_json::{Value, json};
use workbook::dcaf;
use workbook::drift::{self, Assessment, Policy};

/// DCAF's template as intended state, a hand-edited copy as actual state, drift between.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// Leave out one of the manual changes (repeatable).
    #[arg(long, value_enum)]
    skip: Vec<ManualChange>,
    /// Report format: the text people read, or drift's JSON (its schema is
    /// `chapters/drift/schema/report.schema.json`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The seed's kinds of change made by hand, outside the code.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ManualChange {
    /// The database resized "for the sale" and never sized back.
    ResizeDatabase,
    /// Automated backups switched off "to save money".
    DisableBackups,
    /// A fourth server started by hand for debugging.
    ExtraServer,
    /// Block Public Access switched off on the images bucket.
    PublicBucket,
    /// The role created for a contractor who has since left.
    LeftoverRole,
}

impl ManualChange {
    const ALL: [ManualChange; 5] = [
        ManualChange::ResizeDatabase,
        ManualChange::DisableBackups,
        ManualChange::ExtraServer,
        ManualChange::PublicBucket,
        ManualChange::LeftoverRole,
    ];

    /// What was done, in the words of the change log nobody wrote.
    fn describe(self) -> &'static str {
        match self {
            ManualChange::ResizeDatabase => "ProductsDb resized db.t3.medium → db.t3.large",
            ManualChange::DisableBackups => "ProductsDb automated backups off (retention 0)",
            ManualChange::ExtraServer => "DebugServer4, a fourth server started by hand",
            ManualChange::PublicBucket => "ImagesBucket Block Public Access switched off",
            ManualChange::LeftoverRole => "contractor-access role left behind",
        }
    }

    /// Apply the change to a template's `Resources`.
    fn apply(self, resources: &mut serde_json::Map<String, Value>) -> Result<(), String> {
        match self {
            ManualChange::ResizeDatabase => {
                properties(resources, "ProductsDb")?
                    .insert("DBInstanceClass".into(), json!("db.t3.large"));
            }
            ManualChange::DisableBackups => {
                properties(resources, "ProductsDb")?
                    .insert("BackupRetentionPeriod".into(), json!(0));
            }
            ManualChange::PublicBucket => {
                properties(resources, "ImagesBucket")?.insert(
                    "PublicAccessBlockConfiguration".into(),
                    json!({
                        "BlockPublicAcls": false,
                        "BlockPublicPolicy": false,
                        "IgnorePublicAcls": false,
                        "RestrictPublicBuckets": false
                    }),
                );
            }
            ManualChange::ExtraServer => {
                resources.insert(
                    "DebugServer4".into(),
                    json!({
                        "Type": "AWS::EC2::Instance",
                        "Properties": {
                            "ImageId": "ami-12345",
                            "InstanceType": "t3.large",
                            "Tags": [{"Key": "Name", "Value": "server_4"}]
                        }
                    }),
                );
            }
            ManualChange::LeftoverRole => {
                resources.insert(
                    "ContractorAccessRole".into(),
                    json!({
                        "Type": "AWS::IAM::Role",
                        "Properties": {
                            "RoleName": "contractor-access",
                            "AssumeRolePolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [{
                                    "Effect": "Allow",
                                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                    "Action": "sts:AssumeRole"
                                }]
                            },
                            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]
                        }
                    }),
                );
            }
        }
        Ok(())
    }
}

/// The `Properties` of one resource of a template's `Resources`.
fn properties<'a>(
    resources: &'a mut serde_json::Map<String, Value>,
    id: &str,
) -> Result<&'a mut serde_json::Map<String, Value>, String> {
    resources
        .get_mut(id)
        .and_then(|r| r.get_mut("Properties"))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("DCAF's template has no {id} with Properties"))
}

fn run(args: &Args) -> Result<(), String> {
    let template = dcaf::seed::ecommerce_platform()
        .synth()
        .map_err(|e| format!("dcaf: {e}"))?;
    let intended_json = template.to_json();
    let mut actual_json = intended_json.clone();
    let resources = actual_json
        .get_mut("Resources")
        .and_then(Value::as_object_mut)
        .ok_or("DCAF's template has no Resources")?;
    let applied: Vec<ManualChange> = ManualChange::ALL
        .into_iter()
        .filter(|c| !args.skip.contains(c))
        .collect();
    for change in &applied {
        change.apply(resources)?;
    }

    let intended = drift::cloudformation::inventory_from_template(&intended_json)
        .map_err(|e| format!("drift reading DCAF's template: {e}"))?;
    let actual = drift::cloudformation::inventory_from_template(&actual_json)
        .map_err(|e| format!("drift reading the actual template: {e}"))?;
    let assessment = Assessment::new(
        "dcaf: ecommerce-platform",
        &intended,
        "actual (console edits)",
        &actual,
        &[],
        &Policy::builtin(),
    );

    if args.format == Format::Json {
        let text = serde_json::to_string_pretty(&drift::to_json(&assessment))
            .map_err(|e| format!("JSON: {e}"))?;
        println!("{text}");
        return Ok(());
    }
    println!("Intended: DCAF's template for the seed's app.");
    println!(
        "Actual: the same template after {} manual changes:",
        applied.len()
    );
    for change in &applied {
        println!("  - {}", change.describe());
    }
    println!();
    print!("{}", drift::render_text(&assessment));
    let adopted = drift::adopt(&intended, &actual, &[]);
    let after = drift::diff(&adopted, &actual, &[]);
    println!();
    println!(
        "Adopting every change into the intended state: {}",
        if after.in_sync() {
            "in sync afterwards"
        } else {
            "STILL DRIFTING (a bug)"
        }
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intent_drift: {e}");
            ExitCode::FAILURE
        }
    }
}
