//! Progress of long work (reading a dataset, setting up keys, proving a period's batches),
//! reported through one callback so that the command line draws bars and the service fills in
//! a job's stage and `done/total` from the same calls.

/// What a stage counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of a file.
    Bytes,
    /// Items: batches, proofs, records.
    Items,
    /// No count: a stage that only starts and finishes.
    Steps,
}

/// Receives progress. Every method has a default that ignores it.
pub trait Progress: Send + Sync {
    /// A stage starts, with `total` units to do (0 when unknown).
    fn start(&self, _stage: &str, _total: u64, _unit: Unit) {}
    /// `done` units of the current stage are done (monotonic).
    fn set(&self, _done: u64) {}
    /// The current stage is done.
    fn finish(&self) {}
    /// Whether whoever asked for the work no longer wants it (a cancelled or timed-out job):
    /// long work checks this between steps and stops with [`EngineError::Cancelled`].
    ///
    /// [`EngineError::Cancelled`]: crate::EngineError::Cancelled
    fn cancelled(&self) -> bool {
        false
    }
}

/// Stops with [`EngineError::Cancelled`](crate::EngineError::Cancelled) when `progress` says the
/// work is no longer wanted.
pub(crate) fn check(progress: &dyn Progress) -> crate::Result<()> {
    if progress.cancelled() {
        return Err(crate::EngineError::Cancelled);
    }
    Ok(())
}

/// Ignores progress.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {}

/// Runs `f` as one stage of `progress`.
pub(crate) fn stage<T>(
    progress: &dyn Progress,
    name: &str,
    total: u64,
    unit: Unit,
    f: impl FnOnce() -> T,
) -> T {
    progress.start(name, total, unit);
    // (A cancelled job stops at the next `check`; a stage in flight runs to its end.)
    let out = f();
    progress.finish();
    out
}
