//! What `drift` says about broken documents: each case is parsed by the library and
//! its error printed (the binary prints the same line to stderr and exits 1).
//!
//! `cargo run -q --release -p drift --example bad_input`

use clap::Parser;
use kit::println;

/// Print the error for each kind of bad input.
#[derive(Parser)]
#[command(about)]
struct Args {}

const CASES: [(&str, &str, bool); 7] = [
    (
        "malformed.yaml",
        "production:\n  web_servers:\n    type: [t3\n",
        false,
    ),
    ("empty.yaml", "# only a comment\n", false),
    (
        "three.yaml",
        "production:\n  web_servers: {type: t3.medium, count: \"three\"}\n",
        false,
    ),
    ("dup.yaml", "production:\n  iam_roles: [a, b, a]\n", false),
    (
        "hostile.yaml",
        "production:\n  iam_roles: [\"../../etc\"]\n",
        false,
    ),
    ("broken.json", "{\"Resources\": {\"Db\": \n", true),
    (
        "notype.json",
        "{\"Resources\": {\"Db\": {\"Properties\": {}}}}",
        true,
    ),
];

fn main() {
    let _ = Args::parse();
    for (name, text, json) in CASES {
        match drift::parse_str(name, text, json) {
            Ok(inv) => println!("{name}: read {} resources", inv.len()),
            Err(e) => println!("{}", drift::report::wrap(&e.to_string(), 4)),
        }
    }
    let policy = "rules:\n  - name: a\n    severity: high\n    match: {pathh: /x}\n";
    match drift::Policy::parse("typo-policy.yaml", policy) {
        Ok(_) => println!("typo-policy.yaml: accepted"),
        Err(e) => println!("{}", drift::report::wrap(&e.to_string(), 4)),
    }
}
