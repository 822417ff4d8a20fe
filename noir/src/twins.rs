//! The Rust engine's statements as Noir inputs: each function takes a statement's public
//! inputs and witness (the same values the Groth16 prover uses) and returns the JSON inputs
//! of its Noir twin. The twin's public inputs then equal the Rust `to_field_elements()`
//! (checked by the cross tests).

use serde_json::{json, Value};
use veil_circuits::field::to_hex;
use veil_circuits::statements::dispute::{self, DisputePublic, DisputeWitness};
use veil_circuits::statements::opening::{self, OpeningPublic, OpeningWitness};
use veil_circuits::statements::preview::PreviewShape;
use veil_circuits::statements::preview::{PreviewPublic, PreviewWitness};
use veil_circuits::statements::settlement::release::KeyNote;
use veil_circuits::statements::settlement::{SettlementPublic, SettlementWitness};
use veil_circuits::statements::totals::TotalsShape;
use veil_circuits::statements::totals::{BatchPublic, BatchWitness};
use veil_circuits::statements::usage::{CallPublic, CallWitness, TierPublic, TierWitness};
use veil_circuits::statements::{preview, settlement, totals, usage};
use veil_circuits::statements::{
    CallShape, CiphertextOpening, DeliveryDispute, DisclosureTotals, DisputeShape, NoShape,
    OpeningShape, PreviewMembership, Settlement, Statement, TierShape, UsageCall, UsageTier,
};
use veil_circuits::Fr;

fn hex(x: &Fr) -> Value {
    Value::String(to_hex(x))
}

fn hexes(xs: &[Fr]) -> Value {
    Value::Array(xs.iter().map(hex).collect())
}

/// Inputs of `preview_membership`.
pub fn preview(p: &PreviewPublic, w: &PreviewWitness) -> Value {
    json!({
        "commitment": hex(&p.commitment),
        "challenge": hex(&p.challenge),
        "mask": p.reveal_mask,
        "root": hex(&w.root),
        "records": w.records,
        "schema": hex(&w.schema_hash),
        "samples": w.samples.iter().map(|s| json!({
            "salt": hex(&s.salt),
            "values": hexes(&s.values),
            "siblings": hexes(&s.path.siblings),
        })).collect::<Vec<_>>(),
    })
}

/// Inputs of `disclosure_totals` (one batch).
pub fn totals(p: &BatchPublic, w: &BatchWitness) -> Value {
    let t = &w.state_in.totals;
    let slots: Vec<Value> = w
        .slots
        .iter()
        .map(|s| match s {
            Some(r) => json!({
                "leaf": hex(&r.note()),
                "listing": hex(&r.listing),
                "buyer_tag": hex(&r.buyer_tag),
                "amount": r.amount,
                "fee": r.fee,
                "time": r.time,
                "cum": r.cum,
                "salt": hex(&r.salt),
            }),
            None => json!({
                "leaf": "0x00", "listing": "0x00", "buyer_tag": "0x00", "amount": 0,
                "fee": 0, "time": 0, "cum": 0, "salt": "0x00",
            }),
        })
        .collect();
    json!({
        "root": hex(&p.period.root),
        "seller": p.period.seller,
        "t0": p.period.t0,
        "t1": p.period.t1,
        "bps": p.period.bps,
        "edges": p.period.edges,
        "first": p.first,
        "last": p.last,
        "c_in": hex(&p.c_in),
        "chain": {
            "j": w.batch,
            "cum_in": w.state_in.cum,
            "totals_in": {
                "count": t.count,
                "amount": t.amount.to_string(),
                "fees": t.fees.to_string(),
                "band_counts": t.band_counts,
                "band_sums": t.band_sums.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            },
            "blind_in": hex(&w.state_in.blind),
            "blind_out": hex(&w.blind_out),
        },
        "slots": slots,
        "siblings": hexes(&w.path.siblings),
    })
}

/// Inputs of `usage_call`.
pub fn call(p: &CallPublic, w: &CallWitness) -> Value {
    let l = &w.licence;
    json!({
        "root": hex(&p.root),
        "listing": hex(&p.listing),
        "epoch": p.epoch,
        "nullifier": hex(&p.nullifier),
        "request": hex(&p.request),
        "sk": hex(&l.sk),
        "salt": hex(&l.salt),
        "quota": l.quota,
        "expiry": l.expiry,
        "counter": w.counter,
        "index": w.path.index,
        "siblings": hexes(&w.path.siblings),
    })
}

/// Inputs of `usage_tier`.
pub fn tier(p: &TierPublic, w: &TierWitness) -> Value {
    json!({
        "usage": hex(&p.usage),
        "listing": hex(&p.listing),
        "epoch": p.epoch,
        "lo": p.lo,
        "hi": p.hi,
        "count": w.count,
        "salt": hex(&w.salt),
        "calls_root": hex(&w.calls_root),
        "last_leaf": hex(&w.last_leaf),
        "siblings": hexes(&w.path.siblings),
    })
}

/// Inputs of `settlement`.
pub fn settlement(p: &SettlementPublic, w: &SettlementWitness) -> Value {
    let counter = |c: &veil_circuits::statements::settlement::Counter| {
        json!({
            "seller": c.seller, "count": c.count, "cum": c.cum, "last_time": c.last_time,
            "salt": hex(&c.salt),
        })
    };
    let t = &w.terms;
    let b = &w.buyer;
    json!({
        "terms_hash": hex(&p.terms_hash),
        "commitment": hex(&p.commitment),
        "time": p.time,
        "bps": p.bps,
        "counter_in": hex(&p.counter_in),
        "payment_in": hex(&p.payment_in),
        "terms": {
            "listing": hex(&t.listing), "commitment": hex(&t.commitment), "seller": t.seller,
            "seller_key": hex(&t.seller_key), "price": t.price, "quota": t.quota,
            "expiry": t.expiry,
        },
        "counter": counter(&w.counter),
        "next": counter(&w.next),
        "payment": {
            "owner": hex(&w.payment.owner), "amount": w.payment.amount,
            "salt": hex(&w.payment.salt),
        },
        "buyer": {
            "sk": hex(&b.sk), "buyer_tag": hex(&b.buyer_tag),
            "receipt_salt": hex(&b.receipt_salt), "licence_salt": hex(&b.licence_salt),
            "payout_salt": hex(&b.payout_salt), "change_salt": hex(&b.change_salt),
        },
    })
}

/// Inputs of `delivery_dispute`.
pub fn dispute(p: &DisputePublic, w: &DisputeWitness) -> Value {
    json!({
        "key_id": hex(&p.key_id),
        "nonce": hex(&p.nonce),
        "index": p.index,
        "cipher": hexes(&p.cipher),
        "plain": hexes(&p.plain),
        "salt": hex(&p.salt),
        "key": hex(&w.key.0),
    })
}

/// Inputs of `ciphertext_opening`.
pub fn opening(p: &OpeningPublic, w: &OpeningWitness) -> Value {
    json!({
        "key_id": hex(&p.key_id),
        "nonce": hex(&p.nonce),
        "reveal": p.reveal.iter().map(|&r| if r { "0x01" } else { "0x00" }).collect::<Vec<_>>(),
        "samples": p
            .samples
            .iter()
            .map(|s| json!([s.index, hexes(&s.keystream)]))
            .collect::<Vec<_>>(),
        "key": hex(&w.key.0),
    })
}

/// Inputs of `key_release`.
pub fn key_release(key_id: Fr, note: &KeyNote) -> Value {
    json!({
        "key_id": hex(&key_id),
        "buyer": hex(&note.buyer),
        "key": hex(&note.key.0),
        "salt": hex(&note.salt),
    })
}

/// A byte string as a `BoundedVec<u8, N>` input (`storage` zero-padded to `N`).
pub fn bounded_bytes(bytes: &[u8], n: usize) -> Value {
    let mut storage: Vec<u8> = bytes.iter().copied().take(n).collect();
    storage.resize(n, 0);
    json!({ "storage": storage, "len": bytes.len() })
}

/// A statement's Noir twin. Its program at a shape is named as Veil names the shape everywhere,
/// by the Groth16 key id (`preview-membership-d20-k8-m6`); the toolchain finds its artifact (the
/// base program at its own shape, else a compiled variant).
pub trait NoirTwin: Statement {
    /// The program for `shape`.
    fn program(shape: &Self::Shape) -> String {
        Self::key_id(shape)
    }
    /// The program's inputs for this statement.
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value;
}

impl NoirTwin for PreviewMembership {
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value {
        preview(public, witness)
    }
}

impl NoirTwin for DisclosureTotals {
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value {
        totals(public, witness)
    }
}

impl NoirTwin for UsageCall {
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value {
        call(public, witness)
    }
}

impl NoirTwin for UsageTier {
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value {
        tier(public, witness)
    }
}

impl NoirTwin for DeliveryDispute {
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value {
        dispute(public, witness)
    }
}

impl NoirTwin for CiphertextOpening {
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value {
        opening(public, witness)
    }
}

impl NoirTwin for Settlement {
    fn inputs(public: &Self::Public, witness: &Self::Witness) -> Value {
        settlement(&public.0, witness)
    }
}

/// The base programs by the name of the shape they are compiled at (the shared vectors'
/// shapes: the globals in `noir/programs/*/src/main.nr`), with their Nargo package names.
pub fn base_programs() -> Vec<(String, &'static str)> {
    vec![
        (
            PreviewMembership::program(&PreviewShape {
                depth: 4,
                samples: 4,
                columns: 3,
            }),
            preview::PROGRAM,
        ),
        (
            DisclosureTotals::program(&TotalsShape { batch: 4, edges: 3 }),
            totals::PROGRAM,
        ),
        (
            UsageCall::program(&CallShape {
                depth: usage::DEFAULT_LICENCE_DEPTH,
            }),
            usage::CALL_PROGRAM,
        ),
        (
            UsageTier::program(&TierShape::default()),
            usage::TIER_PROGRAM,
        ),
        (Settlement::program(&NoShape {}), settlement::PROGRAM),
        (
            DeliveryDispute::program(&DisputeShape { elements: 4 }),
            dispute::PROGRAM,
        ),
        (
            CiphertextOpening::program(&OpeningShape {
                samples: 2,
                elements: 6,
            }),
            opening::PROGRAM,
        ),
    ]
}

/// The package of the base program named `name`, if `name` is one.
pub fn base_program(name: &str) -> Option<&'static str> {
    base_programs()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| p)
}

/// The name Veil gives the program compiled as `stem`: a base program's is the Groth16 key id
/// of its shape (`preview_membership` is `preview-membership-d4-k4-m3`), a variant's is its stem;
/// programs with no statement keep their package names.
pub fn veil_name(stem: &str) -> String {
    base_programs()
        .into_iter()
        .find(|(_, package)| *package == stem)
        .map_or_else(|| stem.to_string(), |(name, _)| name)
}
