//! The workbook's shared kit: the few things several chapters need, in one place.
//!
//! - [`rng`]: a seeded, portable random number generator, so a page prints the same
//!   thing on every build and every machine.
//! - [`clock`]: a virtual clock for simulations that must not read the wall clock.
//! - [`table`]: plain-text tables for program output shown inside a code fence.
//! - [`svg`]: inline SVG for a page: a `Canvas` that escapes every text it writes, and a bar chart.
//! - [`snapshot`]: compare output with a committed expected file (`BLESS=1` rewrites it).
//! - [`measured`]: the footer a measured block prints: when, and on how many cores.
//! - [`pytools`]: where the pinned Python tools live (cfn-lint, checkov, schemathesis).
//! - [`programs`]: run a chapter's example programs from its tests, as a reader would.
//! - [`cli`]: one policy for command lines and output: ranged flag parsers, a `println!`
//!   that ends cleanly on a closed or full stdout, a guard for files the program did not make.
//! - [`json`]: JSON with repeated keys refused (serde_json keeps the last one in silence).
//! - [`tryit`]: describe an engine's knobs once; get the `try_it` program, the page's
//!   form and the wasm32 exports the page runs.
//!
//! [`cli`], [`measured`], [`pytools`] and [`programs`] end or start processes, or read the
//! wall clock, so they are left out of a wasm32 build; everything else compiles for the
//! page's engines.
//!
//! ```
//! use kit::rng::{seeded, Rng};
//! let mut a = seeded(42);
//! let mut b = seeded(42);
//! assert_eq!(a.random::<u64>(), b.random::<u64>());
//! ```

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod clock;
pub mod json;
#[cfg(not(target_arch = "wasm32"))]
pub mod measured;
#[cfg(not(target_arch = "wasm32"))]
pub mod programs;
#[cfg(not(target_arch = "wasm32"))]
pub mod pytools;
pub mod rng;
pub mod snapshot;
pub mod svg;
pub mod table;
pub mod tryit;
