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

/// A [`Layout`] as a halo2 circuit: the chips configured, the byte table loaded, one region.
#[derive(Clone, Debug)]
pub struct OneRegion<L>(pub L);

impl<L: Layout> Circuit<Fp> for OneRegion<L> {
    type Config = Chips;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        OneRegion(self.0.without_witnesses())
    }

    fn configure(meta: &mut ConstraintSystem<Fp>) -> Chips {
        Chips::configure(meta)
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
    /// The circuit.
    type Circuit: Circuit<Fp, Params = ()> + Clone + Send + Sync;
    /// The circuit with an assignment.
    fn circuit(shape: &Self::Shape, public: Self::Public, witness: Self::Witness) -> Self::Circuit;
    /// The circuit of a shape without values (key generation).
    fn blank(shape: &Self::Shape) -> Self::Circuit;
    /// `log2` of the rows the circuit of `shape` needs, measured by laying it out
    /// ([`measure::k_of`]).
    fn k(shape: &Self::Shape) -> crate::Result<u32> {
        measure::k_of(&Self::blank(shape)).map_err(|source| crate::Error::Halo2 {
            what: "layout",
            source,
        })
    }
}
