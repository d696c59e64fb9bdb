//! The field tree every decoder returns and every pane renders: each field names the bytes it
//! came from, so a tree and a hex view can be linked both ways.

use crate::Span;
use serde::Serialize;

/// A decoded value, typed enough for a pane to render it well.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value")]
pub enum Value {
    /// No value of its own: a container of child fields.
    None,
    Text(String),
    Bytes(Vec<u8>),
    U32(u32),
    U64(u64),
    Bool(bool),
    /// A point in time, ISO 8601 UTC.
    Time(String),
}

impl Value {
    /// The value as one line of text (bytes as lower-case hex).
    pub fn display(&self) -> String {
        match self {
            Value::None => String::new(),
            Value::Text(t) | Value::Time(t) => t.clone(),
            Value::Bytes(b) => crate::field::hex(b),
            Value::U32(n) => n.to_string(),
            Value::U64(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// Lower-case hex without separators.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes hex digits stand for (ASCII whitespace between them ignored); `None` for any other
/// character or an odd number of digits.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

/// Standard base64 with padding (RFC 4648 §4), as HTTP headers carry tokens.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One decoded field, the bytes it came from, and how to explain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The spec's name of the field.
    pub name: &'static str,
    /// In the buffer of the layer the field belongs to.
    pub span: Span,
    pub value: Value,
    /// One line for a learner.
    pub note: Option<&'static str>,
    /// Where the field is defined, e.g. "RFC 7617 §2".
    pub spec: Option<&'static str>,
    pub children: Vec<Field>,
}

impl Field {
    pub fn new(name: &'static str, span: Span, value: Value) -> Field {
        Field {
            name,
            span,
            value,
            note: None,
            spec: None,
            children: Vec::new(),
        }
    }
    pub fn note(mut self, note: &'static str) -> Field {
        self.note = Some(note);
        self
    }
    pub fn spec(mut self, spec: &'static str) -> Field {
        self.spec = Some(spec);
        self
    }
    pub fn with(mut self, children: Vec<Field>) -> Field {
        self.children = children;
        self
    }
    /// Depth-first search by name.
    pub fn find(&self, name: &str) -> Option<&Field> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
    /// The innermost field whose span holds `offset` (for a click on a byte of the hex view).
    pub fn innermost_at(&self, offset: usize) -> Option<&Field> {
        if !self.span.contains(offset) {
            return None;
        }
        Some(
            self.children
                .iter()
                .find_map(|c| c.innermost_at(offset))
                .unwrap_or(self),
        )
    }
}

/// One layer of a message (header text → base64 → bytes …) with its own buffer and fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// What the layer is: `header`, `base64`, `hex`, `ntlmssp`, …
    pub kind: &'static str,
    pub label: &'static str,
    /// Where this layer's content came from in the previous layer's buffer.
    pub source: Span,
    pub bytes: Vec<u8>,
    pub fields: Vec<Field>,
}

impl Layer {
    pub fn find(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find_map(|f| f.find(name))
    }
}
