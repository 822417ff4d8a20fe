mod vectors;
use veil_noir::{execute, toolchain, twins};
#[test]
fn tmp() {
    let a = toolchain::load("usage_tier").unwrap();
    let (p, w) = vectors::tier(1000, 2000);
    let x = execute(&a, &twins::tier(&p, &w)).unwrap();
    std::fs::write("/tmp/tier.gz", x.witness_bytes().unwrap()).unwrap();
    let a = toolchain::load("preview_membership").unwrap();
    let (p, w) = vectors::preview(6);
    let x = execute(&a, &twins::preview(&p, &w)).unwrap();
    std::fs::write("/tmp/preview.gz", x.witness_bytes().unwrap()).unwrap();
}
