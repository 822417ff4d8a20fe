use super::fixtures::{buyer, payment};
use super::*;
use crate::statements::totals::{next_receipt, Sale};

fn f(x: u64) -> Fr {
    Fr::from(x)
}

pub(crate) fn terms() -> Terms {
    Terms {
        listing: f(0x1157),
        commitment: f(0xc0),
        seller: 7,
        seller_key: key_commitment(f(0x5e11)),
        price: 1_250,
        quota: 100,
        expiry: 30,
    }
}

/// Seller 7's counter after four sales.
fn counter() -> Counter {
    Counter {
        seller: 7,
        count: 4,
        cum: 9_000,
        last_time: 50,
        salt: f(1),
    }
}

fn honest() -> (SettlementPublic, SettlementWitness) {
    let b = buyer(0);
    purchase(terms(), counter(), payment(&b, 2_000), b, 60, 1_000, f(2))
}

fn refused(p: &SettlementPublic, w: &SettlementWitness, why: &str) {
    match settle(p, w) {
        Err(Error::Unsatisfied(m)) => assert!(m.contains(why), "{m:?} does not say {why:?}"),
        other => panic!("expected refusal ({why}), got {other:?}"),
    }
}

#[test]
fn honest_purchase_settles() {
    let (p, w) = honest();
    let (out, r) = settle(&p, &w).unwrap();
    assert_eq!(
        (r.seq, r.cum, r.amount, r.fee, r.time),
        (4, 10_250, 1_250, 125, 60)
    );
    assert_eq!(out.receipt, r.note());
    assert_eq!(out.counter, w.next.note());
    assert_eq!(
        out.change,
        Payment {
            owner: key_commitment(w.buyer.sk),
            amount: 750,
            salt: w.buyer.change_salt
        }
        .note()
    );
    let all = out.to_field_elements();
    let distinct: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "every output is its own note");
}

#[test]
fn receipts_chain_as_totals_expects() {
    // Three purchases in a row give exactly next_receipt's chain.
    let t = terms();
    let mut counter = Counter::initial(t.seller, f(9));
    let mut prev: Option<Receipt> = None;
    for i in 0..3u64 {
        let b = buyer(i);
        let (p, w) = purchase(t, counter, payment(&b, t.price), b, 100 + i, 250, f(10 + i));
        let (out, r) = settle(&p, &w).unwrap();
        let sale = Sale {
            listing: t.listing,
            seller: t.seller,
            buyer_tag: b.buyer_tag,
            amount: t.price,
            time: 100 + i,
            salt: b.receipt_salt,
        };
        let expected = next_receipt(prev.as_ref(), &sale, 250).unwrap();
        assert_eq!(r, expected);
        assert_eq!(out.receipt, expected.note());
        counter = w.next;
        prev = Some(r);
    }
    assert_eq!((counter.count, counter.cum), (3, 3 * 1_250));
}

#[test]
fn refuses_underpayment() {
    let b = buyer(0);
    let (p, w) = purchase(
        terms(),
        Counter::initial(7, f(1)),
        payment(&b, 1_249),
        b,
        5,
        0,
        f(2),
    );
    refused(&p, &w, "underpayment");
}

#[test]
fn refuses_a_wrong_listing_commitment() {
    let (mut p, mut w) = honest();
    p.commitment = f(0xbad);
    refused(&p, &w, "wrong listing commitment");
    // Changing the opening too breaks the registry entry instead.
    w.terms.commitment = f(0xbad);
    refused(&p, &w, "terms do not match");
}

#[test]
fn refuses_a_counter_that_does_not_advance_by_one() {
    for count in [4, 6] {
        let (p, mut w) = honest();
        w.next.count = count;
        refused(&p, &w, "advance by exactly one");
    }
    let (p, mut w) = honest();
    w.next.cum += 1;
    refused(&p, &w, "cum + price");
    let (p, mut w) = honest();
    w.next.last_time = 59;
    refused(&p, &w, "time");
}

#[test]
fn refuses_an_overflowing_total() {
    let b = buyer(0);
    let counter = Counter {
        seller: 7,
        count: 1,
        cum: u64::MAX - 1_000,
        last_time: 0,
        salt: f(1),
    };
    let (p, w) = purchase(terms(), counter, payment(&b, 5_000), b, 5, 0, f(2));
    refused(&p, &w, "overflows");
}

#[test]
fn refuses_other_owners_sellers_and_notes() {
    let (p, mut w) = honest();
    w.buyer.sk = f(0xeee);
    refused(&p, &w, "not the buyer's");
    let (mut p, w) = honest();
    p.counter_in = f(3);
    refused(&p, &w, "counter note does not open");
    let (mut p, w) = honest();
    p.payment_in = f(3);
    refused(&p, &w, "payment note does not open");
    let (p, mut w) = honest();
    w.counter.seller = 8;
    let p = SettlementPublic {
        counter_in: w.counter.note(),
        ..p
    };
    refused(&p, &w, "another seller's");
    let (mut p, w) = honest();
    p.time = 49;
    refused(&p, &w, "before the last sale");
}

/// Terms and counters out of the ranges the circuit's range checks enforce, each refused for
/// its own reason: a free sale, a seller id or sequence number past its bits, a quota or expiry
/// past 2^32, a fee rate above 100%.
#[test]
fn refuses_out_of_range_terms_counters_and_rates() {
    let b = buyer(0);
    let counter = counter();
    let sale =
        |t: Terms, c: Counter, bps: u64| purchase(t, c, payment(&b, 2_000), b, 60, bps, f(2));
    let cases: [(Terms, Counter, u64, &str); 7] = [
        (
            Terms {
                price: 0,
                ..terms()
            },
            counter,
            1_000,
            "a sale of amount 0",
        ),
        (
            Terms {
                seller: 1 << 12,
                ..terms()
            },
            Counter {
                seller: 1 << 12,
                ..counter
            },
            1_000,
            "seller id 4096 is not below 2^12",
        ),
        (
            terms(),
            Counter {
                count: (1 << 20) - 1,
                ..counter
            },
            1_000,
            "",
        ),
        (
            terms(),
            Counter {
                count: 1 << 20,
                ..counter
            },
            1_000,
            "seller has 2^20 receipts already",
        ),
        (
            Terms {
                quota: 1 << 32,
                ..terms()
            },
            counter,
            1_000,
            "quota or expiry is not below 2^32",
        ),
        (
            Terms {
                expiry: 1 << 32,
                ..terms()
            },
            counter,
            1_000,
            "quota or expiry is not below 2^32",
        ),
        (terms(), counter, 10_001, "fee rate 10001 bps is above 100%"),
    ];
    for (t, c, bps, why) in cases {
        let (p, w) = sale(t, c, bps);
        if why.is_empty() {
            // The last sequence number is still a sale.
            settle(&p, &w).unwrap();
        } else {
            refused(&p, &w, why);
        }
    }
    // A rate of exactly 100% is allowed: the whole price is the fee.
    let (p, w) = sale(terms(), counter, 10_000);
    assert_eq!(settle(&p, &w).unwrap().1.fee, terms().price);
}
