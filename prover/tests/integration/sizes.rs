//! One snapshot of circuit sizes, statement x shape x backend (`tests/snapshots/sizes.json`):
//! Groth16 constraints of each statement at the shapes Veil sets up, the `2^k` rows of its
//! halo2 circuit (in the current layout, and in layout 1 beside), and UltraHonk gates of each
//! Noir program. A change in a circuit changes a number here, in review, on purpose.
//! `VEIL_BLESS=1 cargo test -p veil-prover --test integration sizes` rewrites the file.

use serde_json::{json, Map, Value};
use std::path::PathBuf;
use veil_circuits::statements::preview::PreviewShape;
use veil_circuits::statements::totals::TotalsShape;
use veil_circuits::statements::{
    CallShape, CiphertextOpening, DeliveryDispute, DisclosureTotals, DisputeShape, OpeningShape,
    PreviewMembership, R1csStatement, TierShape, UsageCall, UsageTier,
};
use veil_halo2::statements::Halo2Statement;
use veil_halo2::Version;
use veil_noir::toolchain::{self, artifact_path, PROGRAMS};
use veil_prover::backend::groth16::constraint_matrices;
use veil_prover::backend::ultrahonk::UltraHonk;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/snapshots/sizes.json")
}

fn r1cs<S: R1csStatement>(shape: &S::Shape) -> (String, Value) {
    let m = constraint_matrices(S::blank(shape)).unwrap();
    (
        S::key_id(shape),
        json!({ "constraints": m.num_constraints, "public_inputs": m.num_instance - 1 }),
    )
}

fn halo2<S: Halo2Statement>(shape: &S::Shape) -> (String, Value) {
    let k = |v| S::k_at(shape, v).unwrap();
    (
        S::key_id(shape),
        json!({ "k": k(Version::CURRENT), "k_layout_1": k(Version::V1) }),
    )
}

/// The halo2 circuits at the shapes `veil bench --full` proves.
fn halo2_sizes() -> Map<String, Value> {
    let preview = |samples| PreviewShape {
        depth: 20,
        samples,
        columns: 3,
    };
    let mut m = Map::new();
    for (k, v) in [
        halo2::<PreviewMembership>(&preview(1)),
        halo2::<PreviewMembership>(&preview(8)),
        halo2::<UsageCall>(&CallShape { depth: 16 }),
        halo2::<UsageTier>(&TierShape::default()),
        halo2::<DisclosureTotals>(&TotalsShape {
            batch: 16,
            edges: 3,
        }),
        halo2::<DisclosureTotals>(&TotalsShape {
            batch: 64,
            edges: 3,
        }),
        halo2::<DisclosureTotals>(&TotalsShape {
            batch: 256,
            edges: 3,
        }),
        halo2::<DeliveryDispute>(&DisputeShape { elements: 8 }),
        halo2::<CiphertextOpening>(&OpeningShape {
            samples: 8,
            elements: 8,
        }),
    ] {
        m.insert(k, v);
    }
    m
}

fn groth16() -> Map<String, Value> {
    let preview = |depth, samples, columns| PreviewShape {
        depth,
        samples,
        columns,
    };
    let mut m = Map::new();
    for shape in [
        preview(20, 1, 3),
        preview(20, 8, 3),
        preview(20, 4, 6),
        preview(20, 8, 6),
    ] {
        let (k, v) = r1cs::<PreviewMembership>(&shape);
        m.insert(k, v);
    }
    for batch in [4, 8, 16] {
        let (k, v) = r1cs::<DisclosureTotals>(&TotalsShape { batch, edges: 3 });
        m.insert(k, v);
    }
    for depth in [16, 20] {
        let (k, v) = r1cs::<UsageCall>(&CallShape { depth });
        m.insert(k, v);
    }
    let (k, v) = r1cs::<UsageTier>(&TierShape::default());
    m.insert(k, v);
    let (k, v) = r1cs::<DeliveryDispute>(&DisputeShape { elements: 8 });
    m.insert(k, v);
    for (samples, elements) in [(2, 6), (8, 8), (8, 12)] {
        let (k, v) = r1cs::<CiphertextOpening>(&OpeningShape { samples, elements });
        m.insert(k, v);
    }
    m
}

fn ultrahonk() -> Option<Map<String, Value>> {
    let ready = toolchain::ensure_built()
        .map_err(|e| e.to_string())
        .and_then(|_| UltraHonk::from_env().map_err(|e| e.to_string()));
    let bb = match ready {
        Ok(bb) => bb,
        Err(e) if std::env::var_os("VEIL_REQUIRE_NOIR").is_none() => {
            toolchain::skip(&format!(
                "{e} (set VEIL_REQUIRE_NOIR=1 to make this an error)"
            ));
            return None;
        }
        Err(e) => panic!("VEIL_REQUIRE_NOIR is set: {e}"),
    };
    let mut m = Map::new();
    for p in PROGRAMS.iter().filter(|p| **p != "encodings") {
        let g = bb.gates(&artifact_path(p)).unwrap();
        m.insert(
            p.to_string(),
            json!({ "acir_opcodes": g.acir_opcodes, "circuit_size": g.circuit_size }),
        );
    }
    Some(m)
}

#[test]
fn circuit_sizes_match_the_snapshot() {
    let path = snapshot_path();
    let mut got = Map::new();
    got.insert("groth16".into(), Value::Object(groth16()));
    got.insert("halo2".into(), Value::Object(halo2_sizes()));
    let honk = ultrahonk();
    if let Some(h) = &honk {
        got.insert("ultrahonk".into(), Value::Object(h.clone()));
    }
    if std::env::var_os("VEIL_BLESS").is_some() {
        assert!(honk.is_some(), "blessing needs the Noir toolchain");
        let text = serde_json::to_string_pretty(&Value::Object(got)).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want: Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for (backend, sizes) in &got {
        assert_eq!(
            Some(sizes),
            want.get(backend),
            "{backend} sizes differ from {} (VEIL_BLESS=1 rewrites it, for a change made on purpose)",
            path.display()
        );
    }
}
