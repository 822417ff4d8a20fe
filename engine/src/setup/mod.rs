//! Setup: making a statement's keys for a shape. Which statements there are, and how a door's
//! options become a statement's shape, is the registry's ([`crate::registry`]); the job a setup
//! runs and what it makes are in [`keys`].

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
