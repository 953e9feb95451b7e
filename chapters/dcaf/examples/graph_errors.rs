//! Day 16: apps that cannot be built — caught when the graph is built, before any JSON.
//!
//! `cargo run -q --release -p dcaf --example graph_errors -- --help`

use clap::Parser;
use dcaf::{App, Cdn, Queue, Resource, Storage, days, minutes};
use kit::println;
use serde_json::json;

/// Try to synthesise three broken apps and print why each one fails.
#[derive(Parser)]
#[command(about)]
struct Args {
    /// The storage name the CDN points at (the app's storage is `images`).
    #[arg(long, default_value = "imgs")]
    cdn_origin: String,
}

fn show(title: &str, app: &App) {
    println!("{title}");
    match app.synth() {
        Ok(t) => println!("  ok: {} resources", t.resources().len()),
        Err(e) => println!(
            "  error:\n    {}",
            dcaf::plan::wrap(&e.to_string(), 78, "    ")
        ),
    }
    println!();
}

fn main() {
    let args = Args::parse();
    let base = App::new("shop").add_storage(Storage::new("images"));

    show(
        "1. A CDN whose origin is a storage that does not exist:",
        &base.clone().add_cdn(Cdn::for_storage(&args.cdn_origin)),
    );

    // Two raw ("L1") security groups whose inline rules name each other: the classic
    // CloudFormation circular dependency. DCAF's own groups use separate rule resources.
    let group = |id: &str, other: &str| {
        Resource::new(
            id,
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": id, "SecurityGroupIngress": [{"IpProtocol": "tcp",
                   "FromPort": 5432, "ToPort": 5432,
                   "SourceSecurityGroupId": {"Fn::GetAtt": [other, "GroupId"]}}]}),
        )
    };
    show(
        "2. Two security groups with inline rules that name each other:",
        &base
            .clone()
            .add_resource(group("WorkerSg", "ApiSg"))
            .add_resource(group("ApiSg", "WorkerSg")),
    );

    show(
        "3. A lifecycle that deletes objects before it archives them:",
        &App::new("shop").add_storage(
            Storage::new("images")
                .archive_after(days(90))
                .delete_after(days(30)),
        ),
    );

    show(
        "4. A queue timeout longer than SQS allows:",
        &App::new("shop").add_queue(Queue::new("orders").timeout(minutes(13 * 60))),
    );
}
