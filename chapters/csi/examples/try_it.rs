//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p csi --example try_it -- --help
//! cargo run -q --release -p csi --example try_it -- --access-mode MULTI_NODE_MULTI_WRITER
//! cargo run -q --release -p csi --example try_it -- --rpcs "CreateVolume pvc-1 20Gi"
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&csi::tryit::ENGINE)
}
