//! One bounds-checked reader over a message: every read names what it wanted and where.

use crate::error::{Error, ErrorKind};
use crate::Span;

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
            .ok_or_else(|| Error::new(ErrorKind::Truncated { field }, at.min(self.buf.len())))
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
        self.buf
            .get(s.range())
            .ok_or_else(|| Error::new(ErrorKind::OutOfBounds { field: "a buffer" }, s.start()))
    }
    /// `N` bytes at `at`, or an error naming `field`.
    pub fn fixed<const N: usize>(&self, at: usize, field: &'static str) -> Result<[u8; N], Error> {
        self.array(at, field)
    }
}

/// UTF-16LE text (lossy; an odd trailing byte is dropped).
pub(super) fn utf16le(b: &[u8]) -> String {
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
pub(super) fn oem(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}
