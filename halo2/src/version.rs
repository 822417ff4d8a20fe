//! Which layout a Veil halo2 circuit is laid out in. A verifying key is derived from the
//! circuit, so a change of layout is a new key: the old layout stays here, so that a proof
//! made under it still verifies with the key it names (`kzg::read_vk` reads keys of either).

/// A circuit layout; every statement's circuit takes one as its halo2 `Circuit::Params`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Version {
    /// Poseidon2 at one round per row: 65 rows a permutation (the first halo2 circuits).
    V1,
    /// Poseidon2's partial rounds two to a row: 37 rows a permutation, about half the rows
    /// of every statement. What keys are derived at.
    #[default]
    V2,
}

impl Version {
    /// Every layout, newest first: the order a reader tries them in.
    pub const ALL: [Version; 2] = [Version::V2, Version::V1];
    /// The layout keys are derived at and proofs made in.
    pub const CURRENT: Version = Version::V2;

    /// Its number, for messages and records.
    pub fn number(self) -> u32 {
        match self {
            Version::V1 => 1,
            Version::V2 => 2,
        }
    }
}
