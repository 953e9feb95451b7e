//! # Stackless continuations: a function that can pause
//!
//! A *continuation* is "the rest of the computation" from some point on. A function
//! that can **pause** at a marked point, hand a value to its caller, and later
//! **resume** exactly there needs its continuation saved somewhere while it is
//! paused. A *stackful* coroutine (Ruby's `Fiber`, a Go goroutine) gets a whole call
//! stack of its own and can pause anywhere, even deep inside functions it called. A
//! *stackless* one (Python and JavaScript generators, C++20 coroutines, Kotlin's
//! `suspend fun`, Rust's `async fn`) can pause only in its own body, at a `yield` or
//! `await`, so the compiler knows exactly which locals are alive there and stores just
//! those: the paused function becomes a **state machine** — an enum with one variant
//! per pause point — a value of fixed size that can live on the stack, in a struct,
//! or in a `Box`.
//!
//! ```
//! use coroutines::counter::{CountToLimit, Flavour, Take, with_counter};
//!
//! // The state machine rustc would generate for `for i in 1..=limit { yield i }`:
//! let mut g = CountToLimit::new(1_000_000);
//! assert_eq!((g.next(), g.next()), (Some(1), Some(2)));
//! assert_eq!(g, CountToLimit::Suspend0 { i: 2, limit: 1_000_000 });
//! assert!(size_of_val(&g) <= 24); // a million numbers to go, three words of state
//!
//! // The same generator written once as an `async fn`, driven by genawaiter
//! // (stack, rc, sync) and by a hand-written poll loop: same values.
//! for f in Flavour::LAZY {
//!     assert_eq!(with_counter(f, 1_000_000, Take(3)), Ok(vec![1, 2, 3]));
//! }
//! ```
//!
//! ## What the chapter shows
//!
//! - [`seed`]: the seed's Python program (`count_to_million`, three `next()` calls,
//!   a `for` loop that breaks) ported faithfully, printing what CPython prints — the
//!   generator advances only inside `next()`, which the seed's own printed output
//!   gets wrong — plus the moment a generator is dropped mid-loop.
//! - [`picture`]: the seed run drawn as the generator's state machine beside its
//!   trace, one mark per transition.
//! - [`counter`]: one generator body run by genawaiter's `stack`, `rc` and `sync`
//!   generators and by [`executor`]'s poll loop, next to [`counter::CountToLimit`], the
//!   enum the compiler would generate, and an eager `Vec`.
//! - [`resume`]: a two-way coroutine (a running average fed with `resume_with`), its
//!   completion value, and genawaiter's "first resume argument is lost" trap.
//! - [`memory`]: frame sizes against an 8 MB `Vec`, futures holding a buffer across
//!   `.await`, and the peak memory of streaming versus collecting, measured with
//!   [`alloc_meter`].
//! - [`timing`]: a quick wall-clock comparison; `cargo bench -p coroutines` has the
//!   careful one.
//!
//! ## Rust's own generators
//!
//! Rust has had stackless coroutines since `async`/`await` (1.39): an `async fn`
//! compiles to exactly such an enum, and `.await` is its pause point. Stable Rust
//! lacks only the *syntax* for generators: `gen` is a reserved keyword since edition
//! 2024 and `gen { … }` blocks exist on nightly (RFC 3513). genawaiter fills the gap on
//! stable by running an `async fn` whose `co.yield_(v).await` stores `v` in a shared
//! slot and returns `Pending` — the same trick as [`executor`], in a library.

pub mod alloc_meter;
pub mod counter;
pub mod executor;
pub mod memory;
pub mod picture;
pub mod resume;
pub mod seed;
pub mod timing;
pub mod tryit;
