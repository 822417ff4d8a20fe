//! Every file Veil reads or writes, in one index: its type, its `kind`, the versions this build
//! reads, and one parser per kind behind one header rule ([`veil_circuits::format`]: kind
//! first, then version, then every field strictly). Version-1 samples of each are checked in
//! under `tests/formats/` and must keep loading; `fuzz/` has a target per parser.
//!
//! | kind | type | versions | who writes it |
//! |---|---|---|---|
//! | `seller-secret`, `dataset-key` | [`KeyFile`] | 1 | `veil dataset keygen`, `export-key` |
//! | `listing` | [`Listing`] | 1, 2, 3 | `veil dataset commit` (2), `encrypt` (3: names the ciphertext) |
//! | `ciphertext` | [`CiphertextHeader`] | 1 | `veil dataset encrypt` (the first line of a `.veilct`) |
//! | `preview` | [`PreviewFile`] | 1 | `veil preview prove` |
//! | `dispute` | [`DisputeFile`] | 1 | `veil dispute prove` |
//! | `key-note` | [`KeyNoteFile`] | 1 | `veil delivery key-note` |
//! | (none) proof envelope | [`ProofEnvelope`] | 1, 2 | every prover |
//! | `totals-report` | [`Report`] | 2 | `veil audit prove` |
//! | `receipt-opening` | [`ReceiptOpening`] | 1 | `veil audit disclose` |
//! | `usage-opening` | [`UsageOpening`] | 2 | `veil meter tier prove` |
//! | `buyer-key` | [`BuyerKeyFile`] | 1 | `veil meter keygen` |
//! | `licence` | [`LicenceFile`] | 1 | `veil meter issue` |
//! | `counter-state` | [`CounterState`] | 1 | `veil meter call` |
//! | (none) key manifest | [`Manifest`] | 1 | `veil setup` |
//! | `ultrahonk-proof` | [`UltraHonkProofV1`] | 1 | `veil noir prove` (read: converted to an envelope) |

mod dispute;
mod key_note;
pub mod preview;
pub mod totals;
mod ultrahonk;
mod wallet;

pub use crate::params::{FileRef, KeyEntry, Manifest, MANIFEST_VERSION};
pub use crate::proof::{
    ProofEnvelope, UltraHonkData, GROTH16, OLDEST_PROOF_VERSION, PROOF_VERSION, ULTRAHONK,
};
pub use crate::usage::{UsageOpening, USAGE_OPENING_VERSION};
pub use dispute::{DisputeFile, DISPUTE_VERSION};
pub use key_note::{KeyNoteFile, KEY_NOTE_VERSION, SEALED_BYTES};
pub use preview::{
    Cell, PreviewCiphertext, PreviewFile, Sample, SampleCiphertext, PREVIEW_VERSION,
};
pub use totals::{ReceiptOpening, Report, OPENING_VERSION, REPORT_VERSION};
pub use ultrahonk::{field_from_be, statement_of, UltraHonkProofV1};
pub use veil_circuits::dataset::encrypted::{CiphertextHeader, CIPHERTEXT_VERSION};
pub use veil_circuits::dataset::keys::{KeyFile, KEY_FILE_VERSION};
pub use veil_circuits::dataset::{Listing, ENCRYPTED_LISTING_VERSION, LISTING_VERSION};
pub use veil_circuits::format::{describe, header, Header, KINDS};
pub use wallet::{BuyerKeyFile, CounterState, LicenceFile, WALLET_VERSION};

use crate::Result;

/// A file type Veil reads: its parser, behind the one header rule.
pub trait VeilFile: Sized {
    /// Its `kind` (`None`: files from before kinds, which carry none).
    const KIND: Option<&'static str>;
    /// Parses a file of this type, strictly, with the checks its type makes on load.
    fn parse(text: &str) -> Result<Self>;
}

macro_rules! veil_file {
    ($t:ty, $kind:expr, $parse:expr) => {
        impl VeilFile for $t {
            const KIND: Option<&'static str> = $kind;
            fn parse(text: &str) -> Result<Self> {
                #[allow(clippy::needless_question_mark)]
                Ok($parse(text)?)
            }
        }
    };
}

veil_file!(KeyFile, Some("seller-secret"), KeyFile::from_json);
veil_file!(Listing, Some("listing"), Listing::from_json);
veil_file!(PreviewFile, Some("preview"), PreviewFile::from_json);
veil_file!(ProofEnvelope, None, ProofEnvelope::from_json);
veil_file!(Report, Some("totals-report"), Report::from_json);
veil_file!(
    ReceiptOpening,
    Some("receipt-opening"),
    ReceiptOpening::from_json
);
veil_file!(UsageOpening, Some("usage-opening"), UsageOpening::from_json);
veil_file!(BuyerKeyFile, Some("buyer-key"), BuyerKeyFile::from_json);
veil_file!(LicenceFile, Some("licence"), LicenceFile::from_json);
veil_file!(CounterState, Some("counter-state"), CounterState::from_json);
veil_file!(Manifest, None, Manifest::from_json);
veil_file!(
    CiphertextHeader,
    Some("ciphertext"),
    CiphertextHeader::from_json
);
veil_file!(DisputeFile, Some("dispute"), DisputeFile::from_json);
veil_file!(KeyNoteFile, Some("key-note"), KeyNoteFile::from_json);
veil_file!(
    UltraHonkProofV1,
    Some("ultrahonk-proof"),
    UltraHonkProofV1::from_json
);

/// One fuzzing step for file type `T` (the `fuzz/` targets call this): parsing arbitrary bytes
/// returns, never panics; and a file that parses, written back as JSON, parses to the same
/// value.
pub fn fuzz_parse<T>(data: &[u8])
where
    T: VeilFile + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(file) = T::parse(text) {
        let again = serde_json::to_string(&file).expect("parsed files serialise");
        let reparsed = T::parse(&again).expect("a parsed file, written back, parses");
        assert_eq!(
            reparsed, file,
            "a parsed file, written back, is the same file"
        );
    }
}
