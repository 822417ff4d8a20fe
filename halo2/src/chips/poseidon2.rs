//! Barretenberg's Poseidon2 permutation (width 4, `x^5`, 8 full and 56 partial rounds) as a
//! halo2 chip: four state columns, four auxiliary columns (the squares of the S-boxes'
//! inputs, and in a pair of partial rounds the second round's input), the round constants in
//! four fixed columns, and one gate per kind of row:
//!
//! ```text
//! first round (row 0):      x = M_E · s + c,   q_i = x_i^2,   s' = M_E · (q_i^2 x_i)
//! full rounds (1-3, 60-63): x = s + c,         q_i = x_i^2,   s' = M_E · (q_i^2 x_i)
//! partial round (V1):       x_0 = s_0 + c_0,   q_0 = x_0^2,   s' = M_I · (q_0^2 x_0, s_1, s_2, s_3)
//! partial pair (V2):        x_a = s_0 + c_0,   q_a = x_a^2,   t = M_I · (q_a^2 x_a, s_1, s_2, s_3),
//!                           x_b = t_0 + c_1,   q_b = x_b^2,   s' = M_I · (q_b^2 x_b, t_1, t_2, t_3)
//! ```
//! (`q_a, x_b, q_b` in the first three auxiliary columns; `t` is never a cell: it is linear
//! in `s` and `q_a^2 x_a`, so the pair's constraints stay at degree 3.) The squares keep every
//! gate at degree 4 with its selector: halo2-axiom caps a constraint system's degree at 5, and
//! `x^5` behind a selector would be 6. A permutation takes its input row and one row per
//! round in [`Version::V1`] (65 rows), and one row per pair of partial rounds in
//! [`Version::V2`] (37 rows). Every cell of a row is fixed by the cells before it, so the
//! output is the input's permutation and nothing else. halo2-base's Poseidon is another
//! permutation and sponge, so the statements cannot use it; this chip is tested against
//! `veil_circuits::poseidon2`, itself tested against Barretenberg's.

use super::{main_gate::copy, Chip, Ctx, MainGateConfig, Var};
use crate::field::to_halo2;
use crate::version::Version;
use crate::Fp;
use halo2_proofs::arithmetic::Field;
use halo2_proofs::circuit::Value;
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error, Expression, Fixed, Selector};
use halo2_proofs::poly::Rotation;
use std::sync::LazyLock;
use veil_circuits::poseidon2::{self as native, FULL_ROUNDS, PARTIAL_ROUNDS, RATE, WIDTH};

const ROUNDS: usize = FULL_ROUNDS + PARTIAL_ROUNDS;
const HALF: usize = FULL_ROUNDS / 2;
const _: () = assert!(PARTIAL_ROUNDS.is_multiple_of(2), "partial rounds pair up");

/// Rows one permutation takes in `version`'s layout.
pub const fn rows(version: Version) -> usize {
    match version {
        Version::V1 => ROUNDS + 1,
        Version::V2 => FULL_ROUNDS + PARTIAL_ROUNDS / 2 + 1,
    }
}

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

/// The name of [`Version::V2`]'s gate for two partial rounds: what tells a key's layout
/// (`kzg::vk_version`).
pub const PAIR_GATE: &str = "poseidon2 two partial rounds";

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

/// What one row of a permutation computes.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Step {
    /// Round `r`, one to a row.
    Round(usize),
    /// Partial rounds `r` and `r + 1` ([`Version::V2`]).
    Pair(usize),
}

/// The rows of one permutation in `version`'s layout, in order (the output row follows).
fn steps(version: Version) -> Vec<Step> {
    match version {
        Version::V1 => (0..ROUNDS).map(Step::Round).collect(),
        Version::V2 => (0..HALF)
            .map(Step::Round)
            .chain((HALF..HALF + PARTIAL_ROUNDS).step_by(2).map(Step::Pair))
            .chain((HALF + PARTIAL_ROUNDS..ROUNDS).map(Step::Round))
            .collect(),
    }
}

/// A cell the test suite's lying prover bends ([`Poseidon2Config::permute_bent`]): an
/// auxiliary cell of row `row`, or a state cell of the row after it, moved by `delta`, with
/// every later cell recomputed from it honestly, so that only the constraint binding that cell
/// can refuse it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Bend {
    /// The permutation's row.
    pub row: usize,
    /// `0..4`: an auxiliary cell of `row`; `4..8`: state lane `cell - 4` of row `row + 1`.
    pub cell: usize,
    /// What is added to it.
    pub delta: Fp,
}

/// One row's auxiliary cells and the next state, from state `s` (an auxiliary cell moved by
/// `bend` before what depends on it is computed).
fn step_values(
    step: Step,
    s: &[Fp; WIDTH],
    bend: Option<(usize, Fp)>,
) -> ([Fp; WIDTH], [Fp; WIDTH]) {
    let moved = |i: usize, v: Fp| match bend {
        Some((j, d)) if j == i => v + d,
        _ => v,
    };
    let sbox = |x: Fp, q: Fp| q * q * x;
    match step {
        Step::Round(r) => {
            let rc = &CONSTANTS.rc[r];
            match round(r) {
                Round::First | Round::Full => {
                    let s = match round(r) {
                        Round::First => external(s, Fp::ZERO, |x, k| *x * Fp::from(k)),
                        _ => *s,
                    };
                    let x: [Fp; WIDTH] = [0, 1, 2, 3].map(|i| s[i] + rc[i]);
                    let q: [Fp; WIDTH] = [0, 1, 2, 3].map(|i| moved(i, x[i] * x[i]));
                    let y = [0, 1, 2, 3].map(|i| sbox(x[i], q[i]));
                    (q, external(&y, Fp::ZERO, |x, k| *x * Fp::from(k)))
                }
                Round::Partial => {
                    let x0 = s[0] + rc[0];
                    let q0 = moved(0, x0 * x0);
                    let aux = [
                        q0,
                        moved(1, Fp::ZERO),
                        moved(2, Fp::ZERO),
                        moved(3, Fp::ZERO),
                    ];
                    (
                        aux,
                        internal(&[sbox(x0, q0), s[1], s[2], s[3]], |x, d| *x * d),
                    )
                }
            }
        }
        Step::Pair(r) => {
            let xa = s[0] + CONSTANTS.rc[r][0];
            let qa = moved(0, xa * xa);
            let t = internal(&[sbox(xa, qa), s[1], s[2], s[3]], |x, d| *x * d);
            let xb = moved(1, t[0] + CONSTANTS.rc[r + 1][0]);
            let qb = moved(2, xb * xb);
            let next = internal(&[sbox(xb, qb), t[1], t[2], t[3]], |x, d| *x * d);
            ([qa, xb, qb, moved(3, Fp::ZERO)], next)
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
    aux: [Column<Advice>; WIDTH],
    rc: [Column<Fixed>; WIDTH],
    first: Selector,
    full: Selector,
    /// One partial round ([`Version::V1`]) or two ([`Version::V2`]).
    partial: Selector,
    version: Version,
}

impl Poseidon2Config {
    /// Allocates the columns and the three row gates of `version`'s layout.
    pub fn configure(meta: &mut ConstraintSystem<Fp>, version: Version) -> Self {
        let state = [(); WIDTH].map(|_| meta.advice_column());
        let aux = [(); WIDTH].map(|_| meta.advice_column());
        let rc = [(); WIDTH].map(|_| meta.fixed_column());
        for col in state {
            meta.enable_equality(col);
        }
        let (first, full, partial) = (meta.selector(), meta.selector(), meta.selector());
        let constant = |k: &Fp| Expression::Constant(*k);
        let ext = |s: &[Expression<Fp>; WIDTH]| {
            external(s, Expression::Constant(Fp::ZERO), |x, k| {
                x.clone() * Expression::Constant(Fp::from(k))
            })
        };
        let int = |s: &[Expression<Fp>; WIDTH]| internal(s, |x, k| x.clone() * constant(k));
        // x^5 = (x^2)^2 x, with x^2 a witness of its own.
        let sbox = |x: Expression<Fp>, q: Expression<Fp>| q.clone() * q * x;
        let partial_name = match version {
            Version::V1 => "poseidon2 partial round",
            Version::V2 => PAIR_GATE,
        };
        for (name, selector, kind) in [
            ("poseidon2 first round", first, Round::First),
            ("poseidon2 full round", full, Round::Full),
            (partial_name, partial, Round::Partial),
        ] {
            meta.create_gate(name, |meta| {
                let q = meta.query_selector(selector);
                let cur = state.map(|c| meta.query_advice(c, Rotation::cur()));
                let next = state.map(|c| meta.query_advice(c, Rotation::next()));
                let c = rc.map(|c| meta.query_fixed(c, Rotation::cur()));
                let sq = aux.map(|c| meta.query_advice(c, Rotation::cur()));
                let mut polys = Vec::new();
                let out = match (kind, version) {
                    (Round::First | Round::Full, _) => {
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
                    (Round::Partial, Version::V1) => {
                        let [a, b, d, e] = cur;
                        let [c0, ..] = c;
                        let x0 = a + c0;
                        let [q0, ..] = sq;
                        polys.push(q0.clone() - x0.clone() * x0.clone());
                        int(&[sbox(x0, q0), b, d, e])
                    }
                    (Round::Partial, Version::V2) => {
                        let [a, b, d, e] = cur;
                        let [c0, c1, ..] = c;
                        let [qa, xb, qb, _] = sq;
                        let xa = a + c0;
                        polys.push(qa.clone() - xa.clone() * xa.clone());
                        let t = int(&[sbox(xa, qa), b, d, e]);
                        let [t0, t1, t2, t3] = t;
                        polys.push(xb.clone() - (t0 + c1));
                        polys.push(qb.clone() - xb.clone() * xb.clone());
                        int(&[sbox(xb, qb), t1, t2, t3])
                    }
                };
                polys.extend(next.into_iter().zip(out).map(|(n, o)| n - o));
                polys.into_iter().map(|p| q.clone() * p).collect::<Vec<_>>()
            });
        }
        Poseidon2Config {
            state,
            aux,
            rc,
            first,
            full,
            partial,
            version,
        }
    }

    /// The layout this chip lays permutations out in.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The permutation of `input`: [`rows`] rows.
    pub fn permute(&self, ctx: &mut Ctx<'_>, input: [Lane; WIDTH]) -> Result<[Var; WIDTH], Error> {
        self.permute_bent(ctx, input, None)
    }

    /// [`Self::permute`], with one cell bent by a lying prover (tests only).
    #[doc(hidden)]
    pub fn permute_bent(
        &self,
        ctx: &mut Ctx<'_>,
        input: [Lane; WIDTH],
        bend: Option<Bend>,
    ) -> Result<[Var; WIDTH], Error> {
        let at = ctx.take(Chip::Poseidon, rows(self.version));
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
        for (i, step) in steps(self.version).into_iter().enumerate() {
            let (selector, constants) = match step {
                Step::Round(r) => (
                    match round(r) {
                        Round::First => self.first,
                        Round::Full => self.full,
                        Round::Partial => self.partial,
                    },
                    CONSTANTS.rc[r],
                ),
                Step::Pair(r) => (
                    self.partial,
                    [
                        CONSTANTS.rc[r][0],
                        CONSTANTS.rc[r + 1][0],
                        Fp::ZERO,
                        Fp::ZERO,
                    ],
                ),
            };
            selector.enable(region, at + i)?;
            for (col, c) in self.rc.iter().zip(constants) {
                region.assign_fixed(*col, at + i, c);
            }
            let bend = bend.filter(|b| b.row == i);
            let aux_bend = bend.filter(|b| b.cell < WIDTH).map(|b| (b.cell, b.delta));
            let values: Value<[Fp; WIDTH]> = row
                .iter()
                .map(|v| v.value)
                .collect::<Value<Vec<Fp>>>()
                .map(|v| v.try_into().expect("four lanes"));
            let computed = values.map(|v| {
                let (aux, mut next) = step_values(step, &v, aux_bend);
                if let Some(b) = bend.filter(|b| b.cell >= WIDTH) {
                    next[b.cell - WIDTH] += b.delta;
                }
                (aux, next)
            });
            for (j, col) in self.aux.iter().enumerate() {
                region.assign_advice(*col, at + i, computed.map(|(aux, _)| aux[j]));
            }
            row = [0, 1, 2, 3].map(|j| {
                let value = computed.map(|(_, next)| next[j]);
                Var {
                    cell: region
                        .assign_advice(self.state[j], at + i + 1, value)
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
