//! DER (ITU-T X.690 §8 and §10) read with a span for every header and value, and written.
//!
//! Written by hand: the ASN.1 crates decode into typed values and drop where each byte came
//! from, which is what the decoder pages show. Only what Kerberos and SPNEGO use is here:
//! definite lengths (indefinite ones are refused: DER forbids them, X.690 §10.1), tags of any
//! class and number, INTEGER, OCTET STRING, BIT STRING, OBJECT IDENTIFIER, GeneralString,
//! GeneralizedTime, SEQUENCE / SEQUENCE OF.
//!
//! ```text
//! identifier octets   length octets            contents octets
//! ┌─┬─┬─────────┐    ┌─┬───────────┐           ┌──────────────┐
//! │c│P│ tag     │    │0│ length    │  (< 128)   │ `length` bytes│
//! │l│/│ (31 =   │    │1│ n (1..4)  │ + n bytes  │               │
//! │s│C│  more)  │    └─┴───────────┘  big-endian└──────────────┘
//! └─┴─┴─────────┘
//! ```

use crate::error::{Error, ErrorKind};
use crate::Span;

/// The class bits of an identifier octet (X.690 §8.1.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Universal,
    Application,
    Context,
    Private,
}

/// One element: its identifier, and where its header and contents are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv {
    pub class: Class,
    pub constructed: bool,
    pub tag: u32,
    /// First byte of the identifier.
    pub start: usize,
    /// First byte of the contents.
    pub content: usize,
    /// One past the last byte of the contents.
    pub end: usize,
}

impl Tlv {
    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
    pub fn content_span(&self) -> Span {
        Span::new(self.content, self.end)
    }
    pub fn content<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        buf.get(self.content..self.end).unwrap_or(&[])
    }
    /// `[n]` context tag.
    pub fn is_context(&self, n: u32) -> bool {
        self.class == Class::Context && self.tag == n
    }
    /// `[APPLICATION n]`.
    pub fn is_application(&self, n: u32) -> bool {
        self.class == Class::Application && self.tag == n
    }
    pub fn is_universal(&self, n: u32) -> bool {
        self.class == Class::Universal && self.tag == n
    }
    /// How the tag is written in ASN.1: `[APPLICATION 14]`, `[2]`, `SEQUENCE`…
    pub fn tag_name(&self) -> String {
        match self.class {
            Class::Universal => universal_name(self.tag)
                .map(str::to_string)
                .unwrap_or_else(|| format!("[UNIVERSAL {}]", self.tag)),
            Class::Application => format!("[APPLICATION {}]", self.tag),
            Class::Context => format!("[{}]", self.tag),
            Class::Private => format!("[PRIVATE {}]", self.tag),
        }
    }
}

pub const INTEGER: u32 = 2;
pub const BIT_STRING: u32 = 3;
pub const OCTET_STRING: u32 = 4;
pub const OID: u32 = 6;
pub const ENUMERATED: u32 = 10;
pub const SEQUENCE: u32 = 16;
pub const GENERAL_STRING: u32 = 27;
pub const GENERALIZED_TIME: u32 = 24;

fn universal_name(tag: u32) -> Option<&'static str> {
    Some(match tag {
        1 => "BOOLEAN",
        INTEGER => "INTEGER",
        BIT_STRING => "BIT STRING",
        OCTET_STRING => "OCTET STRING",
        5 => "NULL",
        OID => "OBJECT IDENTIFIER",
        ENUMERATED => "ENUMERATED",
        12 => "UTF8String",
        SEQUENCE => "SEQUENCE",
        17 => "SET",
        19 => "PrintableString",
        22 => "IA5String",
        GENERALIZED_TIME => "GeneralizedTime",
        GENERAL_STRING => "GeneralString",
        _ => return None,
    })
}

/// Reads the element that starts at `at` and must end by `limit`.
pub fn read(buf: &[u8], at: usize, limit: usize) -> Result<Tlv, Error> {
    let limit = limit.min(buf.len());
    let byte = |i: usize| -> Result<u8, Error> {
        if i < limit {
            buf.get(i)
                .copied()
                .ok_or_else(|| Error::new(ErrorKind::HeaderTruncated, i))
        } else {
            Err(Error::new(ErrorKind::HeaderTruncated, i))
        }
    };
    let id = byte(at)?;
    let class = match id >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    };
    let constructed = id & 0x20 != 0;
    let mut i = at + 1;
    let mut tag = u32::from(id & 0x1f);
    if tag == 0x1f {
        tag = 0;
        loop {
            let b = byte(i)?;
            i += 1;
            if tag > (u32::MAX >> 7) {
                return Err(Error::new(ErrorKind::TagTooLarge, at));
            }
            tag = (tag << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let first = byte(i)?;
    let length_at = i;
    i += 1;
    let length = if first < 0x80 {
        usize::from(first)
    } else if first == 0x80 {
        return Err(Error::new(ErrorKind::IndefiniteLength, length_at));
    } else {
        let n = usize::from(first & 0x7f);
        if n > 4 {
            return Err(Error::new(
                ErrorKind::LengthTooLong { octets: n },
                length_at,
            ));
        }
        let mut v = 0usize;
        for k in 0..n {
            v = (v << 8) | usize::from(byte(i + k)?);
        }
        if byte(i)? == 0 || v < 0x80 {
            return Err(Error::new(ErrorKind::LengthNotMinimal, length_at));
        }
        i += n;
        v
    };
    let end = i.saturating_add(length);
    if end > limit {
        return Err(Error::new(
            ErrorKind::ContentsTruncated {
                announced: length,
                left: limit.saturating_sub(i),
            },
            i,
        ));
    }
    Ok(Tlv {
        class,
        constructed,
        tag,
        start: at,
        content: i,
        end,
    })
}

/// The elements inside a constructed element, in order.
pub fn children(buf: &[u8], parent: &Tlv) -> Result<Vec<Tlv>, Error> {
    let mut out = Vec::new();
    let mut at = parent.content;
    while at < parent.end {
        let t = read(buf, at, parent.end)?;
        at = t.end;
        out.push(t);
    }
    Ok(out)
}

/// A signed INTEGER's contents (two's complement, big-endian) when it fits 64 bits.
pub fn integer(content: &[u8]) -> Option<i64> {
    if content.is_empty() || content.len() > 8 {
        return None;
    }
    let mut v: i64 = if content.first().is_some_and(|b| b & 0x80 != 0) {
        -1
    } else {
        0
    };
    for b in content {
        v = (v << 8) | i64::from(*b);
    }
    Some(v)
}

/// An OBJECT IDENTIFIER's contents in dotted form (X.690 §8.19).
pub fn oid(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    let mut pending = false;
    for b in content {
        if v > (u64::MAX >> 7) {
            return None;
        }
        v = (v << 7) | u64::from(b & 0x7f);
        pending = true;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (v / 40).min(2);
                arcs.push(first);
                arcs.push(v - first * 40);
            } else {
                arcs.push(v);
            }
            v = 0;
            pending = false;
        }
    }
    if pending || arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// The GSS-API mechanism OIDs of HTTP Negotiate (RFC 4178 §4.1, RFC 1964 §1, MS-SPNG §3.1.5.2,
/// MS-NLMP §1.9). Here, below SPNEGO and Kerberos, so that both can name them and neither has to
/// import the other for them.
pub const SPNEGO_OID: &str = "1.3.6.1.5.5.2";
pub const KRB5_OID: &str = "1.2.840.113554.1.2.2";
pub const MS_KRB5_OID: &str = "1.2.840.48018.1.2.2";
pub const NTLMSSP_OID: &str = "1.3.6.1.4.1.311.2.2.10";

/// The mechanisms and objects Negotiate tokens name.
pub fn oid_name(dotted: &str) -> Option<&'static str> {
    Some(match dotted {
        "1.3.6.1.5.5.2" => "SPNEGO",
        "1.2.840.113554.1.2.2" => "Kerberos 5",
        "1.2.840.48018.1.2.2" => "MS Kerberos 5 (legacy Windows OID)",
        "1.2.840.113554.1.2.2.3" => "Kerberos 5 user-to-user",
        "1.3.6.1.4.1.311.2.2.10" => "NTLMSSP",
        "1.3.6.1.4.1.311.2.2.30" => "NEGOEX",
        "1.3.6.1.5.2.5" => "IAKERB",
        "1.2.752.43.14.2" => "NetLogon (Heimdal)",
        _ => return None,
    })
}

/// The contents of an OBJECT IDENTIFIER for `dotted` (the inverse of [`oid`]).
pub fn oid_bytes(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut out = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(((v & 0x7f) as u8) | 0x80);
            v >>= 7;
        }
        out.extend(tmp.iter().rev());
    };
    match arcs.as_slice() {
        [a, b, rest @ ..] => {
            push(a * 40 + b);
            for r in rest {
                push(*r);
            }
        }
        [a] => push(a * 40),
        [] => {}
    }
    out
}

/// A GeneralizedTime `YYYYMMDDHHMMSSZ` (Kerberos' form, RFC 4120 §5.2.3) as seconds since the
/// Unix epoch.
pub fn generalized_time(content: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(content).ok()?;
    let s = s.strip_suffix('Z')?;
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, d, h, mi, se) = (
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(crate::time::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// A BIT STRING's first 32 bits as a number whose bit 0 is the string's first bit (RFC 4120
/// writes flags that way: `forwardable(1)` is the second bit, 0x40000000).
pub fn bits32(content: &[u8]) -> Option<u32> {
    let (_unused, bits) = content.split_first()?;
    let mut v = 0u32;
    for (i, b) in bits.iter().take(4).enumerate() {
        v |= u32::from(*b) << (24 - 8 * i);
    }
    Some(v)
}

/// DER writing, for the messages the simulated realm makes.
pub mod write {
    /// An element with identifier octet `id` (tags below 31 only) and `content`.
    pub fn tlv(id: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![id];
        let n = content.len();
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let len = bytes.get(skip..).unwrap_or(&[]);
        match (n < 0x80, u8::try_from(len.len())) {
            (true, _) => out.extend_from_slice(len.last().map_or(&[0u8][..], std::slice::from_ref)),
            (false, Ok(k)) => {
                out.push(0x80 | k);
                out.extend_from_slice(len);
            }
            (false, Err(_)) => out.push(0),
        }
        out.extend_from_slice(content);
        out
    }
    pub fn seq(items: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &items.concat())
    }
    /// `[n] EXPLICIT`.
    pub fn ctx(n: u8, inner: Vec<u8>) -> Vec<u8> {
        tlv(0xa0 | n, &inner)
    }
    /// `[APPLICATION n]`, constructed.
    pub fn app(n: u8, inner: Vec<u8>) -> Vec<u8> {
        tlv(0x60 | n, &inner)
    }
    pub fn int(v: i64) -> Vec<u8> {
        let bytes = v.to_be_bytes();
        let mut start = 0;
        while let (true, Some(a), Some(b)) = (start < 7, bytes.get(start), bytes.get(start + 1)) {
            if (*a == 0 && b & 0x80 == 0) || (*a == 0xff && b & 0x80 != 0) {
                start += 1;
            } else {
                break;
            }
        }
        tlv(0x02, bytes.get(start..).unwrap_or(&[]))
    }
    pub fn octets(b: &[u8]) -> Vec<u8> {
        tlv(0x04, b)
    }
    pub fn general_string(s: &str) -> Vec<u8> {
        tlv(0x1b, s.as_bytes())
    }
    pub fn oid(dotted: &str) -> Vec<u8> {
        tlv(0x06, &super::oid_bytes(dotted))
    }
    pub fn enumerated(v: u8) -> Vec<u8> {
        tlv(0x0a, &[v])
    }
    /// A 32-bit BIT STRING (Kerberos flags), bit 0 first.
    pub fn bits32(v: u32) -> Vec<u8> {
        let mut c = vec![0u8];
        c.extend_from_slice(&v.to_be_bytes());
        tlv(0x03, &c)
    }
    /// KerberosTime: GeneralizedTime without fractions, UTC.
    pub fn time(unix: i64) -> Vec<u8> {
        tlv(0x18, crate::time::generalized(unix).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_headers_and_refuses_what_der_forbids() {
        let b = [0x30, 0x03, 0x02, 0x01, 0x05];
        let t = read(&b, 0, b.len()).unwrap();
        assert_eq!((t.tag, t.constructed, t.content, t.end), (16, true, 2, 5));
        let kids = children(&b, &t).unwrap();
        assert_eq!(integer(kids[0].content(&b)), Some(5));
        let e = read(&[0x30, 0x80, 0x00, 0x00], 0, 4).unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::IndefiniteLength, 1));
        let e = read(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5], 0, 8).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LengthNotMinimal);
        let e = read(&[0x04, 0x05, 1, 2], 0, 4).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::ContentsTruncated { .. }) && e.offset == 2);
        let e = read(&[0x04, 0x85, 1, 1, 1, 1, 1], 0, 7).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::LengthTooLong { .. }));
        // High tag numbers.
        let t = read(&[0x9f, 0x81, 0x00, 0x00], 0, 4).unwrap();
        assert_eq!((t.class, t.tag), (Class::Context, 128));
    }

    #[test]
    fn oids_round_trip_and_have_names() {
        for o in [
            "1.3.6.1.5.5.2",
            "1.2.840.113554.1.2.2",
            "1.2.840.48018.1.2.2",
            "1.3.6.1.4.1.311.2.2.10",
        ] {
            let b = oid_bytes(o);
            assert_eq!(oid(&b).unwrap(), o);
            assert!(oid_name(o).is_some());
        }
        assert_eq!(
            oid_bytes("1.2.840.113554.1.2.2"),
            [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]
        );
        assert_eq!(oid(&[0x2a, 0x86]), None);
    }

    #[test]
    fn integers_times_and_bits() {
        assert_eq!(integer(&[0xff]), Some(-1));
        assert_eq!(integer(&[0x00, 0x80]), Some(128));
        for v in [0i64, 5, 127, 128, 255, 256, -1, -128, -129, 1_700_000_000] {
            let w = write::int(v);
            let t = read(&w, 0, w.len()).unwrap();
            assert_eq!(integer(t.content(&w)), Some(v), "{v}");
        }
        assert_eq!(generalized_time(b"20261127083552Z"), Some(1_795_768_552));
        assert_eq!(generalized_time(b"2026112708355Z"), None);
        let w = write::time(1_795_768_552);
        assert_eq!(w.get(2..).unwrap(), b"20261127083552Z");
        assert_eq!(bits32(&[0, 0x40, 0x81, 0, 0]), Some(0x4081_0000));
        let long = write::octets(&[7u8; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(read(&long, 0, long.len()).unwrap().end, 304);
    }
}
