//! The `expect` field of every case in `tests/vectors/` is read and compared: each case is
//! rebuilt from the file's own sources (CSV and secret, licence, receipts, terms), its public
//! inputs compared with the file's, and the statement's relation must give the file's verdict
//! (`accept`: it holds; `reject`: it is refused). A case with an `expect` this test does not
//! know fails it, so a new vector cannot be added without a check.

use serde_json::Value;
use std::path::{Path, PathBuf};
use veil_circuits::statements::preview::{self, PreviewShape};
use veil_circuits::statements::totals::{check_batch, TotalsShape};
use veil_circuits::statements::PublicInputs as _;
use veil_circuits::statements::{settlement, usage};
use veil_testkit::vectors::{self, hexes};

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// Every `.json` file under `dir`, as paths relative to the vectors folder.
fn files(dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            let rel = p.strip_prefix(vectors_dir()).unwrap();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Every object holding an `expect` field in `v`, with its JSON pointer.
fn cases<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("expect") {
                out.push((at.clone(), v));
            }
            for (k, x) in m {
                cases(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                cases(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The relation's verdict on case `ptr` of `file`, rebuilt from the file's sources; `Err`
/// holds the refusal.
fn verdict(file: &str, ptr: &str, case: &Value) -> Result<(), String> {
    let public_inputs = |xs: Vec<String>| {
        assert_eq!(
            xs,
            serde_json::from_value::<Vec<String>>(case["public_inputs"].clone()).unwrap(),
            "{file}{ptr}: public inputs"
        )
    };
    let index = |prefix: &str| {
        ptr.strip_prefix(prefix)
            .and_then(|i| i.parse::<usize>().ok())
    };
    match (file, ptr) {
        ("preview/sales-d4-k4.json", "/preview") => {
            let v = vectors::load(file);
            let mask = case["reveal_mask"].as_u64().unwrap();
            let (p, w) = vectors::preview(mask);
            public_inputs(hexes(&p.to_field_elements()));
            let shape = PreviewShape {
                depth: v["depth"].as_u64().unwrap() as u32,
                samples: case["samples"].as_u64().unwrap() as usize,
                columns: v["records"][0]["cells"].as_array().unwrap().len(),
            };
            preview::check(&shape, &p, &w).map_err(|e| e.to_string())
        }
        ("usage/weather-d16.json", _) if index("/calls/").is_some() || ptr == "/over_quota" => {
            let counter = case["counter"].as_u64().unwrap();
            let (p, w) = vectors::call(counter);
            if case.get("public_inputs").is_some() {
                public_inputs(hexes(&p.to_field_elements()));
            } else {
                assert_eq!(
                    hexes(&[p.nullifier]),
                    [case["nullifier"].as_str().unwrap()],
                    "{file}{ptr}: nullifier"
                );
            }
            let depth = vectors::load(file)["tree"]["depth"].as_u64().unwrap() as u32;
            usage::check_call(depth, &p, &w).map_err(|e| e.to_string())
        }
        ("totals/two-sellers-b4.json", "/report") => {
            let shape: TotalsShape = serde_json::from_value(case["shape"].clone()).unwrap();
            let seller = case["seller"].as_u64().unwrap();
            let chain = vectors::totals_chain(seller);
            let batches: Vec<Vec<String>> = chain
                .iter()
                .map(|(p, _)| hexes(&p.to_field_elements()))
                .collect();
            assert_eq!(
                batches,
                serde_json::from_value::<Vec<Vec<String>>>(case["batches"].clone()).unwrap()
            );
            let last = &chain.last().unwrap().0.totals;
            let t = &case["totals"];
            assert_eq!(
                (last.count, last.amount as u64, last.fees as u64),
                (
                    t["count"].as_u64().unwrap(),
                    t["amount"].as_u64().unwrap(),
                    t["fees"].as_u64().unwrap()
                )
            );
            chain
                .iter()
                .try_for_each(|(p, w)| check_batch(&shape, p, w))
                .map_err(|e| e.to_string())
        }
        ("settlement/two-sales.json", _) if index("/sales/").is_some() => {
            let (p, w, listed) = vectors::settlement_sales().swap_remove(index("/sales/").unwrap());
            let (out, _) = settlement::settle(&p, &w).map_err(|e| e.to_string())?;
            let mut got = p.to_field_elements();
            got.extend(out.to_field_elements());
            assert_eq!(got, listed, "{file}{ptr}: public inputs and outputs");
            Ok(())
        }
        _ => panic!("{file}{ptr}: a case with `expect` that no check reads; add one here"),
    }
}

#[test]
fn every_expect_field_is_the_relations_verdict() {
    let mut names = Vec::new();
    files(&vectors_dir(), &mut names);
    names.sort();
    let mut checked = 0;
    for file in &names {
        let v = vectors::load(file);
        let mut found = Vec::new();
        cases(&v, String::new(), &mut found);
        for (ptr, case) in found {
            let got = verdict(file, &ptr, case);
            match (case["expect"].as_str(), &got) {
                (Some("accept"), Ok(())) => {}
                (Some("reject"), Err(why)) => assert!(
                    case.get("reason")
                        .is_none_or(|r| why.contains(r.as_str().unwrap())),
                    "{file}{ptr}: refused for {why:?}, the file says {}",
                    case["reason"]
                ),
                (expect, _) => panic!("{file}{ptr}: the file expects {expect:?}, got {got:?}"),
            }
            checked += 1;
        }
    }
    // 1 preview, 3 calls and the over-quota call, 1 report, 2 sales.
    assert_eq!(checked, 8, "cases with `expect` in {names:?}");
}
