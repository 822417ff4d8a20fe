//! Range checks by lookup: `x < 2^(8n)` as a running sum of bytes. Rows `z_0 = x`,
//! `z_(i+1) = (z_i - b_i) / 256` and `z_n = 0`, where every `b_i = z_i - 256 z_(i+1)` is looked
//! up in a fixed table of `0..256`; so `x = Σ b_i 256^i` with bytes `b_i`. One advice column,
//! `n + 1` rows per check (five for 32 bits), against 33 constraints for bits in R1CS.
//! A bound `2^b` with `b` not a multiple of 8 is two checks ([`crate::chips::Chips::range`]).

use super::{main_gate::copy, Chip, Ctx, Var};
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::{Layouter, Value};
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Error, Expression, Selector, TableColumn,
};
use halo2_proofs::poly::Rotation;

/// Bits per looked-up limb.
pub const LIMB_BITS: usize = 8;
/// The widest check: the sum of bytes must not wrap around the 254-bit modulus.
pub const MAX_BITS: usize = 248;

/// The range chip's column, selector and byte table.
#[derive(Clone, Copy, Debug)]
pub struct RangeConfig {
    z: Column<Advice>,
    q: Selector,
    bytes: TableColumn,
}

impl RangeConfig {
    /// Allocates the column, the byte table and the lookup.
    pub fn configure(meta: &mut ConstraintSystem<Fp>) -> Self {
        let z = meta.advice_column();
        meta.enable_equality(z);
        let q = meta.complex_selector();
        let bytes = meta.lookup_table_column();
        meta.lookup("byte of a running sum", |meta| {
            let q = meta.query_selector(q);
            let cur = meta.query_advice(z, Rotation::cur());
            let next = meta.query_advice(z, Rotation::next());
            vec![(
                q * (cur - next * Expression::Constant(Fp::from(1 << LIMB_BITS))),
                bytes,
            )]
        });
        RangeConfig { z, q, bytes }
    }

    /// Fills the byte table.
    pub fn load(&self, layouter: &mut impl Layouter<Fp>) -> Result<(), Error> {
        layouter.assign_table(
            || "bytes",
            |mut table| {
                for i in 0..1usize << LIMB_BITS {
                    table.assign_cell(
                        || "byte",
                        self.bytes,
                        i,
                        || Value::known(Fp::from(i as u64)),
                    )?;
                }
                Ok(())
            },
        )
    }

    /// Constrains `x < 2^bits`, `bits` a multiple of 8 and at most [`MAX_BITS`].
    pub fn check(&self, ctx: &mut Ctx<'_>, x: &Var, bits: usize) -> Result<(), Error> {
        assert!(
            bits.is_multiple_of(LIMB_BITS) && bits <= MAX_BITS,
            "whole bytes, below the modulus"
        );
        let limbs = bits / LIMB_BITS;
        let at = ctx.take(Chip::Range, limbs + 1);
        let inv = Fp::from(1 << LIMB_BITS)
            .invert()
            .expect("256 is invertible");
        let region = &mut ctx.region;
        let mut z = copy(region, self.z, at, x);
        for i in 0..limbs {
            self.q.enable(region, at + i)?;
            let value = z.value.map(|v| {
                let limb = Fp::from(u64::from(v.to_repr()[0]));
                (v - limb) * inv
            });
            z = Var {
                cell: region.assign_advice(self.z, at + i + 1, value).cell(),
                value,
            };
        }
        region.constrain_constant(z.cell, Fp::ZERO)
    }
}
