//! Barretenberg's Poseidon2 permutation (width 4, `x^5`, 8 full and 56 partial rounds) as a
//! halo2 chip: one row per round on four state columns, the round constants in four fixed
//! columns, the squares of the S-boxes' inputs in four more, and three gates:
//!
//! ```text
//! first round (row 0):      x = M_E · s + c,   q_i = x_i^2,   s' = M_E · (q_i^2 x_i)
//! full rounds (1-3, 60-63): x = s + c,         q_i = x_i^2,   s' = M_E · (q_i^2 x_i)
//! partial rounds (4-59):    x_0 = s_0 + c_0,   q_0 = x_0^2,   s' = M_I · (q_0^2 x_0, s_1, s_2, s_3)
//! ```
//! The squares keep every gate at degree 4 with its selector: halo2-axiom caps a constraint
//! system's degree at 5, and `x^5` behind a selector would be 6. A permutation takes 65
//! rows: its input and one row per round. halo2-base's Poseidon is
//! another permutation and sponge, so the statements cannot use it; this chip is tested
//! against `veil_circuits::poseidon2`, itself tested against Barretenberg's.

use super::{main_gate::copy, Chip, Ctx, MainGateConfig, Var};
use crate::field::to_halo2;
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error, Expression, Fixed, Selector};
use halo2_proofs::poly::Rotation;
use std::sync::LazyLock;
use veil_circuits::poseidon2::{self as native, FULL_ROUNDS, PARTIAL_ROUNDS, RATE, WIDTH};

const ROUNDS: usize = FULL_ROUNDS + PARTIAL_ROUNDS;
const HALF: usize = FULL_ROUNDS / 2;
/// Rows one permutation takes.
pub const ROWS: usize = ROUNDS + 1;

struct Constants {
    rc: [[Fp; WIDTH]; ROUNDS],
    diag: [Fp; WIDTH],
}

static CONSTANTS: LazyLock<Constants> = LazyLock::new(|| Constants {
    rc: native::round_constants().map(|r| r.map(|c| to_halo2(&c))),
    diag: native::internal_diagonal().map(|d| to_halo2(&d)),
});

/// `M_E = [[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]]`.
const EXTERNAL: [[u64; WIDTH]; WIDTH] = [[5, 7, 1, 3], [4, 6, 1, 1], [1, 3, 5, 7], [1, 1, 4, 6]];

fn external<T>(s: &[T; WIDTH], zero: T, scale: impl Fn(&T, u64) -> T) -> [T; WIDTH]
where
    T: Clone + std::ops::Add<Output = T>,
{
    EXTERNAL.map(|row| {
        row.iter()
            .zip(s)
            .fold(zero.clone(), |acc, (k, x)| acc + scale(x, *k))
    })
}

fn internal<T>(s: &[T; WIDTH], scale: impl Fn(&T, &Fp) -> T) -> [T; WIDTH]
where
    T: Clone + std::ops::Add<Output = T>,
{
    let sum = s[1..].iter().fold(s[0].clone(), |a, x| a + x.clone());
    let diag = &CONSTANTS.diag;
    [0, 1, 2, 3].map(|i| scale(&s[i], &diag[i]) + sum.clone())
}

fn pow5<T: Clone + std::ops::Mul<Output = T>>(x: T) -> T {
    let x2 = x.clone() * x.clone();
    x2.clone() * x2 * x
}

/// The kind of round `r`.
#[derive(Clone, Copy, PartialEq)]
enum Round {
    First,
    Full,
    Partial,
}

fn round(r: usize) -> Round {
    match r {
        0 => Round::First,
        r if !(HALF..HALF + PARTIAL_ROUNDS).contains(&r) => Round::Full,
        _ => Round::Partial,
    }
}

/// The S-boxes' inputs of round `r` from state `s` (lanes without an S-box: their state).
fn sbox_input(r: usize, s: &[Fp; WIDTH]) -> [Fp; WIDTH] {
    let rc = &CONSTANTS.rc[r];
    match round(r) {
        Round::First => {
            let e = external(s, Fp::ZERO, |x, k| *x * Fp::from(k));
            [0, 1, 2, 3].map(|i| e[i] + rc[i])
        }
        Round::Full => [0, 1, 2, 3].map(|i| s[i] + rc[i]),
        Round::Partial => [s[0] + rc[0], s[1], s[2], s[3]],
    }
}

/// One round on known values.
fn apply(r: usize, s: &[Fp; WIDTH]) -> [Fp; WIDTH] {
    let rc = &CONSTANTS.rc[r];
    let ext = |s: &[Fp; WIDTH]| external(s, Fp::ZERO, |x, k| *x * Fp::from(k));
    match round(r) {
        Round::First | Round::Full => {
            let s = if round(r) == Round::First { ext(s) } else { *s };
            ext(&[0, 1, 2, 3].map(|i| pow5(s[i] + rc[i])))
        }
        Round::Partial => {
            let mut t = *s;
            t[0] = pow5(t[0] + rc[0]);
            internal(&t, |x, d| *x * d)
        }
    }
}

/// A permutation input lane: a cell, or a constant (a tag, the sponge's IV, padding).
#[derive(Clone, Copy, Debug)]
pub enum Lane {
    /// Copied from an assigned cell.
    Var(Var),
    /// Fixed to a constant.
    Const(Fp),
}

/// The chip's columns and selectors.
#[derive(Clone, Copy, Debug)]
pub struct Poseidon2Config {
    state: [Column<Advice>; WIDTH],
    squares: [Column<Advice>; WIDTH],
    rc: [Column<Fixed>; WIDTH],
    first: Selector,
    full: Selector,
    partial: Selector,
}

impl Poseidon2Config {
    /// Allocates the columns and the three round gates.
    pub fn configure(meta: &mut ConstraintSystem<Fp>) -> Self {
        let state = [(); WIDTH].map(|_| meta.advice_column());
        let squares = [(); WIDTH].map(|_| meta.advice_column());
        let rc = [(); WIDTH].map(|_| meta.fixed_column());
        for col in state {
            meta.enable_equality(col);
        }
        let (first, full, partial) = (meta.selector(), meta.selector(), meta.selector());
        let ext = |s: &[Expression<Fp>; WIDTH]| {
            external(s, Expression::Constant(Fp::ZERO), |x, k| {
                x.clone() * Expression::Constant(Fp::from(k))
            })
        };
        for (name, selector, kind) in [
            ("poseidon2 first round", first, Round::First),
            ("poseidon2 full round", full, Round::Full),
            ("poseidon2 partial round", partial, Round::Partial),
        ] {
            meta.create_gate(name, |meta| {
                let q = meta.query_selector(selector);
                let cur = state.map(|c| meta.query_advice(c, Rotation::cur()));
                let next = state.map(|c| meta.query_advice(c, Rotation::next()));
                let c = rc.map(|c| meta.query_fixed(c, Rotation::cur()));
                let sq = squares.map(|c| meta.query_advice(c, Rotation::cur()));
                // x^5 = (x^2)^2 x, with x^2 a witness of its own.
                let sbox = |x: Expression<Fp>, q: Expression<Fp>| q.clone() * q * x;
                let mut polys = Vec::new();
                let out = match kind {
                    Round::First | Round::Full => {
                        let s = if kind == Round::First { ext(&cur) } else { cur };
                        let x: [Expression<Fp>; WIDTH] =
                            [0, 1, 2, 3].map(|i| s[i].clone() + c[i].clone());
                        for i in 0..WIDTH {
                            polys.push(sq[i].clone() - x[i].clone() * x[i].clone());
                        }
                        let [a, b, d, e] = x;
                        let [q0, q1, q2, q3] = sq;
                        ext(&[sbox(a, q0), sbox(b, q1), sbox(d, q2), sbox(e, q3)])
                    }
                    Round::Partial => {
                        let [a, b, d, e] = cur;
                        let [c0, ..] = c;
                        let x0 = a + c0;
                        let [q0, ..] = sq;
                        polys.push(q0.clone() - x0.clone() * x0.clone());
                        internal(&[sbox(x0, q0), b, d, e], |x, k| {
                            x.clone() * Expression::Constant(*k)
                        })
                    }
                };
                polys.extend(next.into_iter().zip(out).map(|(n, o)| n - o));
                polys.into_iter().map(|p| q.clone() * p).collect::<Vec<_>>()
            });
        }
        Poseidon2Config {
            state,
            squares,
            rc,
            first,
            full,
            partial,
        }
    }

    /// The permutation of `input`: 65 rows.
    pub fn permute(&self, ctx: &mut Ctx<'_>, input: [Lane; WIDTH]) -> Result<[Var; WIDTH], Error> {
        let at = ctx.take(Chip::Poseidon, ROWS);
        let region = &mut ctx.region;
        let mut first = Vec::with_capacity(WIDTH);
        for (i, lane) in input.iter().enumerate() {
            first.push(match lane {
                Lane::Var(v) => copy(region, self.state[i], at, v),
                Lane::Const(k) => {
                    let cell = region
                        .assign_advice(self.state[i], at, Value::known(*k))
                        .cell();
                    region.constrain_constant(cell, *k)?;
                    Var {
                        cell,
                        value: Value::known(*k),
                    }
                }
            });
        }
        let mut row: [Var; WIDTH] = first.try_into().expect("four lanes");
        for r in 0..ROUNDS {
            let selector = match round(r) {
                Round::First => self.first,
                Round::Full => self.full,
                Round::Partial => self.partial,
            };
            selector.enable(region, at + r)?;
            for (col, c) in self.rc.iter().zip(CONSTANTS.rc[r]) {
                region.assign_fixed(*col, at + r, c);
            }
            let values: Value<[Fp; WIDTH]> = row
                .iter()
                .map(|v| v.value)
                .collect::<Value<Vec<Fp>>>()
                .map(|v| v.try_into().expect("four lanes"));
            for (i, col) in self.squares.iter().enumerate() {
                let x = values.map(|v| sbox_input(r, &v)[i]);
                region.assign_advice(*col, at + r, x * x);
            }
            let next = values.map(|v| apply(r, &v));
            row = [0, 1, 2, 3].map(|i| {
                let value = next.map(|n| n[i]);
                Var {
                    cell: region
                        .assign_advice(self.state[i], at + r + 1, value)
                        .cell(),
                    value,
                }
            });
        }
        Ok(row)
    }

    /// Noir's Poseidon2 sponge hash of `inputs` (rate 3, the capacity lane set to
    /// `len · 2^64`), as `veil_circuits::poseidon2::hash`.
    pub fn hash(
        &self,
        ctx: &mut Ctx<'_>,
        main: &MainGateConfig,
        inputs: &[Var],
    ) -> Result<Var, Error> {
        let iv = to_halo2(&native::sponge_iv(inputs.len()));
        let mut blocks = inputs.chunks(RATE);
        let first = blocks.next().unwrap_or(&[]);
        let mut lanes = [
            Lane::Const(Fp::ZERO),
            Lane::Const(Fp::ZERO),
            Lane::Const(Fp::ZERO),
            Lane::Const(iv),
        ];
        for (lane, x) in lanes.iter_mut().zip(first) {
            *lane = Lane::Var(*x);
        }
        let mut state = self.permute(ctx, lanes)?;
        for block in blocks {
            for (lane, x) in state.iter_mut().zip(block) {
                *lane = main.add(ctx, lane, x)?;
            }
            state = self.permute(ctx, state.map(Lane::Var))?;
        }
        Ok(state[0])
    }

    /// Poseidon2's compression mode, `P(x)_0 + x_0`, as `veil_circuits::poseidon2::compress`.
    pub fn compress(
        &self,
        ctx: &mut Ctx<'_>,
        main: &MainGateConfig,
        x: [Var; WIDTH],
    ) -> Result<Var, Error> {
        let out = self.permute(ctx, x.map(Lane::Var))?;
        main.add(ctx, &out[0], &x[0])
    }
}
