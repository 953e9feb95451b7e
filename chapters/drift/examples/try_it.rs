//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p drift --example try_it -- --help
//! cargo run -q --release -p drift --example try_it -- --policy critical-as-high --show 3
//! cargo run -q --release -p drift --example try_it -- --intended adopted --actual "$(sed 's/backup: disabled/backup: enabled/' chapters/drift/fixtures/actual-infrastructure.yaml)"
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&drift::tryit::ENGINE)
}
