//! One proof for a whole audit period: the period's batch proofs folded with `snark-verifier`.
//!
//! A disclosure-totals report is a chain of `n` batch proofs (`veil_circuits::statements::totals`).
//! The aggregation circuit verifies all `n` inside one halo2 circuit (each batch proof reduced to
//! a KZG accumulator, the accumulators folded into one) and checks the chain rules the Groth16
//! report verifier checks outside (`verifier::totals::verify_report`):
//!
//! * every batch has the same root, seller, period, fee rate and band edges;
//! * batch 0 is `first` and starts from `c_in = 0`; batch `i + 1` continues from batch `i`'s
//!   `c_out`; only batch `n - 1` is `last`, and it ends the chain (`c_out = 0`).
//!
//! Its public inputs are the folded accumulator (`4 × 3` limbs of 88 bits: two G1 points) and
//! the period's values: `root, seller, t0, t1, bps, edges..` and the last batch's `count,
//! amount, fees, band_counts.., band_sums..`. No batch's own values are public. An auditor
//! checks the outer proof and one pairing on the accumulator ([`verify`]): one check for the
//! period, whatever `n`.
//!
//! The batch proofs are made with snark-verifier's Poseidon transcript ([`batch_snark`]), which
//! the circuit can recompute; the outer proof uses the Blake2b transcript of [`crate::kzg`].
//! The circuit fixes the batch circuit's verifying key as constants, so a proof of any other
//! circuit does not fold.

use crate::commit::{Accelerated, AcceleratedShplonk};
use crate::field::to_halo2;
use crate::kzg::{self, Params, ProverParams, ProvingKeyBn, VerifyingKeyBn};
use crate::statements::Halo2Statement;
use crate::{Error, Fp, Result};
use halo2_base::gates::circuit::CircuitBuilderStage;
use halo2_base::{AssignedValue, Context};
use halo2_proofs::halo2curves::bn256::{Bn256, Fq, G1Affine, G2Affine};
use halo2_proofs::halo2curves::group::Group;
use halo2_proofs::halo2curves::pairing::{MillerLoopResult, MultiMillerLoop};
use halo2_proofs::halo2curves::CurveAffine;
use halo2_proofs::plonk::{create_proof, keygen_pk, keygen_vk, verify_proof};
use halo2_proofs::poly::commitment::Params as _;
use halo2_proofs::poly::kzg::commitment::KZGCommitmentScheme;
use halo2_proofs::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use rand::rngs::OsRng;
use snark_verifier_sdk::halo2::aggregation::{
    AggregationCircuit, AggregationConfigParams, VerifierUniversality,
};
use snark_verifier_sdk::halo2::{gen_dummy_snark_from_protocol, PoseidonTranscript, POSEIDON_SPEC};
use snark_verifier_sdk::snark_verifier::system::halo2::{compile, Config};
use snark_verifier_sdk::snark_verifier::util::arithmetic::fe_from_limbs;
use snark_verifier_sdk::{NativeLoader, Snark, BITS, LIMBS, SHPLONK};
use veil_circuits::statements::totals::{BatchPublic, TotalsShape};
use veil_circuits::statements::DisclosureTotals;
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::Fr;

/// Public inputs the folded accumulator takes: two G1 points, 3 limbs per coordinate.
pub const ACCUMULATOR_LEN: usize = 4 * LIMBS;

/// A batch proof snark-verifier can fold: SHPLONK with its Poseidon transcript, with the
/// batch circuit's protocol (its verifying key, compiled).
pub fn batch_snark(
    params: &ProverParams,
    pk: &ProvingKeyBn,
    shape: &TotalsShape,
    public: BatchPublic,
    witness: veil_circuits::statements::totals::BatchWitness,
) -> Result<Snark> {
    use veil_circuits::statements::Statement;
    DisclosureTotals::check(shape, &public, &witness)?;
    let instance = kzg::instance(&public.to_field_elements());
    batch_snark_unchecked(
        params,
        pk,
        DisclosureTotals::circuit(shape, public, witness),
        instance,
    )
}

/// [`batch_snark`] without the native check: what a lying prover runs, for tests.
pub fn batch_snark_unchecked(
    params: &ProverParams,
    pk: &ProvingKeyBn,
    circuit: crate::statements::OneRegion<<DisclosureTotals as Halo2Statement>::Layout>,
    instance: Vec<Fp>,
) -> Result<Snark> {
    let mut transcript =
        PoseidonTranscript::<NativeLoader, Vec<u8>>::from_spec(vec![], POSEIDON_SPEC.clone());
    create_proof::<Accelerated, AcceleratedShplonk<'_>, _, _, _, _>(
        params,
        pk,
        &[circuit],
        &[&[&instance]],
        OsRng,
        &mut transcript,
    )
    .map_err(|source| Error::Halo2 {
        what: "proving a batch for aggregation",
        source,
    })?;
    Ok(Snark::new(
        protocol(params.kzg(), pk.get_vk(), instance.len()),
        vec![instance],
        transcript.finalize(),
    ))
}

/// Verifies one batch proof of [`batch_snark`] natively (Poseidon transcript).
pub fn verify_batch(params: &Params, vk: &VerifyingKeyBn, snark: &Snark) -> Result<()> {
    let mut transcript =
        PoseidonTranscript::<NativeLoader, &[u8]>::from_spec(&snark.proof, POSEIDON_SPEC.clone());
    let instances: Vec<&[Fp]> = snark.instances.iter().map(Vec::as_slice).collect();
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params,
        vk,
        SingleStrategy::new(params),
        &[&instances],
        &mut transcript,
    )
    .map_err(|e| Error::Rejected(format!("{e}")))
}

/// The batch circuit's verifying key as snark-verifier reads it.
fn protocol(
    params: &Params,
    vk: &VerifyingKeyBn,
    instances: usize,
) -> snark_verifier_sdk::snark_verifier::verifier::plonk::PlonkProtocol<G1Affine> {
    compile(params, vk, Config::kzg().with_num_instance(vec![instances]))
}

/// The aggregation circuit's keys for `n` batches of one shape, and the layout the prover must
/// repeat (halo2-base's break points).
pub struct AggregationKey {
    /// Batches per period.
    pub n: usize,
    /// The batch shape.
    pub shape: TotalsShape,
    /// The aggregation circuit's configuration (rows, columns, lookup bits).
    pub config: AggregationConfigParams,
    /// Its proving key.
    pub pk: ProvingKeyBn,
    break_points: Vec<Vec<usize>>,
    batch_params: Params,
    batch_vk: VerifyingKeyBn,
    batch_protocol: snark_verifier_sdk::snark_verifier::verifier::plonk::PlonkProtocol<G1Affine>,
}

impl AggregationKey {
    /// The verifying key.
    pub fn vk(&self) -> &VerifyingKeyBn {
        self.pk.get_vk()
    }
}

/// The aggregation circuit over `snarks` with the chain rules added; its public inputs are set
/// (`circuit.builder.assigned_instances`). Key generation, proving and the tests' `MockProver`
/// (stage `Mock`) build it the same way.
pub fn period_circuit(
    stage: CircuitBuilderStage,
    config: AggregationConfigParams,
    params: &Params,
    shape: &TotalsShape,
    snarks: Vec<Snark>,
) -> AggregationCircuit {
    let n = snarks.len();
    let mut circuit = AggregationCircuit::new::<SHPLONK>(
        stage,
        config,
        params,
        snarks,
        VerifierUniversality::None,
    );
    let prev = circuit.previous_instances().clone();
    let o = 5 + shape.edges;
    constrain_chain(circuit.builder.main(0), shape.edges, &prev);
    let period = prev[0][..o].to_vec();
    let totals = prev[n - 1][o + 4..].to_vec();
    circuit.builder.assigned_instances[0].extend(period);
    circuit.builder.assigned_instances[0].extend(totals);
    circuit
}

/// The chain rules on the batches' public inputs (`batches[i]` is batch `i`'s
/// [`BatchPublic`] as assigned cells, in chain order): the constraints [`period_circuit`] adds
/// to snark-verifier's aggregation circuit, on their own so that a small circuit can test them.
pub fn constrain_chain(ctx: &mut Context<Fp>, edges: usize, batches: &[Vec<AssignedValue<Fp>>]) {
    let n = batches.len();
    let o = 5 + edges;
    let (zero, one) = (ctx.load_zero(), ctx.load_constant(Fp::one()));
    for (i, batch) in batches.iter().enumerate() {
        // Root, seller, t0, t1, bps and edges: the period every batch shares.
        for j in 0..o {
            ctx.constrain_equal(&batch[j], &batches[0][j]);
        }
        let (first, last) = (i == 0, i + 1 == n);
        ctx.constrain_equal(&batch[o], if first { &one } else { &zero });
        ctx.constrain_equal(&batch[o + 1], if last { &one } else { &zero });
        // c_in: zero at the start, then the previous batch's c_out.
        let c_in = if first { zero } else { batches[i - 1][o + 3] };
        ctx.constrain_equal(&batch[o + 2], &c_in);
        if last {
            ctx.constrain_equal(&batch[o + 3], &zero);
        }
    }
}

/// `log2` of the aggregation circuit's rows: halo2-base fills as many advice columns as `2^K`
/// rows need (51 at `2^18` for three batches). Fewer rows mean more columns, about the same
/// proving work.
pub const K: u32 = 18;

/// The aggregation circuit of `n` batches of `shape` proved under `batch_vk`, laid out over
/// placeholder proofs and configured (halo2-base picks the columns for `params`' `2^k` rows).
fn blank_period_circuit(
    params: &Params,
    batch_params: &Params,
    batch_vk: &VerifyingKeyBn,
    shape: &TotalsShape,
    n: usize,
) -> Result<(
    AggregationCircuit,
    AggregationConfigParams,
    snark_verifier_sdk::snark_verifier::verifier::plonk::PlonkProtocol<G1Affine>,
)> {
    if n == 0 || n > MAX_BATCHES {
        return Err(Error::Params(format!(
            "one aggregation folds 1 to {MAX_BATCHES} batches, not {n}: prove a shorter period \
             or larger batches"
        )));
    }
    let k = params.k();
    let batch_protocol = protocol(batch_params, batch_vk, BatchPublic::len_for(shape.edges));
    let dummies = (0..n)
        .map(|_| gen_dummy_snark_from_protocol::<SHPLONK>(batch_protocol.clone()))
        .collect();
    let mut circuit = period_circuit(
        CircuitBuilderStage::Keygen,
        AggregationConfigParams {
            degree: k,
            lookup_bits: k as usize - 1,
            ..Default::default()
        },
        params,
        shape,
        dummies,
    );
    let config = circuit.calculate_params(Some(20));
    Ok((circuit, config, batch_protocol))
}

/// The aggregation circuit's verifying key alone, and the configuration that reads it back
/// ([`read_verifying_key`]): what an auditor derives from the universal parameters (no proving
/// key; it lays the whole circuit out once, so keep it).
pub fn verifying_key(
    params: &Params,
    batch_params: &Params,
    batch_vk: &VerifyingKeyBn,
    shape: &TotalsShape,
    n: usize,
) -> Result<(VerifyingKeyBn, AggregationConfigParams)> {
    let (circuit, config, _) = blank_period_circuit(params, batch_params, batch_vk, shape, n)?;
    let vk = keygen_vk(params, &circuit).map_err(|source| Error::Halo2 {
        what: "aggregation verifying key",
        source,
    })?;
    Ok((vk, config))
}

/// Reads an aggregation verifying key written as `vk.to_bytes(SerdeFormat::RawBytes)`, with
/// the configuration it was made under.
pub fn read_verifying_key(bytes: &[u8], config: AggregationConfigParams) -> Result<VerifyingKeyBn> {
    VerifyingKeyBn::from_bytes::<AggregationCircuit>(
        bytes,
        halo2_proofs::SerdeFormat::RawBytes,
        config,
    )
    .map_err(|e| Error::Params(format!("not an aggregation verifying key: {e}")))
}

/// Most batches one aggregation circuit folds: each adds about 4.5 million cells (three took
/// 51 advice columns at `2^18` rows and 9.5 GiB to prove), so a larger count would not fit a
/// prover's memory, and a report claiming one is refused before any key is derived.
pub const MAX_BATCHES: usize = 8;

/// Keys for folding `n` batches of `shape` proved under `batch_vk`. `params` has `2^k` rows for
/// the aggregation circuit and the same `τ` as the batch proofs' parameters `batch_params`.
pub fn keygen(
    params: &Params,
    batch_params: &Params,
    batch_vk: &VerifyingKeyBn,
    shape: &TotalsShape,
    n: usize,
) -> Result<AggregationKey> {
    let (circuit, config, batch_protocol) =
        blank_period_circuit(params, batch_params, batch_vk, shape, n)?;
    let vk = keygen_vk(params, &circuit).map_err(|source| Error::Halo2 {
        what: "aggregation verifying key",
        source,
    })?;
    let pk = keygen_pk(params, vk, &circuit).map_err(|source| Error::Halo2 {
        what: "aggregation proving key",
        source,
    })?;
    Ok(AggregationKey {
        n,
        shape: *shape,
        config,
        pk,
        break_points: circuit.break_points(),
        batch_params: batch_params.clone(),
        batch_vk: batch_vk.clone(),
        batch_protocol,
    })
}

/// The chain rules on the batches' public inputs, natively: what [`period_circuit`] enforces,
/// checked first so that a broken chain is named instead of proved (a proof of it would not
/// verify).
fn check_chain(shape: &TotalsShape, snarks: &[Snark]) -> Result<()> {
    let o = 5 + shape.edges;
    let n = snarks.len();
    let x: Vec<&[Fp]> = snarks.iter().map(|s| s.instances[0].as_slice()).collect();
    let broken = |m: String| Err(Error::Params(m));
    for (i, b) in x.iter().enumerate() {
        let (first, last) = (i == 0, i + 1 == n);
        if b[..o] != x[0][..o] {
            return broken(format!(
                "batch {i} is for another root, seller, period, rate or bands"
            ));
        }
        if (b[o], b[o + 1]) != (Fp::from(first as u64), Fp::from(last as u64)) {
            return broken(format!(
                "batch {i} of {n} is not where it claims to be (first, last): batches are \
                 missing, repeated or out of order"
            ));
        }
        let c_in = if first { Fp::zero() } else { x[i - 1][o + 3] };
        if b[o + 2] != c_in || (last && b[o + 3] != Fp::zero()) {
            return broken(format!(
                "batch {i} does not continue from the batch before it, or does not end the \
                 chain: a batch is missing, repeated or out of order"
            ));
        }
    }
    Ok(())
}

/// A period's aggregated proof and its public inputs (accumulator, then the period's values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodProof {
    /// Public inputs in order: [`ACCUMULATOR_LEN`] limbs, then `root, seller, t0, t1, bps,
    /// edges.., count, amount, fees, band_counts.., band_sums..`.
    pub public_inputs: Vec<Fr>,
    /// The outer proof (SHPLONK, Blake2b transcript).
    pub proof: Vec<u8>,
}

/// Folds a period's batch proofs, in chain order, into one proof. Refused when a batch is not
/// of the key's circuit, the count differs from the key's, or the chain rules do not hold.
pub fn aggregate(
    params: &ProverParams,
    key: &AggregationKey,
    snarks: Vec<Snark>,
) -> Result<PeriodProof> {
    if snarks.len() != key.n {
        return Err(Error::Params(format!(
            "the aggregation key folds {} batches, given {}",
            key.n,
            snarks.len()
        )));
    }
    for (i, s) in snarks.iter().enumerate() {
        if s.protocol.preprocessed != key.batch_protocol.preprocessed
            || s.instances.len() != 1
            || s.instances[0].len() != key.batch_protocol.num_instance[0]
        {
            return Err(Error::Params(format!(
                "batch {i} is not a proof of the key's batch circuit"
            )));
        }
        verify_batch(&key.batch_params, &key.batch_vk, s)
            .map_err(|e| Error::Rejected(format!("batch {i}: {e}")))?;
    }
    check_chain(&key.shape, &snarks)?;
    let circuit = period_circuit(
        CircuitBuilderStage::Prover,
        key.config,
        params.kzg(),
        &key.shape,
        snarks,
    )
    .use_break_points(key.break_points.clone());
    let instance: Vec<Fp> = circuit.builder.assigned_instances[0]
        .iter()
        .map(|v| *v.value())
        .collect();
    let proof = kzg::prove_unchecked(params, &key.pk, circuit, &instance)?;
    Ok(PeriodProof {
        public_inputs: instance.iter().map(crate::field::from_halo2).collect(),
        proof,
    })
}

/// One check for a period: the outer proof against the aggregation key, then the pairing on the
/// folded accumulator, `e(lhs, [1]₂) = e(rhs, [τ]₂)`, which holds only when every batch proof
/// inside verified.
pub fn verify(params: &Params, vk: &VerifyingKeyBn, period: &PeriodProof) -> Result<()> {
    kzg::verify(params, vk, &period.public_inputs, &period.proof)?;
    decide(params, &period.public_inputs)
}

/// The pairing on the accumulator at the head of `public_inputs`: holds only when every batch
/// proof folded into it verified. [`verify`] runs it after the outer proof.
pub fn decide(params: &Params, public_inputs: &[Fr]) -> Result<()> {
    if public_inputs.len() < ACCUMULATOR_LEN {
        return Err(Error::Rejected(
            "too few public inputs for an aggregate".into(),
        ));
    }
    let limbs: Vec<Fp> = public_inputs[..ACCUMULATOR_LEN]
        .iter()
        .map(to_halo2)
        .collect();
    let point = |at: usize| -> Result<G1Affine> {
        let x: Fq = fe_from_limbs::<_, _, LIMBS, BITS>(
            limbs[at..at + LIMBS].try_into().expect("LIMBS limbs"),
        );
        let y: Fq = fe_from_limbs::<_, _, LIMBS, BITS>(
            limbs[at + LIMBS..at + 2 * LIMBS]
                .try_into()
                .expect("LIMBS limbs"),
        );
        Option::from(G1Affine::from_xy(x, y))
            .ok_or_else(|| Error::Rejected("the accumulator is not on the curve".into()))
    };
    let (lhs, rhs) = (point(0)?, point(2 * LIMBS)?);
    let g2 = params.g2();
    let minus_s_g2: G2Affine = -params.s_g2();
    let terms = [(&lhs, &g2.into()), (&rhs, &minus_s_g2.into())];
    if bool::from(
        Bn256::multi_miller_loop(&terms)
            .final_exponentiation()
            .is_identity(),
    ) {
        Ok(())
    } else {
        Err(Error::Rejected(
            "the folded accumulator fails its pairing: a batch proof inside does not verify".into(),
        ))
    }
}
