//! Setup: making a statement's keys for a shape. Which statements there are, and how a door's
//! options become a statement's shape, is the registry's ([`crate::registry`]); the job a setup
//! runs and what it makes are in [`keys`].

pub mod ceremony;
pub mod keys;

pub use keys::*;

use crate::progress::Progress;
use crate::registry::Registry;
use crate::Result;
use std::path::{Path, PathBuf};

/// Runs the (single-party, **insecure**: development only) Groth16 setup of `statement` (a
/// name in the [standard registry](Registry::standard)) at the shape `opts` describes, into
/// `params`. Existing keys are replaced only with `force`.
pub fn setup(
    statement: &str,
    opts: &ShapeOptions,
    params: Option<PathBuf>,
    force: bool,
    progress: &dyn Progress,
) -> Result<SetUp> {
    Registry::standard().setup(statement, opts, params, force, progress)
}

/// Readies halo2 for `statement` (a name in the [standard registry](Registry::standard)) at
/// the shape `opts` describes: universal parameters large enough in `params` (converted from
/// the ceremony file `ptau` when given; else made by the **insecure** local setup when missing
/// or too small, `force` remaking them), and its keys derived from them once, to report their
/// digest.
pub fn setup_halo2(
    statement: &str,
    opts: &ShapeOptions,
    params: Option<PathBuf>,
    ptau: Option<&Path>,
    force: bool,
    progress: &dyn Progress,
) -> Result<Halo2SetUp> {
    Registry::standard().setup_halo2(statement, opts, params, ptau, force, progress)
}

/// What in the params folder `params` comes from a single-party setup, whose maker can forge
/// proofs: the Groth16 key ids its manifest marks `insecure_dev_setup`, and `halo2 parameters`
/// when they are the local ones (not converted from a ceremony's `.ptau`). A folder without a
/// manifest or halo2 parameters adds nothing; an unreadable one is an error.
pub fn insecure_keys(params: &Path) -> Result<Vec<String>> {
    let manifest = veil_verifier::params::Manifest::load(params)?;
    let mut out: Vec<String> = manifest
        .keys
        .iter()
        .filter(|(_, e)| e.insecure_dev_setup)
        .map(|(id, _)| id.clone())
        .collect();
    let info = params.join(crate::halo2_params::INFO_FILE);
    if info.exists() {
        let info = crate::files::read_parsed(
            &info,
            "halo2 parameter description",
            crate::halo2_params::ParamsInfo::from_json,
        )?;
        if info.insecure_dev_setup {
            out.push(format!("halo2 parameters (2^{})", info.k));
        }
    }
    Ok(out)
}
