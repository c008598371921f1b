//! The closure API of the engine: [`Engine::fold`] with three closures instead of a [`Fold`]
//! implementation, and sequential iterators over records ([`Engine::iter`],
//! [`Engine::iter_with`]).

use std::marker::PhantomData;

use super::{Engine, Fold, LineProcessor, LineRef, Location, RunOutput};
use crate::error::Issue;
use crate::input::Inputs;

/// A processor whose records can be turned into owned values, so that iterators can hand them
/// out ([`Engine::iter`], [`Engine::par_iter`]).
pub trait IntoOwnedRecord: LineProcessor {
    /// The owned form of a record.
    type Owned: Send + 'static;
    /// Copies whatever `record` borrows from the line.
    fn into_owned_record(record: Self::Record<'_>) -> Self::Owned;
}

/// A [`Fold`] made of three closures.
struct FnFold<T, I, A, M> {
    init: I,
    add: A,
    merge: M,
    acc: PhantomData<fn() -> T>,
}

impl<P, T, I, A, M> Fold<P> for FnFold<T, I, A, M>
where
    P: LineProcessor,
    T: Send,
    I: Fn() -> T + Sync,
    A: Fn(&mut T, P::Record<'_>) + Sync,
    M: Fn(&mut T, T) + Sync,
{
    type Acc = T;

    fn init(&self) -> T {
        (self.init)()
    }

    fn add(&self, acc: &mut T, record: P::Record<'_>, _at: LineRef) {
        (self.add)(acc, record)
    }

    fn merge(&self, acc: &mut T, other: T) {
        (self.merge)(acc, other)
    }
}

impl Engine {
    /// Folds every record of `inputs` in parallel with closures: `init` makes an empty
    /// accumulator, `add` adds one record to it, `merge` merges two accumulators. As with
    /// [`Fold`], `merge` must be associative and commutative with `init()` as identity; then
    /// the result is the same on 1 or N threads. Problems in the data are in the output's
    /// `issues`, nothing stops the run.
    ///
    /// ```no_run
    /// # use bcda_ndjson::{Config, Engine, Inputs, typed::Typed};
    /// let inputs = Inputs::discover(&["export/"]).unwrap();
    /// let engine = Engine::new(Config::default()).unwrap();
    /// let out = engine.fold(&inputs, &Typed::default(), || 0u64, |n, _rec| *n += 1, |a, b| *a += b);
    /// println!("{} resources, {} issues", out.acc, out.issues.len());
    /// ```
    pub fn fold<P, T, I, A, M>(
        &self,
        inputs: &Inputs,
        processor: &P,
        init: I,
        add: A,
        merge: M,
    ) -> RunOutput<T>
    where
        P: LineProcessor,
        T: Send,
        I: Fn() -> T + Sync,
        A: Fn(&mut T, P::Record<'_>) + Sync,
        M: Fn(&mut T, T) + Sync,
    {
        let fold = FnFold {
            init,
            add,
            merge,
            acc: PhantomData,
        };
        self.run(inputs, processor, &fold, None)
    }

    /// A sequential iterator over the records of `inputs` in file and line order, each
    /// owned ([`IntoOwnedRecord`]); problems in the data come in line order as `Err` items.
    /// Files are streamed one block at a time: memory stays flat. Use [`Self::iter_with`] to
    /// copy only what you need out of the borrowed record, and [`Self::records`] for the
    /// location of each record.
    pub fn iter<'p, P>(
        &self,
        inputs: &'p Inputs,
        processor: &'p P,
    ) -> impl Iterator<Item = Result<P::Owned, Issue>> + 'p
    where
        P: IntoOwnedRecord,
    {
        self.iter_with(inputs, processor, P::into_owned_record)
    }

    /// Like [`Self::iter`], but `map` turns each borrowed record into the value handed out:
    /// nothing is copied that `map` does not copy.
    pub fn iter_with<'p, P, T, M>(
        &self,
        inputs: &'p Inputs,
        processor: &'p P,
        mut map: M,
    ) -> impl Iterator<Item = Result<T, Issue>> + 'p
    where
        P: LineProcessor,
        M: FnMut(P::Record<'_>) -> T + 'p,
        T: 'p,
    {
        self.records(inputs, processor, move |rec, _: &Location| map(rec))
            .map(|item| item.map(|(_, v)| v))
    }

    /// Runs `f` on the engine's thread pool: parallel iterators ([`Self::par_iter`]) consumed
    /// inside use the engine's threads instead of rayon's global pool.
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.pool.install(f)
    }
}
