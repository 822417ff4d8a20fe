//! The chips every statement is built from, halo2 style: each owns its columns and gates
//! ([`MainGateConfig`], [`Poseidon2Config`], [`RangeConfig`]) and lays out regions through a
//! [`Layouter`]. [`Chips`] bundles the configured set one circuit uses.
//!
//! halo2-axiom's floor planner hands out absolute rows, so a circuit lays itself out in one
//! region through a [`Ctx`], which keeps one row cursor per chip: the Poseidon2 rows (their own
//! columns), the range checks (one column and a lookup) and the main gate's arithmetic run
//! side by side, and a circuit is as tall as its busiest chip.

pub mod main_gate;
pub mod merkle;
pub mod poseidon2;
pub mod range;

pub use main_gate::MainGateConfig;
pub use poseidon2::Poseidon2Config;
pub use range::RangeConfig;

use crate::Fp;
use halo2_proofs::circuit::{Cell, Layouter, Region, Value};
use halo2_proofs::plonk::{Column, ConstraintSystem, Error, Instance};

/// An assigned advice cell and its value (unknown during key generation).
#[derive(Clone, Copy, Debug)]
pub struct Var {
    /// Where it is, for copy constraints.
    pub cell: Cell,
    /// Its value.
    pub value: Value<Fp>,
}

/// The chip whose columns a run of rows is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Chip {
    Main = 0,
    Poseidon = 1,
    Range = 2,
}

/// The one region a circuit assigns, and the next free row of each chip's columns.
pub struct Ctx<'r> {
    pub(crate) region: Region<'r, Fp>,
    next: [usize; 3],
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("next", &self.next).finish()
    }
}

impl<'r> Ctx<'r> {
    /// A context over `region`, every chip starting at row 0.
    pub fn new(region: Region<'r, Fp>) -> Self {
        Ctx {
            region,
            next: [0; 3],
        }
    }

    /// Takes `rows` rows of a chip's columns; returns the first.
    pub(crate) fn take(&mut self, chip: Chip, rows: usize) -> usize {
        let start = self.next[chip as usize];
        self.next[chip as usize] += rows;
        start
    }
}

/// Every chip a Veil circuit uses, and the instance column holding its public inputs.
#[derive(Clone, Debug)]
pub struct Chips {
    /// Arithmetic and constants.
    pub main: MainGateConfig,
    /// The Poseidon2 permutation.
    pub poseidon: Poseidon2Config,
    /// Range checks by lookup.
    pub range: RangeConfig,
    /// The public inputs, one per row, in the statement's order.
    pub instance: Column<Instance>,
}

impl Chips {
    /// Configures all chips, the permutations in `version`'s layout.
    pub fn configure(meta: &mut ConstraintSystem<Fp>, version: crate::version::Version) -> Self {
        let instance = meta.instance_column();
        meta.enable_equality(instance);
        Chips {
            main: MainGateConfig::configure(meta),
            poseidon: Poseidon2Config::configure(meta, version),
            range: RangeConfig::configure(meta),
            instance,
        }
    }

    /// Loads fixed tables; call once per synthesis.
    pub fn load(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        self.range.load(layouter)
    }

    /// The public input at `row` of the instance column, as a cell copied from it.
    pub fn public(&self, ctx: &mut Ctx<'_>, row: usize) -> Result<Var, Error> {
        self.main.from_instance(ctx, self.instance, row)
    }

    /// Constrains `x < 2^bits` for any `bits <= 248`: a byte-lookup check at the next multiple
    /// of 8, `8c`, and, when `bits` is not one, a second of `x 2^(8c - bits) < 2^(8c)`. Neither
    /// product wraps, so together they say `x < 2^bits`.
    pub fn range(&self, ctx: &mut Ctx<'_>, x: &Var, bits: usize) -> Result<(), Error> {
        let whole = bits.div_ceil(range::LIMB_BITS) * range::LIMB_BITS;
        self.range.check(ctx, x, whole)?;
        if whole != bits {
            use halo2_proofs::arithmetic::Field;
            let shift = Fp::from(2).pow_vartime([(whole - bits) as u64]);
            let shifted = self.main.linear(ctx, (shift, x), (Fp::ZERO, x), Fp::ZERO)?;
            self.range.check(ctx, &shifted, whole)?;
        }
        Ok(())
    }

    /// Poseidon2's sponge over `inputs` behind the domain tag `tag` (`H(tag, inputs...)`).
    pub fn hash_tagged(&self, ctx: &mut Ctx<'_>, tag: u128, inputs: &[Var]) -> Result<Var, Error> {
        let mut all = Vec::with_capacity(inputs.len() + 1);
        all.push(
            self.main
                .constant(ctx, crate::field::to_halo2(&veil_circuits::tags::fr(tag)))?,
        );
        all.extend_from_slice(inputs);
        self.poseidon.hash(ctx, &self.main, &all)
    }

    /// `ek = H(ENC_KEY, k, nonce)` after constraining `key_id = H(KEY_ID, k)`: the key the
    /// listing names, and the delivery's encryption key.
    pub fn listed_encryption_key(
        &self,
        ctx: &mut Ctx<'_>,
        k: Var,
        key_id: &Var,
        nonce: Var,
    ) -> Result<Var, Error> {
        let id = self.hash_tagged(ctx, veil_circuits::tags::KEY_ID, &[k])?;
        self.main.assert_equal(ctx, &id, key_id)?;
        self.hash_tagged(ctx, veil_circuits::tags::ENC_KEY, &[k, nonce])
    }

    /// Keystream block `b` of the record at `index` under `ek`: the first three lanes of
    /// `P([ek, index, b, STREAM])` (`veil_circuits::dataset::encrypted::stream`).
    pub fn keystream_block(
        &self,
        ctx: &mut Ctx<'_>,
        ek: Var,
        index: Var,
        b: usize,
    ) -> Result<Vec<Var>, Error> {
        use poseidon2::Lane;
        let stream = crate::field::to_halo2(&veil_circuits::tags::fr(veil_circuits::tags::STREAM));
        let out = self.poseidon.permute(
            ctx,
            [
                Lane::Var(ek),
                Lane::Var(index),
                Lane::Const(Fp::from(b as u64)),
                Lane::Const(stream),
            ],
        )?;
        Ok(out[..veil_circuits::poseidon2::RATE].to_vec())
    }
}
