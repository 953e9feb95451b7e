//! Observation hooks for the sort engine.
//!
//! The engine is generic over a [`Probe`]. The plain sorts use [`NoProbe`], whose
//! methods are empty and whose comparison count is the constant 0, so after
//! monomorphisation every hook call vanishes and the fast path pays nothing. The
//! instrumented sorts use [`Recorder`], which also shares a counter with a wrapped
//! comparator.

use std::cell::Cell;

use crate::merge::MergeReport;
use crate::stats::{Event, Stats};

/// Hooks the engine calls at the interesting moments of a sort.
pub(crate) trait Probe {
    /// Comparisons made so far (used to attribute costs to runs and merges).
    fn comparisons(&self) -> u64 {
        0
    }

    /// The sort is starting on `n` elements with the given minimum run length.
    fn start(&mut self, _n: usize, _minrun: usize) {}

    /// A run is ready to be pushed.
    fn run(
        &mut self,
        _start: usize,
        _natural_len: usize,
        _descending: bool,
        _len: usize,
        _comparisons: u64,
    ) {
    }

    /// The pending stack now holds `depth` runs (called after every push).
    fn pending(&mut self, _depth: usize) {}

    /// `merge_at` finished.
    fn merge(
        &mut self,
        _start: usize,
        _len_a: usize,
        _len_b: usize,
        _report: &MergeReport,
        _comparisons: u64,
        _pending_after: usize,
    ) {
    }
}

/// The probe of the uninstrumented sorts: every hook is a no-op.
pub(crate) struct NoProbe;

impl Probe for NoProbe {}

/// The probe behind `sort_by_counted` and `sort_by_traced`: fills in [`Stats`] and
/// optionally forwards [`Event`]s.
pub(crate) struct Recorder<'c, 's> {
    count: &'c Cell<u64>,
    stats: Stats,
    sink: Option<&'s mut dyn FnMut(&Event)>,
}

impl<'c, 's> Recorder<'c, 's> {
    /// A recorder reading comparisons from `count`, which the caller's wrapped
    /// comparator increments.
    pub(crate) fn new(count: &'c Cell<u64>, sink: Option<&'s mut dyn FnMut(&Event)>) -> Self {
        Recorder {
            count,
            stats: Stats::default(),
            sink,
        }
    }

    /// The finished summary.
    pub(crate) fn finish(mut self) -> Stats {
        self.stats.comparisons = self.count.get();
        self.stats
    }

    fn emit(&mut self, event: Event) {
        if let Some(sink) = self.sink.as_mut() {
            sink(&event);
        }
    }
}

impl Probe for Recorder<'_, '_> {
    fn comparisons(&self) -> u64 {
        self.count.get()
    }

    fn start(&mut self, n: usize, minrun: usize) {
        self.stats.n = n;
        self.stats.minrun = minrun;
    }

    fn run(
        &mut self,
        start: usize,
        natural_len: usize,
        descending: bool,
        len: usize,
        comparisons: u64,
    ) {
        self.stats.runs += 1;
        self.stats.natural_runs_descending += usize::from(descending);
        self.emit(Event::Run {
            start,
            natural_len,
            descending,
            len,
            comparisons,
        });
    }

    fn pending(&mut self, depth: usize) {
        self.stats.max_pending = self.stats.max_pending.max(depth);
    }

    fn merge(
        &mut self,
        start: usize,
        len_a: usize,
        len_b: usize,
        report: &MergeReport,
        comparisons: u64,
        pending_after: usize,
    ) {
        self.stats.merges += 1;
        self.stats.gallop_entries += report.gallop_entries;
        self.emit(Event::Merge {
            start,
            len_a,
            len_b,
            trimmed_front: report.trimmed_front,
            trimmed_back: report.trimmed_back,
            direction: report.direction,
            gallop_entries: report.gallop_entries,
            comparisons,
            pending_after,
        });
    }
}
