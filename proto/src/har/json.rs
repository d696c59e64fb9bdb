//! The JSON reader under the HAR import: by hand, one value at a time, with byte offsets (see
//! the module doc of `har`).

use crate::error::{Error, ErrorKind};

/// Nesting deeper than this is refused (HAR needs 5; the limit keeps the stack small).
pub(super) const MAX_DEPTH: usize = 32;
/// How much of a response body is kept (IIS error pages name their sub-status early).
pub(super) const BODY_KEPT: usize = 4096;

/// A JSON value, as far as HAR needs it (numbers are kept as their text).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub(super) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub(super) fn str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Json::Str(s) => Some(s),
            Json::Num(n) => Some(n),
            _ => None,
        }
    }
    pub(super) fn at(&self, path: &[&str]) -> Option<&Json> {
        path.iter().try_fold(self, |j, k| j.get(k))
    }
}

pub(super) struct Parser<'a> {
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
}

impl Parser<'_> {
    pub(super) fn err(&self, kind: ErrorKind) -> Error {
        Error::new(kind, self.pos)
    }
    pub(super) fn ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }
    pub(super) fn peek(&mut self) -> Result<u8, Error> {
        self.ws();
        self.b
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.err(ErrorKind::JsonTruncated { place: "too early" }))
    }
    pub(super) fn expect(&mut self, c: u8) -> Result<(), Error> {
        if self.peek()? == c {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(ErrorKind::JsonExpected {
                expected: char::from(c),
            }))
        }
    }
    pub(super) fn literal(&mut self, word: &str, v: Json) -> Result<Json, Error> {
        if self.b.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err(ErrorKind::JsonSyntax {
                problem: "not a JSON value",
            }))
        }
    }
    pub(super) fn hex4(&mut self) -> Result<u32, Error> {
        let h = self
            .b
            .get(self.pos..self.pos + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| {
                self.err(ErrorKind::JsonSyntax {
                    problem: "bad \\u escape",
                })
            })?;
        self.pos += 4;
        Ok(h)
    }
    /// A string, of which at most `limit` bytes are kept: the rest is read to find its end
    /// (response bodies past [`BODY_KEPT`]).
    pub(super) fn string(&mut self, limit: usize) -> Result<String, Error> {
        self.expect(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(self.err(ErrorKind::JsonTruncated {
                    place: "inside a string",
                }));
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(self.pos) else {
                        return Err(self.err(ErrorKind::JsonTruncated {
                            place: "inside a string",
                        }));
                    };
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xd800..0xdc00).contains(&hi)
                                && self.b.get(self.pos..self.pos + 2) == Some(b"\\u")
                            {
                                self.pos += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00) & 0x3ff)
                            } else {
                                hi
                            };
                            char::from_u32(cp).unwrap_or('\u{fffd}')
                        }
                        _ => {
                            return Err(self.err(ErrorKind::JsonSyntax {
                                problem: "bad escape in a string",
                            }))
                        }
                    };
                    if out.len() < limit {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                }
                c if c < 0x20 => {
                    return Err(self.err(ErrorKind::JsonSyntax {
                        problem: "control character in a string",
                    }))
                }
                c => {
                    if out.len() < limit {
                        out.push(c);
                    }
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
    pub(super) fn value(&mut self, depth: usize, limit: usize) -> Result<Json, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err(ErrorKind::TooDeep));
        }
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut m = Vec::new();
                if self.peek()? == b'}' {
                    self.pos += 1;
                    return Ok(Json::Obj(m));
                }
                loop {
                    let k = self.string(usize::MAX)?;
                    self.expect(b':')?;
                    // Only bodies (`text`) are cut; every other string is kept whole.
                    let lim = if k == "text" { BODY_KEPT } else { usize::MAX };
                    let v = self.value(depth + 1, lim)?;
                    m.push((k, v));
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b'}' => {
                            self.pos += 1;
                            return Ok(Json::Obj(m));
                        }
                        _ => {
                            return Err(self.err(ErrorKind::JsonSyntax {
                                problem: "expected ',' or '}'",
                            }))
                        }
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut a = Vec::new();
                if self.peek()? == b']' {
                    self.pos += 1;
                    return Ok(Json::Arr(a));
                }
                loop {
                    a.push(self.value(depth + 1, limit)?);
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Ok(Json::Arr(a));
                        }
                        _ => {
                            return Err(self.err(ErrorKind::JsonSyntax {
                                problem: "expected ',' or ']'",
                            }))
                        }
                    }
                }
            }
            b'"' => self.string(limit).map(Json::Str),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => {
                let start = self.pos;
                while matches!(
                    self.b.get(self.pos),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                let n = self.b.get(start..self.pos).unwrap_or_default();
                Ok(Json::Num(String::from_utf8_lossy(n).into_owned()))
            }
            _ => Err(self.err(ErrorKind::JsonSyntax {
                problem: "not a JSON value",
            })),
        }
    }
    /// Walks the keys of an object up to `key`, skipping the other values; leaves the parser
    /// on `key`'s value.
    pub(super) fn enter(&mut self, key: &'static str) -> Result<(), Error> {
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            return Err(self.err(ErrorKind::NotHar { missing: Some(key) }));
        }
        loop {
            let k = self.string(usize::MAX)?;
            self.expect(b':')?;
            if k == key {
                return Ok(());
            }
            self.value(1, 0)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => return Err(self.err(ErrorKind::NotHar { missing: Some(key) })),
                _ => {
                    return Err(self.err(ErrorKind::JsonSyntax {
                        problem: "expected ',' or '}'",
                    }))
                }
            }
        }
    }
}
