//! The buyer's files for metered access: the buyer key, the licence the issuer hands over,
//! and the counter state (which slot the next call uses).

use crate::Result;
use serde::{Deserialize, Serialize};
use veil_circuits::field::serde_hex;
use veil_circuits::statements::usage::{self, Licence, LicenceTerms};
use veil_circuits::Fr;

/// Format version of the buyer's files.
pub const WALLET_VERSION: u32 = 1;

/// `buyer.key`: the buyer's secret key for metered access (never leaves the buyer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuyerKeyFile {
    /// Format version.
    pub veil: u32,
    /// Always `"buyer-key"`.
    pub kind: String,
    /// The secret key.
    #[serde(with = "serde_hex")]
    pub sk: Fr,
}

impl BuyerKeyFile {
    /// The file of secret key `sk`.
    pub fn new(sk: Fr) -> Self {
        BuyerKeyFile {
            veil: WALLET_VERSION,
            kind: "buyer-key".into(),
            sk,
        }
    }

    /// `K = H(KEY, sk)`, what the buyer gives the issuer.
    pub fn key_commitment(&self) -> Fr {
        usage::key_commitment(self.sk)
    }

    /// Parses a buyer key file.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some("buyer-key"),
            WALLET_VERSION..=WALLET_VERSION,
        )?)
    }
}

/// `licence.json`: what the issuer hands the buyer (no secret: the terms, the blinding, the
/// leaf index; the buyer's key stays in `buyer.key`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceFile {
    /// Format version.
    pub veil: u32,
    /// Always `"licence"`.
    pub kind: String,
    /// The listing's id.
    pub listing_id: String,
    /// The buyer's key commitment `K`.
    #[serde(with = "serde_hex")]
    pub key_commitment: Fr,
    /// Note blinding.
    #[serde(with = "serde_hex")]
    pub salt: Fr,
    /// Calls per epoch.
    pub quota: u64,
    /// Last valid epoch.
    pub expiry: u64,
    /// Leaf index in the licence tree.
    pub index: u64,
}

impl LicenceFile {
    /// The file for issued `terms` at leaf `index`.
    pub fn new(listing_id: &str, terms: &LicenceTerms, index: u64) -> Self {
        LicenceFile {
            veil: WALLET_VERSION,
            kind: "licence".into(),
            listing_id: listing_id.into(),
            key_commitment: terms.key_commitment,
            salt: terms.salt,
            quota: terms.quota,
            expiry: terms.expiry,
            index,
        }
    }

    /// The licence terms.
    pub fn terms(&self) -> LicenceTerms {
        LicenceTerms {
            listing: usage::listing_field(&self.listing_id),
            key_commitment: self.key_commitment,
            quota: self.quota,
            expiry: self.expiry,
            salt: self.salt,
        }
    }

    /// The full licence, given the buyer's key (checked against `K`).
    pub fn licence(&self, key: &BuyerKeyFile) -> Result<Licence> {
        Ok(Licence::new(key.sk, &self.terms())?)
    }

    /// Parses a licence file.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some("licence"),
            WALLET_VERSION..=WALLET_VERSION,
        )?)
    }
}

/// The counter state: which slot the next call uses in which epoch, for one licence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterState {
    /// Format version.
    pub veil: u32,
    /// Always `"counter-state"`.
    pub kind: String,
    /// The licence note this state counts for.
    #[serde(with = "serde_hex")]
    pub licence: Fr,
    /// The epoch `next` refers to.
    pub epoch: u64,
    /// The next unused slot in `epoch`.
    pub next: u64,
}

impl CounterState {
    /// Parses a counter state.
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(veil_circuits::format::parse(
            text,
            Some("counter-state"),
            WALLET_VERSION..=WALLET_VERSION,
        )?)
    }
}
