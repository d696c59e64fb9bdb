//! AV_PAIR lists (MS-NLMP 2.2.2.1): the CHALLENGE's `TargetInfo` and the NTLMv2 blob's pairs.
//!
//! ```text
//! AV_PAIR = AvId (2, LE) | AvLen (2, LE) | Value (AvLen bytes)      ; the list ends with MsvAvEOL
//! ```

use super::reader::{utf16le, Reader};
use crate::error::{Error, ErrorKind};
use crate::field::{Field, Value};
use crate::Span;

pub const MSV_AV_EOL: u16 = 0;
pub const MSV_AV_NB_COMPUTER_NAME: u16 = 1;
pub const MSV_AV_NB_DOMAIN_NAME: u16 = 2;
pub const MSV_AV_DNS_COMPUTER_NAME: u16 = 3;
pub const MSV_AV_DNS_DOMAIN_NAME: u16 = 4;
pub const MSV_AV_DNS_TREE_NAME: u16 = 5;
pub const MSV_AV_FLAGS: u16 = 6;
pub const MSV_AV_TIMESTAMP: u16 = 7;
pub const MSV_AV_SINGLE_HOST: u16 = 8;
pub const MSV_AV_TARGET_NAME: u16 = 9;
pub const MSV_AV_CHANNEL_BINDINGS: u16 = 10;

/// `MsvAvFlags` bits.
pub const AV_FLAG_CONSTRAINED: u32 = 0x1;
pub const AV_FLAG_MIC: u32 = 0x2;
pub const AV_FLAG_UNTRUSTED_SPN: u32 = 0x4;

pub fn av_name(id: u16) -> &'static str {
    match id {
        MSV_AV_EOL => "MsvAvEOL",
        MSV_AV_NB_COMPUTER_NAME => "MsvAvNbComputerName",
        MSV_AV_NB_DOMAIN_NAME => "MsvAvNbDomainName",
        MSV_AV_DNS_COMPUTER_NAME => "MsvAvDnsComputerName",
        MSV_AV_DNS_DOMAIN_NAME => "MsvAvDnsDomainName",
        MSV_AV_DNS_TREE_NAME => "MsvAvDnsTreeName",
        MSV_AV_FLAGS => "MsvAvFlags",
        MSV_AV_TIMESTAMP => "MsvAvTimestamp",
        MSV_AV_SINGLE_HOST => "MsvAvSingleHost",
        MSV_AV_TARGET_NAME => "MsvAvTargetName",
        MSV_AV_CHANNEL_BINDINGS => "MsvAvChannelBindings",
        _ => "unknown AvId",
    }
}

/// A decoded pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvPair {
    pub id: u16,
    /// The value bytes.
    pub value: Vec<u8>,
    /// The whole pair in the buffer.
    pub span: Span,
}

impl AvPair {
    pub fn u32(&self) -> Option<u32> {
        let b: [u8; 4] = self.value.get(..4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b))
    }
    pub fn u64(&self) -> Option<u64> {
        let b: [u8; 8] = self.value.get(..8)?.try_into().ok()?;
        Some(u64::from_le_bytes(b))
    }
}

/// Find a pair by id.
pub fn find(pairs: &[AvPair], id: u16) -> Option<&AvPair> {
    pairs.iter().find(|p| p.id == id)
}

/// `MsvAvFlags` bits by name.
pub fn av_flag_names(v: u32) -> Vec<&'static str> {
    let mut out = Vec::new();
    if v & AV_FLAG_CONSTRAINED != 0 {
        out.push("account authentication is constrained");
    }
    if v & AV_FLAG_MIC != 0 {
        out.push("MIC present");
    }
    if v & AV_FLAG_UNTRUSTED_SPN != 0 {
        out.push("target SPN from an untrusted source");
    }
    out
}

/// Reads the pairs in `span` of `r`'s buffer. Stops at MsvAvEOL; a list that runs out of bytes
/// before MsvAvEOL is an error at the pair that does not fit (what was read stays in `fields`).
pub fn decode(r: &Reader<'_>, span: Span, fields: &mut Vec<Field>) -> Result<Vec<AvPair>, Error> {
    let mut pairs = Vec::new();
    let mut at = span.start();
    loop {
        if at + 4 > span.end() {
            return Err(Error::new(
                ErrorKind::Truncated { field: "AV_PAIR" },
                at.min(span.end()),
            ));
        }
        let id = r.u16(at)?;
        let len = usize::from(r.u16(at + 2)?);
        let value_span = Span::new(at + 4, at + 4 + len);
        if value_span.end() > span.end() {
            return Err(Error::new(
                ErrorKind::OutOfBounds {
                    field: "AV_PAIR value",
                },
                at,
            ));
        }
        let value = r.bytes(value_span)?.to_vec();
        let pair = AvPair {
            id,
            value,
            span: Span::new(at, value_span.end()),
        };
        fields.push(field(&pair, value_span));
        pairs.push(pair);
        at = value_span.end();
        if id == MSV_AV_EOL {
            return Ok(pairs);
        }
    }
}

fn field(p: &AvPair, value_span: Span) -> Field {
    let head = vec![
        Field::new(
            "AvId",
            Span::new(p.span.start(), p.span.start() + 2),
            Value::U32(u32::from(p.id)),
        ),
        Field::new(
            "AvLen",
            Span::new(p.span.start() + 2, p.span.start() + 4),
            Value::U32(u32::try_from(p.value.len()).unwrap_or(0)),
        ),
    ];
    let value = match p.id {
        MSV_AV_EOL => None,
        MSV_AV_NB_COMPUTER_NAME..=MSV_AV_DNS_TREE_NAME | MSV_AV_TARGET_NAME => Some(Field::new(
            "Value",
            value_span,
            Value::Text(utf16le(&p.value)),
        )),
        MSV_AV_FLAGS => {
            let v = p.u32().unwrap_or(0);
            let names = av_flag_names(v);
            let text = if names.is_empty() {
                format!("0x{v:08x}")
            } else {
                format!("0x{v:08x}: {}", names.join(", "))
            };
            Some(Field::new("Value", value_span, Value::Text(text)))
        }
        MSV_AV_TIMESTAMP => Some(
            Field::new(
                "Value",
                value_span,
                Value::Time(crate::time::filetime_iso8601(p.u64().unwrap_or(0))),
            )
            .note("FILETIME: 100 ns since 1601, UTC"),
        ),
        MSV_AV_SINGLE_HOST => Some(single_host(p, value_span)),
        MSV_AV_CHANNEL_BINDINGS => Some(
            Field::new("Value", value_span, Value::Bytes(p.value.clone())).note(
                "MD5 of the gss_channel_bindings_struct: binds the logon to the TLS channel (EPA)",
            ),
        ),
        _ => Some(Field::new(
            "Value",
            value_span,
            Value::Bytes(p.value.clone()),
        )),
    };
    let mut children = head;
    children.extend(value);
    Field::new(av_name(p.id), p.span, Value::None)
        .spec("MS-NLMP 2.2.2.1")
        .with(children)
}

/// `Single_Host_Data` (MS-NLMP 2.2.2.2): Size (4) | Z4 (4) | CustomData (8) | MachineID (32).
fn single_host(p: &AvPair, s: Span) -> Field {
    let at = s.start();
    let n = p.value.len();
    // A short value yields short (or empty) parts, never spans past the pair.
    let part = |name: &'static str, a: usize, b: usize| {
        let (a, b) = (a.min(n), b.min(n));
        Field::new(
            name,
            Span::new(at + a, at + b),
            Value::Bytes(p.value.get(a..b).unwrap_or(&[]).to_vec()),
        )
    };
    let mut size = part("Size", 0, 4);
    size.value = Value::U32(p.u32().unwrap_or(0));
    Field::new("Value", s, Value::None)
        .spec("MS-NLMP 2.2.2.2")
        .with(vec![
            size,
            part("Z4", 4, 8),
            part("CustomData", 8, 16),
            part("MachineID", 16, 48),
        ])
}
