//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p timsort --example try_it -- --help
//! cargo run -q --release -p timsort --example try_it -- --pattern random --n 5000
//! cargo run -q --release -p timsort --example try_it -- --numbers "5 3 9 1"
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&timsort::tryit::ENGINE)
}
