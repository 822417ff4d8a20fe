//! The statements Veil proves. Each folder holds one statement: in `mod.rs` its written
//! statement, shape, public inputs (in the order every backend and the Noir twin use), witness,
//! native relation `check` (the source of truth) and witness builder; in `statement.rs` its
//! [`Statement`] (and [`R1csStatement`]) impl; in `circuit.rs` its R1CS circuit (feature
//! `r1cs`); in `cases.rs` its honest and lying cases; in `tests.rs` its tests.

pub mod dispute;
pub mod opening;
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
pub use statement::{Circuit, R1csStatement};
pub use statement::{PublicInputs, Shape, Statement};

pub use dispute::{DeliveryDispute, DisputeShape};
pub use opening::{CiphertextOpening, OpeningShape};
pub use preview::PreviewMembership;
pub use settlement::{NoShape, Settlement};
pub use totals::DisclosureTotals;
pub use usage::{CallShape, TierShape, UsageCall, UsageTier};

/// Every statement's name (a key id or program name starts with one).
pub const STATEMENT_NAMES: [&str; 7] = [
    preview::NAME,
    totals::NAME,
    usage::CALL,
    usage::TIER,
    settlement::NAME,
    dispute::NAME,
    opening::NAME,
];

/// Every statement's Noir package, in [`STATEMENT_NAMES`] order.
pub const PROGRAMS: [&str; 7] = [
    preview::PROGRAM,
    totals::PROGRAM,
    usage::CALL_PROGRAM,
    usage::TIER_PROGRAM,
    settlement::PROGRAM,
    dispute::PROGRAM,
    opening::PROGRAM,
];

#[cfg(test)]
mod names {
    /// A statement's Noir package is its name with `_` for `-` (the toolchain finds a program
    /// by either spelling).
    #[test]
    fn programs_are_the_names_with_underscores() {
        for (name, program) in super::STATEMENT_NAMES.iter().zip(super::PROGRAMS) {
            assert_eq!(name.replace('-', "_"), program);
        }
    }
}
