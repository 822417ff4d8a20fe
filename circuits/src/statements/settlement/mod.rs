//! Settlement of one sale: what an Aztec contract's private `buy` function proves, with the
//! Noir program `settlement` (this module is its native twin and the source of truth for its
//! encodings). It spends the buyer's payment note and the seller's sales counter note and makes
//! the next receipt (what [`super::totals`] sums), the next counter, the buyer's licence (what
//! [`super::usage`] calls prove), the seller's payout and the buyer's change.
//!
//! ```text
//! listing terms   T = H(LISTING, listing, C, seller, seller_key, price, quota, expiry)
//! counter note    Q = H(COUNTER, seller, count, cum, last_time, salt)
//! payment note    P = H(PAYMENT, owner, amount, salt)              owner = H(KEY, sk)
//! nullifiers      H(SPENT, Q) for the counter,  H(SPENT, sk, P) for the payment
//! ```
//!
//! **Public inputs**, in order: `T`, `C`, `time`, `bps`, `Q_in`, `P_in`; then the outputs
//! `nf(Q_in), nf(P_in), R, Q_out, L, payout, change`.
//! **Witness**: the openings of `T`, `Q_in`, `P_in`, `Q_out`; the buyer's `sk`, `buyer_tag`
//! and four fresh salts.
//! **Constraints**: the openings hash to the public notes; `T.C = C` (the buyer pays for the
//! dataset it previewed); the counter is the listing seller's; `H(KEY, sk)` owns the payment
//! and `amount >= price > 0`; the receipt is [`super::totals::next_receipt`]'s, numbered from
//! the counter (`seq = count < 2^20`, `cum = cum_in + price < 2^64`, `time >= last_time`,
//! `fee = floor(price * bps / 10^4)`, `bps <= 10^4`, `seller < 2^12`); `Q_out` advances by
//! exactly one sale (`count + 1`, that `cum`, `last_time = time`, same seller);
//! `L = H(LICENCE, listing, H(KEY, sk), quota, expiry, salt)`; the payout is `price` to
//! `seller_key` and the change `amount - price` to the buyer.
//!
//! Spending `Q_in` with a deterministic nullifier makes the seller's receipts a single chain:
//! two settlements from one counter state emit the same nullifier and the second is refused,
//! so no two receipts share a sequence number and none is skipped.

use super::totals::{fee_for, Receipt, BPS_DENOMINATOR, SELLER_BITS, SEQ_BITS};
use super::usage::{key_commitment, LicenceTerms, COUNTER_BITS};
use crate::{poseidon2, tags, Error, Fr, Result};

/// The statement's name.
pub const NAME: &str = "settlement";
/// Its Noir twin's package (the name itself).
pub const PROGRAM: &str = NAME;

/// A listing's terms, as the settlement contract registers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    /// Listing (value hash of its id).
    pub listing: Fr,
    /// Dataset commitment `C` being sold.
    pub commitment: Fr,
    /// Seller id (`< 2^12`).
    pub seller: u64,
    /// Key commitment that receives the payout.
    pub seller_key: Fr,
    /// Price.
    pub price: u64,
    /// Calls per epoch the licence allows (`< 2^32`).
    pub quota: u64,
    /// Last epoch of the licence (`< 2^32`).
    pub expiry: u64,
}

impl Terms {
    /// `T`.
    pub fn hash(&self) -> Fr {
        poseidon2::hash(&[
            tags::fr(tags::LISTING),
            self.listing,
            self.commitment,
            Fr::from(self.seller),
            self.seller_key,
            Fr::from(self.price),
            Fr::from(self.quota),
            Fr::from(self.expiry),
        ])
    }
}

/// A seller's sales counter: `count` sales so far, totalling `cum`, the last at `last_time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    /// Seller id.
    pub seller: u64,
    /// Sales so far (the next receipt's `seq`).
    pub count: u64,
    /// Their running total.
    pub cum: u64,
    /// Time of the last sale (0 before the first).
    pub last_time: u64,
    /// Note blinding.
    pub salt: Fr,
}

impl Counter {
    /// A seller's counter before its first sale.
    pub fn initial(seller: u64, salt: Fr) -> Self {
        Counter {
            seller,
            count: 0,
            cum: 0,
            last_time: 0,
            salt,
        }
    }

    /// `Q`.
    pub fn note(&self) -> Fr {
        poseidon2::hash(&[
            tags::fr(tags::COUNTER),
            Fr::from(self.seller),
            Fr::from(self.count),
            Fr::from(self.cum),
            Fr::from(self.last_time),
            self.salt,
        ])
    }

    /// `H(SPENT, Q)`.
    pub fn nullifier(&self) -> Fr {
        poseidon2::hash(&[tags::fr(tags::SPENT), self.note()])
    }
}

/// A payment note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Payment {
    /// Owner's key commitment `H(KEY, sk)`.
    pub owner: Fr,
    /// Value.
    pub amount: u64,
    /// Note blinding.
    pub salt: Fr,
}

impl Payment {
    /// `P`.
    pub fn note(&self) -> Fr {
        poseidon2::hash(&[
            tags::fr(tags::PAYMENT),
            self.owner,
            Fr::from(self.amount),
            self.salt,
        ])
    }

    /// `H(SPENT, sk, P)`: only the owner can compute it.
    pub fn nullifier(&self, sk: Fr) -> Fr {
        poseidon2::hash(&[tags::fr(tags::SPENT), sk, self.note()])
    }
}

/// The buyer's secrets for one purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buyer {
    /// Secret key (`H(KEY, sk)` owns the payment and the licence).
    pub sk: Fr,
    /// Tag stored in the receipt.
    pub buyer_tag: Fr,
    /// Salt of the receipt.
    pub receipt_salt: Fr,
    /// Salt of the licence.
    pub licence_salt: Fr,
    /// Salt of the seller's payout note.
    pub payout_salt: Fr,
    /// Salt of the buyer's change note.
    pub change_salt: Fr,
}

/// Public inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettlementPublic {
    /// The registered terms `T`.
    pub terms_hash: Fr,
    /// The commitment the buyer previewed.
    pub commitment: Fr,
    /// Sale time.
    pub time: u64,
    /// Fee rate.
    pub bps: u64,
    /// The seller's current counter note.
    pub counter_in: Fr,
    /// The payment note spent.
    pub payment_in: Fr,
}

impl SettlementPublic {
    /// In program order.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        vec![
            self.terms_hash,
            self.commitment,
            Fr::from(self.time),
            Fr::from(self.bps),
            self.counter_in,
            self.payment_in,
        ]
    }
}

/// Witness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettlementWitness {
    /// Opening of `T`.
    pub terms: Terms,
    /// Opening of `Q_in`.
    pub counter: Counter,
    /// Opening of `Q_out`.
    pub next: Counter,
    /// Opening of `P_in`.
    pub payment: Payment,
    /// The buyer's secrets.
    pub buyer: Buyer,
}

/// What settlement emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettlementOutputs {
    /// `H(SPENT, Q_in)`.
    pub counter_nullifier: Fr,
    /// `H(SPENT, sk, P_in)`.
    pub payment_nullifier: Fr,
    /// The receipt note `R`.
    pub receipt: Fr,
    /// `Q_out`.
    pub counter: Fr,
    /// The buyer's licence note `L`.
    pub licence: Fr,
    /// `price` to the seller.
    pub payout: Fr,
    /// `amount - price` back to the buyer.
    pub change: Fr,
}

impl SettlementOutputs {
    /// In program order (they follow the public inputs).
    pub fn to_field_elements(&self) -> Vec<Fr> {
        vec![
            self.counter_nullifier,
            self.payment_nullifier,
            self.receipt,
            self.counter,
            self.licence,
            self.payout,
            self.change,
        ]
    }
}

/// The receipt a counter numbers next (settlement's rule, as [`super::totals::next_receipt`]).
pub fn numbered(
    counter: &Counter,
    terms: &Terms,
    buyer: &Buyer,
    time: u64,
    bps: u64,
) -> Result<Receipt> {
    let bad = |m: String| Err(Error::Unsatisfied(m));
    if terms.seller >> SELLER_BITS != 0 {
        return bad(format!(
            "seller id {} is not below 2^{SELLER_BITS}",
            terms.seller
        ));
    }
    if counter.count >> SEQ_BITS != 0 {
        return bad(format!("seller has 2^{SEQ_BITS} receipts already"));
    }
    if terms.price == 0 {
        return bad("a sale of amount 0".into());
    }
    if time < counter.last_time {
        return bad(format!(
            "time {time} is before the last sale's {}",
            counter.last_time
        ));
    }
    if bps > BPS_DENOMINATOR {
        return bad(format!("fee rate {bps} bps is above 100%"));
    }
    let Some(cum) = counter.cum.checked_add(terms.price) else {
        return bad(format!(
            "running total overflows: {} + {}",
            counter.cum, terms.price
        ));
    };
    Ok(Receipt {
        listing: terms.listing,
        seller: terms.seller,
        buyer_tag: buyer.buyer_tag,
        amount: terms.price,
        fee: fee_for(terms.price, bps),
        time,
        seq: counter.count,
        cum,
        salt: buyer.receipt_salt,
    })
}

/// The native relation: the outputs, and the receipt (whose opening the seller keeps for its
/// totals), or the first constraint the assignment breaks.
pub fn settle(p: &SettlementPublic, w: &SettlementWitness) -> Result<(SettlementOutputs, Receipt)> {
    let fail = |m: &str| Err(Error::Unsatisfied(m.to_string()));
    let t = &w.terms;
    if t.quota >> COUNTER_BITS != 0 || t.expiry >> COUNTER_BITS != 0 {
        return fail("quota or expiry is not below 2^32");
    }
    if t.hash() != p.terms_hash {
        return fail("listing terms do not match the registry");
    }
    if t.commitment != p.commitment {
        return fail("wrong listing commitment");
    }
    if w.counter.note() != p.counter_in {
        return fail("counter note does not open");
    }
    if w.counter.seller != t.seller {
        return fail("counter is another seller's");
    }
    if w.payment.note() != p.payment_in {
        return fail("payment note does not open");
    }
    let buyer_key = key_commitment(w.buyer.sk);
    if w.payment.owner != buyer_key {
        return fail("payment note is not the buyer's");
    }
    if w.payment.amount < t.price {
        return fail("underpayment");
    }
    let receipt = numbered(&w.counter, t, &w.buyer, p.time, p.bps)?;
    if w.next.seller != w.counter.seller {
        return fail("counter changes seller");
    }
    if w.next.count != w.counter.count + 1 {
        return fail("counter does not advance by exactly one");
    }
    if w.next.cum != receipt.cum {
        return fail("counter total is not cum + price");
    }
    if w.next.last_time != p.time {
        return fail("counter time is not the sale's");
    }
    let licence = LicenceTerms {
        listing: t.listing,
        key_commitment: buyer_key,
        quota: t.quota,
        expiry: t.expiry,
        salt: w.buyer.licence_salt,
    };
    let outputs = SettlementOutputs {
        counter_nullifier: w.counter.nullifier(),
        payment_nullifier: w.payment.nullifier(w.buyer.sk),
        receipt: receipt.note(),
        counter: w.next.note(),
        licence: licence.note(),
        payout: Payment {
            owner: t.seller_key,
            amount: t.price,
            salt: w.buyer.payout_salt,
        }
        .note(),
        change: Payment {
            owner: buyer_key,
            amount: w.payment.amount - t.price,
            salt: w.buyer.change_salt,
        }
        .note(),
    };
    Ok((outputs, receipt))
}

/// An honest purchase: the public inputs and witness that settle `payment` against `counter`
/// at `time` (the next counter takes `counter_salt`).
pub fn purchase(
    terms: Terms,
    counter: Counter,
    payment: Payment,
    buyer: Buyer,
    time: u64,
    bps: u64,
    counter_salt: Fr,
) -> (SettlementPublic, SettlementWitness) {
    let next = Counter {
        seller: counter.seller,
        count: counter.count + 1,
        cum: counter.cum.saturating_add(terms.price),
        last_time: time,
        salt: counter_salt,
    };
    let public = SettlementPublic {
        terms_hash: terms.hash(),
        commitment: terms.commitment,
        time,
        bps,
        counter_in: counter.note(),
        payment_in: payment.note(),
    };
    let witness = SettlementWitness {
        terms,
        counter,
        next,
        payment,
        buyer,
    };
    (public, witness)
}

pub mod release;
mod statement;
pub use statement::{NoShape, Settlement};

/// Fixtures shared by every crate's settlement tests (through `veil-testkit`): defined once,
/// here, so that this crate's unit tests can use them too.
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    use super::{key_commitment, Buyer, Payment};
    use crate::Fr;

    /// Buyer `i`: fixed secrets, distinct per `i`.
    pub fn buyer(i: u64) -> Buyer {
        let f = |x: u64| Fr::from(x);
        Buyer {
            sk: f(0xb0 + i),
            buyer_tag: f(0x7a6 + i),
            receipt_salt: f(0x100 + i),
            licence_salt: f(0x200 + i),
            payout_salt: f(0x300 + i),
            change_salt: f(0x400 + i),
        }
    }

    /// A payment note of `amount` owned by `b`.
    pub fn payment(b: &Buyer, amount: u64) -> Payment {
        Payment {
            owner: key_commitment(b.sk),
            amount,
            salt: Fr::from(0x500u64),
        }
    }
}

#[cfg(test)]
mod tests;
