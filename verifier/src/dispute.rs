//! Verification of a delivery dispute: everything but the proof is public, so it is checked
//! here against the listing; the proof is then checked by the backend it names, and
//! [`finding`] says which rule the seller broke.

use crate::formats::DisputeFile;
use crate::{Result, VerifyError};
use ark_ff::{BigInteger, PrimeField};
use veil_circuits::dataset::encrypted::{file::record_blob, tree, CiphertextHeader, Inconsistency};
use veil_circuits::dataset::{Listing, TREE_ARITY};
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::dispute::{self, DisputePublic, NAME};
use veil_circuits::statements::{DeliveryDispute, DisputeShape, Statement};
use veil_circuits::Fr;

fn mismatch<T>(m: String) -> Result<T> {
    Err(VerifyError::Mismatch(m))
}

/// `x` as a `u64`, or malformed input naming `what`.
pub(crate) fn small(x: &Fr, what: &str) -> Result<u64> {
    let b = x.into_bigint();
    if b.num_bits() > 64 {
        return Err(VerifyError::Malformed(format!(
            "{what} does not fit 64 bits"
        )));
    }
    Ok(b.as_ref()[0])
}

fn digest(hex_text: &str, field: &str, level: usize) -> Result<tree::Digest32> {
    let bytes = hex::decode(hex_text).ok().filter(|b| b.len() == 32);
    bytes.and_then(|b| b.try_into().ok()).ok_or_else(|| {
        VerifyError::Malformed(format!("{field}: level {level} is not 32 bytes of hex"))
    })
}

/// The ciphertext root `E` (hex) that record `index`, published as `leaf` beside `cipher`,
/// reaches through the SHA-256 siblings `path` (hex, leaf level first) under `header`: what a
/// dispute and a bound preview compare with the listing's. `field` names the path in errors.
pub(crate) fn root_through(
    header: &CiphertextHeader,
    leaf: &Fr,
    cipher: &[Fr],
    index: u64,
    path: &[String],
    field: &str,
) -> Result<String> {
    let siblings = path
        .iter()
        .enumerate()
        .map(|(level, s)| digest(s, field, level))
        .collect::<Result<Vec<_>>>()?;
    if siblings.len() != header.depth as usize {
        return Err(VerifyError::Malformed(format!(
            "{field} has {} levels, the tree {}",
            siblings.len(),
            header.depth
        )));
    }
    let blob = tree::leaf_hash(&record_blob(leaf, cipher));
    Ok(hex::encode(header.ciphertext_root(&tree::root_from_path(
        blob, index, &siblings,
    ))))
}

/// The dispute's shape and public inputs, after checking every public part of it against
/// `listing`: the ciphertext is the listed one, the record lies under its root `E`, its leaf
/// under the dataset root, and the proof's key id and nonce are the listing's and the header's.
pub fn public_inputs(
    file: &DisputeFile,
    listing: &Listing,
) -> Result<(DisputeShape, DisputePublic)> {
    if file.dataset_id != listing.dataset_id || file.header.dataset_id != file.dataset_id {
        return mismatch(format!(
            "the dispute is about dataset {:?} (header: {:?}), the listing is {:?}",
            file.dataset_id, file.header.dataset_id, listing.dataset_id
        ));
    }
    let Some(listed_e) = listing.ciphertext_root.as_deref() else {
        return mismatch(format!(
            "listing {:?} names no ciphertext: there is no delivery to dispute",
            listing.dataset_id
        ));
    };
    file.header.check()?;
    file.header.check_listing(listing)?;
    let shape = DisputeShape {
        elements: file.header.record_elements,
    };
    let w = shape.elements as usize;
    let claimed = serde_json::to_value(shape).expect("shapes serialise");
    file.proof
        .check_claims(NAME, &DeliveryDispute::key_id(&shape), &claimed)?;
    let x = &file.proof.public_inputs;
    if x.len() != 4 + 2 * w {
        return Err(VerifyError::Malformed(format!(
            "{} public inputs, expected {} for records of {w} elements",
            x.len(),
            4 + 2 * w
        )));
    }
    let public = DisputePublic {
        key_id: x[0],
        nonce: x[1],
        index: small(&x[2], "the record index")?,
        cipher: x[3..3 + w].to_vec(),
        plain: x[3 + w..3 + 2 * w].to_vec(),
        salt: x[3 + 2 * w],
    };
    if public.key_id != listing.key_id {
        return mismatch("the proof's key id is not the listing's".into());
    }
    if public.nonce != file.header.nonce {
        return mismatch("the proof's nonce is not the ciphertext header's".into());
    }
    if public.index >= file.header.records {
        return mismatch(format!(
            "record {} is past the last of the delivery's {} records",
            public.index, file.header.records
        ));
    }
    let e = root_through(
        &file.header,
        &file.leaf,
        &public.cipher,
        public.index,
        &file.ciphertext_path,
        "field `ciphertext_path`",
    )?;
    if e != listed_e {
        return mismatch(format!(
            "record {} with this leaf and ciphertext is not in the listed ciphertext (root E {e}, \
             the listing's {listed_e})",
            public.index
        ));
    }
    let path = MerklePath {
        arity: TREE_ARITY,
        index: public.index,
        siblings: file.dataset_path.clone(),
    };
    if path.root(file.leaf) != listing.root {
        return mismatch(format!(
            "field `dataset_path`: the leaf of record {} does not reach the listing's root",
            public.index
        ));
    }
    Ok((shape, public))
}

/// The rule the proven decryption breaks; a dispute about a consistent record is refused.
pub fn finding(
    file: &DisputeFile,
    listing: &Listing,
    public: &DisputePublic,
) -> Result<Inconsistency> {
    dispute::judge(
        public.index,
        &public.plain,
        public.salt,
        file.leaf,
        &file.header.layout(listing.schema.columns.len()),
    )
    .ok_or_else(|| {
        VerifyError::Rejected(format!(
            "record {} decrypts to the committed record: this dispute convicts no one",
            public.index
        ))
    })
}
