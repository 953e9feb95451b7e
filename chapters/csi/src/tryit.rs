//! The page's Try it block: play the orchestrator. Type a sequence of CSI
//! calls, one per line, and see the spec's answer to each (the gRPC status
//! code) and where the volume stands after it in the spec's lifecycle.
//!
//! The calls run through the plugin's own lifecycle core
//! ([`crate::lifecycle`]) over its in-memory state ([`crate::model`]): the same
//! checks, preconditions and messages as the gRPC plugin, without the socket,
//! the SQLite file or the mounts, so it also runs as wasm32 in the reader's
//! browser (see [`kit::tryit`]).
//!
//! A line is `Rpc arg…`, `#` starts a comment. Volumes are named as the CO
//! named them in `CreateVolume`: like a CO, the runner remembers the id each
//! name got and sends that id afterwards (a name it never saw is sent as the
//! id itself, so the plugin answers for an unknown volume).

use kit::tryit::{Engine, Kind, Knob, TryItError, Values};
use std::collections::BTreeMap;

use crate::error::PluginError;
use crate::lifecycle::{
    Capability, ControllerPublish, ControllerUnpublish, CreateVolume, DeleteVolume, GIB,
    NodePublish, NodeStage, NodeUnpublish, NodeUnstage, mode_name, mode_number,
};
use crate::model::ModelPlugin;

const MODES: &[&str] = &[
    "SINGLE_NODE_WRITER",
    "SINGLE_NODE_READER_ONLY",
    "MULTI_NODE_READER_ONLY",
    "MULTI_NODE_SINGLE_WRITER",
    "MULTI_NODE_MULTI_WRITER",
];

const NODE_NAMES: [&str; 4] = ["node-a", "node-b", "node-c", "node-d"];

/// The default script: a volume's whole life, with three calls the plugin
/// must refuse (staging before attaching, a second node for a single-node
/// volume, deleting a volume still in use) and two retries.
const DEFAULT_RPCS: &str = "\
CreateVolume pvc-1 1Gi
CreateVolume pvc-1 1Gi                  # a retry
NodeStageVolume pvc-1 node-a            # out of order
ControllerPublishVolume pvc-1 node-a
NodeStageVolume pvc-1 node-a
NodePublishVolume pvc-1 node-a mysql-0
ControllerPublishVolume pvc-1 node-b
DeleteVolume pvc-1
NodeUnpublishVolume pvc-1 node-a mysql-0
NodeUnstageVolume pvc-1 node-a
ControllerUnpublishVolume pvc-1 node-a
DeleteVolume pvc-1
DeleteVolume pvc-1                      # a retry";

/// The RPCs a script may call: name, arguments, fewest and most positional
/// arguments (`ro` and `mode=…` are extra).
const USAGE: &[(&str, &str, usize, usize)] = &[
    ("CreateVolume", "NAME [SIZE, e.g. 1Gi or 512Mi]", 1, 2),
    ("DeleteVolume", "VOLUME", 1, 1),
    ("ControllerPublishVolume", "VOLUME NODE [ro]", 2, 2),
    ("ControllerUnpublishVolume", "VOLUME [NODE]", 1, 2),
    ("NodeStageVolume", "VOLUME NODE [/staging/path]", 2, 3),
    ("NodeUnstageVolume", "VOLUME NODE [/staging/path]", 2, 3),
    (
        "NodePublishVolume",
        "VOLUME NODE [POD or /target/path] [ro]",
        2,
        3,
    ),
    (
        "NodeUnpublishVolume",
        "VOLUME NODE [POD or /target/path]",
        2,
        3,
    ),
];

/// Day 5's engine for the page: knobs `rpcs`, `access-mode`, `nodes`,
/// `max-volumes`, `capacity-gib`.
pub const ENGINE: Engine = Engine {
    chapter: "csi",
    title: "play the orchestrator: one CSI call per line; each gets the spec's status code, and the volume's lifecycle state after it is shown.",
    knobs: &[
        Knob {
            name: "rpcs",
            label: "RPCs",
            help: "one call per line: CreateVolume NAME [SIZE], DeleteVolume V, ControllerPublishVolume V NODE [ro], ControllerUnpublishVolume V [NODE], NodeStageVolume V NODE, NodeUnstageVolume V NODE, NodePublishVolume V NODE [POD] [ro], NodeUnpublishVolume V NODE [POD]; mode=MODE overrides the access mode; # comments",
            kind: Kind::Text {
                rows: 14,
                max_bytes: 8_000,
            },
            default: DEFAULT_RPCS,
        },
        Knob {
            name: "access-mode",
            label: "access mode",
            help: "the access mode every call's volume capability carries (unless a line says mode=…)",
            kind: Kind::Choice(MODES),
            default: "SINGLE_NODE_WRITER",
        },
        Knob {
            name: "nodes",
            label: "nodes",
            help: "how many nodes run a node plugin: node-a, node-b, …",
            kind: Kind::Int { min: 1, max: 4 },
            default: "2",
        },
        Knob {
            name: "max-volumes",
            label: "attach limit",
            help: "NodeGetInfo's max_volumes_per_node: volumes one node may have attached (0 = no limit)",
            kind: Kind::Int { min: 0, max: 64 },
            default: "0",
        },
        Knob {
            name: "capacity-gib",
            label: "capacity (GiB)",
            help: "the plugin's capacity, shared by all volumes (also the largest volume)",
            kind: Kind::Int { min: 1, max: 1024 },
            default: "10",
        },
    ],
    run,
};

/// A script line the runner can't turn into a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rpcs, line {line}: {message}")]
pub struct ScriptError {
    /// 1-based line number in the script.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// One parsed call: which RPC, on which node plugin (node calls), and the request.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Create(CreateVolume),
    Delete(DeleteVolume),
    Publish(ControllerPublish),
    Unpublish(ControllerUnpublish),
    Stage(String, NodeStage),
    Unstage(String, NodeUnstage),
    NodePublish(String, NodePublish),
    NodeUnpublish(String, NodeUnpublish),
}

/// The words of one line, with `ro` and `mode=…` taken out.
struct Words<'a> {
    rpc: &'a str,
    args: Vec<&'a str>,
    readonly: bool,
    mode: i32,
}

fn size_bytes(s: &str) -> Option<i64> {
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let n: i64 = digits.parse().ok()?;
    let unit = match unit {
        "" => 1,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => GIB,
        "Ti" => GIB << 10,
        _ => return None,
    };
    n.checked_mul(unit)
}

fn human(bytes: i64) -> String {
    if bytes % GIB == 0 {
        format!("{} GiB", bytes / GIB)
    } else {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    }
}

/// The runner: the CO's memory (name → volume id) plus the plugins.
struct Runner {
    plugin: ModelPlugin,
    nodes: Vec<&'static str>,
    ids: BTreeMap<String, String>,
}

impl Runner {
    fn volume_id(&self, token: &str) -> String {
        self.ids
            .get(token)
            .cloned()
            .unwrap_or_else(|| token.to_string())
    }

    fn parse(
        &self,
        line_no: usize,
        line: &str,
        default_mode: i32,
    ) -> Result<Option<Call>, ScriptError> {
        let err = |message: String| ScriptError {
            line: line_no,
            message,
        };
        let code = line.split('#').next().unwrap_or("");
        let mut words = code.split_whitespace();
        let Some(rpc) = words.next() else {
            return Ok(None);
        };
        let mut w = Words {
            rpc,
            args: Vec::new(),
            readonly: false,
            mode: default_mode,
        };
        for word in words {
            if word == "ro" {
                w.readonly = true;
            } else if let Some(m) = word.strip_prefix("mode=") {
                w.mode = mode_number(m).ok_or_else(|| {
                    err(format!(
                        "unknown access mode {m:?} (known: {})",
                        (1..=7).map(mode_name).collect::<Vec<_>>().join(", ")
                    ))
                })?;
            } else {
                w.args.push(word);
            }
        }
        let Some(&(_, usage, min, max)) = USAGE.iter().find(|(name, ..)| *name == w.rpc) else {
            let names: Vec<&str> = USAGE.iter().map(|(n, ..)| *n).collect();
            return Err(err(format!(
                "unknown RPC {:?} (this block knows: {})",
                w.rpc,
                names.join(", ")
            )));
        };
        if w.args.len() < min || w.args.len() > max {
            return Err(err(format!(
                "{} takes {usage}, got {} argument{}",
                w.rpc,
                w.args.len(),
                if w.args.len() == 1 { "" } else { "s" }
            )));
        }
        let cap = Some(Capability::mount(w.mode));
        let vol = self.volume_id(w.args[0]);
        let token = w.args[0];
        let arg = |i: usize| w.args.get(i).copied();
        let node = |i: usize| -> Result<String, ScriptError> {
            let n = arg(i).unwrap_or("");
            if self.nodes.contains(&n) {
                Ok(n.to_string())
            } else {
                Err(err(format!(
                    "{} runs on a node's plugin, and no node plugin runs on {n:?} (nodes: {})",
                    w.rpc,
                    self.nodes.join(", ")
                )))
            }
        };
        let staging = |i: usize| {
            arg(i)
                .map(str::to_string)
                .unwrap_or_else(|| format!("/csi/staging/{token}"))
        };
        let target = |i: usize| match arg(i) {
            Some(p) if p.starts_with('/') => p.to_string(),
            Some(pod) => format!("/pods/{pod}/{token}"),
            None => format!("/pods/pod-0/{token}"),
        };
        let call = match w.rpc {
            "CreateVolume" => {
                let capacity_range = match arg(1) {
                    None => None,
                    Some(s) => Some((
                        size_bytes(s).ok_or_else(|| {
                            err(format!(
                                "size {s:?} is not a number of bytes with an optional Ki, Mi, Gi or Ti"
                            ))
                        })?,
                        0,
                    )),
                };
                Call::Create(CreateVolume {
                    name: token.to_string(),
                    capabilities: vec![Capability::mount(w.mode)],
                    capacity_range,
                    ..Default::default()
                })
            }
            "DeleteVolume" => Call::Delete(DeleteVolume { volume_id: vol }),
            "ControllerPublishVolume" => Call::Publish(ControllerPublish {
                volume_id: vol,
                node_id: arg(1).unwrap_or("").to_string(),
                capability: cap,
                readonly: w.readonly,
            }),
            "ControllerUnpublishVolume" => Call::Unpublish(ControllerUnpublish {
                volume_id: vol,
                node_id: arg(1).unwrap_or("").to_string(),
            }),
            "NodeStageVolume" => Call::Stage(
                node(1)?,
                NodeStage {
                    volume_id: vol,
                    staging_target_path: staging(2),
                    capability: cap,
                },
            ),
            "NodeUnstageVolume" => Call::Unstage(
                node(1)?,
                NodeUnstage {
                    volume_id: vol,
                    staging_target_path: staging(2),
                },
            ),
            "NodePublishVolume" => Call::NodePublish(
                node(1)?,
                NodePublish {
                    volume_id: vol,
                    target_path: target(2),
                    staging_target_path: format!("/csi/staging/{token}"),
                    capability: cap,
                    readonly: w.readonly,
                },
            ),
            _ => Call::NodeUnpublish(
                node(1)?,
                NodeUnpublish {
                    volume_id: vol,
                    target_path: target(2),
                },
            ),
        };
        Ok(Some(call))
    }

    /// Run one call; the volume id it concerns and the outcome.
    fn call(&mut self, call: &Call) -> (String, Result<(), PluginError>) {
        let p = &mut self.plugin;
        match call {
            Call::Create(r) => match p.create_volume(r) {
                Ok(v) => {
                    self.ids.insert(r.name.clone(), v.id.clone());
                    (v.id, Ok(()))
                }
                Err(e) => (
                    self.ids.get(&r.name).cloned().unwrap_or(r.name.clone()),
                    Err(e),
                ),
            },
            Call::Delete(r) => (r.volume_id.clone(), p.delete_volume(r)),
            Call::Publish(r) => (r.volume_id.clone(), p.controller_publish(r)),
            Call::Unpublish(r) => (r.volume_id.clone(), p.controller_unpublish(r)),
            Call::Stage(n, r) => (r.volume_id.clone(), p.node_stage(n, r)),
            Call::Unstage(n, r) => (r.volume_id.clone(), p.node_unstage(n, r)),
            Call::NodePublish(n, r) => (r.volume_id.clone(), p.node_publish(n, r)),
            Call::NodeUnpublish(n, r) => (r.volume_id.clone(), p.node_unpublish(n, r)),
        }
    }
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Run `script` on a cluster of `nodes` node plugins (attach limit
/// `max_volumes`, 0 = none) and a pool of `pool_bytes`, each call carrying
/// access mode `mode`; the report the page prints.
pub fn run_script(
    script: &str,
    mode: i32,
    nodes: usize,
    max_volumes: i64,
    pool_bytes: i64,
) -> Result<String, ScriptError> {
    let nodes: Vec<&'static str> = NODE_NAMES.iter().copied().take(nodes.clamp(1, 4)).collect();
    let mut runner = Runner {
        plugin: ModelPlugin::new(&nodes, max_volumes, pool_bytes),
        nodes,
        ids: BTreeMap::new(),
    };
    // Parse every line first: a typo on line 9 is reported before anything runs.
    let mut out = format!(
        "Node plugins on {} (attach limit: {}); pool {}; access mode {}.\n\n",
        runner.nodes.join(", "),
        if max_volumes == 0 {
            "none".to_string()
        } else {
            max_volumes.to_string()
        },
        human(pool_bytes),
        mode_name(mode)
    );
    let lines: Vec<(usize, &str)> = script
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    for &(n, line) in &lines {
        runner.parse(n, line, mode)?;
    }
    out += &format!(
        "{:>4}  {:<25}  {:<20}  {:<19}  {}\n",
        "line", "RPC", "arguments", "status", "volume after"
    );
    let mut calls = 0;
    for (n, line) in lines {
        // Parsed again now: a name's id is known only once its CreateVolume ran.
        let Some(call) = runner.parse(n, line, mode)? else {
            continue;
        };
        calls += 1;
        let mut words = line.split('#').next().unwrap_or("").split_whitespace();
        let rpc = words.next().unwrap_or("");
        let args: Vec<&str> = words.collect();
        let (id, result) = runner.call(&call);
        // The id is shown where CreateVolume names it; error messages use it.
        let state = match (runner.plugin.describe(&id), &call) {
            (Some(s), Call::Create(_)) => format!("{s} as {id}"),
            (Some(s), _) => s,
            (None, _) => "(no volume)".to_string(),
        };
        let status = match &result {
            Ok(()) => "OK",
            Err(e) => e.code_name(),
        };
        out += &format!(
            "{n:>4}  {rpc:<25}  {:<20}  {status:<19}  {state}\n",
            clip(&args.join(" "), 20)
        );
        if let Err(e) = result {
            out += &format!("        └ {}\n", e.message());
        }
    }
    if calls == 0 {
        out += "      (no calls: every line is blank or a comment)\n";
    }
    let (allocated, pool) = runner.plugin.allocated();
    let (volumes, _) = crate::lifecycle::VolumeState::list_volumes(runner.plugin.state(), "", 0)
        .unwrap_or_default();
    out += &format!(
        "\nAfter the last call: {} volume{}, {} of the {} pool allocated.\n",
        volumes.len(),
        if volumes.len() == 1 { "" } else { "s" },
        human(allocated),
        human(pool)
    );
    Ok(out)
}

fn run(v: &Values) -> Result<String, TryItError> {
    let mode = mode_number(v.text("access-mode")?).ok_or_else(|| TryItError::Knob {
        knob: "access-mode".into(),
        message: "not an access mode".into(),
    })?;
    run_script(
        v.text("rpcs")?,
        mode,
        v.int("nodes")? as usize,
        v.int("max-volumes")?,
        v.int("capacity-gib")? * GIB,
    )
    .map_err(TryItError::engine)
}

#[cfg(test)]
mod tests {
    use super::ENGINE;

    fn row(out: &str, line: usize) -> &str {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{line} ")))
            .unwrap_or_else(|| panic!("no row for line {line} in\n{out}"))
    }

    #[test]
    fn defaults_walk_the_lifecycle_and_refuse_three_calls() {
        let out = ENGINE.run_defaults().unwrap();
        assert!(row(&out, 1).contains("OK") && row(&out, 1).contains("CREATED as vol-000001"));
        assert!(row(&out, 2).contains("OK"), "a retried CreateVolume is OK");
        assert!(row(&out, 3).contains("FAILED_PRECONDITION"), "{out}");
        assert!(out.contains("is not attached to node-a: ControllerPublishVolume first"));
        assert!(row(&out, 6).contains("PUBLISHED@node-a"));
        assert!(row(&out, 7).contains("FAILED_PRECONDITION"));
        assert!(row(&out, 8).contains("FAILED_PRECONDITION"));
        assert!(row(&out, 12).contains("OK") && row(&out, 12).contains("(no volume)"));
        assert!(row(&out, 13).contains("OK"), "a retried DeleteVolume is OK");
        assert!(out.contains("0 volumes, 0 GiB of the 10 GiB pool allocated"));
    }

    #[test]
    fn a_multi_node_mode_lets_the_second_node_attach() {
        let out = ENGINE
            .run_query("access-mode=MULTI_NODE_MULTI_WRITER")
            .unwrap();
        assert!(row(&out, 7).contains("OK"), "{out}");
        assert!(row(&out, 7).contains("NODE_READY@node-b"), "{out}");
        // …and then node-b still holds it when node-a's detach is done
        assert!(row(&out, 12).contains("FAILED_PRECONDITION"), "{out}");
    }

    #[test]
    fn the_spec_codes_for_capacity_and_conflicts() {
        let q = "rpcs=CreateVolume+a+8Gi%0ACreateVolume+b+4Gi%0ACreateVolume+a+9Gi%0A\
                 CreateVolume+c+20Gi%0AControllerPublishVolume+a+node-z%0ADeleteVolume+../etc";
        let out = ENGINE.run_query(q).unwrap();
        assert!(row(&out, 2).contains("RESOURCE_EXHAUSTED"), "{out}");
        assert!(row(&out, 3).contains("ALREADY_EXISTS"), "{out}");
        assert!(row(&out, 4).contains("OUT_OF_RANGE"), "{out}");
        assert!(row(&out, 5).contains("NOT_FOUND"), "{out}");
        assert!(row(&out, 6).contains("INVALID_ARGUMENT"), "{out}");
        let limited = ENGINE
            .run_query(
                "max-volumes=1&rpcs=CreateVolume+a%0ACreateVolume+b%0A\
                 ControllerPublishVolume+a+node-a%0AControllerPublishVolume+b+node-a",
            )
            .unwrap();
        assert!(row(&limited, 4).contains("RESOURCE_EXHAUSTED"), "{limited}");
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let err = ENGINE
            .run_query("rpcs=CreateVolume+a%0A%0AAttachVolume+a")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3") && err.contains("unknown RPC \"AttachVolume\""),
            "{err}"
        );
        let err = ENGINE
            .run_query("rpcs=ControllerPublishVolume+a")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1") && err.contains("VOLUME NODE"),
            "{err}"
        );
        let err = ENGINE
            .run_query("rpcs=CreateVolume+a+1GB")
            .unwrap_err()
            .to_string();
        assert!(err.contains("size \"1GB\""), "{err}");
        let err = ENGINE
            .run_query("rpcs=NodeStageVolume+a+node-c")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no node plugin runs on \"node-c\""), "{err}");
        let err = ENGINE
            .run_query("rpcs=CreateVolume+a+mode=FOO")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown access mode"), "{err}");
    }
}
