//! The chips against the native code: Poseidon2 (itself tested against Barretenberg's),
//! the sponge, the compression, range checks, bits, zero tests and Merkle paths.

use ark_ff::{Field, UniformRand};
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::dev::MockProver;
use halo2_proofs::plonk::{Circuit, ConstraintSystem, Error};
use rand::SeedableRng;
use veil_circuits::merkle::TreeBuilder;
use veil_circuits::{poseidon2, Fr};
use veil_halo2::chips::poseidon2::{self as p2chip, Bend, Lane};
use veil_halo2::chips::{Chips, Ctx, Var};
use veil_halo2::field::to_halo2;
use veil_halo2::halo2_proofs;
use veil_halo2::{Fp, Version};

/// What a harness computes on its witnessed inputs.
#[derive(Clone, Copy, Debug)]
enum Gadget {
    /// The permutation of the four inputs: four outputs.
    Permute,
    /// The permutation of the four inputs with one cell bent by a lying prover: no outputs, so
    /// that only the chip's own constraints can refuse it.
    PermuteBent(Bend),
    /// The sponge hash of all inputs: one output.
    Hash,
    /// The compression of the four inputs: one output.
    Compress,
    /// `inputs[0] < 2^bits`: no output.
    Range(usize),
    /// The `n` bits of `inputs[0]`: `n` outputs.
    Bits(usize),
    /// `inputs[0] == 0`: one output.
    IsZero,
    /// The root from leaf `inputs[0]`, then `d` siblings, then `d` direction bits.
    BinaryPath(usize),
}

/// Witnesses `inputs`, applies the gadget and exposes its outputs as the public inputs.
#[derive(Clone, Debug)]
struct Harness {
    gadget: Gadget,
    inputs: Vec<Fp>,
    version: Version,
}

impl Circuit<Fp> for Harness {
    type Config = Chips;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = Version;
    fn without_witnesses(&self) -> Self {
        self.clone()
    }
    fn params(&self) -> Version {
        self.version
    }
    fn configure_with_params(meta: &mut ConstraintSystem<Fp>, version: Version) -> Chips {
        Chips::configure(meta, version)
    }
    fn configure(meta: &mut ConstraintSystem<Fp>) -> Chips {
        Chips::configure(meta, Version::CURRENT)
    }
    fn synthesize(&self, chips: Chips, mut layouter: impl Layouter<Fp>) -> Result<(), Error> {
        chips.load(&mut layouter)?;
        let outputs = layouter.assign_region(
            || "harness",
            |region| {
                let mut ctx = Ctx::new(region);
                self.lay_out(&chips, &mut ctx)
            },
        )?;
        for (row, out) in outputs.iter().enumerate() {
            layouter.constrain_instance(out.cell, chips.instance, row);
        }
        Ok(())
    }
}

impl Harness {
    fn lay_out(&self, chips: &Chips, l: &mut Ctx<'_>) -> Result<Vec<Var>, Error> {
        let m = &chips.main;
        let xs = self
            .inputs
            .iter()
            .map(|x| m.witness(l, Value::known(*x)))
            .collect::<Result<Vec<Var>, _>>()?;
        let outputs: Vec<Var> = match self.gadget {
            Gadget::Permute => {
                let lanes = [0, 1, 2, 3].map(|i| Lane::Var(xs[i]));
                chips.poseidon.permute(l, lanes)?.to_vec()
            }
            Gadget::PermuteBent(bend) => {
                let lanes = [0, 1, 2, 3].map(|i| Lane::Var(xs[i]));
                chips.poseidon.permute_bent(l, lanes, Some(bend))?;
                vec![]
            }
            Gadget::Hash => vec![chips.poseidon.hash(l, m, &xs)?],
            Gadget::Compress => {
                vec![chips
                    .poseidon
                    .compress(l, m, [xs[0], xs[1], xs[2], xs[3]])?]
            }
            Gadget::Range(bits) => {
                chips.range(l, &xs[0], bits)?;
                vec![]
            }
            Gadget::Bits(n) => m.bits(l, &xs[0], n)?,
            Gadget::IsZero => vec![m.is_zero(l, &xs[0])?],
            Gadget::BinaryPath(d) => {
                let (sibs, bits) = xs[1..].split_at(d);
                for b in bits {
                    m.assert_bool(l, b)?;
                }
                vec![chips.root_from_path(l, &xs[0], sibs, bits)?]
            }
        };
        Ok(outputs)
    }
}

/// Whether the harness is satisfied with `outputs` as its public inputs, in both layouts
/// (which must agree).
fn holds(gadget: Gadget, inputs: &[Fr], outputs: &[Fr]) -> bool {
    let [current, first] = [Version::V2, Version::V1].map(|v| holds_at(v, gadget, inputs, outputs));
    assert_eq!(current, first, "{gadget:?}: the two layouts disagree");
    current
}

/// Whether the harness is satisfied in layout `version`.
fn holds_at(version: Version, gadget: Gadget, inputs: &[Fr], outputs: &[Fr]) -> bool {
    let circuit = Harness {
        gadget,
        inputs: inputs.iter().map(to_halo2).collect(),
        version,
    };
    let instance = outputs.iter().map(to_halo2).collect();
    // A bent permutation alone fits the byte table's 2^9 rows; the other gadgets take more.
    let k = if matches!(gadget, Gadget::PermuteBent(_)) {
        9
    } else {
        12
    };
    let result = MockProver::run(k, &circuit, vec![instance])
        .expect("synthesis")
        .verify();
    if let Err(failures) = &result {
        if std::env::var_os("VEIL_HALO2_DEBUG").is_some() {
            eprintln!("{gadget:?}: {failures:#?}");
        }
    }
    result.is_ok()
}

fn rng(seed: u64) -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::seed_from_u64(seed)
}

#[test]
fn permutation_is_the_native_one() {
    let mut rng = rng(1);
    for _ in 0..3 {
        let x = [0; 4].map(|_| Fr::rand(&mut rng));
        let mut y = x;
        poseidon2::permute(&mut y);
        assert!(holds(Gadget::Permute, &x, &y));
        for lane in 0..4 {
            let mut wrong = y;
            wrong[lane] += Fr::from(1u64);
            assert!(!holds(Gadget::Permute, &x, &wrong), "lane {lane}");
        }
    }
    // The zero state too (a constant the gates must not special-case).
    let mut z = [Fr::from(0u64); 4];
    poseidon2::permute(&mut z);
    assert!(holds(Gadget::Permute, &[Fr::from(0u64); 4], &z));
}

#[test]
fn every_constrained_cell_of_a_permutation_is_bound_in_both_layouts() {
    let mut rng = rng(5);
    let x = [0; 4].map(|_| Fr::rand(&mut rng));
    for version in [Version::V1, Version::V2] {
        let rows = p2chip::rows(version) - 1;
        let unbent = Bend {
            row: 0,
            cell: 0,
            delta: Fp::from(0),
        };
        assert!(holds_at(version, Gadget::PermuteBent(unbent), &x, &[]));
        for row in 0..rows {
            // Which auxiliary cells a row's gate reads: all four in a full round; the square
            // in a partial round (layout 1); `q_a, x_b, q_b` in a pair (layout 2).
            let partial = (4..rows - 4).contains(&row);
            let bound_aux = match (partial, version) {
                (false, _) => 4,
                (true, Version::V1) => 1,
                (true, Version::V2) => 3,
            };
            for cell in 0..8 {
                let bend = Bend {
                    row,
                    cell,
                    delta: Fp::from(1),
                };
                let bound = cell >= 4 || cell < bound_aux;
                assert_eq!(
                    holds_at(version, Gadget::PermuteBent(bend), &x, &[]),
                    !bound,
                    "{version:?}, row {row}, cell {cell}"
                );
            }
        }
    }
}

#[test]
fn a_permutation_takes_37_rows_in_layout_2_and_65_in_layout_1() {
    assert_eq!(p2chip::rows(Version::V1), 65);
    assert_eq!(p2chip::rows(Version::V2), 37);
}

#[test]
fn sponge_is_the_native_one_at_every_block_boundary() {
    let mut rng = rng(2);
    for len in 0..8 {
        let xs: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
        let h = poseidon2::hash(&xs);
        assert!(holds(Gadget::Hash, &xs, &[h]), "len {len}");
        assert!(
            !holds(Gadget::Hash, &xs, &[h + Fr::from(1u64)]),
            "len {len}"
        );
    }
    // Barretenberg's vector: hash(1, 2).
    let h = poseidon2::hash(&[Fr::from(1u64), Fr::from(2u64)]);
    assert_eq!(
        veil_circuits::field::to_hex(&h),
        "0x038682aa1cb5ae4e0a3f13da432a95c77c5c111f6f030faf9cad641ce1ed7383"
    );
    assert!(holds(Gadget::Hash, &[Fr::from(1u64), Fr::from(2u64)], &[h]));
}

#[test]
fn compression_is_the_native_one() {
    let mut rng = rng(3);
    let x = [0; 4].map(|_| Fr::rand(&mut rng));
    let c = poseidon2::compress(x);
    assert!(holds(Gadget::Compress, &x, &[c]));
    assert!(
        !holds(Gadget::Compress, &x, &[c - x[0]]),
        "the feed-forward is there"
    );
}

#[test]
fn range_checks_hold_exactly_below_the_bound() {
    for bits in [1, 5, 8, 20, 32, 64, 190, 248] {
        let bound = Fr::from(2u64).pow([bits as u64]);
        let top = bound - Fr::from(1u64);
        assert!(holds(Gadget::Range(bits), &[top], &[]), "2^{bits} - 1");
        assert!(holds(Gadget::Range(bits), &[Fr::from(0u64)], &[]));
        assert!(!holds(Gadget::Range(bits), &[bound], &[]), "2^{bits}");
        assert!(
            !holds(Gadget::Range(bits), &[bound + top], &[]),
            "2^(bits+1) - 1"
        );
    }
    // A negative number (a wrapped difference) is far out of range.
    assert!(!holds(Gadget::Range(32), &[-Fr::from(1u64)], &[]));
    assert!(!holds(Gadget::Range(32), &[-Fr::from(1u64 << 32)], &[]));
}

#[test]
fn bits_recompose_and_are_boolean() {
    let x = 0b1011_0110u64;
    let bits: Vec<Fr> = (0..8).map(|i| Fr::from((x >> i) & 1)).collect();
    assert!(holds(Gadget::Bits(8), &[Fr::from(x)], &bits));
    assert!(
        !holds(Gadget::Bits(8), &[Fr::from(x + 256)], &bits),
        "x >= 2^n has no n bits"
    );
    assert!(holds(Gadget::Bits(0), &[Fr::from(0u64)], &[]));
    assert!(!holds(Gadget::Bits(0), &[Fr::from(1u64)], &[]));
}

#[test]
fn is_zero_says_whether() {
    assert!(holds(Gadget::IsZero, &[Fr::from(0u64)], &[Fr::from(1u64)]));
    assert!(!holds(Gadget::IsZero, &[Fr::from(0u64)], &[Fr::from(0u64)]));
    assert!(holds(Gadget::IsZero, &[Fr::from(5u64)], &[Fr::from(0u64)]));
    assert!(!holds(Gadget::IsZero, &[Fr::from(5u64)], &[Fr::from(1u64)]));
}

#[test]
fn binary_paths_reach_the_native_root_and_refuse_non_bits() {
    let mut rng = rng(4);
    let leaves: Vec<Fr> = (0..6).map(|_| Fr::rand(&mut rng)).collect();
    let d = 3;
    for index in [0u64, 5] {
        let mut b = TreeBuilder::new(d, &[index]).expect("tree");
        b.push(&leaves).expect("leaves");
        let t = b.finish().expect("tree");
        let path = &t.paths[0];
        let bits: Vec<Fr> = (0..d).map(|h| Fr::from((index >> h) & 1)).collect();
        let mut inputs = vec![leaves[index as usize]];
        inputs.extend(&path.siblings);
        inputs.extend(&bits);
        assert!(
            holds(Gadget::BinaryPath(d as usize), &inputs, &[t.root]),
            "index {index}"
        );
        // Another index's bits give another root.
        let flipped = inputs.len() - d as usize;
        inputs[flipped] = Fr::from(1u64) - inputs[flipped];
        assert!(!holds(Gadget::BinaryPath(d as usize), &inputs, &[t.root]));
        // A direction "bit" of 2 is refused.
        inputs[flipped] = Fr::from(2u64);
        assert!(!holds(Gadget::BinaryPath(d as usize), &inputs, &[t.root]));
    }
}
