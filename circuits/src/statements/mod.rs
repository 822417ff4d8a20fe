//! The statements Veil proves. Each module holds one statement: its shape, public inputs
//! (in the order every backend and the Noir twin use), witness, native relation `check` (the
//! source of truth), the witness builder, and the R1CS circuit (feature `r1cs`).

pub mod preview;
pub mod settlement;
mod statement;
pub mod totals;
pub mod usage;

#[cfg(all(test, feature = "r1cs"))]
pub(crate) use statement::assert_mutations_refused;
#[cfg(any(test, feature = "fixtures"))]
pub use statement::Mutation;
#[cfg(feature = "r1cs")]
pub use statement::R1csStatement;
pub use statement::{
    CallShape, DisclosureTotals, NoShape, PreviewMembership, Settlement, Statement, TierShape,
    UsageCall, UsageTier,
};

/// Every statement's name (a key id or program name starts with one).
pub const STATEMENT_NAMES: [&str; 5] = [
    preview::NAME,
    totals::NAME,
    usage::CALL,
    usage::TIER,
    settlement::NAME,
];
