//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p heartbeat --example try_it -- --help
//! cargo run -q --release -p heartbeat --example try_it -- --timeout 5 --phi 12
//! cargo run -q --release -p heartbeat --example try_it -- --pause 20 --jitter 0 --loss 0
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&heartbeat::tryit::ENGINE)
}
