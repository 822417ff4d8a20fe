//! One halo2 circuit per statement. Each takes the statement's own public inputs and witness
//! (`veil_circuits::statements`), so one witness proves under every backend; the instance
//! column holds `Statement::public_inputs` in order.

pub mod call;
pub mod dispute;
pub mod measure;
pub mod opening;
pub mod preview;
pub mod tier;
pub mod totals;

use crate::chips::{Chips, Ctx};
use crate::version::Version;
use crate::Fp;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};
use veil_circuits::statements::Statement;

/// What a statement's circuit lays out: every Veil circuit is one region over the same
/// [`Chips`] (halo2-axiom hands out absolute rows, so [`Ctx`] places them), and
/// [`OneRegion`] makes it a halo2 [`Circuit`].
pub trait Layout: Clone {
    /// The region's name.
    const REGION: &'static str;
    /// The same circuit without values (key generation).
    fn without_witnesses(&self) -> Self;
    /// Assigns the circuit's cells and constraints.
    fn lay_out(&self, chips: &Chips, ctx: &mut Ctx<'_>) -> Result<(), Error>;
}

/// A [`Layout`] as a halo2 circuit in one layout [`Version`]: the chips configured, the byte
/// table loaded, one region.
#[derive(Clone, Debug)]
pub struct OneRegion<L>(pub L, pub Version);

impl<L> OneRegion<L> {
    /// `layout` in the current layout ([`Version::CURRENT`]).
    pub fn current(layout: L) -> Self {
        OneRegion(layout, Version::CURRENT)
    }
}

impl<L: Layout> Circuit<Fp> for OneRegion<L> {
    type Config = Chips;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = Version;

    fn without_witnesses(&self) -> Self {
        OneRegion(self.0.without_witnesses(), self.1)
    }

    fn params(&self) -> Version {
        self.1
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fp>, version: Version) -> Chips {
        Chips::configure(meta, version)
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Chips {
        Chips::configure(meta, Version::CURRENT)
    }

    fn synthesize(&self, chips: Chips, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        chips.load(&mut layouter)?;
        layouter.assign_region(
            || L::REGION,
            |region| self.0.lay_out(&chips, &mut Ctx::new(region)),
        )
    }
}

/// A statement with a halo2 circuit.
pub trait Halo2Statement: Statement {
    /// The circuit's layout.
    type Layout: Layout + Send + Sync;
    /// The circuit with an assignment, in the current layout.
    fn circuit(
        shape: &Self::Shape,
        public: Self::Public,
        witness: Self::Witness,
    ) -> OneRegion<Self::Layout>;
    /// The layout of a shape without values (key generation).
    fn blank_layout(shape: &Self::Shape) -> Self::Layout;
    /// The circuit of a shape without values in the current layout (key generation).
    fn blank(shape: &Self::Shape) -> OneRegion<Self::Layout> {
        Self::blank_at(shape, Version::CURRENT)
    }
    /// The circuit of a shape without values in layout `version` (an older key).
    fn blank_at(shape: &Self::Shape, version: Version) -> OneRegion<Self::Layout> {
        OneRegion(Self::blank_layout(shape), version)
    }
    /// `log2` of the rows the circuit of `shape` needs in the current layout, measured by
    /// laying it out ([`measure::k_of`]).
    fn k(shape: &Self::Shape) -> crate::Result<u32> {
        Self::k_at(shape, Version::CURRENT)
    }
    /// [`Self::k`] in layout `version`.
    fn k_at(shape: &Self::Shape, version: Version) -> crate::Result<u32> {
        measure::k_of(&Self::blank_at(shape, version)).map_err(|source| crate::Error::Halo2 {
            what: "layout",
            source,
        })
    }
}
