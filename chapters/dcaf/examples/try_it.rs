//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p dcaf --example try_it -- --help
//! cargo run -q --release -p dcaf --example try_it -- --public true --multi-az false
//! cargo run -q --release -p dcaf --example try_it -- --bucket-name acme-images --resource none
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&dcaf::tryit::ENGINE)
}
