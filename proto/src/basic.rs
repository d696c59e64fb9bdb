//! Basic authentication (RFC 7617): building and decoding `Authorization: Basic …`.
//!
//! ```text
//! credentials = "Basic" 1*SP token68          ; RFC 7617 §2
//! token68     = base64( user-id ":" password ) ; user-id MUST NOT contain ":"
//! ```
//! With `charset="UTF-8"` in the challenge the user-id and password are encoded as UTF-8
//! (RFC 7617 §2.1); without it the encoding is left to the client: current browsers use UTF-8,
//! Internet Explorer the Windows ANSI code page (modelled as ISO-8859-1). Base64 is the `base64`
//! crate's; only the splitting and the byte spans are ours.

use crate::error::{Error, ErrorKind};
use crate::field::{Field, Layer, Value};
use crate::Span;
use base64::Engine;
use serde::Serialize;

/// The character encoding of Basic credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Charset {
    #[serde(rename = "UTF-8")]
    Utf8,
    /// ISO-8859-1, what Internet Explorer's ANSI code page comes to for Western text.
    #[serde(rename = "ISO-8859-1")]
    Latin1,
}

impl Charset {
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Latin1 => "ISO-8859-1",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CredentialsError {
    /// RFC 7617 §2: "a user-id containing a colon character is invalid".
    UserIdContainsColon { offset: usize },
    /// RFC 7617 §2: control characters are not allowed in user-id or password.
    ControlCharacter { field: &'static str, offset: usize },
}

impl std::fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialsError::UserIdContainsColon { offset } => write!(
                f,
                "the user name contains ':' (at character {offset}): Basic joins user and password \
                 with ':' so the server could not tell them apart (RFC 7617 §2)"
            ),
            CredentialsError::ControlCharacter { field, offset } => write!(
                f,
                "the {field} contains a control character (at character {offset}), which Basic does \
                 not allow (RFC 7617 §2)"
            ),
        }
    }
}

/// An `Authorization: Basic` value and how it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Credentials {
    pub charset: Charset,
    /// `user-id ":" password` encoded in `charset`.
    pub bytes: Vec<u8>,
    pub token68: String,
    /// `Basic <token68>`.
    pub header_value: String,
    /// Characters the charset cannot represent, replaced by `?` (Internet Explorer's best fit).
    pub replaced: Vec<char>,
}

/// Encode `user` and `password` for Basic.
pub fn encode(
    user: &str,
    password: &str,
    charset: Charset,
) -> Result<Credentials, CredentialsError> {
    if let Some(offset) = user.chars().position(|c| c == ':') {
        return Err(CredentialsError::UserIdContainsColon { offset });
    }
    for (field, s) in [("user name", user), ("password", password)] {
        if let Some(offset) = s.chars().position(char::is_control) {
            return Err(CredentialsError::ControlCharacter { field, offset });
        }
    }
    let joined = format!("{user}:{password}");
    let mut replaced = Vec::new();
    let bytes = match charset {
        Charset::Utf8 => joined.into_bytes(),
        Charset::Latin1 => joined
            .chars()
            .map(|c| match u8::try_from(u32::from(c)) {
                Ok(b) => b,
                Err(_) => {
                    replaced.push(c);
                    b'?'
                }
            })
            .collect(),
    };
    let token68 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(Credentials {
        charset,
        header_value: format!("Basic {token68}"),
        bytes,
        token68,
        replaced,
    })
}

/// A decoded `Authorization: Basic` value, with spans into the header value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decoded {
    pub scheme_span: Span,
    pub token_span: Span,
    pub bytes: Vec<u8>,
    /// The bytes read as UTF-8 (lossy) and as ISO-8859-1: a server's reading depends on its charset.
    pub as_utf8: String,
    pub as_latin1: String,
    /// User and password as a server reading `charset` sees them.
    pub user: String,
    pub password: String,
    /// Byte span of the user-id and the password inside `bytes`.
    pub user_bytes: Span,
    pub password_bytes: Span,
}

/// Bytes read as ISO-8859-1 (every byte is one character).
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Decode an `Authorization` value (`Basic <base64>`), reading the text as `charset`.
///
/// The error's offset is a byte of `value`.
pub fn decode(value: &str, charset: Charset) -> Result<Decoded, Error> {
    let lead = value.len() - value.trim_start().len();
    let rest = value.get(lead..).unwrap_or("");
    let scheme_len = rest.find([' ', '\t']).unwrap_or(rest.len());
    let scheme = rest.get(..scheme_len).unwrap_or("");
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(Error::new(ErrorKind::NotBasic, lead));
    }
    let after = rest.get(scheme_len..).unwrap_or("");
    let token_start = lead + scheme_len + (after.len() - after.trim_start().len());
    let token = value.get(token_start..).unwrap_or("").trim_end();
    if token.is_empty() {
        return Err(Error::new(ErrorKind::MissingToken, token_start));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(i, _)
                | base64::DecodeError::InvalidLastSymbol(i, _) => i,
                base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => {
                    token.len()
                }
            };
            Error::new(ErrorKind::BadBase64 { reason: e }, token_start + at)
        })?;
    let Some(colon) = bytes.iter().position(|&b| b == b':') else {
        return Err(Error::new(ErrorKind::NoColon, token_start));
    };
    let read = |b: &[u8]| match charset {
        Charset::Utf8 => String::from_utf8_lossy(b).into_owned(),
        Charset::Latin1 => latin1(b),
    };
    let user = read(bytes.get(..colon).unwrap_or(&[]));
    let password = read(bytes.get(colon + 1..).unwrap_or(&[]));
    Ok(Decoded {
        scheme_span: Span::new(lead, lead + scheme_len),
        token_span: Span::new(token_start, token_start + token.len()),
        as_utf8: String::from_utf8_lossy(&bytes).into_owned(),
        as_latin1: latin1(&bytes),
        user,
        password,
        user_bytes: Span::new(0, colon),
        password_bytes: Span::new(colon + 1, bytes.len()),
        bytes,
    })
}

/// The layers of an `Authorization: Basic` value for the panes: the header text (scheme,
/// token68) and the decoded bytes (user-id, colon, password), each field with its span.
pub fn layers(value: &str, d: &Decoded) -> Vec<Layer> {
    let header = Layer {
        kind: "header",
        label: "Authorization header value",
        source: Span::new(0, value.len()),
        bytes: value.as_bytes().to_vec(),
        fields: vec![Field::new(
            "credentials",
            Span::new(d.scheme_span.start(), d.token_span.end()),
            Value::None,
        )
        .spec("RFC 7617 §2")
        .with(vec![
            Field::new(
                "auth-scheme",
                d.scheme_span,
                Value::Text(d.scheme_span.slice(value).to_string()),
            ),
            Field::new(
                "token68",
                d.token_span,
                Value::Text(d.token_span.slice(value).to_string()),
            )
            .note("base64 of user-id \":\" password: an encoding, not encryption"),
        ])],
    };
    let colon = Span::new(d.user_bytes.end(), d.password_bytes.start());
    let decoded = Layer {
        kind: "basic",
        label: "base64-decoded bytes",
        source: d.token_span,
        bytes: d.bytes.clone(),
        fields: vec![
            Field::new("user-pass", Span::new(0, d.bytes.len()), Value::None)
                .spec("RFC 7617 §2")
                .with(vec![
                    Field::new("user-id", d.user_bytes, Value::Text(d.user.clone())),
                    Field::new("colon", colon, Value::Text(":".into()))
                        .note("the first ':' separates user-id and password"),
                    Field::new(
                        "password",
                        d.password_bytes,
                        Value::Text(d.password.clone()),
                    )
                    .note("sent in the clear: anyone who sees the request can read it"),
                ]),
        ],
    };
    vec![header, decoded]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7617_section_2_example() {
        let c = encode("Aladdin", "open sesame", Charset::Utf8).unwrap();
        assert_eq!(c.header_value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }

    #[test]
    fn rfc7617_section_2_1_utf8_example() {
        let c = encode("test", "123\u{a3}", Charset::Utf8).unwrap();
        assert_eq!(c.header_value, "Basic dGVzdDoxMjPCow==");
    }

    #[test]
    fn latin1_encodes_one_byte_per_character_and_replaces_what_it_cannot() {
        let c = encode("test", "123\u{a3}", Charset::Latin1).unwrap();
        assert_eq!(c.bytes, b"test:123\xa3");
        let c = encode("j\u{f6}rg", "\u{20ac}", Charset::Latin1).unwrap();
        assert_eq!(c.bytes, b"j\xf6rg:?");
        assert_eq!(c.replaced, vec!['\u{20ac}']);
    }

    #[test]
    fn firefox_non_ascii_vector() {
        assert_eq!(
            encode("\u{e9}", "\u{e9}", Charset::Utf8).unwrap().token68,
            "w6k6w6k="
        );
    }

    #[test]
    fn a_user_id_with_a_colon_is_refused_with_its_position() {
        assert_eq!(
            encode("dom:ain", "x", Charset::Utf8),
            Err(CredentialsError::UserIdContainsColon { offset: 3 })
        );
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(matches!(
            encode("a", "b\u{7}", Charset::Utf8),
            Err(CredentialsError::ControlCharacter {
                field: "password",
                offset: 1
            })
        ));
    }

    #[test]
    fn decode_gives_user_password_and_spans() {
        let d = decode("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", Charset::Utf8).unwrap();
        assert_eq!(
            (d.user.as_str(), d.password.as_str()),
            ("Aladdin", "open sesame")
        );
        assert_eq!(d.scheme_span, Span(0, 5));
        assert_eq!(d.token_span, Span(6, 34));
        assert_eq!(d.user_bytes, Span(0, 7));
        assert_eq!(d.password_bytes, Span(8, 19));
    }

    #[test]
    fn layers_carry_spans_into_each_buffer() {
        let v = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
        let d = decode(v, Charset::Utf8).unwrap();
        let l = layers(v, &d);
        assert_eq!(l[0].find("token68").unwrap().span, Span(6, 34));
        assert_eq!(l[1].find("user-id").unwrap().span, Span(0, 7));
        assert_eq!(l[1].find("colon").unwrap().span, Span(7, 8));
        assert_eq!(l[1].find("password").unwrap().span, Span(8, 19));
        assert_eq!(l[1].fields[0].innermost_at(10).unwrap().name, "password");
        assert_eq!(l[0].fields[0].innermost_at(2).unwrap().name, "auth-scheme");
        assert!(l[0].fields[0].innermost_at(99).is_none());
    }

    #[test]
    fn password_may_contain_colons() {
        let c = encode("u", "a:b", Charset::Utf8).unwrap();
        let d = decode(&c.header_value, Charset::Utf8).unwrap();
        assert_eq!(d.password, "a:b");
    }

    #[test]
    fn utf8_credentials_read_as_latin1_are_mojibake() {
        let c = encode("test", "123\u{a3}", Charset::Utf8).unwrap();
        let d = decode(&c.header_value, Charset::Latin1).unwrap();
        assert_eq!(d.password, "123\u{c2}\u{a3}");
    }

    #[test]
    fn decode_errors_point_at_the_offending_byte() {
        assert_eq!(
            decode("NTLM abc", Charset::Utf8).unwrap_err().kind,
            ErrorKind::NotBasic
        );
        assert_eq!(
            decode("Basic ", Charset::Utf8).unwrap_err().kind,
            ErrorKind::MissingToken
        );
        let e = decode("Basic QW*h", Charset::Utf8).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::BadBase64 { .. }) && e.offset == 8);
        let e = decode("Basic Zm9v", Charset::Utf8).unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::NoColon, 6));
    }
}
