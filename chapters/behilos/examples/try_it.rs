//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p behilos --example try_it -- --help
//! cargo run -q --release -p behilos --example try_it -- --answer "Answer: D, E"
//! cargo run -q --release -p behilos --example try_it -- --item 7 --answer "B" --policy any
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&behilos::tryit::ENGINE)
}
