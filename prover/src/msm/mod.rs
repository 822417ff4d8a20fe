//! The seam where a proof's heavy arithmetic runs: multi-scalar multiplications over the
//! proving key's fixed bases, and the number-theoretic transforms of the QAP witness map.
//!
//! A Groth16 proof is four MSMs in G1 and one in G2 over the proving key, plus seven FFTs over
//! the constraint domain; nothing else in it is worth accelerating. [`Accelerator`] is that
//! work, one trait: [`Arkworks`] runs arkworks' own MSM (the baseline), [`Cpu`] runs Veil's
//! (batch-affine bucket accumulation, [`pippenger`]; eight additions at a time where the CPU
//! has AVX-512 IFMA, `ifma`). A GPU backend is one more implementation.
//! A prover that proves against one key again and again first lets its accelerator *prepare*
//! the key's bases ([`Accelerator::prepare_g1`]); [`Cpu`] then precomputes their multiples
//! ([`fixed`]), a GPU backend would upload them once.

mod batch;
pub mod fixed;
pub mod glv;
#[cfg(target_arch = "x86_64")]
pub mod ifma;
pub mod pippenger;

use crate::qap::KeyQap;
use crate::Result;
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::BigInt;
use ark_relations::utils::matrix::Matrix;
use std::sync::Arc;

/// A scalar as an MSM reads it: its canonical integer, not its Montgomery form.
pub type Scalar = BigInt<4>;

/// MSMs against bases fixed for many proofs (a proving key's queries), prepared once by
/// [`Accelerator::prepare_g1`] / [`Accelerator::prepare_g2`].
pub trait FixedMsm<G>: Send + Sync {
    /// `sum scalars[i] * bases[i]` over the shorter of the scalars and the prepared bases.
    fn msm(&self, scalars: &[Scalar]) -> G;
    /// Bytes the preparation holds.
    fn bytes(&self) -> usize;
}

impl FixedMsm<G1Projective> for fixed::FixedBases<ark_bn254::g1::Config> {
    fn msm(&self, scalars: &[Scalar]) -> G1Projective {
        fixed::FixedBases::msm(self, scalars)
    }
    fn bytes(&self) -> usize {
        fixed::FixedBases::bytes(self)
    }
}

impl FixedMsm<G2Projective> for fixed::FixedBases<ark_bn254::g2::Config> {
    fn msm(&self, scalars: &[Scalar]) -> G2Projective {
        fixed::FixedBases::msm(self, scalars)
    }
    fn bytes(&self) -> usize {
        fixed::FixedBases::bytes(self)
    }
}

/// A prepared G1 query.
pub type FixedG1 = Arc<dyn FixedMsm<G1Projective>>;
/// A prepared G2 query.
pub type FixedG2 = Arc<dyn FixedMsm<G2Projective>>;

/// Where a Groth16 proof's MSMs and FFTs run.
pub trait Accelerator: Send + Sync {
    /// A short name, for reports.
    fn name(&self) -> &'static str;

    /// `sum scalars[i] * bases[i]` in G1 (the shorter slice sets the length).
    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Scalar]) -> G1Projective;

    /// `sum scalars[i] * bases[i]` in G2.
    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Scalar]) -> G2Projective;

    /// Prepares G1 `bases` that many proofs reuse (a CPU table of multiples; a GPU would keep
    /// them on the device), in at most `budget` bytes; `None` when this accelerator has no
    /// such mode or the budget is too small. The default has none.
    fn prepare_g1(&self, bases: &[G1Affine], budget: usize) -> Option<FixedG1> {
        let _ = (bases, budget);
        None
    }

    /// [`Self::prepare_g1`] in G2.
    fn prepare_g2(&self, bases: &[G2Affine], budget: usize) -> Option<FixedG2> {
        let _ = (bases, budget);
        None
    }

    /// The QAP witness map of the key's `qap` for `assignment`: the scalars of the `H` MSM
    /// (`h`'s coefficients for libsnark's reduction, `A·B - C` on a coset for snarkjs's;
    /// [`KeyQap::witness_map`]).
    fn witness_map(
        &self,
        qap: &KeyQap,
        matrices: &[Matrix<Fr>],
        num_instance: usize,
        num_constraints: usize,
        assignment: &[Fr],
    ) -> Result<Vec<Fr>> {
        qap.witness_map(matrices, num_instance, num_constraints, assignment)
    }
}

/// arkworks' MSM (`VariableBaseMSM::msm_bigint`): the baseline Veil's is measured against.
#[derive(Clone, Copy, Debug, Default)]
pub struct Arkworks;

impl Accelerator for Arkworks {
    fn name(&self) -> &'static str {
        "arkworks"
    }

    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Scalar]) -> G1Projective {
        G1Projective::msm_bigint(bases, scalars)
    }

    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Scalar]) -> G2Projective {
        G2Projective::msm_bigint(bases, scalars)
    }
}

/// Veil's CPU MSM ([`pippenger`]): signed windows, batch-affine bucket accumulation (on eight
/// lanes where the CPU has AVX-512 IFMA), rayon.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu;

impl Accelerator for Cpu {
    fn name(&self) -> &'static str {
        "veil-cpu"
    }

    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Scalar]) -> G1Projective {
        pippenger::msm(bases, scalars)
    }

    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Scalar]) -> G2Projective {
        pippenger::msm(bases, scalars)
    }

    fn prepare_g1(&self, bases: &[G1Affine], budget: usize) -> Option<FixedG1> {
        prepare_fixed(bases, budget).map(|t| Arc::new(t) as FixedG1)
    }

    fn prepare_g2(&self, bases: &[G2Affine], budget: usize) -> Option<FixedG2> {
        prepare_fixed(bases, budget).map(|t| Arc::new(t) as FixedG2)
    }
}

/// Veil's MSM behind halo2's commitments (`veil_halo2::commit`): every KZG commitment of a
/// halo2 proof runs here.
impl veil_halo2::commit::G1Msm for Cpu {
    fn name(&self) -> &'static str {
        Accelerator::name(self)
    }
    fn msm(&self, bases: &[G1Affine], scalars: &[Scalar]) -> G1Projective {
        pippenger::msm(bases, scalars)
    }
}

/// A fixed-base table for `bases` at the tuned window, if it fits `budget` bytes and is worth
/// it: not below [`pippenger::batch_affine_from`] points, and not where its window is less than
/// two bits wider than the ordinary MSM's (from `2^18` points both use 15 bits, so a table saves
/// only the doublings and bucket sums, about 3% measured on the B = 256 totals key, for 3 GiB).
fn prepare_fixed<P: ark_ec::short_weierstrass::SWCurveConfig<ScalarField = Fr>>(
    bases: &[ark_ec::short_weierstrass::Affine<P>],
    budget: usize,
) -> Option<fixed::FixedBases<P>> {
    let n = bases.len();
    let c = fixed::fixed_window_bits(n);
    (n >= pippenger::batch_affine_from()
        && c >= pippenger::window_bits::<P>(n) + 2
        && fixed::table_bytes::<P>(n, c) <= budget)
        .then(|| fixed::FixedBases::new(bases, c))
}
