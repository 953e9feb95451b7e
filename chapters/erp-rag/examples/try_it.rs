//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p erp-rag --example try_it -- --help
//! cargo run -q --release -p erp-rag --example try_it -- --down r3-de
//! cargo run -q --release -p erp-rag --example try_it -- --example salary-mexico --role hr
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&erp_rag::tryit::ENGINE)
}
