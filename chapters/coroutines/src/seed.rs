//! The seed's Python program, ported line for line, with a trace of what it prints.
//!
//! The seed's `count_to_million` prints as it runs, so the *order* of its lines shows
//! exactly when the generator runs: a generator's body advances only inside a
//! `next()` call, from one `yield` to the next. The port records every line the
//! Python program would print ([`Line::Printed`]) and, separately, what Python does
//! silently ([`Line::Note`]): a generator dropped in the middle of its loop, which in
//! Python is `generator.close()` and in Rust is dropping the paused future.
//!
//! ```
//! use coroutines::counter::Flavour;
//! use coroutines::seed::{SeedProgram, run_seed_program};
//!
//! let trace = run_seed_program(Flavour::Rc, SeedProgram::default()).unwrap();
//! let printed = trace.printed();
//! // The generator does not run ahead: "other work" happens before it resumes.
//! assert_eq!(printed[3..5], ["Doing other work...", "Resumed after 1"]);
//! ```

use std::fmt::Write as _;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};

use genawaiter::{rc, stack, sync};

use crate::counter::{Flavour, Suspend};
use crate::executor::{PollIter, Slot};

/// What the seed claims its program prints (its "Output:" block, verbatim).
pub const SEED_PRINTED_OUTPUT: [&str; 11] = [
    "Starting generator...",
    "Generating 1",
    "1",
    "Resumed after 1",
    "Doing other work...",
    "Generating 2",
    "2",
    "Resumed after 2",
    "More work...",
    "Generating 3",
    "3",
];

/// One line of the port's trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line the Python program prints on stdout.
    Printed(String),
    /// Something that happens without printing (a generator dropped, the program's end).
    Note(String),
    /// The `for` loop starts: what follows is the part the seed's output leaves out.
    LoopStart,
}

/// Something that happened to a generator: what moves it from one state to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenEvent {
    /// `count_to_million()` was called: a generator exists, none of its body has run.
    Created,
    /// A `next()` call started running the body (from its start or from its `yield`).
    Resumed,
    /// The body reached `yield i` and paused, handing `i` to the caller.
    Yielded(u64),
    /// The body ran to its end and its frame was freed (Python: `StopIteration`).
    Returned,
    /// The generator was dropped while paused at `yield i` (Python: `close()`).
    Dropped(u64),
}

/// One [`GenEvent`] of one generator, and where in the trace's lines it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// Which generator (`#1` is `counter`, `#2` the `for` loop's).
    pub generator: u32,
    /// What happened.
    pub event: GenEvent,
    /// Index into [`Trace::lines`]: the lines before it were written before the event.
    /// `Returned` and `Dropped` write their own note at this index.
    pub line: usize,
}

#[derive(Debug, Default)]
struct Log {
    lines: Vec<Line>,
    transitions: Vec<Transition>,
}

/// The shared, append-only trace that the generators and the driver write to: the
/// lines, and beside them each generator's [`Transition`]s.
/// (`Arc<Mutex>` rather than `Rc<RefCell>` so the `sync` flavour can hold it too.)
#[derive(Debug, Clone, Default)]
pub struct Trace(Arc<Mutex<Log>>);

impl Trace {
    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, line: Line) {
        self.log().lines.push(line);
    }

    /// Record that `event` happened to generator `#generator`, here.
    pub fn event(&self, generator: u32, event: GenEvent) {
        let mut log = self.log();
        let line = log.lines.len();
        log.transitions.push(Transition {
            generator,
            event,
            line,
        });
    }

    /// Generator `#id`'s frame is freed: dropped while paused at `yield i`, or (`None`)
    /// after its body returned. Writes the silent note and the transition.
    fn frame_freed(&self, id: u32, paused_at: Option<u64>) {
        match paused_at {
            Some(i) => {
                self.event(id, GenEvent::Dropped(i));
                self.note(format!(
                    "generator #{id} dropped while paused at `yield {i}`"
                ));
            }
            None => {
                self.event(id, GenEvent::Returned);
                self.note(format!("generator #{id} finished; frame freed"));
            }
        }
    }

    /// Every generator's transitions, in the order they happened.
    pub fn transitions(&self) -> Vec<Transition> {
        self.log().transitions.clone()
    }

    /// Record a line Python would print.
    pub fn print(&self, text: impl Into<String>) {
        self.push(Line::Printed(text.into()));
    }

    /// Record a silent event.
    pub fn note(&self, text: impl Into<String>) {
        self.push(Line::Note(text.into()));
    }

    /// Everything, in order.
    pub fn lines(&self) -> Vec<Line> {
        self.log().lines.clone()
    }

    /// Only what Python prints: the text CPython's stdout must equal.
    pub fn printed(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter_map(|l| match l {
                Line::Printed(s) => Some(s),
                Line::Note(_) | Line::LoopStart => None,
            })
            .collect()
    }

    /// The printed lines split where the `for` loop starts: the `next()` part (what the
    /// seed's "Output:" covers) and the loop's part.
    pub fn printed_by_phase(&self) -> (Vec<String>, Vec<String>) {
        let (mut before, mut after, mut in_loop) = (Vec::new(), Vec::new(), false);
        for line in self.lines() {
            match line {
                Line::Printed(s) if in_loop => after.push(s),
                Line::Printed(s) => before.push(s),
                Line::LoopStart => in_loop = true,
                Line::Note(_) => {}
            }
        }
        (before, after)
    }
}

/// The knobs of the seed's program. [`Default`] is the seed's own values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedProgram {
    /// The generator's `range(1, limit + 1)`; the seed uses 1 000 000.
    pub limit: u64,
    /// How many `print(next(counter))` calls, with "other work" between them (seed: 3).
    pub pulls: u64,
    /// The `for` loop breaks at the first `num > stop_above` (seed: 5).
    pub stop_above: u64,
}

impl Default for SeedProgram {
    fn default() -> Self {
        Self {
            limit: 1_000_000,
            pulls: 3,
            stop_above: 5,
        }
    }
}

/// The largest `--pulls` and `--stop-above` accepted: every step prints lines.
pub const MAX_STEPS: u64 = 10_000;

/// Why the seed's program could not be run as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedError {
    /// `vec` (eager) and `batch` (a different body) have no trace of the seed's program.
    #[error(
        "flavour {flavour} does not run the seed's generator ({why}); use hand, stack, rc, sync or async"
    )]
    Untraced {
        /// The flavour asked for.
        flavour: Flavour,
        /// Why not.
        why: &'static str,
    },
    /// A knob is larger than [`MAX_STEPS`].
    #[error("--{knob} {value} is too many steps to print; at most {max}", max = MAX_STEPS)]
    TooManySteps {
        /// Which knob.
        knob: &'static str,
        /// The value given.
        value: u64,
    },
}

/// Records each resume and pause of the body, and on drop makes visible *when* the
/// generator's frame is freed.
struct FrameGuard {
    trace: Trace,
    id: u32,
    paused_at: Option<u64>,
}

impl FrameGuard {
    /// A `next()` call is running the body (again).
    fn resumed(&mut self) {
        self.paused_at = None;
        self.trace.event(self.id, GenEvent::Resumed);
    }

    /// The body is about to pause at `yield i`.
    fn pause_at(&mut self, i: u64) {
        self.paused_at = Some(i);
        self.trace.event(self.id, GenEvent::Yielded(i));
    }
}

impl Drop for FrameGuard {
    fn drop(&mut self) {
        self.trace.frame_freed(self.id, self.paused_at);
    }
}

/// The seed's `count_to_million`, as an `async fn` any [`Suspend`] driver can run.
async fn count_to_million<C: Suspend>(co: C, limit: u64, trace: Trace, id: u32) {
    // Lives in the generator's frame: dropped when the frame is, paused or not.
    let mut guard = FrameGuard {
        trace: trace.clone(),
        id,
        paused_at: None,
    };
    guard.resumed();
    trace.print("Starting generator...");
    for i in 1..=limit {
        trace.print(format!("Generating {i}"));
        guard.pause_at(i);
        co.suspend(i).await; // the seed's `yield i  # PAUSE here`
        guard.resumed();
        trace.print(format!("Resumed after {i}"));
    }
    trace.print("Generator complete!");
}

/// The same generator as a hand-written state machine (see
/// [`CountToLimit`](crate::counter::CountToLimit)): each `next()` runs the code
/// between two pauses, prints included.
struct TracedCountToLimit {
    state: TracedState,
    limit: u64,
    trace: Trace,
    id: u32,
}

enum TracedState {
    Unresumed,
    Suspend0 { i: u64 },
    Returned,
}

impl TracedCountToLimit {
    /// From "just before `Generating {i}`": print it and pause, or finish.
    fn run_loop_from(&mut self, i: u64) -> Option<u64> {
        if i <= self.limit {
            self.trace.print(format!("Generating {i}"));
            self.state = TracedState::Suspend0 { i };
            self.trace.event(self.id, GenEvent::Yielded(i));
            Some(i)
        } else {
            self.trace.print("Generator complete!");
            self.state = TracedState::Returned;
            self.trace.frame_freed(self.id, None);
            None
        }
    }
}

impl Iterator for TracedCountToLimit {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        match self.state {
            TracedState::Unresumed => {
                self.trace.event(self.id, GenEvent::Resumed);
                self.trace.print("Starting generator...");
                self.run_loop_from(1)
            }
            TracedState::Suspend0 { i } => {
                self.trace.event(self.id, GenEvent::Resumed);
                self.trace.print(format!("Resumed after {i}"));
                self.run_loop_from(i + 1)
            }
            TracedState::Returned => None,
        }
    }
}

impl Drop for TracedCountToLimit {
    fn drop(&mut self) {
        if let TracedState::Suspend0 { i } = self.state {
            self.trace.frame_freed(self.id, Some(i));
        }
    }
}

/// The "other work" line printed after the `k`-th `next()` call (1-based).
fn other_work(k: u64) -> &'static str {
    if k == 1 {
        "Doing other work..."
    } else {
        "More work..."
    }
}

/// `print(next(counter))` `pulls` times with other work in between. Returns false
/// when the generator ran out: Python would stop with a `StopIteration` traceback.
fn pull_phase(trace: &Trace, p: SeedProgram, counter: &mut impl Iterator<Item = u64>) -> bool {
    trace.event(1, GenEvent::Created);
    for k in 1..=p.pulls {
        match counter.next() {
            Some(v) => trace.print(v.to_string()),
            None => {
                trace.note("next() raised StopIteration: Python exits here (traceback on stderr)");
                return false;
            }
        }
        if k < p.pulls {
            trace.print(other_work(k));
        }
    }
    true
}

/// `for num in count_to_million(): if num > stop_above: break; print(num)`.
/// Takes the generator by value: it is dropped when this returns, as Python drops it.
fn loop_phase(trace: &Trace, p: SeedProgram, generator: impl Iterator<Item = u64>) {
    trace.event(2, GenEvent::Created);
    trace.push(Line::LoopStart);
    for num in generator {
        if num > p.stop_above {
            trace.note(format!("break ({num} > {})", p.stop_above));
            break;
        }
        trace.print(num.to_string());
    }
}

/// Why `vec` and `batch` have no trace of the seed's generator.
fn untraced(flavour: Flavour) -> SeedError {
    SeedError::Untraced {
        flavour,
        why: if flavour == Flavour::Vec {
            "it is eager: every value is made before the first is used"
        } else {
            "it yields 256 values per pause"
        },
    }
}

/// Run the seed's program with `flavour`'s generator and return its trace.
pub fn run_seed_program(flavour: Flavour, p: SeedProgram) -> Result<Trace, SeedError> {
    for (knob, value) in [("pulls", p.pulls), ("stop-above", p.stop_above)] {
        if value > MAX_STEPS {
            return Err(SeedError::TooManySteps { knob, value });
        }
    }
    let trace = Trace::default();
    let t = &trace;
    let limit = p.limit;
    let end = || t.note("end of program");
    match flavour {
        Flavour::Vec | Flavour::Batch => return Err(untraced(flavour)),
        Flavour::Hand => {
            let make = |id| TracedCountToLimit {
                state: TracedState::Unresumed,
                limit,
                trace: t.clone(),
                id,
            };
            let mut counter = make(1);
            if pull_phase(t, p, &mut counter) {
                loop_phase(t, p, make(2));
            }
            end();
        }
        Flavour::Stack => {
            stack::let_gen_using!(counter, |co| count_to_million(co, limit, t.clone(), 1));
            let mut counter = counter.into_iter();
            if pull_phase(t, p, &mut counter) {
                stack::let_gen_using!(second, |co| count_to_million(co, limit, t.clone(), 2));
                loop_phase(t, p, second.into_iter());
            }
            end();
        }
        Flavour::Rc => {
            let mut counter =
                rc::Gen::new(|co| count_to_million(co, limit, t.clone(), 1)).into_iter();
            if pull_phase(t, p, &mut counter) {
                let second = rc::Gen::new(|co| count_to_million(co, limit, t.clone(), 2));
                loop_phase(t, p, second.into_iter());
            }
            end();
        }
        Flavour::Sync => {
            let mut counter =
                sync::Gen::new(|co| count_to_million(co, limit, t.clone(), 1)).into_iter();
            if pull_phase(t, p, &mut counter) {
                let second = sync::Gen::new(|co| count_to_million(co, limit, t.clone(), 2));
                loop_phase(t, p, second.into_iter());
            }
            end();
        }
        Flavour::Async => {
            let slot = Slot::new();
            let future = pin!(count_to_million(&slot, limit, t.clone(), 1));
            let mut counter = PollIter::new(future, &slot);
            if pull_phase(t, p, &mut counter) {
                // A block, so the pinned frame dies right after the loop, like Python's.
                let slot = Slot::new();
                let future = pin!(count_to_million(&slot, limit, t.clone(), 2));
                loop_phase(t, p, PollIter::new(future, &slot));
            }
            end();
        }
    }
    Ok(trace)
}

/// What one `next()` call of [`step_seed_generator`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Which call, from 1.
    pub call: u64,
    /// The lines the generator's body printed while this call ran it.
    pub printed: Vec<String>,
    /// What happened silently during the call (the frame freed at the end of the body).
    pub notes: Vec<String>,
    /// What `next()` returned.
    pub returned: Option<u64>,
    /// `false` once the generator has finished: the iterator is fused, so the body is
    /// not resumed again (resuming a finished `async fn` would panic).
    pub resumed: bool,
    /// Where the body is paused afterwards, as the enum rustc generates for it
    /// ([`CountToLimit`](crate::counter::CountToLimit), stepped alongside).
    pub state: crate::counter::CountToLimit,
}

/// The whole stepping: each call, then what happened when the generator was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stepping {
    /// The state before the first call: created, nothing run.
    pub initial: crate::counter::CountToLimit,
    /// One entry per `next()` call.
    pub steps: Vec<Step>,
    /// Silent events after the last call, when the generator went out of scope.
    pub dropped: Vec<String>,
}

/// Call `next()` on the seed's `count_to_million(limit)` `calls` times, one call at a
/// time, recording what each call printed and returned, then drop the generator.
pub fn step_seed_generator(
    flavour: Flavour,
    limit: u64,
    calls: u64,
) -> Result<Stepping, SeedError> {
    if calls > MAX_STEPS {
        return Err(SeedError::TooManySteps {
            knob: "calls",
            value: calls,
        });
    }
    let trace = Trace::default();
    let t = &trace;
    let steps = match flavour {
        Flavour::Vec | Flavour::Batch => return Err(untraced(flavour)),
        Flavour::Hand => step_through(
            t,
            limit,
            calls,
            TracedCountToLimit {
                state: TracedState::Unresumed,
                limit,
                trace: t.clone(),
                id: 1,
            },
        ),
        Flavour::Stack => {
            stack::let_gen_using!(counter, |co| count_to_million(co, limit, t.clone(), 1));
            step_through(t, limit, calls, counter.into_iter())
        }
        Flavour::Rc => {
            let counter = rc::Gen::new(|co| count_to_million(co, limit, t.clone(), 1));
            step_through(t, limit, calls, counter.into_iter())
        }
        Flavour::Sync => {
            let counter = sync::Gen::new(|co| count_to_million(co, limit, t.clone(), 1));
            step_through(t, limit, calls, counter.into_iter())
        }
        Flavour::Async => {
            let slot = Slot::new();
            let future = pin!(count_to_million(&slot, limit, t.clone(), 1));
            step_through(t, limit, calls, PollIter::new(future, &slot))
        }
    };
    // Every generator above is out of scope now: what its drop did is at the end.
    let seen: usize = steps.iter().map(|s| s.printed.len() + s.notes.len()).sum();
    let dropped = notes(&trace.lines()[seen..]);
    Ok(Stepping {
        initial: crate::counter::CountToLimit::new(limit),
        steps,
        dropped,
    })
}

fn notes(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Note(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// `next()` `calls` times on `generator` (fused), each call's trace lines apart.
fn step_through(
    trace: &Trace,
    limit: u64,
    calls: u64,
    generator: impl Iterator<Item = u64>,
) -> Vec<Step> {
    let mut generator = generator.fuse();
    let mut state = crate::counter::CountToLimit::new(limit);
    let mut finished = false;
    let mut steps = Vec::new();
    for call in 1..=calls {
        let before = trace.lines().len();
        let returned = generator.next();
        state.next();
        let lines = trace.lines();
        let new = &lines[before..];
        steps.push(Step {
            call,
            printed: new
                .iter()
                .filter_map(|l| match l {
                    Line::Printed(p) => Some(p.clone()),
                    _ => None,
                })
                .collect(),
            notes: notes(new),
            returned,
            resumed: !finished,
            state,
        });
        finished |= returned.is_none();
    }
    steps
}

/// One line of a line-by-line comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diff<'a> {
    /// In both, at this point.
    Both(&'a str),
    /// Only in the left (the seed's claim) here.
    LeftOnly(&'a str),
    /// Only in the right (what CPython prints) here.
    RightOnly(&'a str),
}

/// A minimal line diff (longest common subsequence), left against right.
pub fn diff_lines<'a>(left: &[&'a str], right: &[&'a str]) -> Vec<Diff<'a>> {
    let (n, m) = (left.len(), right.len());
    // lcs[i][j] = LCS length of left[i..] and right[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if left[i] == right[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && left[i] == right[j] {
            out.push(Diff::Both(left[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // On a tie, report the left line first: "the seed put X here…"
            out.push(Diff::LeftOnly(left[i]));
            i += 1;
        } else {
            out.push(Diff::RightOnly(right[j]));
            j += 1;
        }
    }
    out
}

/// How the seed's printed output differs from the real trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedComparison {
    /// Lines in the seed's output.
    pub seed_lines: usize,
    /// Lines the `next()` part of the program prints (what the seed's output covers).
    pub next_phase_lines: usize,
    /// Lines both contain, but at a different place.
    pub moved: Vec<String>,
    /// Lines of the `next()` part that the seed's output lacks.
    pub missing: usize,
    /// Lines the seed shows that the `next()` part never prints.
    pub invented: usize,
    /// Lines the `for` loop prints (the seed shows none).
    pub loop_lines: usize,
}

/// Compare the seed's claimed output with a trace of the port.
pub fn compare_with_seed(trace: &Trace) -> SeedComparison {
    let (next_phase, loop_phase) = trace.printed_by_phase();
    let real: Vec<&str> = next_phase.iter().map(String::as_str).collect();
    let diff = diff_lines(&SEED_PRINTED_OUTPUT, &real);
    let left: Vec<&str> = diff
        .iter()
        .filter_map(|d| match d {
            Diff::LeftOnly(s) => Some(*s),
            _ => None,
        })
        .collect();
    let mut right: Vec<&str> = diff
        .iter()
        .filter_map(|d| match d {
            Diff::RightOnly(s) => Some(*s),
            _ => None,
        })
        .collect();
    let mut moved = Vec::new();
    let mut invented = 0;
    for l in left {
        if let Some(pos) = right.iter().position(|r| *r == l) {
            right.remove(pos);
            moved.push(l.to_string());
        } else {
            invented += 1;
        }
    }
    SeedComparison {
        seed_lines: SEED_PRINTED_OUTPUT.len(),
        next_phase_lines: real.len(),
        moved,
        missing: right.len(),
        invented,
        loop_lines: loop_phase.len(),
    }
}

/// The page's report: the trace, then the seed's output diffed against it.
pub fn render_report(flavour: Flavour, p: SeedProgram, trace: &Trace) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "The seed's program, ported ({}: {})",
        flavour,
        flavour.describe()
    );
    let _ = writeln!(
        s,
        "range 1..={} · {} next() calls · the loop breaks at num > {}",
        p.limit, p.pulls, p.stop_above
    );
    let _ = writeln!(
        s,
        "\nstdout, numbered; `~` marks what Python does silently:"
    );
    let mut n = 0;
    for line in trace.lines() {
        match line {
            Line::Printed(t) => {
                n += 1;
                let _ = writeln!(s, "{n:>3}  {t}");
            }
            Line::Note(t) => {
                let _ = writeln!(s, "       ~ {t}");
            }
            Line::LoopStart => {
                let _ = writeln!(s, "       ~ for num in count_to_million(): generator #2");
            }
        }
    }
    let (next_phase, _) = trace.printed_by_phase();
    let real: Vec<&str> = next_phase.iter().map(String::as_str).collect();
    let _ = writeln!(
        s,
        "\nThe seed's \"Output:\" vs lines 1-{} above (- seed, + real):",
        real.len()
    );
    for d in diff_lines(&SEED_PRINTED_OUTPUT, &real) {
        let _ = match d {
            Diff::Both(t) => writeln!(s, "     {t}"),
            Diff::LeftOnly(t) => writeln!(s, "   - {t}"),
            Diff::RightOnly(t) => writeln!(s, "   + {t}"),
        };
    }
    let c = compare_with_seed(trace);
    let _ = writeln!(
        s,
        "\nseed shows {} lines; the next() calls print {}:",
        c.seed_lines, c.next_phase_lines
    );
    let _ = writeln!(s, "  printed later than the seed shows: {}", c.moved.len());
    for m in &c.moved {
        let _ = writeln!(s, "    {m:?}");
    }
    let _ = writeln!(s, "  printed, missing from the seed: {}", c.missing);
    let _ = writeln!(s, "  in the seed, never printed: {}", c.invented);
    let _ = writeln!(
        s,
        "and the for loop prints {} more lines, none in the seed",
        c.loop_lines
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_of_a_swap_is_one_move() {
        let d = diff_lines(&["a", "b", "c"], &["a", "c", "b"]);
        assert_eq!(
            d,
            [
                Diff::Both("a"),
                Diff::LeftOnly("b"),
                Diff::Both("c"),
                Diff::RightOnly("b")
            ]
        );
        let t = Trace::default();
        t.print("x");
        t.push(Line::LoopStart);
        t.print("y");
        let c = compare_with_seed(&t);
        assert_eq!(
            (c.missing, c.invented, c.moved.len(), c.loop_lines),
            (1, 11, 0, 1)
        );
    }

    #[test]
    fn stepping_returns_what_rustcs_enum_returns_under_every_driver() {
        use crate::counter::CountToLimit;
        for flavour in [
            Flavour::Hand,
            Flavour::Stack,
            Flavour::Rc,
            Flavour::Sync,
            Flavour::Async,
        ] {
            let stepping = step_seed_generator(flavour, 4, 7).unwrap();
            let mut hand = CountToLimit::new(4);
            for step in &stepping.steps {
                assert_eq!(step.returned, hand.next(), "{flavour} call {}", step.call);
                assert_eq!(step.state, hand, "{flavour} call {}", step.call);
            }
            // calls 6 and 7 come after the end: fused, nothing printed
            assert!(
                stepping.steps[5..]
                    .iter()
                    .all(|s| !s.resumed && s.printed.is_empty())
            );
            assert!(
                stepping.dropped.is_empty(),
                "{flavour}: finished, nothing to drop"
            );
        }
        assert!(matches!(
            step_seed_generator(Flavour::Rc, 4, MAX_STEPS + 1),
            Err(SeedError::TooManySteps { knob: "calls", .. })
        ));
    }

    #[test]
    fn too_many_steps_is_an_error_not_a_flood() {
        let p = SeedProgram {
            pulls: MAX_STEPS + 1,
            ..SeedProgram::default()
        };
        assert!(matches!(
            run_seed_program(Flavour::Rc, p),
            Err(SeedError::TooManySteps { knob: "pulls", .. })
        ));
        assert!(matches!(
            run_seed_program(Flavour::Vec, SeedProgram::default()),
            Err(SeedError::Untraced { .. })
        ));
    }
}
