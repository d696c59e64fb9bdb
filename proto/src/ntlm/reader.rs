//! One bounds-checked reader over a message: every read names what it wanted and where.

use crate::Span;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The message ends inside `field`.
    Truncated { field: &'static str },
    /// `field` points outside the message.
    OutOfBounds { field: &'static str },
    /// Not `NTLMSSP\0`.
    BadSignature,
    /// A MessageType other than 1, 2 or 3 (or not the one expected).
    UnexpectedMessage { expected: u32, got: u32 },
}

/// A decoding error at a byte offset of the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Error {
    pub kind: ErrorKind,
    pub offset: usize,
}

impl Error {
    pub fn new(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            ErrorKind::Truncated { field } => {
                write!(f, "the message ends inside {field} (byte {})", self.offset)
            }
            ErrorKind::OutOfBounds { field } => write!(
                f,
                "{field} points outside the message (byte {})",
                self.offset
            ),
            ErrorKind::BadSignature => write!(
                f,
                "not an NTLMSSP message: the signature is not \"NTLMSSP\\0\""
            ),
            ErrorKind::UnexpectedMessage { expected: 0, got } => {
                write!(
                    f,
                    "MessageType {got} is none of NEGOTIATE (1), CHALLENGE (2), AUTHENTICATE (3)"
                )
            }
            ErrorKind::UnexpectedMessage { expected, got } => {
                write!(f, "expected MessageType {expected}, got {got}")
            }
        }
    }
}

pub struct Reader<'a> {
    pub buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    fn array<const N: usize>(&self, at: usize, field: &'static str) -> Result<[u8; N], Error> {
        self.buf
            .get(at..at + N)
            .and_then(|s| s.try_into().ok())
            .ok_or(Error::new(
                ErrorKind::Truncated { field },
                at.min(self.buf.len()),
            ))
    }
    pub fn u8(&self, at: usize) -> Result<u8, Error> {
        Ok(self.array::<1>(at, "a byte")?[0])
    }
    pub fn u16(&self, at: usize) -> Result<u16, Error> {
        Ok(u16::from_le_bytes(self.array(at, "a 16-bit field")?))
    }
    pub fn u32(&self, at: usize) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.array(at, "a 32-bit field")?))
    }
    pub fn u64(&self, at: usize) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.array(at, "a 64-bit field")?))
    }
    pub fn u32_named(&self, at: usize, field: &'static str) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.array(at, field)?))
    }
    pub fn bytes(&self, s: Span) -> Result<&'a [u8], Error> {
        self.buf.get(s.range()).ok_or(Error::new(
            ErrorKind::OutOfBounds { field: "a buffer" },
            s.start(),
        ))
    }
    /// `N` bytes at `at`, or an error naming `field`.
    pub fn fixed<const N: usize>(&self, at: usize, field: &'static str) -> Result<[u8; N], Error> {
        self.array(at, field)
    }
}

/// UTF-16LE text (lossy; an odd trailing byte is dropped).
pub fn utf16le(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect();
    String::from_utf16_lossy(&units)
}

/// OEM text, read as ISO-8859-1.
pub fn oem(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}
