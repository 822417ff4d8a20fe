//! Verification of usage-counter proofs: metered calls and billing tiers.

use crate::groth16::PreparedKey;
use crate::proof::ProofEnvelope;
use crate::{Result, VerifyError};
use ark_ff::{BigInteger, PrimeField};
use veil_circuits::statements::usage::{CallPublic, TierPublic, CALL, TIER};
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::statements::{CallShape, Statement, TierShape, UsageCall, UsageTier};
use veil_circuits::Fr;

/// Key id of the call circuit for a licence tree of `depth`.
pub fn call_key(depth: u32) -> String {
    UsageCall::key_id(&CallShape { depth })
}

/// Key id of the tier circuit (over a calls tree of depth 32).
pub fn tier_key() -> String {
    UsageTier::key_id(&TierShape::default())
}

fn small(x: &Fr, what: &str) -> Result<u64> {
    let b = x.into_bigint();
    if b.num_bits() > 32 {
        return Err(VerifyError::Malformed(format!(
            "{what} does not fit 32 bits"
        )));
    }
    Ok(b.as_ref()[0])
}

fn check_envelope<S: serde::Serialize>(
    env: &ProofEnvelope,
    statement: &str,
    key: &str,
    shape: &S,
    inputs: usize,
) -> Result<()> {
    let shape = serde_json::to_value(shape).expect("shapes serialise");
    env.check_claims(statement, key, &shape)?;
    if env.public_inputs.len() != inputs {
        return Err(VerifyError::Malformed(format!(
            "{} public inputs, expected {inputs}",
            env.public_inputs.len()
        )));
    }
    Ok(())
}

/// Reads a call's public inputs (no proof check).
pub fn call_public(env: &ProofEnvelope, depth: u32) -> Result<CallPublic> {
    check_envelope(env, CALL, &call_key(depth), &CallShape { depth }, 5)?;
    let x = &env.public_inputs;
    Ok(CallPublic {
        root: x[0],
        listing: x[1],
        epoch: small(&x[2], "epoch")?,
        nullifier: x[3],
        request: x[4],
    })
}

/// Verifies a call proof; returns its public inputs.
pub fn verify_call(env: &ProofEnvelope, vk: &PreparedKey, depth: u32) -> Result<CallPublic> {
    let p = call_public(env, depth)?;
    env.verify_groth16(vk, &p.to_field_elements())?;
    Ok(p)
}

/// Reads a tier proof's public inputs (no proof check).
pub fn tier_public(env: &ProofEnvelope) -> Result<TierPublic> {
    check_envelope(env, TIER, &tier_key(), &TierShape::default(), 5)?;
    let x = &env.public_inputs;
    Ok(TierPublic {
        usage: x[0],
        listing: x[1],
        epoch: small(&x[2], "epoch")?,
        lo: small(&x[3], "lo")?,
        hi: small(&x[4], "hi")?,
    })
}

/// Verifies a tier proof; returns its public inputs.
pub fn verify_tier(env: &ProofEnvelope, vk: &PreparedKey) -> Result<TierPublic> {
    let p = tier_public(env)?;
    env.verify_groth16(vk, &p.to_field_elements())?;
    Ok(p)
}

/// Usage-opening format version (2: the calls tree replaced a bare count).
pub const USAGE_OPENING_VERSION: u32 = 2;

/// `usage-opening.json`: what a usage commitment `U = H(USAGE, listing, epoch, calls_root,
/// salt)` opens to; the gateway's secret, shown to whoever must check a bill.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageOpening {
    /// Format version, [`USAGE_OPENING_VERSION`].
    pub veil: u32,
    /// Always `"usage-opening"`.
    pub kind: String,
    /// The listing's id.
    pub listing_id: String,
    /// The epoch.
    pub epoch: u64,
    /// Calls accepted in the epoch.
    pub count: u64,
    /// Root of the epoch's calls tree.
    #[serde(with = "veil_circuits::field::serde_hex")]
    pub calls_root: Fr,
    /// The commitment's blinding.
    #[serde(with = "veil_circuits::field::serde_hex")]
    pub salt: Fr,
    /// The published commitment `U`.
    #[serde(with = "veil_circuits::field::serde_hex")]
    pub usage: Fr,
}

impl UsageOpening {
    /// Parses an opening and checks that it opens its commitment.
    pub fn from_json(text: &str) -> Result<Self> {
        let o: UsageOpening = veil_circuits::format::parse(
            text,
            Some("usage-opening"),
            USAGE_OPENING_VERSION..=USAGE_OPENING_VERSION,
        )?;
        let listing = veil_circuits::statements::usage::listing_field(&o.listing_id);
        let u = veil_circuits::statements::usage::usage_commitment(
            listing,
            o.epoch,
            o.calls_root,
            o.salt,
        );
        if u != o.usage {
            return Err(VerifyError::Mismatch(
                "the opening does not open its usage commitment".into(),
            ));
        }
        Ok(o)
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("openings serialise") + "\n"
    }
}
