//! Flattening inputs into witnesses by the ABI, and reading return values back.
//!
//! Inputs are JSON, shaped like a `Prover.toml`: an object with one entry per parameter;
//! fields as `0x` hex strings (or decimal numbers and strings up to `2^128`), integers as
//! numbers or decimal strings, arrays and tuples as arrays, structs as objects. Each value is
//! checked against its type (width, length, field names), and an error names the parameter.

use crate::artifact::{Abi, AbiType};
use crate::{to_acir, Error, FieldElement, Result};
use acir::AcirField;
use serde_json::{Map, Value};

/// The witness values of `main`'s parameters, in ABI order.
pub fn encode(abi: &Abi, inputs: &Value) -> Result<Vec<FieldElement>> {
    let obj = inputs.as_object().ok_or_else(|| Error::Input {
        name: "(inputs)".into(),
        message: "expected an object with one entry per parameter".into(),
    })?;
    check_keys(obj, abi.parameters.iter().map(|p| p.name.as_str()), "")?;
    let mut out = Vec::new();
    for p in &abi.parameters {
        encode_value(&p.typ, &obj[&p.name], &p.name, &mut out)?;
    }
    Ok(out)
}

fn check_keys<'a>(
    obj: &Map<String, Value>,
    names: impl Iterator<Item = &'a str> + Clone,
    prefix: &str,
) -> Result<()> {
    for n in names.clone() {
        if !obj.contains_key(n) {
            return Err(Error::Input {
                name: format!("{prefix}{n}"),
                message: "missing".into(),
            });
        }
    }
    if let Some(extra) = obj.keys().find(|k| !names.clone().any(|n| n == k.as_str())) {
        return Err(Error::Input {
            name: format!("{prefix}{extra}"),
            message: "not a parameter of this program".into(),
        });
    }
    Ok(())
}

fn bad(name: &str, message: impl Into<String>) -> Error {
    Error::Input {
        name: name.into(),
        message: message.into(),
    }
}

/// Parses a field element: `0x` hex (canonical, below the modulus) or a decimal below `2^128`.
pub fn parse_field(name: &str, v: &Value) -> Result<FieldElement> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .map(FieldElement::from)
            .ok_or_else(|| bad(name, format!("{n} is not a non-negative integer"))),
        Value::String(s) if s.starts_with("0x") || s.starts_with("0X") => {
            veil_circuits::field::from_hex(name, s)
                .map(to_acir)
                .map_err(|e| bad(name, e.to_string()))
        }
        Value::String(s) => s.parse::<u128>().map(FieldElement::from).map_err(|_| {
            bad(
                name,
                format!("{s:?} is neither 0x hex nor a decimal below 2^128"),
            )
        }),
        other => Err(bad(
            name,
            format!("expected a field element, found {other}"),
        )),
    }
}

fn encode_value(typ: &AbiType, v: &Value, name: &str, out: &mut Vec<FieldElement>) -> Result<()> {
    match typ {
        AbiType::Field => out.push(parse_field(name, v)?),
        AbiType::Integer { sign, width } => {
            if sign != "unsigned" {
                return Err(bad(name, "signed integers are not part of Veil's programs"));
            }
            let x = parse_field(name, v)?;
            if x.num_bits() > *width {
                return Err(bad(name, format!("{x} does not fit u{width}")));
            }
            out.push(x);
        }
        AbiType::Boolean => match v {
            Value::Bool(b) => out.push(FieldElement::from(*b)),
            other => return Err(bad(name, format!("expected true or false, found {other}"))),
        },
        AbiType::Array { length, item } => {
            let items = v
                .as_array()
                .filter(|a| a.len() == *length)
                .ok_or_else(|| bad(name, format!("expected an array of {length}")))?;
            for (i, x) in items.iter().enumerate() {
                encode_value(item, x, &format!("{name}[{i}]"), out)?;
            }
        }
        AbiType::Tuple { fields } => {
            let items = v
                .as_array()
                .filter(|a| a.len() == fields.len())
                .ok_or_else(|| bad(name, format!("expected a tuple of {}", fields.len())))?;
            for (i, (t, x)) in fields.iter().zip(items).enumerate() {
                encode_value(t, x, &format!("{name}.{i}"), out)?;
            }
        }
        AbiType::Struct { fields, .. } => {
            let obj = v
                .as_object()
                .ok_or_else(|| bad(name, "expected an object"))?;
            check_keys(
                obj,
                fields.iter().map(|f| f.name.as_str()),
                &format!("{name}."),
            )?;
            for f in fields {
                encode_value(&f.typ, &obj[&f.name], &format!("{name}.{}", f.name), out)?;
            }
        }
        AbiType::String { length } => {
            let s = v
                .as_str()
                .filter(|s| s.len() == *length)
                .ok_or_else(|| bad(name, format!("expected a string of {length} bytes")))?;
            out.extend(s.bytes().map(FieldElement::from));
        }
    }
    Ok(())
}

/// Reads a value of `typ` from the front of `fields` as JSON (fields as hex, integers as
/// decimal strings, booleans as booleans).
pub fn decode(typ: &AbiType, fields: &mut impl Iterator<Item = FieldElement>) -> Value {
    match typ {
        AbiType::Field => Value::String(
            fields
                .next()
                .map(|x| veil_circuits::field::to_hex(&crate::from_acir(x)))
                .unwrap_or_default(),
        ),
        AbiType::Integer { .. } => {
            Value::String(fields.next().map(|x| x.to_string()).unwrap_or_default())
        }
        AbiType::Boolean => Value::Bool(fields.next().is_some_and(|x| x.is_one())),
        AbiType::Array { length, item } => {
            Value::Array((0..*length).map(|_| decode(item, fields)).collect())
        }
        AbiType::Tuple { fields: ts } => {
            Value::Array(ts.iter().map(|t| decode(t, fields)).collect())
        }
        AbiType::Struct { fields: fs, .. } => Value::Object(
            fs.iter()
                .map(|f| (f.name.clone(), decode(&f.typ, fields)))
                .collect(),
        ),
        AbiType::String { length } => Value::String(
            (0..*length)
                .filter_map(|_| fields.next())
                .map(|x| x.to_u128() as u8 as char)
                .collect(),
        ),
    }
}
