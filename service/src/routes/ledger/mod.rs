//! The marketplace's ledger over HTTP: settlement (the operator records sales as receipts),
//! licences (the operator issues them; buyers read their paths), the gateway's metered calls
//! (verify and spend the nullifier, atomically) and epochs, and the published roots.

mod epochs;
mod gateway;
mod licences;
mod settle;

pub use epochs::*;
pub use gateway::*;
pub use licences::*;
pub use settle::*;
