//! The seam where a proof's heavy arithmetic runs: multi-scalar multiplications over the
//! proving key's fixed bases, and the number-theoretic transforms of the QAP witness map.
//!
//! A Groth16 proof is four MSMs in G1 and one in G2 over the proving key, plus seven FFTs over
//! the constraint domain; nothing else in it is worth accelerating. [`Accelerator`] is that
//! work, one trait: [`Arkworks`] runs arkworks' own MSM (the baseline), [`Cpu`] runs Veil's
//! (batch-affine bucket accumulation, [`pippenger`]). A GPU backend is one more implementation.

pub mod pippenger;

use crate::Result;
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::BigInt;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::utils::matrix::Matrix;

/// A scalar as an MSM reads it: its canonical integer, not its Montgomery form.
pub type Scalar = BigInt<4>;

/// Where a Groth16 proof's MSMs and FFTs run.
pub trait Accelerator: Send + Sync {
    /// A short name, for reports.
    fn name(&self) -> &'static str;

    /// `sum scalars[i] * bases[i]` in G1 (the shorter slice sets the length).
    fn msm_g1(&self, bases: &[G1Affine], scalars: &[Scalar]) -> G1Projective;

    /// `sum scalars[i] * bases[i]` in G2.
    fn msm_g2(&self, bases: &[G2Affine], scalars: &[Scalar]) -> G2Projective;

    /// The QAP witness map: the coefficients of `h(X) = (A(X) B(X) - C(X)) / Z(X)` for
    /// `assignment` (libsnark's reduction, as arkworks' setup expects).
    fn witness_map(
        &self,
        matrices: &[Matrix<Fr>],
        num_instance: usize,
        num_constraints: usize,
        assignment: &[Fr],
    ) -> Result<Vec<Fr>> {
        Ok(LibsnarkReduction::witness_map_from_matrices::<
            Fr,
            GeneralEvaluationDomain<Fr>,
        >(
            matrices, num_instance, num_constraints, assignment
        )?)
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

/// Veil's CPU MSM ([`pippenger`]): signed windows, batch-affine bucket accumulation, rayon.
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
}
