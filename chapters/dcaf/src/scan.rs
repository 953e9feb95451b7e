//! Running the real checkers — `cfn-lint` and `checkov` — on a template file.
//!
//! Both are Python tools, found by [`kit::pytools::find`]: the pinned versions that
//! `cargo xtask tools` installs first, then whatever is on `PATH`. cfn-lint validates a template against the
//! CloudFormation resource schemas (types, required properties, values, references);
//! checkov evaluates security policies (encryption, public access, …). DCAF adds one
//! custom checkov policy (`checkov/`, id `CKV_DCAF_1`): RDS backups, which checkov 3.3
//! checks for Terraform (CKV_AWS_133) but not for CloudFormation.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use thiserror::Error;

/// Why a checker could not give a verdict.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// The tool is neither in the pinned tools folder nor on `PATH`.
    #[error(
        "{tool} not found in {} or on PATH; `cargo xtask tools` installs the pinned versions there",
        pinned.display()
    )]
    Missing {
        /// `cfn-lint` or `checkov`.
        tool: &'static str,
        /// The pinned tools folder that was looked in first ([`kit::pytools::bin_dir`]).
        pinned: PathBuf,
    },
    /// It could not be started.
    #[error("{tool}: could not run: {message}")]
    Spawn {
        /// The tool.
        tool: &'static str,
        /// The OS error.
        message: String,
    },
    /// It ran but its output was not the JSON expected.
    #[error("{tool}: unexpected output ({message}); stderr: {stderr}")]
    Output {
        /// The tool.
        tool: &'static str,
        /// What did not parse.
        message: String,
        /// The first lines of its stderr.
        stderr: String,
    },
}

/// The executable `name`: the pinned one if `cargo xtask tools` installed it, else the
/// first on `PATH` ([`kit::pytools::find`]).
pub fn find(name: &str) -> Option<PathBuf> {
    kit::pytools::find(name)
}

fn run(tool: &'static str, args: &[&std::ffi::OsStr]) -> Result<(String, String), ScanError> {
    let exe = find(tool).ok_or_else(|| ScanError::Missing {
        tool,
        pinned: kit::pytools::bin_dir(),
    })?;
    let out = Command::new(exe)
        .args(args)
        .output()
        .map_err(|e| ScanError::Spawn {
            tool,
            message: e.to_string(),
        })?;
    Ok((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn head(s: &str) -> String {
    s.lines().take(5).collect::<Vec<_>>().join(" / ")
}

/// `cfn-lint --version` and `checkov --version`, e.g. `("1.58.0", "3.3.30")`.
pub fn versions() -> Result<(String, String), ScanError> {
    let (lint, _) = run("cfn-lint", &["--version".as_ref()])?;
    let (ck, _) = run("checkov", &["--version".as_ref()])?;
    let lint = lint
        .trim()
        .trim_start_matches("cfn-lint")
        .trim()
        .to_string();
    Ok((lint, ck.trim().to_string()))
}

/// One cfn-lint finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LintFinding {
    /// The template's file name (without folders).
    pub file: String,
    /// `Error`, `Warning` or `Informational`.
    pub level: String,
    /// Rule id (`E3012`, `W3011`).
    pub rule: String,
    /// The resource, when the finding is inside `Resources`.
    pub resource: String,
    /// cfn-lint's message.
    pub message: String,
}

fn base_name(p: &str) -> String {
    Path::new(p)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Run `cfn-lint --format json` on template files (one process for all of them).
pub fn cfn_lint(templates: &[&Path]) -> Result<Vec<LintFinding>, ScanError> {
    let tool = "cfn-lint";
    let mut args: Vec<&std::ffi::OsStr> = vec!["--format".as_ref(), "json".as_ref(), "--".as_ref()];
    args.extend(templates.iter().map(|p| p.as_os_str()));
    let (stdout, stderr) = run(tool, &args)?;
    let bad = |m: String| ScanError::Output {
        tool,
        message: m,
        stderr: head(&stderr),
    };
    let v: Value = serde_json::from_str(&stdout).map_err(|e| bad(e.to_string()))?;
    let items = v.as_array().ok_or_else(|| bad("not a JSON list".into()))?;
    let mut out: Vec<LintFinding> = items
        .iter()
        .map(|f| {
            let path = f.pointer("/Location/Path").and_then(Value::as_array);
            let resource = match path {
                Some(p) if p.first().and_then(Value::as_str) == Some("Resources") => {
                    p.get(1).and_then(Value::as_str).unwrap_or("").to_string()
                }
                _ => String::new(),
            };
            LintFinding {
                file: base_name(f["Filename"].as_str().unwrap_or("")),
                level: f["Level"].as_str().unwrap_or("?").to_string(),
                rule: f
                    .pointer("/Rule/Id")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                resource,
                message: f["Message"].as_str().unwrap_or("").to_string(),
            }
        })
        .collect();
    out.sort();
    Ok(out)
}

/// One checkov check on one resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CheckResult {
    /// The template's file name (without folders).
    pub file: String,
    /// Check id (`CKV_AWS_21`).
    pub check_id: String,
    /// The resource (`AWS::S3::Bucket.ImagesBucket`).
    pub resource: String,
    /// Passed or failed.
    pub passed: bool,
    /// checkov's name for the check.
    pub name: String,
}

/// The folder with DCAF's custom checkov policies.
pub fn custom_checks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("checkov")
}

/// Run `checkov --framework cloudformation -o json` (offline, with DCAF's custom policy)
/// on template files (one process for all of them).
pub fn checkov(templates: &[&Path]) -> Result<Vec<CheckResult>, ScanError> {
    let tool = "checkov";
    let checks = custom_checks_dir();
    let mut args: Vec<&std::ffi::OsStr> = Vec::new();
    for t in templates {
        args.push("-f".as_ref());
        args.push(t.as_os_str());
    }
    let (stdout, stderr) = run(
        tool,
        &[
            args.as_slice(),
            &[
                "--framework".as_ref(),
                "cloudformation".as_ref(),
                "--external-checks-dir".as_ref(),
                checks.as_os_str(),
                "-o".as_ref(),
                "json".as_ref(),
                "--skip-download".as_ref(),
            ],
        ]
        .concat(),
    )?;
    let bad = |m: String| ScanError::Output {
        tool,
        message: m,
        stderr: head(&stderr),
    };
    let v: Value = serde_json::from_str(&stdout).map_err(|e| bad(e.to_string()))?;
    let reports = match &v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut out = Vec::new();
    for report in &reports {
        for (key, passed) in [("passed_checks", true), ("failed_checks", false)] {
            let list = report
                .pointer(&format!("/results/{key}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for c in list {
                out.push(CheckResult {
                    file: base_name(c["file_path"].as_str().unwrap_or("")),
                    check_id: c["check_id"].as_str().unwrap_or("?").to_string(),
                    resource: c["resource"].as_str().unwrap_or("?").to_string(),
                    passed,
                    name: c["check_name"].as_str().unwrap_or("").to_string(),
                });
            }
        }
    }
    if out.is_empty() && !stdout.contains("\"passed\"") {
        return Err(bad("no results".into()));
    }
    out.sort();
    Ok(out)
}

/// The checks the chapter cares about: `(check id, what it checks)`.
pub const FOCUS_CHECKS: &[(&str, &str)] = &[
    ("CKV_AWS_19", "S3 server-side encryption"),
    ("CKV_AWS_21", "S3 versioning"),
    ("CKV_AWS_53", "S3 BlockPublicAcls"),
    ("CKV_AWS_54", "S3 BlockPublicPolicy"),
    ("CKV_AWS_55", "S3 IgnorePublicAcls"),
    ("CKV_AWS_56", "S3 RestrictPublicBuckets"),
    ("CKV_DCAF_1", "RDS backups retained (DCAF policy)"),
    ("CKV_AWS_157", "RDS Multi-AZ"),
    ("CKV_AWS_16", "RDS encrypted at rest"),
    ("CKV_AWS_17", "RDS not publicly accessible"),
    ("CKV_AWS_27", "SQS encrypted"),
    ("CKV_AWS_34", "CloudFront viewers on HTTPS"),
    ("CKV_AWS_24", "no SSH from 0.0.0.0/0"),
    ("CKV_AWS_2", "load balancer listener HTTPS"),
];

/// `(passed, failed)` counts of `check_id` in `results` (for one file, or all when `None`).
pub fn tally(results: &[CheckResult], check_id: &str) -> (usize, usize) {
    results
        .iter()
        .filter(|r| r.check_id == check_id)
        .fold(
            (0, 0),
            |(p, f), r| if r.passed { (p + 1, f) } else { (p, f + 1) },
        )
}
