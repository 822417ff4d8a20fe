//! The main gate: `q_a a + q_b b + q_c c + q_m a b + q_k = 0` on one row of three advice
//! columns, the standard PLONK gate. Every operation here is one row, its inputs copied in by
//! equality constraints; constants sit in a fixed column of their own.

use super::{Chip, Ctx, Var};
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error, Fixed, Instance};
use halo2_proofs::poly::Rotation;

/// The main gate's columns.
#[derive(Clone, Copy, Debug)]
pub struct MainGateConfig {
    a: Column<Advice>,
    b: Column<Advice>,
    c: Column<Advice>,
    q_a: Column<Fixed>,
    q_b: Column<Fixed>,
    q_c: Column<Fixed>,
    q_m: Column<Fixed>,
    q_k: Column<Fixed>,
}

/// One row's coefficients.
#[derive(Clone, Copy, Default)]
struct Row {
    q_a: Fp,
    q_b: Fp,
    q_c: Fp,
    q_m: Fp,
    q_k: Fp,
}

/// Copies `v` into `column` at `offset` of `region`, constrained equal to it.
pub(crate) fn copy(
    region: &mut Region<'_, Fp>,
    column: Column<Advice>,
    offset: usize,
    v: &Var,
) -> Var {
    let cell = region.assign_advice(column, offset, v.value).cell();
    region.constrain_equal(cell, v.cell);
    Var {
        cell,
        value: v.value,
    }
}

impl MainGateConfig {
    /// Allocates the columns and the gate.
    pub fn configure(meta: &mut ConstraintSystem<Fp>) -> Self {
        let [a, b, c] = [(); 3].map(|_| meta.advice_column());
        let [q_a, q_b, q_c, q_m, q_k] = [(); 5].map(|_| meta.fixed_column());
        for col in [a, b, c] {
            meta.enable_equality(col);
        }
        let constants = meta.fixed_column();
        meta.enable_constant(constants);
        meta.create_gate("q_a a + q_b b + q_c c + q_m a b + q_k = 0", |meta| {
            let [a, b, c] = [a, b, c].map(|col| meta.query_advice(col, Rotation::cur()));
            let [q_a, q_b, q_c, q_m, q_k] =
                [q_a, q_b, q_c, q_m, q_k].map(|col| meta.query_fixed(col, Rotation::cur()));
            vec![q_a * a.clone() + q_b * b.clone() + q_c * c + q_m * a * b + q_k]
        });
        MainGateConfig {
            a,
            b,
            c,
            q_a,
            q_b,
            q_c,
            q_m,
            q_k,
        }
    }

    /// One row: `a` and `b` copied in, `c` a fresh cell holding `out`.
    fn row(
        &self,
        ctx: &mut Ctx<'_>,
        a: &Var,
        b: Option<&Var>,
        out: Option<Value<Fp>>,
        q: Row,
    ) -> Result<Option<Var>, Error> {
        let at = ctx.take(Chip::Main, 1);
        let region = &mut ctx.region;
        copy(region, self.a, at, a);
        if let Some(b) = b {
            copy(region, self.b, at, b);
        }
        let out = out.map(|value| Var {
            cell: region.assign_advice(self.c, at, value).cell(),
            value,
        });
        for (col, q) in [
            (self.q_a, q.q_a),
            (self.q_b, q.q_b),
            (self.q_c, q.q_c),
            (self.q_m, q.q_m),
            (self.q_k, q.q_k),
        ] {
            region.assign_fixed(col, at, q);
        }
        Ok(out)
    }

    /// A free witness value (constrained only by what later uses it).
    pub fn witness(&self, ctx: &mut Ctx<'_>, value: Value<Fp>) -> Result<Var, Error> {
        let at = ctx.take(Chip::Main, 1);
        Ok(Var {
            cell: ctx.region.assign_advice(self.a, at, value).cell(),
            value,
        })
    }

    /// A cell fixed to the constant `k`.
    pub fn constant(&self, ctx: &mut Ctx<'_>, k: Fp) -> Result<Var, Error> {
        let at = ctx.take(Chip::Main, 1);
        let cell = ctx.region.assign_advice(self.a, at, Value::known(k)).cell();
        ctx.region.constrain_constant(cell, k)?;
        Ok(Var {
            cell,
            value: Value::known(k),
        })
    }

    /// The public input at `row` of `instance`, copied into an advice cell.
    pub fn from_instance(
        &self,
        ctx: &mut Ctx<'_>,
        instance: Column<Instance>,
        row: usize,
    ) -> Result<Var, Error> {
        let at = ctx.take(Chip::Main, 1);
        let cell =
            ctx.region
                .assign_advice_from_instance(|| "public", instance, row, self.a, at)?;
        Ok(Var {
            cell: cell.cell(),
            value: cell.value().copied(),
        })
    }

    /// `ka a + kb b + k`.
    pub fn linear(
        &self,
        ctx: &mut Ctx<'_>,
        (ka, a): (Fp, &Var),
        (kb, b): (Fp, &Var),
        k: Fp,
    ) -> Result<Var, Error> {
        let out = a.value * Value::known(ka) + b.value * Value::known(kb) + Value::known(k);
        let q = Row {
            q_a: ka,
            q_b: kb,
            q_c: -Fp::ONE,
            q_k: k,
            ..Row::default()
        };
        Ok(self.row(ctx, a, Some(b), Some(out), q)?.expect("an output"))
    }

    /// `a + b`.
    pub fn add(&self, ctx: &mut Ctx<'_>, a: &Var, b: &Var) -> Result<Var, Error> {
        self.linear(ctx, (Fp::ONE, a), (Fp::ONE, b), Fp::ZERO)
    }

    /// `a - b`.
    pub fn sub(&self, ctx: &mut Ctx<'_>, a: &Var, b: &Var) -> Result<Var, Error> {
        self.linear(ctx, (Fp::ONE, a), (-Fp::ONE, b), Fp::ZERO)
    }

    /// `a + k`.
    pub fn add_constant(&self, ctx: &mut Ctx<'_>, a: &Var, k: Fp) -> Result<Var, Error> {
        let out = a.value + Value::known(k);
        let q = Row {
            q_a: Fp::ONE,
            q_c: -Fp::ONE,
            q_k: k,
            ..Row::default()
        };
        Ok(self.row(ctx, a, None, Some(out), q)?.expect("an output"))
    }

    /// `a b`.
    pub fn mul(&self, ctx: &mut Ctx<'_>, a: &Var, b: &Var) -> Result<Var, Error> {
        let q = Row {
            q_m: Fp::ONE,
            q_c: -Fp::ONE,
            ..Row::default()
        };
        Ok(self
            .row(ctx, a, Some(b), Some(a.value * b.value), q)?
            .expect("an output"))
    }

    /// Constrains `a b = 0`.
    pub fn assert_product_zero(&self, ctx: &mut Ctx<'_>, a: &Var, b: &Var) -> Result<(), Error> {
        let q = Row {
            q_m: Fp::ONE,
            ..Row::default()
        };
        self.row(ctx, a, Some(b), None, q).map(|_| ())
    }

    /// Constrains `a = 0`.
    pub fn assert_zero(&self, ctx: &mut Ctx<'_>, a: &Var) -> Result<(), Error> {
        let q = Row {
            q_a: Fp::ONE,
            ..Row::default()
        };
        self.row(ctx, a, None, None, q).map(|_| ())
    }

    /// Constrains `a` to be 0 or 1: `a a - a = 0`.
    pub fn assert_bool(&self, ctx: &mut Ctx<'_>, a: &Var) -> Result<(), Error> {
        let q = Row {
            q_m: Fp::ONE,
            q_a: -Fp::ONE,
            ..Row::default()
        };
        self.row(ctx, a, Some(a), None, q).map(|_| ())
    }

    /// Constrains `a = b` (a copy constraint, no row).
    pub fn assert_equal(&self, ctx: &mut Ctx<'_>, a: &Var, b: &Var) -> Result<(), Error> {
        ctx.region.constrain_equal(a.cell, b.cell);
        Ok(())
    }

    /// A boolean witness.
    pub fn bit(&self, ctx: &mut Ctx<'_>, value: Value<bool>) -> Result<Var, Error> {
        let b = self.witness(ctx, value.map(|b| if b { Fp::ONE } else { Fp::ZERO }))?;
        self.assert_bool(ctx, &b)?;
        Ok(b)
    }

    /// `bit ? x : y` for a boolean `bit`: `y + bit (x - y)`.
    pub fn select(&self, ctx: &mut Ctx<'_>, bit: &Var, x: &Var, y: &Var) -> Result<Var, Error> {
        let d = self.sub(ctx, x, y)?;
        let m = self.mul(ctx, bit, &d)?;
        self.add(ctx, y, &m)
    }

    /// `1` when `a = 0`, else `0`: `e = 1 - a inv`, `a e = 0` (`inv` a witness).
    pub fn is_zero(&self, ctx: &mut Ctx<'_>, a: &Var) -> Result<Var, Error> {
        let inv = self.witness(ctx, a.value.map(|v| v.invert().unwrap_or(Fp::ZERO)))?;
        let m = self.mul(ctx, a, &inv)?;
        let one_minus = Row {
            q_a: -Fp::ONE,
            q_c: -Fp::ONE,
            q_k: Fp::ONE,
            ..Row::default()
        };
        let e = self
            .row(
                ctx,
                &m,
                None,
                Some(Value::known(Fp::ONE) - m.value),
                one_minus,
            )?
            .expect("an output");
        self.assert_product_zero(ctx, a, &e)?;
        Ok(e)
    }

    /// `n` boolean witnesses, little-endian, recomposing to `a` (so `a < 2^n`).
    pub fn bits(&self, ctx: &mut Ctx<'_>, a: &Var, n: usize) -> Result<Vec<Var>, Error> {
        let value = a.value.map(|v| crate::field::low_u64(&v));
        let mut bits = Vec::with_capacity(n);
        let mut acc: Option<Var> = None;
        for i in 0..n {
            let b = self.bit(ctx, value.map(|v| i < 64 && (v >> i) & 1 == 1))?;
            let weight = Fp::from(2).pow_vartime([i as u64]);
            acc = Some(match acc {
                None => self.linear(ctx, (weight, &b), (Fp::ZERO, &b), Fp::ZERO)?,
                Some(acc) => self.linear(ctx, (Fp::ONE, &acc), (weight, &b), Fp::ZERO)?,
            });
            bits.push(b);
        }
        match acc {
            Some(acc) => self.assert_equal(ctx, &acc, a)?,
            None => self.assert_zero(ctx, a)?,
        }
        Ok(bits)
    }
}
