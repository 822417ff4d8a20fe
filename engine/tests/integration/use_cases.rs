//! Every use-case, driven through the engine as the HTTP service will drive it: no command
//! line. A seller commits and previews, a buyer verifies and checks a delivery, settlement and
//! an auditor go through a period report and a disclosure, a buyer calls a metered API that a
//! gateway checks, the gateway bills a tier, and proofs export to snarkjs. Long work reports
//! its stages through the progress callback.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use veil_engine::audit::{self, Expected, ReportRequest};
use veil_engine::dataset::{self, CommitRequest, ReadOptions};
use veil_engine::meter::{
    self, CallRequest, GatewayRequest, IssueRequest, TierExpected, TierRequest,
};
use veil_engine::preview::{self, PreviewRequest};
use veil_engine::setup::{self, ShapeOptions};
use veil_engine::store::{LedgerError, SqliteStore, Store};
use veil_engine::{EngineError, Progress, Silent, Unit};

/// Records every progress call.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Progress for Recorder {
    fn start(&self, stage: &str, total: u64, unit: Unit) {
        self.0
            .lock()
            .unwrap()
            .push(format!("start {stage} {total} {unit:?}"));
    }
    fn set(&self, done: u64) {
        self.0.lock().unwrap().push(format!("set {done}"));
    }
    fn finish(&self) {
        self.0.lock().unwrap().push("finish".into());
    }
}

impl Recorder {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_use_case_runs_through_the_engine() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let params = Some(dir.join("params"));
    let rec = Arc::new(Recorder::default());
    let progress: Arc<dyn Progress> = rec.clone();

    // Seller: a secret, a committed dataset, the key for a delivery.
    let data = write(
        dir,
        "sales.csv",
        "id,city,amount\n1,Oslo,10\n2,Lyon,20\n3,Perth,30\n4,Quito,40\n5,Accra,50\n",
    );
    let secret = dir.join("seller.key");
    dataset::keygen(&secret, false).unwrap();
    // A secret is never overwritten.
    veil_testkit::refused(
        dataset::keygen(&secret, false),
        "exists; refusing to overwrite a secret",
    );
    let listing_path = dir.join("listing.json");
    let req = CommitRequest {
        data: data.clone(),
        secret_file: secret.clone(),
        dataset_id: None,
        depth: 4,
        read: ReadOptions::default(),
    };
    let listing = dataset::commit(&req, &listing_path, &progress).unwrap();
    assert_eq!(
        (listing.records, listing.dataset_id.as_str()),
        (5, "sales.csv")
    );
    let events = rec.take();
    assert_eq!(
        events.first().unwrap(),
        &format!(
            "start committing {} Bytes",
            std::fs::metadata(&data).unwrap().len()
        )
    );
    assert_eq!(events.last().unwrap(), "finish");
    let key = dir.join("dataset.key");
    dataset::export_key(&secret, &listing_path, &key, false).unwrap();

    // Buyer: a delivery matches; an edited one does not.
    let ok = dataset::verify_delivery(
        &data,
        &listing_path,
        &key,
        ReadOptions::default(),
        &progress,
    )
    .unwrap();
    assert_eq!(ok.records, 5);
    let edited = write(
        dir,
        "edited.csv",
        &std::fs::read_to_string(&data)
            .unwrap()
            .replace("Lyon", "Nice"),
    );
    let e = dataset::verify_delivery(
        &edited,
        &listing_path,
        &key,
        ReadOptions::default(),
        &progress,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("mismatch: "), "{e}");

    // Operator: keys for the shapes (setup reports its stage).
    let opts = ShapeOptions {
        listing: Some(listing_path.clone()),
        samples: Some(2),
        ..ShapeOptions::default()
    };
    rec.take();
    let set = setup::setup("preview-membership", &opts, params.clone(), false, &*rec).unwrap();
    assert_eq!(set.key, "preview-membership-d4-k2-m3");
    assert_eq!(
        rec.take(),
        vec![
            "start setting up preview-membership-d4-k2-m3 0 Steps",
            "finish"
        ]
    );
    // Existing keys are replaced only with force.
    veil_testkit::refused(
        setup::setup("preview-membership", &opts, params.clone(), false, &Silent),
        "already holds keys for preview-membership-d4-k2-m3",
    );
    let e = setup::setup("no-such", &opts, params.clone(), false, &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("available: preview-membership, disclosure-totals, usage-call, usage-tier"),
        "{e}"
    );

    // An option the statement does not take is refused, not ignored.
    let stray = ShapeOptions {
        batch: Some(16),
        ..Default::default()
    };
    let e = setup::setup("usage-tier", &stray, params.clone(), false, &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("batch does not apply to usage-tier (it takes no shape options)"),
        "{e}"
    );

    // Seller proves a preview; the buyer verifies it.
    let preq = PreviewRequest {
        dataset: data.clone(),
        secret_file: secret.clone(),
        listing: listing_path.clone(),
        challenge: "0x0102".into(),
        samples: 2,
        reveal: vec!["city".into()],
        read: ReadOptions::default(),
        backend: veil_engine::BackendKind::Groth16,
        ciphertext: None,
    };
    let preview_path = dir.join("preview.json");
    let proved = preview::prove(preq.clone(), params.clone(), &preview_path, &progress).unwrap();
    assert!(proved.insecure);
    let stages: Vec<String> = rec
        .take()
        .into_iter()
        .filter(|e| e.starts_with("start"))
        .collect();
    assert_eq!(stages.len(), 2, "{stages:?}");
    assert!(stages[0].starts_with("start reading") && stages[1].starts_with("start proving"));
    let v = preview::verify(&preview_path, &listing_path, params.clone()).unwrap();
    assert_eq!(v.file.revealed_columns, vec!["city".to_string()]);
    let (inputs, program) = preview::noir_inputs(preq, &progress).unwrap();
    assert_eq!(program, "preview-membership-d4-k2-m3");
    assert_eq!(
        inputs["commitment"],
        serde_json::json!(veil_circuits::field::to_hex(&listing.commitment))
    );

    // Settlement and audit: two sales, a report, a disclosure.
    let store = SqliteStore::create(&dir.join("market.db")).unwrap();
    let (r0, _) = audit::settle(&store, 3, "maps", 1_200, 1_000).unwrap();
    let (r1, root) = audit::settle(&store, 3, "maps", 50_000, 1_060).unwrap();
    assert_eq!((r0.seq, r1.seq, r1.cum), (0, 1, 51_200));
    veil_testkit::refused(
        audit::simulate(&store, 1, 0, 0, 1, &Silent),
        "sellers must be in 1..=4096",
    );
    // Simulated sales that would go back in time for seller 3 are refused up front, naming the
    // start that works; nothing is settled.
    let e = audit::simulate(&store, 8, 4, 500, 1, &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sales up to time 1060") && e.contains("start of at least 1060"),
        "{e}"
    );
    assert_eq!(store.receipt_root().unwrap(), root);
    let topts = ShapeOptions {
        batch: Some(4),
        ..ShapeOptions::default()
    };
    setup::setup("disclosure-totals", &topts, params.clone(), false, &Silent).unwrap();
    let rreq = ReportRequest {
        seller: 3,
        from: 0,
        to: 2_000,
        batch: 4,
        edges: audit::DEFAULT_EDGES.to_vec(),
    };
    let report_path = dir.join("report.json");
    rec.take();
    audit::prove_report(&store, &rreq, params.clone(), &report_path, &*rec).unwrap();
    assert_eq!(
        rec.take(),
        vec!["start proving batches 1 Items", "set 1", "finish"]
    );
    let expected = Expected {
        root,
        seller: 3,
        from: 0,
        to: 2_000,
    };
    let (_, totals) = audit::verify(&report_path, expected, params.clone()).unwrap();
    assert_eq!(
        (totals.count, totals.amount, totals.fees),
        (2, 51_200, 5_120)
    );
    let e = audit::verify(
        &report_path,
        Expected {
            seller: 4,
            ..expected
        },
        params.clone(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("you asked for seller 4"), "{e}");
    let opening = dir.join("opening.json");
    audit::disclose(&store, 3, 1, &opening).unwrap();
    assert_eq!(
        audit::check_disclosure(&opening, root).unwrap().amount,
        50_000
    );
    veil_testkit::refused(
        audit::check_disclosure(&opening, r0.note()),
        "not the root you gave",
    );

    // Metered access: a licence, a call, the gateway, a replay, the tier.
    let buyer_key = dir.join("buyer.key");
    let k = meter::keygen(&buyer_key, false).unwrap().key_commitment();
    let api = SqliteStore::create_with_depth(&dir.join("api.db"), Some(4)).unwrap();
    let licence = dir.join("licence.json");
    let ireq = IssueRequest {
        listing_id: "weather".into(),
        quota: 2,
        expiry: 9,
        buyer: k,
    };
    meter::issue(&api, &ireq, &licence, false).unwrap();
    setup::setup(
        "usage-call",
        &ShapeOptions {
            depth: Some(4),
            ..ShapeOptions::default()
        },
        params.clone(),
        false,
        &Silent,
    )
    .unwrap();
    setup::setup(
        "usage-tier",
        &ShapeOptions::default(),
        params.clone(),
        false,
        &Silent,
    )
    .unwrap();
    let creq = CallRequest {
        licence: licence.clone(),
        key: buyer_key.clone(),
        counter_state: dir.join("counter.json"),
        epoch: 2,
        request: "GET /forecast".into(),
        backend: veil_engine::BackendKind::Groth16,
    };
    let call = dir.join("call.json");
    let proved = meter::prove_call(&api, &creq, params.clone(), &call).unwrap();
    assert_eq!((proved.slot, proved.quota), (0, 2));
    let greq = GatewayRequest {
        listing_id: "weather".into(),
        epoch: 2,
        request: "GET /forecast".into(),
        accept_roots: 16,
    };
    let ok = meter::check_call(&api, &call, &greq, params.clone()).unwrap();
    assert_eq!(ok.position, 0);
    let replay = meter::check_call(&api, &call, &greq, params.clone()).unwrap_err();
    assert!(
        matches!(replay, EngineError::Ledger(LedgerError::Replay { .. })),
        "{replay}"
    );
    let other = GatewayRequest {
        request: "GET /other".into(),
        ..greq.clone()
    };
    veil_testkit::refused(
        meter::check_call(&api, &call, &other, params.clone()),
        "the proof is for another request",
    );
    let treq = TierRequest {
        listing_id: "weather".into(),
        epoch: 2,
        lo: 1,
        hi: 2,
        backend: veil_engine::BackendKind::Groth16,
    };
    let tier = dir.join("tier.json");
    let usage_opening = dir.join("usage-opening.json");
    let e = meter::prove_tier(&api, &treq, params.clone(), &tier, &usage_opening, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("still open"), "{e}");
    let u = meter::close_epoch(&api, "weather", 2).unwrap();
    assert_eq!(u.calls, 1);
    meter::prove_tier(&api, &treq, params.clone(), &tier, &usage_opening, false).unwrap();
    let texp = TierExpected {
        listing_id: "weather".into(),
        epoch: 2,
        usage: u.usage,
    };
    let t = meter::verify_tier(&tier, &texp, params.clone()).unwrap();
    assert_eq!((t.lo, t.hi), (1, 2));
    // The same tier under halo2: the same public inputs, verified by its envelope's backend.
    setup::setup_halo2(
        "usage-tier",
        &ShapeOptions::default(),
        params.clone(),
        None,
        false,
        &Silent,
    )
    .unwrap();
    let halo2_tier = dir.join("tier-halo2.json");
    let hreq = TierRequest {
        backend: veil_engine::BackendKind::Halo2,
        ..treq.clone()
    };
    let henv = meter::prove_tier(
        &api,
        &hreq,
        params.clone(),
        &halo2_tier,
        &usage_opening,
        true,
    )
    .unwrap();
    assert_eq!(henv.backend, veil_verifier::proof::HALO2);
    assert_eq!(
        henv.public_inputs,
        meter::load_envelope(&tier).unwrap().public_inputs
    );
    assert_eq!(
        meter::verify_tier(&halo2_tier, &texp, params.clone()).unwrap(),
        t
    );
    veil_testkit::refused(
        meter::verify_tier(
            &halo2_tier,
            &TierExpected {
                usage: u.calls_root,
                ..texp.clone()
            },
            params.clone(),
        ),
        "the tier proof is over usage commitment",
    );
    let wrong = TierExpected {
        usage: u.calls_root,
        ..texp
    };
    veil_testkit::refused(
        meter::verify_tier(&tier, &wrong, params.clone()),
        "the tier proof is over usage commitment",
    );
    assert_eq!(
        api.calls(meter::listing_value("weather"), 2).unwrap().len(),
        1
    );

    // Export to snarkjs: a preview, an envelope, a report (one folder per batch).
    let out = dir.join("snarkjs");
    assert_eq!(
        veil_engine::export::snarkjs(&preview_path, &out, params.clone())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        veil_engine::export::snarkjs(&call, &out, params.clone()).unwrap()[0].1,
        "usage-call-d4"
    );
    let batches = veil_engine::export::snarkjs(&report_path, &out, params.clone()).unwrap();
    assert_eq!(batches[0].0, out.join("batch-0"));
    assert!(out.join("batch-0/public.json").is_file());
}
