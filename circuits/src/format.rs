//! The one header rule of every file Veil reads and writes: a JSON object whose `veil` field
//! is its format version and whose `kind` field says what it is. A reader checks the kind
//! first (so a wrong file is named as such: "this is a seller secret; expected a listing"), then the
//! version, and only then parses the rest strictly (unknown fields are refused).
//!
//! The table of kinds is here; the file types themselves are listed in `veil_verifier::formats`.

use crate::{Error, Result};
use serde::de::DeserializeOwned;
use std::ops::RangeInclusive;

/// Every kind of Veil file, with the words a person reads for it.
pub const KINDS: [(&str, &str); 15] = [
    ("seller-secret", "a seller secret"),
    ("dataset-key", "a dataset key"),
    ("listing", "a listing"),
    ("preview", "a preview"),
    ("totals-report", "an audit report"),
    ("receipt-opening", "a receipt opening"),
    ("usage-opening", "a usage opening"),
    ("buyer-key", "a buyer key"),
    ("licence", "a licence"),
    ("counter-state", "a counter state"),
    ("proof", "a proof envelope"),
    ("ultrahonk-proof", "an UltraHonk proof (version 1)"),
    ("ciphertext", "an encrypted dataset's header"),
    ("dispute", "a delivery dispute"),
    ("key-note", "a key note"),
];

/// The words for a kind (`"a listing"`), or the kind itself quoted when Veil has no such kind.
pub fn describe(kind: &str) -> String {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, name)| name.to_string())
        .unwrap_or_else(|| format!("a file of kind {kind:?}"))
}

/// A file's header: its kind and version, read before anything else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `kind`, if present.
    pub kind: Option<String>,
    /// `veil`, if present and a number.
    pub version: Option<u64>,
}

/// Reads the header of `text` (any JSON object; other fields are not looked at).
pub fn header(text: &str) -> Result<Header> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::parse("file", format!("not JSON: {e}")))?;
    let Some(fields) = value.as_object() else {
        return Err(Error::parse("file", "not a JSON object"));
    };
    Ok(Header {
        kind: fields
            .get("kind")
            .and_then(|k| k.as_str().map(str::to_string)),
        version: fields.get("veil").and_then(|v| v.as_u64()),
    })
}

/// Parses `text` as a file of `kind` in one of `versions`: kind first, then version, then the
/// whole file strictly.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    kind: Option<&str>,
    versions: RangeInclusive<u32>,
) -> Result<T> {
    checked(text, kind, describe(kind.unwrap_or("proof")), versions)
}

/// As [`parse`], for the file types older than kinds, which carry no `kind` field (proof
/// envelopes, key manifests): one that names a kind is refused as that kind; `what` names the
/// type in errors.
pub fn parse_untagged<T: DeserializeOwned>(
    text: &str,
    what: &str,
    versions: RangeInclusive<u32>,
) -> Result<T> {
    checked(text, None, what.to_string(), versions)
}

fn checked<T: DeserializeOwned>(
    text: &str,
    kind: Option<&str>,
    what: String,
    versions: RangeInclusive<u32>,
) -> Result<T> {
    let h = header(text).map_err(|e| match e {
        Error::Parse { why, .. } => Error::parse(what.clone(), why),
        other => other,
    })?;
    match (kind, h.kind.as_deref()) {
        (Some(want), Some(got)) if want != got => {
            return Err(Error::WrongKind {
                found: describe(got),
                expected: what,
            })
        }
        (Some(_), None) => {
            return Err(Error::parse(
                what.clone(),
                format!("no `kind` field: not {what}"),
            ))
        }
        (None, Some(got)) => {
            return Err(Error::WrongKind {
                found: describe(got),
                expected: what,
            })
        }
        _ => {}
    }
    match h.version {
        Some(v) if versions.contains(&(v.min(u32::MAX as u64) as u32)) && v <= u32::MAX as u64 => {}
        found => {
            let found = found.map_or("no version".to_string(), |v| format!("version {v}"));
            let reads = if versions.start() == versions.end() {
                format!("version {}", versions.start())
            } else {
                format!("versions {} to {}", versions.start(), versions.end())
            };
            return Err(Error::parse(
                what,
                format!("{found}; this build reads {reads}"),
            ));
        }
    }
    serde_json::from_str(text).map_err(|e| Error::parse(what, e))
}

/// A circuit shape as files carry it (proof envelopes, key manifests): `null` (a backend with
/// no shape, a Noir program) or an object of unsigned integers (`{"depth": 20, "samples": 8}`).
/// Anything else is refused, so a shape read and written back is always the same shape.
pub fn check_shape(shape: &serde_json::Value) -> Result<()> {
    let ok = match shape {
        serde_json::Value::Null => true,
        serde_json::Value::Object(fields) => fields.values().all(|v| v.as_u64().is_some()),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::parse(
            "shape",
            "field `shape` must be null or an object of unsigned integers",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct L {
        veil: u32,
        kind: String,
        n: u64,
    }

    #[test]
    fn kind_then_version_then_fields() {
        let ok = r#"{"veil": 1, "kind": "listing", "n": 3}"#;
        assert_eq!(parse::<L>(ok, Some("listing"), 1..=1).unwrap().n, 3);
        let e = parse::<L>(
            r#"{"veil": 1, "kind": "seller-secret", "secret": "0x1"}"#,
            Some("listing"),
            1..=1,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("this is a seller secret; expected a listing"),
            "{e}"
        );
        let e = parse::<L>(r#"{"veil": 9, "kind": "listing"}"#, Some("listing"), 1..=1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("version 9; this build reads version 1"), "{e}");
        let e = parse::<L>(
            r#"{"veil": 1, "kind": "listing", "n": 3, "x": 1}"#,
            Some("listing"),
            1..=1,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown field `x`"), "{e}");
        let e = parse::<L>("[1, 2]", Some("listing"), 1..=1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a JSON object"), "{e}");
        let e = parse::<L>(r#"{"kind": "listing"}"#, Some("listing"), 1..=1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no version"), "{e}");
        let e = parse::<L>(
            r#"{"veil": 4294967297, "kind": "listing"}"#,
            Some("listing"),
            1..=1,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("version 4294967297"), "{e}");
    }
}
