//! Byte spans into the text or buffer a value was decoded from.

use serde::Serialize;
use std::ops::Range;

/// A half-open byte range `[start, end)` into the original input.
///
/// Serialises as a two-element array (`[start, end]`), the form the CLI's JSON contract uses.
/// Offsets are bytes of the UTF-8 text (for ASCII header values, bytes and characters agree).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span(pub usize, pub usize);

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span(start, end.max(start))
    }
    pub fn start(self) -> usize {
        self.0
    }
    pub fn end(self) -> usize {
        self.1
    }
    pub fn len(self) -> usize {
        self.1 - self.0
    }
    pub fn is_empty(self) -> bool {
        self.0 == self.1
    }
    pub fn range(self) -> Range<usize> {
        self.0..self.1
    }
    /// True when `offset` lies inside the span.
    pub fn contains(self, offset: usize) -> bool {
        self.0 <= offset && offset < self.1
    }
    /// The text the span covers, or `""` when it does not fall on character boundaries of `text`.
    /// The bytes of `buf` in the span (empty when it does not fit).
    pub fn slice_bytes(self, buf: &[u8]) -> &[u8] {
        buf.get(self.range()).unwrap_or(&[])
    }
    pub fn slice(self, text: &str) -> &str {
        text.get(self.range()).unwrap_or("")
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}
