//! A `.zkey` checked against the circuit it claims to be for and the `.ptau` it was made over,
//! as `snarkjs zkey verify` checks it, without writing the initial key: every query of the key
//! must be what `zkey new` computes from this circuit's matrices and the `.ptau`'s Lagrange
//! bases, divided by the ceremony's `δ` where snarkjs divides.
//!
//! With `L_c`, `αL_c`, `βL_c` the `.ptau`'s Lagrange bases on the key's `n` points and `u_i`,
//! `v_i`, `w_i` column `i` of `A` (with the public rows `A[nC + s][s] = 1`), `B`, `C`:
//!
//! * `A_i = Σ_c u_ic L_c`, `B₁_i = Σ_c v_ic L_c`, `B₂_i = Σ_c v_ic [L_c]₂`;
//! * `IC_s = Σ_c (u_sc βL_c + v_sc αL_c + w_sc L_c)` for the public `s` (`γ = 1`);
//! * `δ·C_i =` the same sum for the private `i`; `δ·H_j = L'_(2j+1)`, the `2n`-point basis.
//!
//! Each family is checked at once with random weights `ρ_i` (so `Σ ρ_i P_i` against one MSM of
//! the expected bases), the ones over `δ` by one pairing equation each: a key that differs in
//! any point passes with probability about `2^-250`.

use super::zkey::{Coefficient, PtauForKey, Zkey};
use crate::error::refuse;
use crate::Result;
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, VariableBaseMSM};
use ark_ff::{PrimeField, UniformRand, Zero};
use rayon::prelude::*;
use veil_prover::backend::groth16::ConstraintMatrices;

/// Refuses `zkey` unless its sizes and `A`, `B` coefficients are exactly `m`'s.
pub fn check_circuit(zkey: &Zkey, m: &ConstraintMatrices, key: &str) -> Result<()> {
    let vars = m.num_instance + m.num_witness;
    let rows = m.num_constraints + m.num_instance;
    let domain = rows.next_power_of_two();
    if (zkey.n_vars, zkey.n_public, zkey.domain_size) != (vars, m.num_instance - 1, domain) {
        refuse!(
            "the .zkey is for another circuit than {key}: it has {} signals, {} public inputs \
             and a domain of {} points; {key} has {vars}, {} and {domain}",
            zkey.n_vars,
            zkey.n_public,
            zkey.domain_size,
            m.num_instance - 1
        );
    }
    let mut want = expected_coefficients(m);
    let mut have = zkey.coefficients.clone();
    want.sort_unstable();
    have.sort_unstable();
    if want != have {
        let first = want
            .iter()
            .zip(&have)
            .position(|(a, b)| a != b)
            .unwrap_or(want.len().min(have.len()));
        refuse!(
            "the .zkey is for another circuit than {key}: its constraints differ ({} \
             coefficients of A and B against {key}'s {}, the first difference at sorted entry \
             {first})",
            have.len(),
            want.len()
        );
    }
    Ok(())
}

/// `A`'s and `B`'s coefficients as `zkey new` lists them, the public rows included.
fn expected_coefficients(m: &ConstraintMatrices) -> Vec<Coefficient> {
    let mut out = Vec::new();
    for (matrix, rows) in m.abc.iter().take(2).enumerate() {
        for (c, row) in rows.iter().enumerate() {
            for (v, signal) in row {
                out.push(Coefficient {
                    matrix: matrix as u32,
                    constraint: c as u32,
                    signal: *signal as u32,
                    value: v.into_bigint().0,
                });
            }
        }
    }
    for s in 0..m.num_instance {
        out.push(Coefficient {
            matrix: 0,
            constraint: (m.num_constraints + s) as u32,
            signal: s as u32,
            value: Fr::from(1u64).into_bigint().0,
        });
    }
    out
}

/// `M·ρ` over the circuit's rows (and, for `A`, the public rows), `ρ` zero outside `signals`.
fn weighted_rows(
    m: &ConstraintMatrices,
    matrix: usize,
    rho: &[Fr],
    signals: std::ops::Range<usize>,
    n: usize,
) -> Vec<Fr> {
    let mut out: Vec<Fr> = m.abc[matrix]
        .par_iter()
        .map(|row| {
            row.iter()
                .filter(|(_, i)| signals.contains(i))
                .map(|(v, i)| *v * rho[*i])
                .sum()
        })
        .collect();
    out.resize(n, Fr::zero());
    if matrix == 0 {
        for s in 0..m.num_instance {
            if signals.contains(&s) {
                out[m.num_constraints + s] = rho[s];
            }
        }
    }
    out
}

fn msm1(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
    G1Projective::msm_unchecked(bases, scalars)
}

fn msm2(bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
    G2Projective::msm_unchecked(bases, scalars)
}

/// Refuses `zkey` unless every query is what `zkey new` makes from `m` and `ptau`, over the
/// key's `δ` (see the module's comment).
pub fn check_against_ptau(zkey: &Zkey, m: &ConstraintMatrices, ptau: &PtauForKey) -> Result<()> {
    let pk = &zkey.pk;
    let g2 = G2Affine::generator();
    if pk.vk.alpha_g1 != ptau.alpha_g1
        || pk.beta_g1 != ptau.beta_g1
        || pk.vk.beta_g2 != ptau.beta_g2
    {
        refuse!(
            "the .zkey was not made over this .ptau: its alpha and beta are another ceremony's"
        );
    }
    if pk.vk.gamma_g2 != g2 {
        refuse!("the .zkey's gamma2 is not the generator snarkjs's setup puts there: edited");
    }
    let n = zkey.domain_size;
    let vars = zkey.n_vars;
    let public = m.num_instance;
    let mut rng = rand::thread_rng();
    let rho: Vec<Fr> = (0..vars).map(|_| Fr::rand(&mut rng)).collect();
    let all = 0..vars;
    let ua = weighted_rows(m, 0, &rho, all.clone(), n);
    let vb = weighted_rows(m, 1, &rho, all, n);
    let section = |name: &str| {
        crate::EngineError::Refused(format!(
            "the .zkey's {name} section is not this circuit's over this .ptau: the key was \
             edited, or made for another circuit or ceremony"
        ))
    };
    if msm1(&pk.a_query, &rho) != msm1(&ptau.tau_g1, &ua) {
        return Err(section("A"));
    }
    if msm1(&pk.b_g1_query, &rho) != msm1(&ptau.tau_g1, &vb) {
        return Err(section("B1"));
    }
    if msm2(&pk.b_g2_query, &rho) != msm2(&ptau.tau_g2, &vb) {
        return Err(section("B2"));
    }
    // u β + v α + w for the signals in `range`, as one point.
    let combined = |range: std::ops::Range<usize>| -> G1Projective {
        let u = weighted_rows(m, 0, &rho, range.clone(), n);
        let v = weighted_rows(m, 1, &rho, range.clone(), n);
        let w = weighted_rows(m, 2, &rho, range, n);
        msm1(&ptau.beta_tau_g1, &u) + msm1(&ptau.alpha_tau_g1, &v) + msm1(&ptau.tau_g1, &w)
    };
    if msm1(&pk.vk.gamma_abc_g1, &rho[..public]) != combined(0..public) {
        return Err(section("IC"));
    }
    let over_delta = |lhs: G1Projective, rhs: G1Projective| -> bool {
        Bn254::multi_pairing([lhs, -rhs], [pk.vk.delta_g2, g2]).is_zero()
    };
    if !over_delta(msm1(&pk.l_query, &rho[public..]), combined(public..vars)) {
        return Err(section("C"));
    }
    let sigma: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
    let odd: Vec<G1Affine> = (0..n).map(|j| ptau.tau_g1_double[2 * j + 1]).collect();
    if !over_delta(msm1(&pk.h_query, &sigma), msm1(&odd, &sigma)) {
        return Err(section("H"));
    }
    Ok(())
}
