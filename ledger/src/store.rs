//! The `Store` seam: everything Veil keeps durably, as one trait, so the engine runs the same
//! use-cases over SQLite (one file, no set-up) or a shared database (many nodes).
//!
//! Every method is one transaction. The ones that decide something (issuing a licence,
//! accepting a call, closing an epoch, settling sales) check and write atomically, so two
//! processes (or two nodes) calling them at once can never both win.

use crate::Result;
use veil_circuits::merkle::MerklePath;
use veil_circuits::statements::totals::{
    BatchPublic, BatchWitness, Period, Receipt, Sale, TotalsShape,
};
use veil_circuits::statements::usage::CallsTree;
use veil_circuits::Fr;

/// A metered call whose proof verified, as the gateway presents it for recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// The listing the gateway serves.
    pub listing: Fr,
    /// The epoch the call is counted in.
    pub epoch: u64,
    /// The call's nullifier.
    pub nullifier: Fr,
    /// The request hash bound to the proof.
    pub request: Fr,
    /// The licence root the proof was made against.
    pub licence_root: Fr,
}

/// A closed epoch's usage commitment and its opening (kept by the gateway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochUsage {
    /// Calls accepted.
    pub calls: u64,
    /// Root of the calls tree.
    pub calls_root: Fr,
    /// The commitment's blinding.
    pub salt: Fr,
    /// `U = H(USAGE, listing, epoch, calls_root, salt)`.
    pub usage: Fr,
}

/// Veil's durable state: the licence tree, the per-epoch nullifiers and usage commitments, and
/// the receipt ledger.
pub trait Store: Send + Sync {
    // --- licences ---------------------------------------------------------------------------

    /// Depth of the licence tree (fixed when the store is created).
    fn licence_depth(&self) -> u32;

    /// Appends a licence note; returns its index and the new root (leaf and root written in
    /// one transaction).
    fn issue_licence(&self, note: Fr) -> Result<(u64, Fr)>;

    /// The current licence root and the path of licence `index`.
    fn licence_path(&self, index: u64) -> Result<(Fr, MerklePath)>;

    /// The `n` most recent licence roots, newest first.
    fn recent_roots(&self, n: usize) -> Result<Vec<Fr>>;

    // --- metered calls ----------------------------------------------------------------------

    /// Records a verified call, atomically with every check that depends on stored state: its
    /// licence root is among the `accepted_roots` most recent ([`LedgerError::UnknownRoot`]),
    /// its epoch is still open for the listing ([`LedgerError::EpochClosed`]) and its nullifier
    /// is unused in the epoch ([`LedgerError::Replay`]). Of any number of concurrent calls with
    /// one nullifier exactly one is recorded. Returns the call's position in the epoch's calls
    /// tree (`0, 1, ...` per listing and epoch).
    ///
    /// [`LedgerError::UnknownRoot`]: crate::LedgerError::UnknownRoot
    /// [`LedgerError::EpochClosed`]: crate::LedgerError::EpochClosed
    /// [`LedgerError::Replay`]: crate::LedgerError::Replay
    fn accept_call(&self, call: &CallRecord, accepted_roots: usize) -> Result<u64>;

    /// The nullifiers accepted for `listing` in `epoch`, in the order they were accepted.
    fn calls(&self, listing: Fr, epoch: u64) -> Result<Vec<Fr>>;

    /// Closes `epoch` for `listing`: commits to its calls tree with `salt` as
    /// `U = H(USAGE, listing, epoch, calls_root, salt)`; from then on no call is accepted for
    /// that listing and epoch. Closing again returns the first commitment.
    fn close_epoch(&self, listing: Fr, epoch: u64, salt: Fr) -> Result<EpochUsage>;

    /// The usage commitment of a closed epoch (`None` while it is open).
    fn epoch_usage(&self, listing: Fr, epoch: u64) -> Result<Option<EpochUsage>>;

    /// The calls tree of `listing` in `epoch` (what the usage commitment commits to).
    fn calls_tree(&self, listing: Fr, epoch: u64) -> Result<CallsTree> {
        Ok(CallsTree::build(&self.calls(listing, epoch)?)?)
    }

    // --- receipts ---------------------------------------------------------------------------

    /// The platform fee rate in basis points (fixed when the store is created).
    fn fee_bps(&self) -> Result<u64>;

    /// Settles sales in order, in one transaction: each receipt is made from its seller's
    /// previous one (so a seller's receipt numbers are consecutive whoever settles), placed in
    /// the receipt tree, and the final root recorded. On any error nothing is written.
    fn settle(&self, sales: &[Sale]) -> Result<(Vec<Receipt>, Fr)>;

    /// The current receipt-tree root.
    fn receipt_root(&self) -> Result<Fr>;

    /// Whether `root` was ever the receipt-tree root.
    fn is_receipt_root(&self, root: Fr) -> Result<bool>;

    /// Sellers with at least one receipt.
    fn sellers(&self) -> Result<Vec<u64>>;

    /// A seller's receipts, in sequence.
    fn receipts_of(&self, seller: u64) -> Result<Vec<Receipt>>;

    /// One receipt, its path and the current root (for selective disclosure).
    fn disclose(&self, seller: u64, seq: u64) -> Result<(Receipt, MerklePath, Fr)>;

    /// The chain of batches a report for `seller` over `[t0, t1)` must prove, read from one
    /// snapshot of the ledger, with fresh random blindings. An unknown seller is an error.
    fn report_batches(
        &self,
        shape: &TotalsShape,
        seller: u64,
        t0: u64,
        t1: u64,
        edges: &[u64],
    ) -> Result<(Period, Vec<(BatchPublic, BatchWitness)>)>;
}
