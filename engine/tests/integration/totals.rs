//! Audit reports over a generated ledger of 2,500 receipts (one a minute from time 1,000,000)
//! from 20 sellers: reports verify and equal plain sums over the same receipts; every way of
//! leaving out, repeating, swapping or forging is rejected.

use rand::SeedableRng;
use std::sync::OnceLock;
use veil_circuits::statements::totals::{TotalsCircuit, TotalsShape};
use veil_circuits::Fr;
use veil_engine::audit::prove_batches;
use veil_engine::store::{SqliteStore, Store};
use veil_engine::Silent;
use veil_prover::backend::groth16::{insecure_setup, Groth16Prover};
use veil_verifier::groth16::PreparedKey;
use veil_verifier::totals::{verify_report, Report, Totals};
use veil_verifier::VerifyError;

const SHAPE: TotalsShape = TotalsShape {
    batch: 16,
    edges: 3,
};
const EDGES: [u64; 3] = [1_000, 10_000, 100_000];

struct World {
    dir: tempfile::TempDir,
    prover: Groth16Prover,
    vk: PreparedKey,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let ledger = SqliteStore::create(&dir.path().join("market.db")).unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2026);
        let sales =
            veil_circuits::statements::totals::Sale::simulated(&mut rng, 2_500, 20, 1_000_000);
        ledger.settle(&sales).unwrap();
        let mut srng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let pk = insecure_setup(TotalsCircuit::blank(SHAPE), &mut srng).unwrap();
        let vk = veil_verifier::groth16::prepare(&pk.vk);
        World {
            dir,
            prover: Groth16Prover::new(pk, TotalsCircuit::blank(SHAPE)).unwrap(),
            vk,
        }
    })
}

fn ledger() -> SqliteStore {
    SqliteStore::open(&world().dir.path().join("market.db")).unwrap()
}

fn report(seller: u64, t0: u64, t1: u64) -> Report {
    let (period, batches) = ledger()
        .report_batches(&SHAPE, seller, t0, t1, &EDGES)
        .unwrap();
    prove_batches(&world().prover, &SHAPE, period, batches, &Silent).unwrap()
}

/// Plain sums over the ledger's rows.
fn plain(seller: u64, t0: u64, t1: u64) -> Totals {
    let mut t = Totals {
        band_counts: vec![0; 4],
        band_sums: vec![0; 4],
        ..Default::default()
    };
    for r in ledger()
        .receipts_of(seller)
        .unwrap()
        .iter()
        .filter(|r| t0 <= r.time && r.time < t1)
    {
        t.count += 1;
        t.amount += r.amount as u128;
        t.fees += r.fee as u128;
        let b = EDGES.iter().take_while(|&&e| r.amount >= e).count();
        t.band_counts[b] += 1;
        t.band_sums[b] += r.amount as u128;
    }
    t
}

fn verify(r: &Report) -> Result<Totals, VerifyError> {
    verify_report(r, &world().vk, Some(ledger().receipt_root().unwrap()))
}

#[test]
fn reports_verify_and_equal_plain_sums() {
    let w = world();
    let _ = w;
    for (seller, t0, t1) in [
        (3u64, 1_100_000u64, 1_130_000u64),
        (7, 1_000_000, 1_020_000),
        (19, 1_080_000, 2_000_000),
    ] {
        let r = report(seller, t0, t1);
        let got = verify(&r).unwrap();
        let want = plain(seller, t0, t1);
        assert!(want.count > 0);
        assert_eq!(
            (
                got.count,
                got.amount,
                got.fees,
                &got.band_counts,
                &got.band_sums
            ),
            (
                want.count,
                want.amount,
                want.fees,
                &want.band_counts,
                &want.band_sums
            )
        );
        assert_eq!(got.batches, r.batches.len());
    }
}

#[test]
fn an_empty_period_gives_a_valid_zero_report_and_an_unknown_seller_an_error() {
    for (t0, t1) in [(0u64, 500_000u64), (3_000_000, 4_000_000)] {
        let r = report(5, t0, t1);
        let got = verify(&r).unwrap();
        assert_eq!((got.count, got.amount, got.fees), (0, 0, 0));
    }
    let err = ledger()
        .report_batches(&SHAPE, 77, 0, 10, &EDGES)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown seller 77"), "{err}");
}

#[test]
fn tampered_reports_are_rejected() {
    let base = report(3, 1_100_000, 1_160_000);
    assert!(
        base.batches.len() >= 3,
        "need a few batches: {}",
        base.batches.len()
    );
    let fails = |r: &Report, needle: &str| {
        let e = verify(r)
            .expect_err("accepted a tampered report")
            .to_string();
        assert!(e.contains(needle), "{needle:?} not in {e:?}");
    };
    let chain = "missing, repeated or out of order";
    // A missing batch: in the middle, at the start, at the end.
    let mut r = base.clone();
    r.batches.remove(1);
    fails(&r, chain);
    let mut r = base.clone();
    r.batches.remove(0);
    fails(&r, chain);
    let mut r = base.clone();
    r.batches.pop();
    fails(&r, chain);
    // A receipt replayed in two batches: a batch repeated; two batches swapped.
    let mut r = base.clone();
    r.batches.insert(1, r.batches[0].clone());
    fails(&r, chain);
    let mut r = base.clone();
    r.batches.swap(1, 2);
    fails(&r, chain);
    // A batch of another seller swapped in.
    let other = report(4, 1_100_000, 1_160_000);
    let mut r = base.clone();
    r.batches[1] = other.batches[1].clone();
    fails(&r, "another root, seller");
    // Public inputs: 0-7 period, 8 first, 9 last, 10 c_in, 11 c_out, 12 count, 13 amount,
    // 14 fees, 15-18 band counts, 19-22 band sums.
    let last = base.batches.len() - 1;
    for input in [11usize, 12, 13, 14, 15, 18, 19, 22] {
        let mut r = base.clone();
        r.batches[last].public_inputs[input] += Fr::from(1u64);
        let why = if input == 11 {
            "ends the chain"
        } else {
            "proof rejected"
        };
        fails(&r, why);
    }
    // (Every structural check runs before the chain's one batched pairing check, so a middle
    // batch's edited c_out is found by the next batch's c_in; the proof's binding of a link is
    // `consistent_edits_of_the_period_and_links_are_refused_by_the_proof`.)
    for (input, why) in [
        (10usize, chain),
        (11, chain),
        (12, "reveals totals"),
        (22, "reveals totals"),
    ] {
        let mut r = base.clone();
        r.batches[1].public_inputs[input] += Fr::from(1u64);
        fails(&r, why);
    }
    // Another root (an old one, or a made-up one).
    let mut r = base.clone();
    r.period.root += Fr::from(1u64);
    fails(&r, "is against root");
    // A flipped proof byte.
    let mut r = base.clone();
    let mut p = r.batches[0].proof.clone().into_bytes();
    p[20] = if p[20] == b'0' { b'1' } else { b'0' };
    r.batches[0].proof = String::from_utf8(p).unwrap();
    // (The flip lands in a random proof: its point may no longer decode.)
    match verify(&r) {
        Err(VerifyError::Rejected(m)) => assert!(m.starts_with("batch 0: "), "{m}"),
        Err(VerifyError::Malformed(m)) => {
            assert!(m.contains("do not decode to curve points"), "{m}")
        }
        other => panic!("a flipped proof byte: {other:?}"),
    }
    // Another batch's (valid) proof in batch 0's place.
    let mut r = base.clone();
    r.batches[0].proof = r.batches[1].proof.clone();
    fails(&r, "proof rejected: batch 0: ");
}

/// Each public input of a batch edited *consistently* (in the report's period and in every
/// batch, or in a link and the next batch's copy of it, with the auditor trusting the edited
/// root): every check outside the proofs passes and the first batch's proof refuses it. The
/// totals (12-22) are taken from the last proof as they are (`tampered_reports_are_rejected`);
/// `first`, `last`, the first `c_in` and the last `c_out` are fixed by the verifier from the
/// batch's position, so no edit of them is consistent.
#[test]
fn consistent_edits_of_the_period_and_links_are_refused_by_the_proof() {
    let base = report(3, 1_100_000, 1_160_000);
    assert!(base.batches.len() >= 2);
    let root = ledger().receipt_root().unwrap();
    let rejected =
        |r: &Report, trusted: Fr, what: &str| match verify_report(r, &world().vk, Some(trusted)) {
            Err(VerifyError::Rejected(m)) => assert!(m.starts_with("batch 0: "), "{what}: {m}"),
            other => panic!("{what}: expected the first batch's proof to refuse it, got {other:?}"),
        };
    let period_edit = |input: usize, value: Fr, edit: &dyn Fn(&mut Report)| {
        let mut r = base.clone();
        edit(&mut r);
        for b in &mut r.batches {
            b.public_inputs[input] = value;
        }
        rejected(&r, r.period.root, &format!("public input {input}"));
    };
    let other_root = root + Fr::from(1u64);
    period_edit(0, other_root, &|r| r.period.root = other_root);
    period_edit(1, Fr::from(4u64), &|r| r.period.seller = 4);
    period_edit(2, Fr::from(1_100_001u64), &|r| r.period.t0 = 1_100_001);
    period_edit(3, Fr::from(1_160_001u64), &|r| r.period.t1 = 1_160_001);
    period_edit(4, Fr::from(1_001u64), &|r| r.period.bps = 1_001);
    for (k, edge) in [999u64, 10_001, 100_001].into_iter().enumerate() {
        period_edit(5 + k, Fr::from(edge), &|r| r.period.edges[k] = edge);
    }
    // The link between batch 0 and batch 1: batch 0's c_out and batch 1's c_in together.
    let mut r = base.clone();
    let link = Fr::from(0x1234u64);
    r.batches[0].public_inputs[11] = link;
    r.batches[1].public_inputs[10] = link;
    rejected(&r, root, "the link c_out(0) = c_in(1)");
}

/// What an auditor learns: the period, the number of batches and the period's totals. Every
/// other public value is a blinded link, fresh in every report.
#[test]
fn a_report_reveals_only_the_period_totals() {
    let (a, b) = (
        report(3, 1_100_000, 1_160_000),
        report(3, 1_100_000, 1_160_000),
    );
    let v = serde_json::to_value(&a).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["batch", "batches", "kind", "period", "veil"]);
    let n = a.batches.len();
    let shape = a.shape();
    for (k, (x, y)) in a.batches.iter().zip(&b.batches).enumerate() {
        let p = veil_verifier::totals::batch_public(x, &shape).unwrap();
        assert_eq!((p.first, p.last), (k == 0, k + 1 == n));
        if k + 1 < n {
            assert_eq!(
                p.totals,
                veil_circuits::statements::totals::PeriodTotals::zero(3)
            );
            assert_ne!(
                x.public_inputs[11], y.public_inputs[11],
                "links are re-blinded per report"
            );
        }
        assert_eq!(x.public_inputs.len(), 23);
    }
    let t = verify(&a).unwrap();
    assert_eq!(t.count, plain(3, 1_100_000, 1_160_000).count);
    // A version-1 report (per-batch sums in the open) is refused with a message, not verified.
    let mut v1 = a.clone();
    v1.veil = 1;
    let e = Report::from_json(&v1.to_json()).unwrap_err().to_string();
    assert!(e.contains("version-1 report"), "{e}");
    assert_eq!(verify(&b).unwrap(), t);
}

#[test]
fn eight_concurrent_settlers_all_succeed_with_consecutive_receipts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    SqliteStore::create(&path).unwrap();
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u64)
            .map(|i| {
                let (barrier, path) = (&barrier, &path);
                s.spawn(move || {
                    // Its own connection, as separate `veil audit settle` processes have.
                    let l = SqliteStore::open(path).unwrap();
                    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(i);
                    barrier.wait();
                    for _ in 0..5 {
                        let mut sale = veil_circuits::statements::totals::Sale::simulated(
                            &mut rng, 1, 1, 1_000,
                        )
                        .remove(0);
                        sale.seller = i % 2; // two sellers, four settlers each
                        sale.time = 1_000;
                        l.settle(&[sale])
                            .unwrap_or_else(|e| panic!("settler {i}: {e}"));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    let l = SqliteStore::open(&path).unwrap();
    let mut rebuilt = veil_circuits::merkle::sparse::MemoryNodes::default();
    let tree = veil_circuits::merkle::sparse::SparseTree::new(
        veil_circuits::statements::totals::RECEIPT_DEPTH,
    );
    let mut root = Fr::from(0u64);
    for seller in 0..2 {
        let rs = l.receipts_of(seller).unwrap();
        assert_eq!(
            rs.iter().map(|r| r.seq).collect::<Vec<_>>(),
            (0..20).collect::<Vec<_>>(),
            "seller {seller}: consecutive receipt numbers"
        );
        assert!(rs.windows(2).all(|w| w[1].cum == w[0].cum + w[1].amount));
        for r in &rs {
            root = tree.set_leaf(&mut rebuilt, r.index(), r.note()).unwrap();
        }
    }
    assert_eq!(l.receipt_root().unwrap(), root, "one consistent tree");
}
