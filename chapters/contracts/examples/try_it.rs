//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p contracts --example try_it -- --help
//! cargo run -q --release -p contracts --example try_it -- --version v2 --cases 256 --seed 1
//! cargo run -q --release -p contracts --example try_it -- --promise deterministic
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&contracts::tryit::ENGINE)
}
