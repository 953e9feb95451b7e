//! The pages' Try it engines, compiled to `wasm32-unknown-unknown`.
//!
//! Each chapter describes its page's engine as a [`kit::tryit::Engine`] in its own
//! library (`<chapter>::tryit::ENGINE`) and runs it natively as `examples/try_it.rs`. This
//! crate only exports one of them to JavaScript: `cargo xtask wasm` builds it for wasm32
//! once per chapter feature, each build becoming `tryit/<chapter>.wasm` in the book. On a
//! native target it exports nothing and lists the enabled engines in [`ENGINES`], which
//! the book's parity test (`tests/tryit.rs`, feature `all`) runs natively and as wasm32.

/// `"feature" => crate,` for each chapter: the [`ENGINES`] list and the wasm32 exports.
macro_rules! engines {
    ($($feature:literal => $krate:ident,)*) => {
        /// Every engine this build has a feature for, in day order.
        pub const ENGINES: &[&kit::tryit::Engine] = &[$(
            #[cfg(feature = $feature)]
            &$krate::tryit::ENGINE,
        )*];
        $(
            #[cfg(feature = $feature)]
            kit::export_engine!($krate::tryit::ENGINE);
        )*
    };
}

engines! {
    // chapters (day order; `cargo xtask new-entry` inserts here)
    "drift" => drift, // day 2
    "heartbeat" => heartbeat, // day 3
    "coroutines" => coroutines, // day 4
    "csi" => csi, // day 5
    "erp-rag" => erp_rag, // day 6
    "contracts" => contracts, // day 9
    "timsort" => timsort, // day 10
    "mttr" => mttr, // day 11
    "behilos" => behilos, // day 12
    "s2s" => s2s, // day 13
    "dcaf" => dcaf, // day 16
}
