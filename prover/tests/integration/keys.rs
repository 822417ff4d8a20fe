//! The key store: setup writes digest-checked keys; loading refuses edited keys and keys of
//! another shape; proofs from cached matrices verify, and fail for other public inputs.

use rand::SeedableRng;
use veil_circuits::dataset::{commit, Format, IterRecords, Schema, SellerSecret};
use veil_circuits::statements::preview::{self, PreviewCircuit, PreviewShape};
use veil_circuits::statements::PreviewMembership;
use veil_circuits::statements::{PublicInputs as _, Shape as _};
use veil_circuits::Fr;
use veil_prover::backend::groth16::Groth16Backend;
use veil_prover::keys::KeyStore;

#[test]
fn setup_load_prove_verify_and_refuse_tampering() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::new(dir.path());
    let shape = PreviewShape {
        depth: 6,
        samples: 2,
        columns: 2,
    };
    let entry = store
        .setup(
            &shape.id(),
            preview::NAME,
            serde_json::to_value(shape).unwrap(),
            PreviewCircuit::blank(shape),
            false,
            &mut rng,
        )
        .unwrap();
    assert!(entry.insecure_dev_setup);
    assert_eq!(entry.public_inputs, shape.num_public_inputs());

    // An honest witness.
    let schema = Schema {
        format: Format::Csv,
        columns: vec!["a".into(), "b".into()],
        chunk_size: 0,
    };
    let rows =
        || (0..30u64).map(|i| vec![i.to_string().into_bytes(), format!("v{i}").into_bytes()]);
    let key = SellerSecret(Fr::from(3u64)).dataset_key("d");
    let first = commit(&mut IterRecords::new(schema.clone(), rows()), &key, 6, &[]).unwrap();
    let idx = preview::sample_indices(first.commitment, Fr::from(8u64), 30, 2);
    let c = commit(&mut IterRecords::new(schema, rows()), &key, 6, &idx).unwrap();
    let (public, witness) = preview::build(&shape, &c, &key, Fr::from(8u64), 0b01).unwrap();

    let (prover, _) = store
        .load_prover(&shape.id(), PreviewCircuit::blank(shape))
        .unwrap();
    let (proof, inputs) = prover
        .prove(
            PreviewCircuit {
                shape,
                public: public.clone(),
                witness: witness.clone(),
            },
            &mut rng,
        )
        .unwrap();
    assert_eq!(inputs, public.to_field_elements());
    let (vk, _) = veil_verifier::params::load_verifying_key(dir.path(), &shape.id()).unwrap();
    let pvk = veil_verifier::groth16::prepare(&vk);
    veil_verifier::groth16::verify(&pvk, &inputs, &proof).unwrap();
    let mut wrong = inputs.clone();
    wrong[1] += Fr::from(1u64);
    assert!(matches!(
        veil_verifier::groth16::verify(&pvk, &wrong, &proof),
        Err(veil_verifier::VerifyError::Rejected(_))
    ));

    // A backend that keeps its provers prepares each key once; its proofs verify the same.
    let backend = Groth16Backend::new(KeyStore::new(dir.path())).with_precompute(64 << 20);
    let (kept, _) = backend.prover::<PreviewMembership>(&shape).unwrap();
    assert!(kept
        .prepared()
        .is_some_and(|p| p.queries() > 0 && p.bytes() <= 64 << 20));
    let (again, _) = backend.prover::<PreviewMembership>(&shape).unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&kept, &again),
        "loaded and prepared once"
    );
    let (fast, fast_inputs) = kept
        .prove(
            PreviewCircuit {
                shape,
                public: public.clone(),
                witness,
            },
            &mut rng,
        )
        .unwrap();
    assert_eq!(fast_inputs, inputs);
    veil_verifier::groth16::verify(&pvk, &inputs, &fast).unwrap();

    // A key for another shape is refused when its matrices are cached.
    let other = PreviewShape {
        depth: 6,
        samples: 1,
        columns: 2,
    };
    let pk_bytes = std::fs::read(dir.path().join(&entry.proving_key.file)).unwrap();
    let pk = <ark_groth16::ProvingKey<ark_bn254::Bn254> as ark_serialize::CanonicalDeserialize>::deserialize_uncompressed_unchecked(pk_bytes.as_slice()).unwrap();
    veil_testkit::refused(
        veil_prover::backend::groth16::Groth16Prover::new(pk, PreviewCircuit::blank(other)),
        "the proving key is for another circuit",
    );
    // So is a key whose circuit changed under it (a new encoding), naming the key and the fix.
    veil_testkit::refused(
        store.load_prover(&shape.id(), PreviewCircuit::blank(other)),
        "set up for another circuit than this build's",
    );
    veil_testkit::refused(
        store.load_prover(&shape.id(), PreviewCircuit::blank(other)),
        "run `veil setup --force`",
    );

    // A key whose manifest records another constraint count (a circuit changed without
    // changing its sizes) is refused as well.
    let manifest = dir.path().join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let recorded = format!("\"constraints\": {}", entry.constraints);
    assert!(text.contains(&recorded), "{text}");
    let moved = format!("\"constraints\": {}", entry.constraints + 1);
    std::fs::write(&manifest, text.replace(&recorded, &moved)).unwrap();
    veil_testkit::refused(
        store.load_prover(&shape.id(), PreviewCircuit::blank(shape)),
        "This build's circuit has",
    );
    // And one whose manifest records another shape than its key id names.
    let samples = format!("\"samples\": {}", shape.samples);
    assert!(text.contains(&samples), "{text}");
    std::fs::write(&manifest, text.replacen(&samples, "\"samples\": 9", 1)).unwrap();
    veil_testkit::refused(
        store.load_statement::<PreviewMembership>(&shape),
        "field `shape`",
    );
    std::fs::write(&manifest, text).unwrap();

    // An edited proving key no longer matches its digest.
    let mut edited = pk_bytes;
    edited[1000] ^= 1;
    std::fs::write(dir.path().join(&entry.proving_key.file), edited).unwrap();
    let err = store
        .load_prover(&shape.id(), PreviewCircuit::blank(shape))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("digest"), "{err}");
    // An unknown shape says how to make its keys.
    let err = store
        .load_prover(&other.id(), PreviewCircuit::blank(other))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("veil setup"), "{err}");
}
