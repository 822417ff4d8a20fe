//! A process that keeps its provers shares one backend per params folder; one that does not
//! gets a fresh backend (and so a fresh key load) per workflow. Its own test binary: `keep` is
//! once per process.
use std::path::PathBuf;
use std::sync::Arc;
use veil_engine::provers;

#[test]
fn kept_backends_are_shared_per_params_folder() {
    let a = PathBuf::from("params-a");
    assert_eq!(provers::kept(), None);
    assert!(
        !Arc::ptr_eq(&provers::backend(a.clone()), &provers::backend(a.clone())),
        "a one-shot process loads keys per workflow"
    );
    provers::keep(64 << 20);
    provers::keep(1);
    assert_eq!(provers::kept(), Some(64 << 20), "the first budget holds");
    let first = provers::backend(a.clone());
    assert!(Arc::ptr_eq(&first, &provers::backend(a)));
    let other = provers::backend(PathBuf::from("params-b"));
    assert!(!Arc::ptr_eq(&first, &other));
    assert_eq!(other.store().dir(), PathBuf::from("params-b"));
}
