//! The page's Try it block as a program: the same engine and knobs as the browser's.
//!
//! ```text
//! cargo run -q --release -p mttr --example try_it -- --help
//! cargo run -q --release -p mttr --example try_it -- --rate 1000 --claims true
//! cargo run -q --release -p mttr --example try_it -- --incident "$(printf 'id: X-1\nimpact_started: 2024-11-29T14:30:00Z\ndetected: 2024-11-29T14:50:00Z\nrestored: 2024-11-29T15:10:00Z\n')"
//! ```

fn main() -> std::process::ExitCode {
    kit::tryit::main(&mttr::tryit::ENGINE)
}
