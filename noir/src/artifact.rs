//! Compiled Noir programs: the JSON `noir_wasm` (and `nargo`) writes, with the ABI that says
//! how inputs flatten into witnesses and the gzipped ACIR bytecode.

use crate::{Error, FieldElement, Result};
use acir::circuit::Program;
use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A parameter's or return value's type, as in the artifact's ABI.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AbiType {
    /// A field element.
    Field,
    /// `u8..u128` or `i8..i64`.
    Integer {
        /// `"unsigned"` or `"signed"`.
        sign: String,
        /// Bits.
        width: u32,
    },
    /// `bool`.
    Boolean,
    /// `[T; N]`.
    Array {
        /// `N`.
        length: usize,
        /// `T`.
        #[serde(rename = "type")]
        item: Box<AbiType>,
    },
    /// A struct, fields in declaration order.
    Struct {
        /// Its Noir path.
        path: String,
        /// Named fields.
        fields: Vec<AbiField>,
    },
    /// A tuple.
    Tuple {
        /// Its members.
        fields: Vec<AbiType>,
    },
    /// `str<N>`.
    String {
        /// `N`.
        length: usize,
    },
}

impl AbiType {
    /// Number of field elements (witnesses) the type flattens to.
    pub fn size(&self) -> usize {
        match self {
            AbiType::Field | AbiType::Integer { .. } | AbiType::Boolean => 1,
            AbiType::Array { length, item } => length * item.size(),
            AbiType::Struct { fields, .. } => fields.iter().map(|f| f.typ.size()).sum(),
            AbiType::Tuple { fields } => fields.iter().map(AbiType::size).sum(),
            AbiType::String { length } => *length,
        }
    }
}

/// A struct field.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AbiField {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub typ: AbiType,
}

/// `"public"` or `"private"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// A public input.
    Public,
    /// A witness.
    Private,
    /// Aztec's call data (not used here).
    Databus,
}

/// A `main` parameter.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AbiParameter {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub typ: AbiType,
    /// Visibility.
    pub visibility: Visibility,
}

/// `main`'s return type.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AbiReturn {
    /// Type.
    pub abi_type: AbiType,
    /// Visibility.
    pub visibility: Visibility,
}

/// An assertion's error type, by selector.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AbiErrorType {
    /// `"string"`, `"fmtstring"` or a custom type.
    pub error_kind: String,
    /// The message of a string error.
    #[serde(default)]
    pub string: Option<String>,
}

/// A program's ABI.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Abi {
    /// `main`'s parameters, in order.
    pub parameters: Vec<AbiParameter>,
    /// `main`'s return value.
    pub return_type: Option<AbiReturn>,
    /// Error messages by selector.
    #[serde(default)]
    pub error_types: BTreeMap<String, AbiErrorType>,
}

#[derive(Deserialize)]
struct Raw {
    noir_version: String,
    abi: Abi,
    bytecode: String,
}

/// A compiled program.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// Program name: the file stem, a base program named by its shape as everywhere in Veil
    /// ([`crate::twins::veil_name`]).
    pub name: String,
    /// The compiler that made it.
    pub noir_version: String,
    /// Its ABI.
    pub abi: Abi,
    /// Its ACIR.
    pub program: Program<FieldElement>,
}

impl Artifact {
    /// Reads `<name>.json` as written by `noir/build.mjs`.
    pub fn load(path: &Path) -> Result<Self> {
        let bad = |message: String| Error::Artifact {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad(format!("cannot read it ({e}); run `node noir/build.mjs`")))?;
        let raw: Raw = serde_json::from_str(&text)
            .map_err(|e| bad(format!("not a Noir program artifact: {e}")))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw.bytecode.trim())
            .map_err(|e| bad(format!("bytecode is not base64: {e}")))?;
        let program = Program::deserialize_program(&bytes)
            .map_err(|e| bad(format!("bytecode is not ACIR this crate reads: {e}")))?;
        if program.functions.is_empty() {
            return Err(bad("program has no functions".into()));
        }
        let name = crate::twins::veil_name(
            &path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        Ok(Artifact {
            name,
            noir_version: raw.noir_version,
            abi: raw.abi,
            program,
        })
    }

    /// Number of witnesses the parameters take (they are witnesses `0..n`).
    pub fn input_size(&self) -> usize {
        self.abi.parameters.iter().map(|p| p.typ.size()).sum()
    }

    /// Number of public inputs of a proof of this program: its `pub` parameters, then its
    /// return value when that is public (each flattened to field elements).
    pub fn public_input_count(&self) -> usize {
        let params: usize = self
            .abi
            .parameters
            .iter()
            .filter(|p| p.visibility == Visibility::Public)
            .map(|p| p.typ.size())
            .sum();
        let ret = self
            .abi
            .return_type
            .as_ref()
            .filter(|r| r.visibility == Visibility::Public)
            .map_or(0, |r| r.abi_type.size());
        params + ret
    }

    /// The message of an assertion's error selector.
    pub fn error_message(&self, selector: u64) -> Option<&str> {
        self.abi
            .error_types
            .get(&selector.to_string())
            .and_then(|e| e.string.as_deref())
    }
}
