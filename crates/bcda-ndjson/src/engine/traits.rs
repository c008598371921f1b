//! The two extension points: [`LineProcessor`] (lines to records) and [`Fold`] (records to an
//! aggregate).

use super::*;

/// Turns the bytes of one line into records. Implement it to plug a read path (the projected
/// path of this crate, or a full typed path) into the engine.
///
/// The processor must not panic on bad input: report problems through [`LineCtx::report`] and
/// emit nothing for a line it cannot use.
pub trait LineProcessor: Sync {
    /// Per-worker reusable state (for example a mutable buffer for simd-json).
    type Scratch: Send;
    /// What one line produces; may borrow from the line and the scratch.
    type Record<'a>;
    /// `true` when [`Self::process`] checks UTF-8 itself: the engine then skips its own check
    /// (a pass over every line) and the processor must call [`LineCtx::check_utf8`] before it
    /// relies on the line being UTF-8, unless it has verified that some other way (a scanner
    /// that saw only ASCII bytes, a successful `from_utf8`). `false` by default.
    const CHECKS_UTF8: bool = false;
    /// Creates a worker's scratch state.
    fn new_scratch(&self) -> Self::Scratch;
    /// Returns the length of the NDJSON line at the start of `rest`: the position of the
    /// first `\n`, or `rest.len()` when there is none. It must be exactly that. A processor
    /// may override it to find the line while doing useful work on it in the same pass,
    /// leaving the result in `scratch` for [`Self::process`] (see
    /// [`LineCtx::line_prepared`]). The default is `memchr`.
    fn line_end(&self, rest: &[u8], scratch: &mut Self::Scratch) -> usize {
        let _ = scratch;
        line_len(rest)
    }
    /// Processes one line (without its line terminator; already checked for UTF-8 when
    /// [`Config::validate_utf8`] is on), calling `emit` for every record it holds (a Bundle
    /// holds several).
    fn process<'a, E>(
        &self,
        line: &'a [u8],
        scratch: &'a mut Self::Scratch,
        ctx: &mut LineCtx<'_>,
        emit: E,
    ) where
        E: FnMut(Self::Record<'a>, LineRef);
}

/// A parallel aggregation. The engine folds records of each chunk into an accumulator and
/// merges accumulators. `merge` must be associative and commutative (a commutative monoid
/// with `init` as identity): then the result is identical on 1 or N threads and whatever the
/// chunk order.
pub trait Fold<P: LineProcessor + ?Sized>: Sync {
    /// The accumulator.
    type Acc: Send;
    /// An empty accumulator.
    fn init(&self) -> Self::Acc;
    /// Adds one record found at `at`.
    fn add(&self, acc: &mut Self::Acc, record: P::Record<'_>, at: LineRef);
    /// Merges `other` into `acc`.
    fn merge(&self, acc: &mut Self::Acc, other: Self::Acc);
}
