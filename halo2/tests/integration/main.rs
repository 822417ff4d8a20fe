//! veil-halo2's tests, one binary (docs/testing.md): the chips against the native code, every
//! statement's shared cases under MockProver, the field conversion, the commitment seam, and
//! the period fold.

mod aggregate;
mod chips;
mod commit;
mod field;
mod statements;

use std::sync::Arc;
use veil_halo2::commit::{ArkG1, ArkG1Projective, G1Msm};
use veil_halo2::kzg::{Params, ProverParams};

/// arkworks' own MSM behind the seam: an implementation no one here wrote, so a proof the tests
/// make runs the seam (the bases converted, the scalars made canonical, the result converted
/// back) without depending on Veil's MSM.
pub struct ArkMsm;

impl G1Msm for ArkMsm {
    fn name(&self) -> &'static str {
        "arkworks"
    }
    fn msm(&self, bases: &[ArkG1], scalars: &[ark_ff::BigInt<4>]) -> ArkG1Projective {
        use ark_ec::VariableBaseMSM;
        ArkG1Projective::msm_bigint(bases, scalars)
    }
}

/// `params` proving through [`ArkMsm`].
pub fn prover(params: &Params) -> ProverParams {
    ProverParams::new(params.clone(), Arc::new(ArkMsm)).expect("parameters convert")
}
