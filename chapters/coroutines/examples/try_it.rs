//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p coroutines --example try_it -- --help
//! cargo run -q --release -p coroutines --example try_it -- --limit 1000000 --calls 3
//! cargo run -q --release -p coroutines --example try_it -- --flavour hand --calls 6
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&coroutines::tryit::ENGINE)
}
